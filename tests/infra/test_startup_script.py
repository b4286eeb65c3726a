"""infra/app/startup.sh serves a prebuilt frontend, migrating first when asked.

The script runs as App Service would run it, on loopback, against a Redis server that
rejects CONFIG like Azure Managed Redis and has Reflex's keyspace events preset.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from sky_readers.core.db import build_engine
from sky_readers.core.settings import PROJECT_ROOT
from tests.processes import free_port, stop_process_group
from tests.redis_server import managed_redis_like_server

STARTUP = PROJECT_ROOT / "infra" / "app" / "startup.sh"
PUBLIC_URL = "https://shop.example.com"

# Seconds to wait for the server's first response; the first start also migrates.
START_TIMEOUT = 90


def _stop(process: subprocess.Popen) -> None:
    stop_process_group(process, grace_seconds=20)


@pytest.fixture(scope="module")
def frontend(tmp_path_factory) -> dict[str, str]:
    """Build the frontend once for the public address, as the prepackage hook does."""
    root = tmp_path_factory.mktemp("startup")
    folders = {
        "REFLEX_WEB_WORKDIR": str(root / "web"),
        "REFLEX_STATES_WORKDIR": str(root / "states"),
    }
    env = {**os.environ, **folders}
    command = [sys.executable, "-m", "sky_readers", "web", "build"]
    result = subprocess.run(
        [*command, "--api-url", PUBLIC_URL],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return folders


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """Start a Redis server that, like Azure Managed Redis, rejects CONFIG."""
    with managed_redis_like_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


def _start(frontend, redis_url, database_url: str, *, upgrade: bool, log: Path):
    port = free_port()
    env = {
        **os.environ,
        **frontend,
        "APP_ENV": "production",
        "SECRET_KEY": "s" * 48,
        "PUBLIC_BASE_URL": PUBLIC_URL,
        "CORS_ORIGINS": PUBLIC_URL,
        "DATABASE_URL": database_url,
        "DB_UPGRADE_ON_START": "true" if upgrade else "false",
        "BIND_HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_WORKERS": "2",
        "REFLEX_REDIS_URL": redis_url,
        "REFLEX_IGNORE_REDIS_CONFIG_ERROR": "true",
        "EMAIL_BACKEND": "console",
        "MAIL_WORKER_IN_APP": "false",
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            ["bash", str(STARTUP)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{base}/ping", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    _stop(process)
    pytest.fail(f"startup.sh did not serve /ping:\n{log.read_text()[-4000:]}")


def _tables(database_url: str) -> set[str]:
    engine = build_engine(database_url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_startup_migrates_and_serves(frontend, redis_url, fresh_postgres_url, tmp_path):
    log = tmp_path / "startup.log"

    process, base = _start(
        frontend, redis_url, fresh_postgres_url, upgrade=True, log=log
    )
    try:
        ping = httpx.get(f"{base}/ping", timeout=5)
        page = httpx.get(f"{base}/", timeout=5)
        health = httpx.get(f"{base}/_health", timeout=5).json()
        ready = httpx.get(f"{base}/api/ready", timeout=10)
    finally:
        _stop(process)

    assert ping.text == '"pong"'
    assert page.status_code == 200
    assert "<html" in page.text.lower()
    assert health["redis"] is True
    assert health["db"] is True
    assert "alembic_version" in _tables(fresh_postgres_url)
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"]["backend"] == "postgresql"
    assert ready.json()["checks"]["redis"]["ok"] is True
    output = log.read_text()
    assert "startup: applying database migrations" in output
    assert "with 2 worker(s)" in output
    json_lines = [json.loads(line) for line in output.splitlines() if line[:1] == "{"]
    starts = [line for line in json_lines if "starting: environment" in line["message"]]
    assert len(starts) == 2
    assert (
        "environment production, database postgresql, page state redis"
        in (starts[0]["message"])
    )
    accesses = [line for line in json_lines if line["logger"] == "sky_readers.access"]
    assert any(line["path"] == "/api/ready" for line in accesses)
    assert all(len(line["request_id"]) == 32 for line in accesses)


def test_startup_skips_migration_when_off(
    frontend, redis_url, fresh_postgres_url, tmp_path
):
    log = tmp_path / "startup.log"

    process, base = _start(
        frontend, redis_url, fresh_postgres_url, upgrade=False, log=log
    )
    try:
        health = httpx.get(f"{base}/_health", timeout=5).json()
    finally:
        _stop(process)

    assert health["db"] is True
    assert "applying database migrations" not in log.read_text()
    assert "alembic_version" not in _tables(fresh_postgres_url)
