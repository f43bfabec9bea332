# `make run` and `make test` work from a fresh clone: they build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The PostgreSQL server that `make test` runs the suite on a second time.
COMPTOIR_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

STAMP := $(VENV)/.installed
CATALOGUES := $(wildcard comptoir/locale/*/LC_MESSAGES/*.po)

.PHONY: install run test lint test-sqlite test-postgres lock messages bench

$(STAMP): pyproject.toml requirements.lock setup.py $(CATALOGUES)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $@

install: $(STAMP)

# Links in e-mails and QR codes point at the server `make run` starts, unless told otherwise.
run: export COMPTOIR_BASE_URL ?= http://$(HOST):$(PORT)
run: install
	$(BIN)/comptoir migrate --no-input
	$(BIN)/comptoir demo --if-empty
	@echo "Log in at http://$(HOST):$(PORT)/ as demo@comptoir.test, password comptoir-demo"
	$(BIN)/comptoir serve --host $(HOST) --port $(PORT)

lint: install
	$(BIN)/ruff check comptoir tests bench
	$(BIN)/ruff format --check comptoir tests bench
	$(BIN)/lint-imports

test-sqlite: install
	COMPTOIR_DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS)

# In CI (CI=true) an unreachable PostgreSQL fails the run; on a laptop it is skipped.
test-postgres: install
	@if $(BIN)/python -m tests.pg_available "$(COMPTOIR_TEST_DATABASE_URL)"; then \
		COMPTOIR_DATABASE_URL="$(COMPTOIR_TEST_DATABASE_URL)" $(BIN)/pytest $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL at $(COMPTOIR_TEST_DATABASE_URL) is unreachable: CI must test on it"; exit 1; \
	else \
		echo "PostgreSQL unreachable: skipping the PostgreSQL run"; \
	fi

test: lint test-sqlite test-postgres

# Refresh the pinned versions after changing dependencies in pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet '.[test]'
	.lock-venv/bin/pip freeze --exclude comptoir > requirements.lock
	rm -rf .lock-venv

messages: install
	cd comptoir && COMPTOIR_VAR_DIR=../var ../$(BIN)/comptoir makemessages --locale fr --no-obsolete --no-location

bench: install
	@ls bench/*.py
