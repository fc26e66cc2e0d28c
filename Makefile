# Every target installs what it needs first, so a fresh clone needs only `make run` / `make test`.
SHELL := /bin/bash
# The first interpreter that actually runs and is 3.12+ (pyenv shims can exist for versions that are not active).
PY_BOOT := $(shell for p in python3.13 python3.12 python3 $(HOME)/.pyenv/versions/3.13*/bin/python3 $(HOME)/.pyenv/versions/3.12*/bin/python3; do \
  $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
NPM_STAMP := node_modules/.installed
PORT ?= 8000
RESIDENTS ?= 300

.PHONY: run test test-fast test-sqlite test-browser test-postgres bench lint install assets browser-deps demo worker

# What the application runs (requirements.txt): enough for `make run`, `make demo`, `make worker`.
$(STAMP): requirements.txt
	@test -n "$(PY_BOOT)" || { echo "Python 3.12+ is required (Django 6 needs it)"; exit 1; }
	@test -x $(PY) || $(PY_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

# Plus the tests, linters and git hooks (requirements-dev.txt, which includes requirements.txt).
$(DEV_STAMP): $(STAMP) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $(DEV_STAMP)

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

# Background jobs (imports, recomputes, PDFs) run in a worker next to the web server, not
# inside the request that starts them: a long import cannot hold up anyone else's pages, and
# its page shows progress at once. Stopping `make run` (Ctrl-C) stops the worker too.
# The worker does not reload on code changes (a reload could orphan it): restart `make run`.
# Static files as production serves them (COMMONWEAVE_COMPRESS_STATIC, config/settings.py):
# hashed names with gzip and Brotli copies, collected again only when a source changes.
STATIC_STAMP := $(or $(STATIC_ROOT),staticfiles)/.compressed
$(STATIC_STAMP): $(STAMP) $(NPM_STAMP) $(shell find commonweave -path '*/static/*' -type f 2>/dev/null)
	COMMONWEAVE_COMPRESS_STATIC=1 $(PY) manage.py collectstatic --noinput --verbosity 0
	@touch $(STATIC_STAMP)

run: export COMMONWEAVE_COMPRESS_STATIC := 1
run: install $(STATIC_STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) -m commonweave demo --residents $(RESIDENTS) --if-empty --url http://127.0.0.1:$(PORT)
	@export COMMONWEAVE_TASKS=db; \
	$(PY) manage.py db_worker --queue-name default --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# The background-job worker for production (COMMONWEAVE_TASKS=db; see README). Run it next to the
# web server with the same environment; it picks up queued jobs from the database.
worker: install
	$(PY) manage.py migrate --noinput
	COMMONWEAVE_TASKS=db $(PY) manage.py db_worker --queue-name default

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) -m commonweave demo --residents $(RESIDENTS)

lint: install $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# CI (.ci/run): lint, the migrations check, then two suites one after the other, each
# with its own pytest summary line: SQLite with the browser tests, then PostgreSQL. Both
# run even when one fails; then the run names the failed ones and exits non-zero
# (docs/testing.md).
test: assets browser-deps lint
	$(PY) manage.py makemigrations --check --dry-run
	@failed=""; \
	for suite in test-sqlite test-postgres; do \
	  $(MAKE) --no-print-directory $$suite || failed="$$failed $$suite"; \
	done; \
	if [ -n "$$failed" ]; then echo "!! FAILED:$$failed"; exit 1; fi

# The inner loop: unit and view tests, without the browser or anything marked slow.
test-fast: $(DEV_STAMP)
	$(VENV)/bin/pytest -q -m "not browser and not slow" -n 2

# Every test, the browser tests too (one set of test databases and one collection for both).
test-sqlite: $(DEV_STAMP) $(NPM_STAMP) browser-deps
	@echo "== Test suite on SQLite, with the browser tests in Chromium (two workers) =="
	$(VENV)/bin/pytest -q -n 2 --durations=20

test-browser: $(DEV_STAMP) $(NPM_STAMP) browser-deps
	@echo "== Browser tests (Chromium) =="
	$(VENV)/bin/pytest -q -m browser -n 2 --durations=10

test-postgres: $(DEV_STAMP)
	@if $(PY) -c "import psycopg,sys; psycopg.connect('postgresql://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== Test suite on PostgreSQL =="; \
	  DATABASE_URL=postgresql://postgres@127.0.0.1:5432/commonweave $(VENV)/bin/pytest -q -m "not browser" -n 2 --durations=15; \
	else \
	  echo "!! SKIPPED: PostgreSQL is not reachable at 127.0.0.1:5432 - the PostgreSQL run of the suite did not happen"; \
	fi

# The casework pages at 5k/50k residents, then the directory, learning, network and wellbeing benchmarks.
bench: assets $(STATIC_STAMP)
	$(PY) -m bench
	COMMONWEAVE_COMPRESS_STATIC=1 $(PY) -m bench.page_weight
	$(PY) -m bench.directory
	$(PY) -m bench.learning
	@if [ -f bench/network.py ]; then $(PY) -m bench.network; fi
	$(PY) -m bench.wellbeing
	$(PY) -m bench.mutualaid
	$(PY) -m bench.grants
	$(PY) -m bench.search_relevance
