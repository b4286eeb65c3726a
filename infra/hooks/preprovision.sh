#!/usr/bin/env bash
# azd preprovision hook: make sure the environment has SKY_READERS_SECRET_KEY, which
# main.parameters.json passes to Bicep as SECRET_KEY. It keeps the value already in
# the azd environment, else reads it back from the Key Vault of an earlier
# deployment, else generates a new one. A new key signs every user out.
set -euo pipefail

if [ -n "${SKY_READERS_SECRET_KEY:-}" ]; then
  echo "preprovision: SKY_READERS_SECRET_KEY is set in the azd environment"
  exit 0
fi

key=""
if [ -n "${AZURE_KEY_VAULT_NAME:-}" ] && command -v az >/dev/null 2>&1; then
  key="$(az keyvault secret show --vault-name "$AZURE_KEY_VAULT_NAME" \
    --name secret-key --query value --output tsv 2>/dev/null || true)"
  if [ -n "$key" ]; then
    echo "preprovision: using the SECRET_KEY stored in Key Vault $AZURE_KEY_VAULT_NAME"
  fi
fi

if [ -z "$key" ]; then
  python="$(command -v python3 || command -v python || true)"
  if [ -z "$python" ]; then
    echo "preprovision: error: python3 is missing, and it generates SECRET_KEY;" \
      "install Python 3.11 or run: azd env set SKY_READERS_SECRET_KEY <64 random characters>" >&2
    exit 1
  fi
  key="$("$python" -c 'import secrets; print(secrets.token_urlsafe(48))')"
  echo "preprovision: generated a new SECRET_KEY"
fi

azd env set SKY_READERS_SECRET_KEY "$key" >/dev/null
