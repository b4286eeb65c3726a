# Two commands on a fresh machine:  `make run` serves the store, `make test` runs every test.
# Both set up what they need first: a virtual environment in .venv, Node 22 and bun from
# the npm registry in tools/jsrt, and Debian's Chromium for the browser tests.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
JSRT := tools/jsrt
PORT ?= 3000
CHROMIUM ?= /usr/bin/chromium

# Keep Reflex on the package registries: no version check, no telemetry, our own bun.
export PATH := $(CURDIR)/$(JSRT)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_BUN_PATH := $(CURDIR)/$(JSRT)/node_modules/@oven/bun-linux-x64/bin/bun
export REFLEX_CHECK_LATEST_VERSION := false
export REFLEX_TELEMETRY_ENABLED := false
export NPM_CONFIG_REGISTRY ?= $(shell npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup run test test-unit test-e2e test-infra browser web clean

help:
	@echo "make run    set up and serve the store at http://127.0.0.1:$(PORT)/"
	@echo "make test   set up and run all tests (PostgreSQL too when TEST_DATABASE_URL is set)"

$(VENV)/.installed: requirements.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(JSRT)/node_modules/.installed: $(JSRT)/package.json $(JSRT)/package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error --prefix $(JSRT)
	@touch $@

setup: $(VENV)/.installed $(JSRT)/node_modules/.installed

# Azurite, the Blob Storage emulator of the cover storage tests, pinned in its
# package-lock.json; the tests start it on 127.0.0.1 themselves.
AZURITE := tools/azurite

$(AZURITE)/node_modules/.installed: $(AZURITE)/package.json $(AZURITE)/package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error --prefix $(AZURITE)
	@touch $@

# Compile the Reflex app once, which installs the frontend's npm packages into .web.
web: setup
	reflex compile --no-rich --loglevel warning

browser:
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Chromium is missing: run 'sudo apt-get install chromium' and try again." >&2; exit 1; \
	  fi; \
	fi

# The same path as a deployment: build the frontend for the local address, then serve
# pages, websocket and API on one port of 127.0.0.1.
run: setup
	$(VENV)/bin/python -m sky_readers db upgrade
	$(VENV)/bin/python -m sky_readers catalog load-starter
	PUBLIC_BASE_URL=http://127.0.0.1:$(PORT) $(VENV)/bin/python -m sky_readers web build
	@echo "Starting Sky Readers Haven at http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	PUBLIC_BASE_URL=http://127.0.0.1:$(PORT) $(VENV)/bin/python -m sky_readers web serve \
	  --host 127.0.0.1 --port $(PORT) --workers 1

test-unit: setup $(AZURITE)/node_modules/.installed
	$(VENV)/bin/python -m pytest -p no:playwright --ignore=tests/e2e $(PYTEST_ARGS)

# The harness builds and serves its own copy of the store; `timeout` stops a hung run
# (SIGTERM lets the harness stop its server, SIGKILL follows 30 s later).
# pytest-asyncio is off here, so its options in pytest.ini are unknown to this run.
test-e2e: setup browser web
	timeout --kill-after=30 2400 $(VENV)/bin/python -m pytest -p no:asyncio \
	  -W "ignore:Unknown config option:pytest.PytestConfigWarning" tests/e2e $(PYTEST_ARGS)

# The offline gates of infra/: pycep-parser parses every Bicep file and checkov scans
# them, from their own virtual environment because checkov pins many packages.
CHECKOV_VENV := .venv-checkov

$(CHECKOV_VENV)/.installed: infra/requirements-checkov.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r infra/requirements-checkov.txt
	@touch $@

test-infra: $(CHECKOV_VENV)/.installed
	$(CHECKOV_VENV)/bin/python infra/check.py

test: test-unit test-e2e test-infra

clean:
	rm -rf .web .states uploaded_files var sky_readers.db*
