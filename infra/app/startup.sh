#!/usr/bin/env bash
# Start command of the web app on App Service (siteConfig.appCommandLine in
# infra/modules/appservice.bicep). It applies the migrations when DB_UPGRADE_ON_START
# is true, then serves the prebuilt frontend, the websocket and the API on one port.
# The frontend was built at deploy time (infra/hooks/prepackage.sh), so nothing is
# compiled here and no Node.js is needed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# Oryx installs requirements.txt into a virtual environment named antenv; use it
# when App Service has not activated it already.
if [ -z "${VIRTUAL_ENV:-}" ] && [ -f antenv/bin/activate ]; then
  # shellcheck disable=SC1091
  source antenv/bin/activate
fi

if [ "${DB_UPGRADE_ON_START:-false}" = "true" ]; then
  echo "startup: applying database migrations (DB_UPGRADE_ON_START=true)"
  python -m sky_readers db upgrade
fi

# App Service routes to port 8000 on every interface; BIND_HOST=127.0.0.1 keeps a
# local trial of this script on loopback.
host="${BIND_HOST:-0.0.0.0}"
echo "startup: serving on $host:${PORT:-8000} with ${WEB_WORKERS:-2} worker(s)"
exec python -m sky_readers web serve \
  --host "$host" --port "${PORT:-8000}" --workers "${WEB_WORKERS:-2}"
