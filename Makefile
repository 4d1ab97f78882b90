# Portal Aktionsplan Integration — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test setup system-packages clean bench

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)

# Serves the portal on SQLite in instance/ with the demo directory and demo data.
run: $(STAMP)
	PORTAL_LDAP_URL=demo PORTAL_SESSION_COOKIE_SECURE=false $(BIN)/portal setup
	PORTAL_LDAP_URL=demo PORTAL_SESSION_COOKIE_SECURE=false $(BIN)/portal demo load
	@echo "Portal läuft auf http://$(HOST):$(PORT)/ – Demo-Konten stehen in README.md. Beenden mit Strg+C."
	PORTAL_LDAP_URL=demo PORTAL_SESSION_COOKIE_SECURE=false $(BIN)/portal run --host $(HOST) --port $(PORT)

# Installs the system components the tests use for real (root only; skipped otherwise),
# then runs the whole suite. PORTAL_TEST_DB=postgresql runs it against PostgreSQL.
test: $(STAMP) system-packages
	PORTAL_TEST_DB=$${PORTAL_TEST_DB:-sqlite} $(BIN)/python -m pytest $(PYTEST_ARGS)

system-packages:
	@missing=""; \
	for b in slapd pdftotext chromium; do command -v $$b >/dev/null || [ -x /usr/sbin/$$b ] || missing="$$missing $$b"; done; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then echo "Fehlt:$$missing – installiere Systempakete …"; bash scripts/install-system-packages.sh; fi

bench: $(STAMP)
	$(BIN)/python -m bench.compliance
	$(BIN)/python -m bench.queue

clean:
	rm -rf $(VENV) .pytest_cache
