"""The App Service plan and web app: Linux, Python, WebSockets, TLS, health check and
an app setting for every setting the store reads in production."""

from __future__ import annotations

import fnmatch
import json

import pytest
from pydantic import SecretStr

from sky_readers.core.settings import Settings
from tests.infra.templates import (
    only_resource,
    resolve_variables,
    resource_config,
    template,
)

APP_SERVICE = "modules/appservice.bicep"

# Settings of sky_readers/core/settings.py that production leaves at their code
# defaults, as shell patterns with the reason.
PRODUCTION_DEFAULTS = {
    "STORE_NAME": "the default is the store's real name",
    "DEFAULT_CURRENCY": "prices are kept in US dollars, the default",
    "IMPORT_DEFAULT_STOCK": "only the catalog import reads it",
    "SHARED_DATA_DIR": "only tests and benchmarks read the shared data folder",
    "JWT_*": "token claims and lifetime: the defaults are the production values",
    "BCRYPT_ROUNDS": "the default cost of 12 is the production value",
    "SESSION_*": "session lifetime and cookie name: the defaults are production values",
    "*_TOKEN_LIFETIME_SECONDS": "link lifetimes: the defaults are production values",
    "LOGIN_*": "login throttling: the defaults are production values",
    "EMAIL_FILE_DIR": "only the console mail backend writes files",
    "EMAIL_SENDER_NAME": "only the SMTP backend adds a display name",
    "EMAIL_MAX_ATTEMPTS": "mail retry schedule: the defaults are production values",
    "EMAIL_RETRY_*": "mail retry schedule: the defaults are production values",
    "EMAIL_LEASE_SECONDS": "mail retry schedule: the default suits ACS polling",
    "MAIL_WORKER_POLL_SECONDS": "worker pacing: the default is the production value",
    "MAIL_WORKER_BATCH_SIZE": "worker pacing: the default is the production value",
    "RECOMMENDATIONS_REBUILD_SECONDS": "job pacing: the default is the production value",
    "RESTOCK_SWEEP_SECONDS": "job pacing: the default is the production value",
    "SMTP_*": "production sends mail through ACS, not SMTP",
    "ACS_ENDPOINT": "ACS_CONNECTION_STRING carries the endpoint",
    "ACS_ACCESS_KEY": "ACS_CONNECTION_STRING carries the access key",
    "ACS_CA_FILE": "the ACS endpoint has a publicly trusted certificate",
    "ACS_REQUEST_TIMEOUT_SECONDS": "ACS timing: the default is the production value",
    "ACS_POLL_*": "ACS timing: the defaults are production values",
    "GOOGLE_BOOKS_API_URL": "the default is Google's public endpoint",
    "GOOGLE_BOOKS_COUNTRY": "empty lets Google pick the country from the address",
    "GOOGLE_BOOKS_*_SECONDS": "client timing: the defaults are production values",
    "GOOGLE_BOOKS_MAX_ATTEMPTS": "client retries: the default is the production value",
    "GOOGLE_BOOKS_CACHE_MAX_ENTRIES": "cache size: the default is the production value",
    "LOCAL_STORAGE_DIR": "production keeps covers in Blob Storage, not on local disk",
    "AZURE_STORAGE_URL_MODE": "the default, signed links, suits the private container",
    "AZURE_STORAGE_PUBLIC_BASE_URL": "only public mode reads it",
    "AZURE_STORAGE_SAS_LIFETIME_SECONDS": "link lifetime: the default is production's",
    "AZURE_STORAGE_API_VERSION": "Azure accepts the SDK's newest version",
    "AZURE_STORAGE_*_TIMEOUT_SECONDS": "client timing: the defaults are production's",
    "CART_*": "cart limit and cookie: the defaults are production values",
    "SALES_TAX_RATE": "money rule of docs/orders.md: the default is the store's rate",
    "SHIPPING_FEE": "money rule of docs/orders.md: the default is the store's fee",
    "FREE_SHIPPING_THRESHOLD": "money rule of docs/orders.md: the store's threshold",
    "ORDER_NUMBER_PREFIX": "the default SRH is the store's prefix",
}

# App settings that other programs read, with the reader.
PLATFORM_SETTINGS = {
    "DB_UPGRADE_ON_START": "infra/app/startup.sh",
    "REFLEX_REDIS_URL": "Reflex: the Redis state manager",
    "REFLEX_IGNORE_REDIS_CONFIG_ERROR": "Reflex: Managed Redis rejects CONFIG SET",
    "REFLEX_API_URL": "Reflex: the address the frontend calls",
    "REFLEX_DEPLOY_URL": "Reflex: the address of the pages",
    "REFLEX_SHOW_BUILT_WITH_REFLEX": "Reflex: hides the badge",
    "REFLEX_TELEMETRY_ENABLED": "Reflex: telemetry off",
    "REFLEX_CHECK_LATEST_VERSION": "Reflex: no version check at start",
    "SCM_DO_BUILD_DURING_DEPLOYMENT": "App Service: Oryx installs requirements.txt",
    "ENABLE_ORYX_BUILD": "App Service: Oryx installs requirements.txt",
    "WEBSITES_CONTAINER_START_TIME_LIMIT": "App Service: start timeout",
    "APPLICATIONINSIGHTS_CONNECTION_STRING": "Application Insights SDKs and agent",
}

# Cover storage settings that the store does not read: the connection string
# carries the account name, which the deployment sets for operators to see.
COVER_STORAGE_SETTINGS = {"AZURE_STORAGE_ACCOUNT_NAME"}

# Settings whose values hold a password or key even though their type is str.
SECRET_BEARING = {"DATABASE_URL", "REFLEX_REDIS_URL", "AZURE_STORAGE_CONNECTION_STRING"}


def _site() -> dict:
    return only_resource(template(APP_SERVICE), "Microsoft.Web/sites")


def _site_config() -> dict:
    return _site()["properties"]["siteConfig"]


def _app_settings() -> dict:
    tree = template(APP_SERVICE)
    configs = {
        resource_config(resource)["name"]: resource_config(resource)
        for resource in tree["resources"].values()
        if resource["type"] == "Microsoft.Web/sites/config"
    }
    return configs["appsettings"]["properties"]


def _store_settings() -> set[str]:
    return {name.upper() for name in Settings.model_fields}


def _secret_settings() -> set[str]:
    secret_fields = {
        name.upper()
        for name, field in Settings.model_fields.items()
        if field.annotation is SecretStr
    }
    return secret_fields | SECRET_BEARING | {"SECRET_KEY"}


def _is_key_vault_reference(value) -> bool:
    text = resolve_variables(value, template(APP_SERVICE))
    return text.startswith("@Microsoft.KeyVault(VaultName=") and text.endswith(")")


def _allowed_default(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in PRODUCTION_DEFAULTS)


def test_plan_is_linux():
    plan = only_resource(template(APP_SERVICE), "Microsoft.Web/serverfarms")

    assert plan["kind"] == "linux"
    assert plan["properties"]["reserved"] is True
    assert plan["sku"]["name"] == "skuName"
    assert plan["sku"]["capacity"] == "instanceCount"


def test_site_is_python_on_linux():
    site = _site()

    assert site["kind"] == "app,linux"
    assert _site_config()["linuxFxVersion"] == "PYTHON|${pythonVersion}"
    assert (
        template("main.bicep")["modules"]["web"]["config"]["params"]["pythonVersion"]
        == "3.11"
    )


def test_site_is_tagged_for_azd():
    tags = _site()["tags"]["function"]

    assert tags["type"] == "union"
    assert tags["parameters"]["arg_2"] == {"'azd-service-name'": "web"}


def test_site_is_https_only():
    assert _site()["properties"]["httpsOnly"] is True


def test_site_enables_websockets():
    assert _site_config()["webSocketsEnabled"] is True


@pytest.mark.parametrize("key", ["minTlsVersion", "scmMinTlsVersion"])
def test_site_requires_tls_1_2(key):
    assert _site_config()[key] == "1.2"


def test_site_health_check_is_ping():
    assert _site_config()["healthCheckPath"] == "/ping"


def test_site_is_always_on():
    assert _site_config()["alwaysOn"] is True


def test_site_disables_ftp():
    assert _site_config()["ftpsState"] == "Disabled"


def test_site_starts_with_startup_script():
    assert _site_config()["appCommandLine"] == "bash infra/app/startup.sh"


def test_site_uses_managed_identity_for_key_vault():
    site = _site()

    assert site["identity"]["type"] == "SystemAssigned"
    assert site["properties"]["keyVaultReferenceIdentity"] == "SystemAssigned"


def test_site_identity_reads_key_vault_secrets():
    assignments = [
        resource_config(resource)
        for resource in template(APP_SERVICE)["resources"].values()
        if resource["type"] == "Microsoft.Authorization/roleAssignments"
    ]
    roles = [json.dumps(item["properties"]["roleDefinitionId"]) for item in assignments]
    variables = template(APP_SERVICE)["variables"]

    assert variables["secretsUserRoleId"]["value"] == (
        "4633458b-17de-408a-b874-0445c86b69e6"
    )
    assert any("secretsUserRoleId" in role for role in roles)


def test_app_settings_wait_for_role_assignment():
    resource = template(APP_SERVICE)["resources"]["appSettings"]

    assert "siteSecretsUser" in resource["config"]["dependsOn"]


def test_store_runs_in_production_mode():
    settings = _app_settings()

    assert settings["APP_ENV"] == "production"
    assert settings["ALLOW_TEST_EMAIL_DOMAINS"] == "false"
    assert settings["EMAIL_BACKEND"] == "acs"
    assert settings["BIND_HOST"] == "0.0.0.0"


def test_port_and_workers_come_from_settings():
    settings = _app_settings()

    assert settings["PORT"] == "8000"
    assert settings["WEB_WORKERS"]["function"]["type"] == "string"
    assert settings["WEB_WORKERS"]["function"]["parameters"] == {
        "value_to_convert": "webWorkers"
    }


@pytest.mark.parametrize(
    "name",
    ["PUBLIC_BASE_URL", "CORS_ORIGINS", "REFLEX_API_URL", "REFLEX_DEPLOY_URL"],
)
def test_public_address_settings_agree(name):
    assert _app_settings()[name] == "publicAddress"


def test_public_address_defaults_to_site_host():
    value = template(APP_SERVICE)["variables"]["publicAddress"]["value"]
    operands = value["operator"]["operands"]

    assert operands["true_value"] == "https://${site.properties.defaultHostName}"
    assert operands["false_value"] == "publicBaseUrl"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("REFLEX_IGNORE_REDIS_CONFIG_ERROR", "true"),
        ("REFLEX_SHOW_BUILT_WITH_REFLEX", "false"),
        ("SCM_DO_BUILD_DURING_DEPLOYMENT", "true"),
        ("WEBSITES_CONTAINER_START_TIME_LIMIT", "600"),
    ],
)
def test_platform_setting_value(name, value):
    assert _app_settings()[name] == value


def test_app_insights_connection_string_is_set():
    settings = _app_settings()
    web_params = template("main.bicep")["modules"]["web"]["config"]["params"]
    source = web_params["applicationInsightsConnectionString"]["operator"]["operands"]

    assert settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] == (
        "applicationInsightsConnectionString"
    )
    assert source["operand_1"] == "monitoring"


@pytest.mark.parametrize(
    "name",
    [
        "SECRET_KEY",
        "DATABASE_URL",
        "REFLEX_REDIS_URL",
        "ACS_CONNECTION_STRING",
        "AZURE_STORAGE_CONNECTION_STRING",
    ],
)
def test_secret_is_key_vault_reference(name):
    value = _app_settings()[name]

    assert isinstance(value, str)
    assert _is_key_vault_reference(value), f"{name} = {value!r}"


def test_optional_api_key_is_key_vault_reference():
    value = _app_settings()["GOOGLE_BOOKS_API_KEY"]["operator"]["operands"]

    assert value["true_value"] == ""
    assert _is_key_vault_reference(value["false_value"])


def test_every_secret_setting_uses_key_vault():
    settings = _app_settings()
    for name in sorted(_secret_settings() & set(settings)):
        text = json.dumps(settings[name])
        values = [settings[name]] if isinstance(settings[name], str) else []
        if not values:
            operands = settings[name]["operator"]["operands"]
            values = [operands["true_value"], operands["false_value"]]
        assert all(value == "" or _is_key_vault_reference(value) for value in values), (
            f"{name} is not a Key Vault reference: {text}"
        )


def test_no_secret_value_inline():
    tree = template(APP_SERVICE)
    secure = {
        name
        for name, parameter in tree["parameters"].items()
        if any(item["type"] == "secure" for item in parameter["decorators"])
    }
    for name, value in _app_settings().items():
        text = json.dumps(value)
        assert "listKeys" not in text, name
        for parameter in secure:
            assert parameter not in text, f"{name} uses secure parameter {parameter}"


def test_production_settings_are_app_settings():
    settings = set(_app_settings())
    missing = sorted(
        name for name in _store_settings() - settings if not _allowed_default(name)
    )
    assert not missing, (
        f"settings the store reads but the web app does not set: {missing}; add "
        "them to infra/modules/appservice.bicep, or to PRODUCTION_DEFAULTS with a "
        "reason"
    )


def test_secret_settings_are_never_left_default():
    for name in sorted(_secret_settings() & _store_settings()):
        if name in _app_settings():
            continue
        assert _allowed_default(name), name
        # A secret may stay unset only when its backend is unused in production.
        assert fnmatch.fnmatchcase(name, "SMTP_*") or name.startswith("ACS_"), name


def test_app_settings_have_known_readers():
    known = _store_settings() | set(PLATFORM_SETTINGS) | COVER_STORAGE_SETTINGS
    unknown = sorted(set(_app_settings()) - known)
    assert not unknown, (
        f"app settings that nothing reads: {unknown}; fix the name, or add the reader "
        "to PLATFORM_SETTINGS"
    )


def test_production_default_patterns_are_in_use():
    settings = set(_app_settings())
    left_default = _store_settings() - settings
    for pattern in PRODUCTION_DEFAULTS:
        matches = [name for name in left_default if fnmatch.fnmatchcase(name, pattern)]
        assert matches, f"PRODUCTION_DEFAULTS entry {pattern!r} matches no setting"


def test_settings_pass_production_checks():
    given = {
        name: value
        for name, value in _app_settings().items()
        if isinstance(value, str) and name.lower() in Settings.model_fields
    }
    given["SECRET_KEY"] = "k" * 48
    given["PUBLIC_BASE_URL"] = "https://shop.example.com"
    given["CORS_ORIGINS"] = "https://shop.example.com"
    given["LOG_LEVEL"] = "INFO"
    # App Service replaces these Key Vault references by the secrets' values; the
    # database secret is a postgresql:// URL (see test_data_services).
    given["DATABASE_URL"] = "postgresql://store:pw@db.postgres.example.com:5432/store"
    given["REFLEX_REDIS_URL"] = "rediss://:key@cache.example.com:10000/0"
    given.pop("ACS_CONNECTION_STRING")

    settings = Settings(_env_file=None, **{k.lower(): v for k, v in given.items()})

    assert settings.insecure_reasons() == []
    assert settings.is_production
