"""Bicep files parse, and main.bicep, its modules and its parameters file agree.

No Bicep compiler runs offline, so these tests check what `az bicep build` would
reject first: missing or unknown module parameters and outputs.
"""

from __future__ import annotations

import json

import pytest
from lark.exceptions import LarkError

from tests.infra.templates import (
    INFRA_DIR,
    bicep_files,
    has_decorator,
    module_output_references,
    parse,
    template,
)

MAIN = "main.bicep"


def _module_paths() -> dict[str, str]:
    return {
        name: module["detail"]["path"]
        for name, module in template(MAIN)["modules"].items()
    }


@pytest.mark.parametrize(
    "path", bicep_files(), ids=lambda path: str(path.relative_to(INFRA_DIR))
)
def test_bicep_file_parses(path):
    try:
        parse(path.read_text(encoding="utf-8"))
    except LarkError as exc:
        pytest.fail(f"{path.relative_to(INFRA_DIR)} does not parse: {exc}")


def test_parser_rejects_broken_bicep():
    with pytest.raises(LarkError):
        parse("resource site 'Microsoft.Web/sites@2024-04-01' = {\n")


def test_main_targets_subscription():
    assert template(MAIN)["globals"]["scope"]["value"] == "subscription"


def test_every_module_file_is_used():
    used = set(_module_paths().values())
    present = {
        str(path.relative_to(INFRA_DIR))
        for path in (INFRA_DIR / "modules").glob("*.bicep")
    }
    assert present == used


@pytest.mark.parametrize("module_name", sorted(template(MAIN)["modules"]))
def test_module_call_passes_known_parameters(module_name):
    call = template(MAIN)["modules"][module_name]["config"]["params"]
    declared = template(_module_paths()[module_name])["parameters"]
    unknown = set(call) - set(declared)
    assert not unknown, f"{module_name} gets parameters it does not declare: {unknown}"


@pytest.mark.parametrize("module_name", sorted(template(MAIN)["modules"]))
def test_module_call_passes_required_parameters(module_name):
    call = template(MAIN)["modules"][module_name]["config"]["params"]
    declared = template(_module_paths()[module_name])["parameters"]
    required = {name for name, spec in declared.items() if spec.get("default") is None}
    missing = required - set(call)
    assert not missing, f"{module_name} lacks required parameters {missing}"


def test_used_module_outputs_exist():
    paths = _module_paths()
    for module_name, output in module_output_references(template(MAIN)):
        outputs = template(paths[module_name])["outputs"]
        assert output in outputs, f"{module_name} has no output {output!r}"


def test_module_parameters_have_descriptions():
    for path in _module_paths().values():
        for name, parameter in template(path)["parameters"].items():
            assert has_decorator(parameter, "description"), f"{path}: {name}"


def test_parameters_file_matches_main():
    parameters = json.loads((INFRA_DIR / "main.parameters.json").read_text())
    given = set(parameters["parameters"])
    declared = template(MAIN)["parameters"]
    required = {name for name, spec in declared.items() if spec.get("default") is None}

    assert given <= set(declared), f"unknown: {given - set(declared)}"
    assert required <= given, f"missing: {required - given}"


def test_parameters_file_reads_azd_environment():
    parameters = json.loads((INFRA_DIR / "main.parameters.json").read_text())
    values = {name: item["value"] for name, item in parameters["parameters"].items()}

    assert values["environmentName"] == "${AZURE_ENV_NAME}"
    assert values["location"] == "${AZURE_LOCATION}"
    assert values["principalId"] == "${AZURE_PRINCIPAL_ID}"
    # azd generates the password once, then reads it back from the vault.
    assert values["postgresAdminPassword"] == (
        "$(secretOrRandomPassword ${AZURE_KEY_VAULT_NAME} postgres-admin-password)"
    )
    assert values["secretKey"] == "${SKY_READERS_SECRET_KEY}"


def test_main_has_environment_and_location_parameters():
    parameters = template(MAIN)["parameters"]

    assert parameters["environmentName"]["type"] == "string"
    assert parameters["location"]["type"] == "string"
    assert parameters["environmentName"]["default"] is None
    assert parameters["location"]["default"] is None


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("appServiceSku", "string"),
        ("appServiceInstanceCount", "int"),
        ("webWorkers", "int"),
        ("postgresSku", "string"),
        ("postgresTier", "string"),
        ("postgresStorageSizeGB", "int"),
        ("redisSku", "string"),
        ("storageSku", "string"),
    ],
)
def test_main_has_size_parameter(name, kind):
    parameter = template(MAIN)["parameters"][name]

    assert parameter["type"] == kind
    assert parameter["default"] is not None, f"{name} needs a default size"


def test_secret_parameters_are_secure():
    parameters = template(MAIN)["parameters"]
    for name in ("postgresAdminPassword", "secretKey", "googleBooksApiKey"):
        assert has_decorator(parameters[name], "secure"), name


@pytest.mark.parametrize(
    "output",
    [
        "PUBLIC_BASE_URL",
        "SERVICE_WEB_URI",
        "SERVICE_WEB_NAME",
        "AZURE_RESOURCE_GROUP",
        "AZURE_KEY_VAULT_NAME",
        "APP_SERVICE_PLAN_NAME",
        "POSTGRES_SERVER_NAME",
        "POSTGRES_DATABASE_NAME",
        "STORAGE_ACCOUNT_NAME",
        "STORAGE_COVERS_CONTAINER",
        "COMMUNICATION_SERVICE_NAME",
        "EMAIL_SERVICE_NAME",
        "REDIS_NAME",
        "APPLICATIONINSIGHTS_NAME",
        "LOG_ANALYTICS_WORKSPACE_NAME",
    ],
)
def test_main_has_output(output):
    assert output in template(MAIN)["outputs"]


def test_outputs_carry_no_secrets():
    for name, output in template(MAIN)["outputs"].items():
        text = json.dumps(output)
        assert "listKeys" not in text, name
        assert "Password" not in text, name
        assert "secretKey" not in text, name
