# Every target installs what it needs first, so a fresh clone needs only `make run` / `make test`.
SHELL := /bin/bash
# The first interpreter that actually runs and is 3.12+ (pyenv shims can exist for versions that are not active).
PY_BOOT := $(shell for p in python3.13 python3.12 python3 $(HOME)/.pyenv/versions/3.13*/bin/python3 $(HOME)/.pyenv/versions/3.12*/bin/python3; do \
  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
PORT ?= 8000
RESIDENTS ?= 300

.PHONY: run test test-sqlite test-postgres bench lint install assets browser-deps demo worker

$(STAMP): requirements.txt
	@test -n "$(PY_BOOT)" || { echo "Python 3.12+ is required (Django 6 needs it)"; exit 1; }
	@test -x $(PY) || $(PY_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

$(NPM_STAMP): package.json package-lock.json commonweave/web/scss/*.scss
	npm ci --no-audit --no-fund --loglevel=error
	npm run --silent build
	@touch $(NPM_STAMP)

install: $(STAMP) $(NPM_STAMP)

assets: install
	$(PY) manage.py collectstatic --noinput --verbosity 0

# Debian's Chromium for the browser tests (Playwright drives it via executable_path).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian chromium for browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "NOTE: /usr/bin/chromium missing and cannot be installed: browser tests will be skipped"; fi; \
	fi

run: assets
	$(PY) manage.py migrate --noinput
	$(PY) -m commonweave demo --residents $(RESIDENTS) --if-empty --url http://127.0.0.1:$(PORT)
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The background-job worker for production (COMMONWEAVE_TASKS=db; see README). Run it next to the
# web server with the same environment; it picks up queued jobs from the database.
worker: install
	$(PY) manage.py migrate --noinput
	COMMONWEAVE_TASKS=db $(PY) manage.py db_worker --queue-name default

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) -m commonweave demo --residents $(RESIDENTS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: assets browser-deps lint
	$(PY) manage.py makemigrations --check --dry-run
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-postgres

test-sqlite:
	@echo "== Test suite on SQLite (two workers), then the browser tests =="
	$(VENV)/bin/pytest -q -m "not browser" -n 2
	$(VENV)/bin/pytest -q -m browser

test-postgres:
	@if $(PY) -c "import psycopg,sys; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== Test suite on PostgreSQL =="; \
	  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/commonweave $(VENV)/bin/pytest -q -m "not browser" -n 2; \
	else \
	  echo "!! SKIPPED: PostgreSQL is not reachable at 127.0.0.1:5432 - the PostgreSQL run of the suite did not happen"; \
	fi

# Issue 2 pages at 5k/50k residents, then the directory, learning, network and wellbeing benchmarks.
bench: assets
	$(PY) -m bench
	$(PY) -m bench.directory
	$(PY) -m bench.learning
	@if [ -f bench/network.py ]; then $(PY) -m bench.network; fi
	$(PY) -m bench.wellbeing
