"""PostgreSQL, Blob Storage, Managed Redis, Communication Services, Key Vault and
Application Insights, as the templates declare them."""

from __future__ import annotations

import ipaddress
import json

import pytest

from tests.infra.templates import (
    only_resource,
    resolve_variables,
    resources_of_type,
    template,
)

POSTGRES = "modules/postgres.bicep"
STORAGE = "modules/storage.bicep"
REDIS = "modules/redis.bicep"
COMMUNICATION = "modules/communication.bicep"
KEY_VAULT = "modules/keyvault.bicep"
MONITORING = "modules/monitoring.bicep"

SECRET_TYPE = "Microsoft.KeyVault/vaults/secrets"


def _literal_address(value: str) -> ipaddress.IPv4Address | None:
    try:
        return ipaddress.IPv4Address(value)
    except ValueError:
        return None  # a parameter, such as clientIpAddress


def test_postgres_has_store_database():
    tree = template(POSTGRES)
    database = only_resource(
        tree, "Microsoft.DBforPostgreSQL/flexibleServers/databases"
    )
    main_params = template("main.bicep")["modules"]["postgres"]["config"]["params"]

    assert database["name"] == "databaseName"
    assert main_params["databaseName"] == "databaseName"
    assert template("main.bicep")["variables"]["databaseName"]["value"] == "sky_readers"
    assert database["properties"]["charset"] == "UTF8"


def test_postgres_public_access_only_with_firewall_rules():
    tree = template(POSTGRES)
    server = only_resource(tree, "Microsoft.DBforPostgreSQL/flexibleServers")
    rules = resources_of_type(
        tree, "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules"
    )

    assert server["properties"]["network"]["publicNetworkAccess"] == "Enabled"
    assert rules, "public access without a firewall rule admits nobody or everybody"


def test_postgres_firewall_rules_are_narrow():
    rules = resources_of_type(
        template(POSTGRES), "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules"
    )
    for name, rule in rules.items():
        start = _literal_address(rule["properties"]["startIpAddress"])
        end = _literal_address(rule["properties"]["endIpAddress"])
        if start is None or end is None:
            # A parameter: one address for both ends.
            assert (
                rule["properties"]["startIpAddress"]
                == (rule["properties"]["endIpAddress"])
            ), name
            continue
        # 0.0.0.0 to 0.0.0.0 is Azure's marker for Azure services only.
        assert int(end) - int(start) < 256, f"{name} opens {start} to {end}"


def test_postgres_allows_azure_services():
    rules = resources_of_type(
        template(POSTGRES), "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules"
    )
    azure = rules["allowAzureServices"]["properties"]

    assert azure == {"startIpAddress": "0.0.0.0", "endIpAddress": "0.0.0.0"}


def test_postgres_requires_tls():
    config = only_resource(
        template(POSTGRES), "Microsoft.DBforPostgreSQL/flexibleServers/configurations"
    )
    secret = template(POSTGRES)["resources"]["databaseUrlSecret"]["config"]

    assert config["name"] == "require_secure_transport"
    assert config["properties"]["value"] == "on"
    assert secret["properties"]["value"].endswith("?sslmode=require")


def test_postgres_has_size_and_backup_parameters():
    server = only_resource(
        template(POSTGRES), "Microsoft.DBforPostgreSQL/flexibleServers"
    )

    assert server["sku"] == {"name": "skuName", "tier": "skuTier"}
    assert server["properties"]["storage"]["storageSizeGB"] == "storageSizeGB"
    assert server["properties"]["storage"]["autoGrow"] == "Enabled"
    assert server["properties"]["backup"]["backupRetentionDays"] == (
        "backupRetentionDays"
    )


def test_database_url_escapes_password():
    value = template(POSTGRES)["resources"]["databaseUrlSecret"]["config"][
        "properties"
    ]["value"]

    assert value.startswith("postgresql://${administratorLogin}:")
    assert "${uriComponent(administratorPassword)}@" in value


def test_covers_container_is_private():
    tree = template(STORAGE)
    container = only_resource(
        tree, "Microsoft.Storage/storageAccounts/blobServices/containers"
    )

    assert container["properties"]["publicAccess"] == "None"
    assert template("main.bicep")["variables"]["coversContainerName"]["value"] == (
        "covers"
    )


def test_storage_account_blocks_anonymous_and_plain_http():
    account = only_resource(template(STORAGE), "Microsoft.Storage/storageAccounts")[
        "properties"
    ]

    assert account["allowBlobPublicAccess"] is False
    assert account["supportsHttpsTrafficOnly"] is True
    assert account["minimumTlsVersion"] == "TLS1_2"


def test_storage_keeps_deleted_covers():
    service = only_resource(
        template(STORAGE), "Microsoft.Storage/storageAccounts/blobServices"
    )["properties"]

    assert service["deleteRetentionPolicy"]["enabled"] is True
    assert service["containerDeleteRetentionPolicy"]["enabled"] is True


def test_redis_is_tls_only():
    tree = template(REDIS)
    cluster = only_resource(tree, "Microsoft.Cache/redisEnterprise")
    database = only_resource(tree, "Microsoft.Cache/redisEnterprise/databases")

    assert cluster["properties"]["minimumTlsVersion"] == "1.2"
    assert database["properties"]["clientProtocol"] == "Encrypted"


def test_redis_url_uses_tls_scheme():
    value = template(REDIS)["resources"]["redisUrlSecret"]["config"]["properties"][
        "value"
    ]

    assert value.startswith("rediss://:")
    assert "uriComponent(database.listKeys().primaryKey)" in value


def test_redis_suits_reflex_state():
    tree = template(REDIS)
    database = only_resource(tree, "Microsoft.Cache/redisEnterprise/databases")
    events = resolve_variables(
        "${" + database["properties"]["notifyKeyspaceEvents"] + "}", tree
    )

    # Reflex's lock waiter needs keyspace events for string, generic and expiry
    # operations; it cannot set them because Managed Redis blocks CONFIG.
    assert events == "K$sgxe"
    assert database["properties"]["clusteringPolicy"] == "EnterpriseCluster"
    assert database["properties"]["accessKeysAuthentication"] == "Enabled"


def test_redis_size_is_parameter():
    cluster = only_resource(template(REDIS), "Microsoft.Cache/redisEnterprise")
    main_params = template("main.bicep")["modules"]["redis"]["config"]["params"]

    assert cluster["sku"]["name"] == "skuName"
    assert main_params["skuName"] == "redisSku"


def test_email_uses_managed_domain():
    tree = template(COMMUNICATION)
    domain = only_resource(tree, "Microsoft.Communication/emailServices/domains")
    service = only_resource(tree, "Microsoft.Communication/communicationServices")
    linked = json.dumps(service["properties"]["linkedDomains"])

    assert domain["name"] == "AzureManagedDomain"
    assert domain["properties"]["domainManagement"] == "AzureManaged"
    assert "managedDomain" in linked


def test_sender_address_is_on_linked_domain():
    output = template(COMMUNICATION)["outputs"]["senderAddress"]["value"]

    assert (
        output == "${senderUsername}@${managedDomain.properties.mailFromSenderDomain}"
    )


def test_key_vault_uses_roles_and_purge_protection():
    vault = only_resource(template(KEY_VAULT), "Microsoft.KeyVault/vaults")[
        "properties"
    ]

    assert vault["enableRbacAuthorization"] is True
    assert vault["enableSoftDelete"] is True
    assert vault["enablePurgeProtection"] is True


@pytest.mark.parametrize("path", [KEY_VAULT, POSTGRES, STORAGE, REDIS, COMMUNICATION])
def test_secrets_go_to_store_key_vault(path):
    secrets = resources_of_type(template(path), SECRET_TYPE)

    assert secrets, f"{path} writes no secret"
    for name, secret in secrets.items():
        assert secret["parent"] == "vault", name
        assert secret["properties"]["contentType"] == "text/plain", name


def test_app_insights_is_workspace_based():
    tree = template(MONITORING)
    component = only_resource(tree, "Microsoft.Insights/components")

    assert component["properties"]["WorkspaceResourceId"]["operator"]["operands"] == {
        "operand_1": "logAnalytics",
        "operand_2": "id",
    }
    assert "applicationInsightsConnectionString" in tree["outputs"]


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("modules/appservice.bicep", "site"),
        (POSTGRES, "server"),
        (STORAGE, "blobService"),
        (REDIS, "cluster"),
    ],
)
def test_logs_go_to_log_analytics(path, scope):
    settings = resources_of_type(
        template(path), "Microsoft.Insights/diagnosticSettings"
    )

    assert any(item["scope"] == scope for item in settings.values()), path
    for item in settings.values():
        assert item["properties"]["workspaceId"] == "logAnalyticsWorkspaceId"
