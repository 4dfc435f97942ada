# FieldSync: `make run` starts everything on the embedded defaults, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
STORE_STAMP := embedded_store/node_modules/.installed
PHONE_STAMP := phone/node_modules/.installed
WEB_STAMP := web/node_modules/.installed
MOBILE_STAMP := mobile/node_modules/.installed
PHONE_DATA_STAMP := phone-data/node_modules/.installed
WEB_BUILD := web/dist/index.html
WEB_SOURCES := $(shell find web/src web/public phone-data/src -type f 2>/dev/null) phone-data/package.json web/index.html web/vite.config.js web/build-plugins.js

SYSTEM_STAMP := $(VENV)/.system-packages

.PHONY: setup run test lint bench loadtest clean migration wheel contract

setup: $(PY_STAMP) $(STORE_STAMP) $(PHONE_STAMP) $(WEB_BUILD) $(MOBILE_STAMP) $(PHONE_DATA_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

$(STORE_STAMP): embedded_store/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed for the embedded store"; exit 1; }
	cd embedded_store && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The PouchDB 9 test phone that the end-to-end tests and benchmarks drive.
$(PHONE_STAMP): phone/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed for the test phone"; exit 1; }
	cd phone && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The field app and console: installed without install scripts, rebuilt when a source changes.
$(WEB_STAMP): web/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed for the web app"; exit 1; }
	cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(WEB_BUILD): $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npx vite build --logLevel warn

# The Android app (Expo): its Jest tests and its Android bundle export run from the tests.
$(MOBILE_STAMP): mobile/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed for the Android app"; exit 1; }
	cd mobile && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The phone data layer's own tools (Ajv compiles the document contract for the phones).
$(PHONE_DATA_STAMP): phone-data/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed for the phone data layer"; exit 1; }
	cd phone-data && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The document contract for the phones, from the server's (sync/documents/contract.py): the JSON
# Schemas and refusal messages and the document vocabulary (vocabulary.js), then the validators
# Ajv compiles from them. Commit the three files.
contract: $(PY_STAMP) $(PHONE_DATA_STAMP)
	$(BIN)/fieldsync contract
	cd phone-data && npm run --silent contract

# The tests drive Debian's Chromium and start throwaway PostgreSQL clusters.
$(SYSTEM_STAMP): | $(BIN)/python
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	  else echo "The tests need Debian packages:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi
	touch $@

# The Python distribution carries the built web app as package data (server/web_dist), so an
# installed `fieldsync serve` serves it from wherever pip put the package.
WHEEL_DIR ?= dist
wheel: $(WEB_BUILD) | $(BIN)/python
	rm -rf server/web_dist build
	cp -r web/dist server/web_dist
	$(BIN)/pip wheel -q --no-deps -w $(WHEEL_DIR) .
	rm -rf build

run: setup
	$(BIN)/fieldsync run

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

test: setup $(SYSTEM_STAMP) lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m bench

# Phones, two serve processes behind nginx and three workers for LOADTEST_SECONDS (120) with
# LOADTEST_PHONES (50), killing a worker and a serve midway; not part of `make test`. nginx is
# Debian's, the same proxy deploy/nginx.conf configures in production (nginx-light is enough).
LOADTEST_STAMP := $(VENV)/.loadtest-packages
$(LOADTEST_STAMP): | $(SYSTEM_STAMP)
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light; \
	  else echo "The load test needs nginx (sudo apt-get install nginx-light)"; exit 1; fi; }
	touch $@

loadtest: setup $(LOADTEST_STAMP)
	$(BIN)/python -m bench.loadtest

# Regenerate the initial migration from the models (allowed until the first release).
migration: setup
	$(BIN)/python scripts/regen_initial_migration.py

clean:
	rm -rf $(VENV) embedded_store/node_modules var web/node_modules web/dist server/web_dist build dist \
	  mobile/node_modules phone-data/node_modules
