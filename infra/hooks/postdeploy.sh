#!/usr/bin/env bash
# azd postdeploy hook of the service "web": apply the database migrations from the
# deployer's machine. PostgreSQL accepts only Azure addresses, so the hook opens a
# firewall rule for this machine's public IPv4 address for the duration of the
# migration and removes it afterwards.
#
# Environment (from azd): AZURE_RESOURCE_GROUP, POSTGRES_SERVER_NAME,
# AZURE_KEY_VAULT_NAME. Optional: SKY_READERS_DEPLOYER_IP (this machine's public
# address; otherwise the hook queries api.ipify.org, as `az postgres flexible-server
# create` does), SKY_READERS_SKIP_MIGRATION=true to leave the migration to the app's
# start (DB_UPGRADE_ON_START).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [ "${SKY_READERS_SKIP_MIGRATION:-false}" = "true" ]; then
  echo "postdeploy: SKY_READERS_SKIP_MIGRATION=true, so the app migrates when it starts"
  exit 0
fi

for name in AZURE_RESOURCE_GROUP POSTGRES_SERVER_NAME AZURE_KEY_VAULT_NAME; do
  if [ -z "${!name:-}" ]; then
    echo "postdeploy: error: $name is not in the azd environment; run 'azd provision' first" >&2
    exit 1
  fi
done
if ! command -v az >/dev/null 2>&1; then
  echo "postdeploy: error: the Azure CLI (az) is missing; install it and run 'az login'," \
    "or set SKY_READERS_SKIP_MIGRATION=true with azd env set" >&2
  exit 1
fi

ip="${SKY_READERS_DEPLOYER_IP:-}"
if [ -z "$ip" ]; then
  ip="$(curl --fail --silent --show-error --max-time 10 https://api.ipify.org || true)"
fi
if ! [[ "$ip" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]]; then
  echo "postdeploy: error: cannot tell this machine's public IPv4 address (got '$ip');" \
    "run: azd env set SKY_READERS_DEPLOYER_IP <address>" >&2
  exit 1
fi

rule="azd-migration-$(date -u +%Y%m%d%H%M%S)"
remove_rule() {
  echo "postdeploy: removing firewall rule $rule"
  az postgres flexible-server firewall-rule delete --yes --only-show-errors \
    --resource-group "$AZURE_RESOURCE_GROUP" --name "$POSTGRES_SERVER_NAME" \
    --rule-name "$rule" >/dev/null || echo "postdeploy: warning: remove firewall rule $rule by hand" >&2
}
echo "postdeploy: allowing $ip to reach $POSTGRES_SERVER_NAME (rule $rule)"
az postgres flexible-server firewall-rule create --only-show-errors \
  --resource-group "$AZURE_RESOURCE_GROUP" --name "$POSTGRES_SERVER_NAME" \
  --rule-name "$rule" --start-ip-address "$ip" --end-ip-address "$ip" >/dev/null
trap remove_rule EXIT

# Role assignments on a new vault can take a minute to apply, so retry the read.
database_url=""
for attempt in 1 2 3 4 5 6; do
  database_url="$(az keyvault secret show --vault-name "$AZURE_KEY_VAULT_NAME" \
    --name database-url --query value --output tsv 2>/dev/null || true)"
  [ -n "$database_url" ] && break
  echo "postdeploy: cannot read secret database-url yet (attempt $attempt of 6); retrying in 20 s"
  sleep 20
done
if [ -z "$database_url" ]; then
  echo "postdeploy: error: cannot read secret database-url from Key Vault" \
    "$AZURE_KEY_VAULT_NAME; check that you have the role Key Vault Secrets Officer on it" >&2
  exit 1
fi

python=".venv/bin/python"
[ -x "$python" ] || python="$(command -v python3)"
for attempt in 1 2 3; do
  if DATABASE_URL="$database_url" PGCONNECT_TIMEOUT=20 "$python" -m sky_readers db upgrade; then
    echo "postdeploy: database migrations applied"
    exit 0
  fi
  echo "postdeploy: migration attempt $attempt of 3 failed; a new firewall rule can take a minute, retrying in 30 s"
  sleep 30
done
echo "postdeploy: error: the migration failed three times; see the messages above" >&2
exit 1
