"""`web` commands: build the production frontend once, then serve it with the API."""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from sky_readers.core.errors import SkyReadersError
from sky_readers.core.settings import (
    PROJECT_ROOT,
    InsecureSettingsError,
    get_settings,
)

logger = logging.getLogger(__name__)

# rxconfig's app_name is "sky_readers", so Reflex's app module is
# sky_readers.sky_readers, and calling its rx.App `app` returns the ASGI application.
APP_TARGET = "sky_readers.sky_readers:app"

# Node and bun as `make setup` installs them from the npm registry.
JSRT_BIN = PROJECT_ROOT / "tools" / "jsrt" / "node_modules" / ".bin"
JSRT_BUN = (
    PROJECT_ROOT / "tools" / "jsrt" / "node_modules" / "@oven" / "bun-linux-x64" / "bin"
) / "bun"

# Files of a finished `web build`, relative to the Reflex web folder.
BUILD_MARKERS = (
    Path("build/client/index.html"),
    Path("backend/stateful_pages.json"),
    Path("env.json"),
)

# What `reflex run --env prod` sets for its server workers: serve the exported
# frontend from the backend's port and skip compiling the app at start (Reflex
# 0.10.1 internals, so re-check them when upgrading Reflex).
SERVE_ENVIRONMENT = {
    "REFLEX_ENV_MODE": "prod",
    "__REFLEX_SKIP_COMPILE": "true",
    "__REFLEX_MOUNT_FRONTEND_COMPILED_APP": "true",
}


def register(groups: argparse._SubParsersAction) -> None:
    """Add the `web` command group."""
    parser = groups.add_parser(
        "web", help="Build and serve the production web app (pages, websocket, API)."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    build = commands.add_parser(
        "build",
        help="Build the production frontend once, with the public address baked in.",
        description=(
            "Run `reflex export --frontend-only --no-zip` from the project root. The "
            "output goes to REFLEX_WEB_WORKDIR (default .web) and `web serve` serves "
            "it. Needs Node and bun, which `make setup` installs."
        ),
    )
    build.add_argument(
        "--api-url",
        help=(
            "Address at which browsers reach the server, for example "
            "https://shop.example.com (default: PUBLIC_BASE_URL)."
        ),
    )
    build.add_argument(
        "--loglevel",
        default="warning",
        choices=("debug", "info", "warning", "error"),
        help="Log level of the Reflex build (default: warning).",
    )
    build.set_defaults(handler=_build)

    serve = commands.add_parser(
        "serve",
        help="Serve the built frontend, the websocket and the API on one port.",
        description=(
            "Start granian on the app without rebuilding. Run `web build` first and "
            "`db upgrade` before a new release."
        ),
    )
    serve.add_argument("--host", help="Interface to listen on (default: BIND_HOST).")
    serve.add_argument(
        "--port", type=_port_number, help="TCP port to listen on (default: PORT)."
    )
    serve.add_argument(
        "--workers",
        type=_worker_count,
        help="Server processes (default: WEB_WORKERS); more than one needs Redis.",
    )
    serve.set_defaults(handler=_serve)


def _port_number(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        msg = f"invalid port {value!r}: give a number from 1 to 65535"
        raise argparse.ArgumentTypeError(msg)
    return port


def _worker_count(value: str) -> int:
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if not 1 <= workers <= 64:
        msg = f"invalid worker count {value!r}: give a number from 1 to 64"
        raise argparse.ArgumentTypeError(msg)
    return workers


def reflex_workdir(variable: str, default: str) -> Path:
    """Return a Reflex work folder as an absolute path.

    Reflex reads REFLEX_WEB_WORKDIR and REFLEX_STATES_WORKDIR relative to its working
    directory, which is the project root for these commands, so a relative value is
    taken relative to the caller's directory here instead.

    Args:
        variable: Name of the environment variable.
        default: Folder inside the project root when the variable is unset.

    Returns:
        The absolute folder.
    """
    value = os.environ.get(variable, "").strip()
    if not value:
        return PROJECT_ROOT / default
    return Path(value).expanduser().resolve()


def web_dir() -> Path:
    """Return the folder that holds the compiled frontend (REFLEX_WEB_WORKDIR)."""
    return reflex_workdir("REFLEX_WEB_WORKDIR", ".web")


def missing_build_parts(folder: Path) -> list[str]:
    """List the files of a finished frontend build that are absent from a folder."""
    return [str(marker) for marker in BUILD_MARKERS if not (folder / marker).is_file()]


def _reflex_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["REFLEX_WEB_WORKDIR"] = str(web_dir())
    env["REFLEX_STATES_WORKDIR"] = str(
        reflex_workdir("REFLEX_STATES_WORKDIR", ".states")
    )
    # Keep Reflex away from hosts other than the package registry.
    env.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    return env


def _add_javascript_tools(env: dict[str, str]) -> None:
    """Put Node and bun on the path of the build, and raise when either is missing."""
    if JSRT_BIN.is_dir():
        env["PATH"] = os.pathsep.join([str(JSRT_BIN), env.get("PATH", "")])
    # Reflex downloads bun when REFLEX_BUN_PATH names no file and none is on PATH.
    if not Path(env.get("REFLEX_BUN_PATH", "")).is_file() and JSRT_BUN.is_file():
        env["REFLEX_BUN_PATH"] = str(JSRT_BUN)

    node = shutil.which("node", path=env["PATH"])
    if node is None:
        msg = (
            "Node.js was not found on PATH, and the frontend build needs it: run "
            "`make setup`, which installs Node 22 and bun into tools/jsrt."
        )
        raise SkyReadersError(msg)
    bun_path = env.get("REFLEX_BUN_PATH", "")
    if not (bun_path and Path(bun_path).is_file()) and not shutil.which(
        "bun", path=env["PATH"]
    ):
        msg = (
            "bun was not found (neither REFLEX_BUN_PATH nor PATH), and the frontend "
            "build needs it: run `make setup`, which installs it into tools/jsrt."
        )
        raise SkyReadersError(msg)

    if not env.get("NPM_CONFIG_REGISTRY"):
        # Without a registry set, Reflex times the npm registry against a mirror.
        env["NPM_CONFIG_REGISTRY"] = _npm_registry(env)


def _npm_registry(env: dict[str, str]) -> str:
    npm = shutil.which("npm", path=env["PATH"])
    registry = ""
    if npm is not None:
        result = subprocess.run(
            [npm, "config", "get", "registry"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=30,
        )
        registry = result.stdout.strip() if result.returncode == 0 else ""
    return registry or "https://registry.npmjs.org/"


def _validated_api_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        msg = (
            f"invalid API URL {value!r} (--api-url or PUBLIC_BASE_URL): give the "
            "address browsers use, such as https://shop.example.com or "
            "http://127.0.0.1:3000"
        )
        raise SkyReadersError(msg)
    if parts.path.strip("/") or parts.query or parts.fragment:
        msg = (
            f"invalid API URL {value!r} (--api-url or PUBLIC_BASE_URL): give only "
            "the scheme, host and port, because the app serves from the root path"
        )
        raise SkyReadersError(msg)
    return f"{parts.scheme}://{parts.netloc}"


def _build(args: argparse.Namespace) -> int:
    api_url = _validated_api_url(args.api_url or get_settings().public_base_url)
    env = _reflex_environment()
    _add_javascript_tools(env)
    env["REFLEX_API_URL"] = api_url
    # One port serves pages and API, so the public address is both.
    env["REFLEX_DEPLOY_URL"] = api_url
    env["REFLEX_SHOW_BUILT_WITH_REFLEX"] = "false"

    folder = Path(env["REFLEX_WEB_WORKDIR"])
    command = [sys.executable, "-m", "reflex", "export", "--frontend-only", "--no-zip"]
    command += ["--loglevel", args.loglevel]
    logger.info("Building the frontend for %s into %s", api_url, folder)
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=False)
    if result.returncode != 0:
        msg = (
            f"the frontend build (`reflex export`) failed with exit status "
            f"{result.returncode}; its output above names the cause"
        )
        raise SkyReadersError(msg)

    missing = missing_build_parts(folder)
    if missing:
        msg = (
            f"`reflex export` finished but {folder} lacks {', '.join(missing)}; "
            "delete the folder and run `web build` again"
        )
        raise SkyReadersError(msg)
    print(f"Built the frontend for {api_url} into {folder / 'build' / 'client'}")
    return 0


def built_api_url(folder: Path) -> str | None:
    """Return the API URL baked into a frontend build, or None when unreadable."""
    try:
        endpoints = json.loads((folder / "env.json").read_text())
        ping = urlsplit(endpoints["PING"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return f"{ping.scheme}://{ping.netloc}"


def _check_can_serve(folder: Path, workers: int) -> None:
    try:
        get_settings().check_production_safety()
    except InsecureSettingsError as exc:
        raise SkyReadersError(str(exc)) from exc

    missing = missing_build_parts(folder)
    if missing:
        msg = (
            f"no frontend build in {folder} (missing {', '.join(missing)}): run "
            "`python -m sky_readers web build` first, with the same "
            "REFLEX_WEB_WORKDIR"
        )
        raise SkyReadersError(msg)
    if workers > 1 and not os.environ.get("REFLEX_REDIS_URL"):
        msg = (
            f"{workers} workers need shared state: set REFLEX_REDIS_URL "
            "(for example redis://127.0.0.1:6379/0) or use one worker"
        )
        raise SkyReadersError(msg)


def _warn_on_other_port(folder: Path, port: int) -> None:
    built_for = built_api_url(folder)
    logger.info("The frontend in %s calls the server at %s", folder, built_for)
    if built_for is None:
        return
    parts = urlsplit(built_for)
    local = parts.hostname in ("localhost", "127.0.0.1", "::1", "0.0.0.0")
    if local and parts.port not in (None, port):
        logger.warning(
            "The frontend was built for %s but the server listens on port %d, so "
            "pages will not connect: rebuild with `web build --api-url` or use "
            "--port %d",
            built_for,
            port,
            parts.port,
        )


def _serve(args: argparse.Namespace) -> int:
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    settings = get_settings()
    host = args.host or settings.bind_host
    port = args.port or settings.port
    workers = args.workers or settings.web_workers
    folder = web_dir()
    _check_can_serve(folder, workers)
    _warn_on_other_port(folder, port)

    os.environ.update(_reflex_environment())
    os.environ.update(SERVE_ENVIRONMENT)
    # Reflex finds rxconfig.py, .web and uploaded_files through the working directory.
    os.chdir(PROJECT_ROOT)
    sys.path.insert(0, str(PROJECT_ROOT))

    level = settings.log_level.lower()
    if level not in {item.value for item in LogLevels}:
        level = "info"
    logger.info(
        "Serving Sky Readers Haven at http://%s:%d/ with %d worker(s)",
        host,
        port,
        workers,
    )
    server = Server(
        target=APP_TARGET,
        factory=True,
        interface=Interfaces.ASGI,
        address=host,
        port=port,
        workers=workers,
        log_level=LogLevels(level),
        workers_kill_timeout=10,
    )
    server.serve()
    return 0
