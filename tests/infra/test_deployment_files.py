"""azure.yaml, the azd hooks, the startup script and the package's ignore file."""

from __future__ import annotations

import fnmatch
import re
import subprocess

import pytest
import yaml

from sky_readers.core.settings import PROJECT_ROOT
from tests.infra.templates import INFRA_DIR, template

HOOKS = INFRA_DIR / "hooks"
STARTUP = INFRA_DIR / "app" / "startup.sh"


def _azure_yaml() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "azure.yaml").read_text())


def _ignore_patterns() -> list[str]:
    lines = (PROJECT_ROOT / ".webappignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _ignored(path: str) -> bool:
    parts = path.split("/")
    for pattern in _ignore_patterns():
        bare = pattern.rstrip("/")
        prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
        if any(fnmatch.fnmatchcase(prefix, bare) for prefix in prefixes):
            return True
        if "/" not in bare and any(fnmatch.fnmatchcase(part, bare) for part in parts):
            return True
    return False


def test_azure_yaml_uses_bicep_main():
    infra = _azure_yaml()["infra"]

    assert infra == {"provider": "bicep", "path": "infra", "module": "main"}
    assert (INFRA_DIR / "main.bicep").is_file()


def test_azure_yaml_provisions_before_packaging():
    steps = _azure_yaml()["workflows"]["up"]["steps"]

    assert steps == [{"azd": "provision"}, {"azd": "deploy --all"}]


def test_azure_yaml_deploys_python_to_app_service():
    web = _azure_yaml()["services"]["web"]

    assert web["host"] == "appservice"
    assert web["language"] == "py"
    assert web["project"] == "."


@pytest.mark.parametrize(
    ("where", "event", "script"),
    [
        ("project", "preprovision", "preprovision.sh"),
        ("web", "prepackage", "prepackage.sh"),
        ("web", "postdeploy", "postdeploy.sh"),
    ],
)
def test_hook_runs_script(where, event, script):
    config = _azure_yaml()
    hooks = (
        config["hooks"] if where == "project" else config["services"][where]["hooks"]
    )
    hook = hooks[event]

    assert hook["run"] == f"bash infra/hooks/{script}"
    assert hook["continueOnError"] is False
    assert (HOOKS / script).is_file()


@pytest.mark.parametrize(
    "path", [*sorted(HOOKS.glob("*.sh")), STARTUP], ids=lambda path: path.name
)
def test_shell_script_syntax(path):
    result = subprocess.run(
        ["bash", "-n", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_postdeploy_runs_migration():
    text = (HOOKS / "postdeploy.sh").read_text()

    assert "-m sky_readers db upgrade" in text
    assert "trap remove_rule EXIT" in text


def test_prepackage_builds_frontend_with_public_address():
    text = (HOOKS / "prepackage.sh").read_text()

    assert "make setup" in text
    assert '-m sky_readers web build --api-url "$PUBLIC_BASE_URL"' in text


def test_hooks_read_outputs_of_main():
    outputs = set(template("main.bicep")["outputs"])
    azd_names = {"AZURE_ENV_NAME", "AZURE_LOCATION", "AZURE_PRINCIPAL_ID"}
    own_names = {
        "SKY_READERS_SECRET_KEY",
        "SKY_READERS_DEPLOYER_IP",
        "SKY_READERS_SKIP_MIGRATION",
        "PGCONNECT_TIMEOUT",
        "DATABASE_URL",
        "REFLEX_WEB_WORKDIR",
        "REFLEX_STATES_WORKDIR",
    }
    shell_names = {"BASH_SOURCE", "VIRTUAL_ENV"}
    for path in HOOKS.glob("*.sh"):
        text = path.read_text()
        used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", text))
        used |= (
            set(re.findall(r"for name in ([A-Z0-9_ ]+);", text)[0].split())
            if ("for name in" in text)
            else set()
        )
        unknown = used - outputs - azd_names - own_names - shell_names
        assert not unknown, (
            f"{path.name} reads {unknown}, which main.bicep does not output"
        )


def test_startup_serves_from_settings():
    text = STARTUP.read_text()

    assert "python -m sky_readers db upgrade" in text
    assert "exec python -m sky_readers web serve" in text
    assert 'host="${BIND_HOST:-0.0.0.0}"' in text
    assert '--host "$host" --port "${PORT:-8000}" --workers "${WEB_WORKERS:-2}"' in text
    assert '"${DB_UPGRADE_ON_START:-false}" = "true"' in text


def test_startup_does_not_build_frontend():
    text = STARTUP.read_text()

    assert "web build" not in text
    assert "reflex run" not in text
    assert "reflex export" not in text


@pytest.mark.parametrize(
    "path",
    [
        ".web/build/client/index.html",
        ".web/backend/stateful_pages.json",
        ".web/env.json",
        "infra/app/startup.sh",
        "requirements.txt",
        "rxconfig.py",
        "alembic/env.py",
        "sky_readers/sky_readers.py",
    ],
)
def test_package_keeps(path):
    assert not _ignored(path)


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".venv-checkov/bin/checkov",
        ".web/node_modules/react/index.js",
        "tools/jsrt/node_modules/.bin/node",
        "sky_readers.db",
        "sky_readers/__pycache__/x.pyc",
        ".git/HEAD",
    ],
)
def test_package_leaves_out(path):
    assert _ignored(path)
