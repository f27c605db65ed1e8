# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432
# Several checkouts can test side by side on one machine: each sets its own DB_SUFFIX
# (databases bank$(DB_SUFFIX), marketplace$(DB_SUFFIX), ...) and E2E_REDIS_DBS.
DB_SUFFIX ?=
export E2E_NAME ?= e2e$(DB_SUFFIX)
export BANK_CLIENT_IT_DB ?= bank_client_it$(DB_SUFFIX)
# The browser half of the end-to-end tests runs on a stack of its own beside the other
# half: its own databases (E2E_NAME_browser_*) and these two Redis databases.
E2E_BROWSER_REDIS_DBS ?= 12,13

.PHONY: help install run test lint typecheck test-bank test-bank-sqlite test-marketplace \
        test-marketplace-sqlite test-e2e test-e2e-browser test-e2e-flows test-faults messages bench clean

help:
	@echo "make run      start the bank, the marketplace, Celery and a mail catcher (SQLite)"
	@echo "make test     lint, type checks and every test suite (PostgreSQL, Redis, SMTP)"
	@echo "make install  create .venv and install pinned dependencies"
	@echo "make bench    run the benchmarks under bench/"
	@echo "make test-faults  payments under injected faults (part of make test)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

messages: install
	cd bank && ../$(BIN)/python manage.py compilemessages --ignore=.venv -v0
	cd marketplace && ../$(BIN)/python manage.py compilemessages -v0
	cd paylib && ../$(BIN)/python ../bank/manage.py compilemessages -v0

run: install messages
	$(BIN)/python scripts/run.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# Every translation well formed: plural forms, placeholders kept (GNU gettext's check).
	for po in $$(git ls-files '*.po'); do msgfmt --check -o /dev/null $$po || exit 1; done

typecheck: install
	cd bank && ../$(BIN)/mypy .
	cd marketplace && ../$(BIN)/mypy .

test-bank: install messages
	cd bank && DATABASE_URL=$(PG_URL)/bank$(DB_SUFFIX) ../$(BIN)/pytest -q

# The embedded default: the main paths again on SQLite, as `make run` uses it.
test-bank-sqlite: install messages
	rm -f var/test-smoke-bank$(DB_SUFFIX).sqlite3
	cd bank && DATABASE_URL=sqlite:///$(CURDIR)/var/test-smoke-bank$(DB_SUFFIX).sqlite3 \
	    ../$(BIN)/pytest -q -m smoke --create-db

test-marketplace: install messages
	cd marketplace && DATABASE_URL=$(PG_URL)/marketplace$(DB_SUFFIX) ../$(BIN)/pytest -q

# The marketplace's main paths on SQLite too: search there folds case and ё by itself.
test-marketplace-sqlite: install messages
	rm -f var/test-smoke-marketplace$(DB_SUFFIX).sqlite3
	cd marketplace && DATABASE_URL=sqlite:///$(CURDIR)/var/test-smoke-marketplace$(DB_SUFFIX).sqlite3 \
	    ../$(BIN)/pytest -q -m smoke --create-db

test-e2e: install messages
	$(BIN)/pytest -q -c e2e/pytest.ini -m "not faults" e2e

# The same tests in two halves, each on a stack of its own, for make test to run side by
# side: what a person does in Chromium, and the payment flows driven over HTTP.
test-e2e-browser: install messages
	E2E_NAME=$(E2E_NAME)_browser E2E_REDIS_DBS=$(E2E_BROWSER_REDIS_DBS) \
	    $(BIN)/pytest -q -c e2e/pytest.ini -m "browser and not faults" e2e

test-e2e-flows: install messages
	$(BIN)/pytest -q -c e2e/pytest.ini -m "not browser and not faults" e2e

# Payments while workers, the bank and Redis are killed and database connections ended
# (e2e/test_faults.py): money conserved, every payment final, every email out, no 500.
test-faults: install messages
	$(BIN)/pytest -q -c e2e/pytest.ini -m faults e2e

# The two PostgreSQL suites share nothing (their own databases, servers and ports): they run
# side by side, one per core. Then the end-to-end tests, which mostly wait (on Chromium, on
# the servers, on Celery), in two halves side by side, each on a stack of its own, and the
# SQLite suites; last, alone, the fault test, whose kills and timings must not share the
# cores with the browser tests.
test: lint typecheck
	$(MAKE) -j2 --output-sync=target test-bank test-marketplace
	$(MAKE) -j2 --output-sync=target test-e2e-browser test-e2e-flows test-bank-sqlite \
	    test-marketplace-sqlite
	$(MAKE) test-faults

bench: install messages
	$(BIN)/python bench/bank_transfers.py
	$(BIN)/python bench/postings.py
	$(BIN)/python bench/holds.py
	$(BIN)/python bench/catalogue.py
	$(BIN)/python bench/payments_e2e.py

clean:
	rm -rf $(VENV) var
