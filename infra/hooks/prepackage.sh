#!/usr/bin/env bash
# azd prepackage hook of the service "web": build the production frontend once, with
# the public address baked in, so that the package azd uploads starts without a
# build. Runs on the deployer's machine after `azd provision`, which sets
# PUBLIC_BASE_URL in the azd environment.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [ -z "${PUBLIC_BASE_URL:-}" ]; then
  echo "prepackage: error: PUBLIC_BASE_URL is not in the azd environment;" \
    "run 'azd provision' first (it is an output of infra/main.bicep)" >&2
  exit 1
fi

# The virtual environment, Node.js and bun that the build needs.
make setup

# The package ships .web from the project root, so build there and not into a
# folder that the caller's REFLEX_WEB_WORKDIR may name.
unset REFLEX_WEB_WORKDIR REFLEX_STATES_WORKDIR
echo "prepackage: building the frontend for $PUBLIC_BASE_URL"
.venv/bin/python -m sky_readers web build --api-url "$PUBLIC_BASE_URL"
