# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint migrate seed demo-users fixtures test-postgres clean help serve bench soak

help:
	@echo "make run    - set up (venv, migrate, seed corpus, demo accounts) and serve http://$(HOST):$(PORT)"
	@echo "make test   - set up the dev tools, run ruff and the whole test suite"
	@echo "make soak   - load and fault tests against gunicorn and PostgreSQL (docs/reliability.md)"
	@echo "make serve  - production-like: DEBUG off, collected static files, gunicorn (docs/deploy.md)"

$(STAMP): pyproject.toml
	@test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# axe-core, injected into pages by the accessibility checks of the browser tests.
node_modules/axe-core/axe.min.js: package.json
	@if command -v npm >/dev/null 2>&1; then npm install --silent --no-audit --no-fund; \
	else echo "npm not found: browser accessibility checks will fail to find axe-core"; fi

migrate: $(STAMP)
	@mkdir -p var
	$(BIN)/python manage.py migrate --no-input

# Seeds load into an empty database only: on one that has content, `make run` changes no
# published entry, nobody's draft and no shared record (apply seed changes with
# `manage.py load_seeds`).
seed: migrate
	$(BIN)/python manage.py load_seeds --if-empty

demo-users: migrate
	$(BIN)/python manage.py create_demo_users

run: seed demo-users
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production-like local run on the same SQLite database as `make run`: DEBUG off, static files
# collected (hashed, compressed) and served by WhiteNoise, gunicorn with config/gunicorn.py.
# Plain HTTP on this machine, so the HTTPS-only settings are relaxed. A SECRET_KEY is generated
# once into var/secret_key unless one is set.
SERVE_ENV = DEBUG=0 SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 \
	SECURE_HSTS_SECONDS=0 GUNICORN_BIND=$(HOST):$(PORT)

serve: $(STAMP)
	@mkdir -p var
	@test -s var/secret_key || (umask 077; $(BIN)/python -c \
		"import secrets; print(secrets.token_urlsafe(50))" > var/secret_key)
	@set -e; export $(SERVE_ENV) SECRET_KEY="$${SECRET_KEY:-$$(cat var/secret_key)}"; \
	echo "Collecting static files into $${STATIC_ROOT:-var/static}"; \
	$(BIN)/python manage.py collectstatic --no-input -v0; \
	$(BIN)/python manage.py migrate --no-input -v0; \
	$(BIN)/python manage.py load_seeds --if-empty; \
	$(BIN)/python manage.py render_stored_pages; \
	echo "Serving http://$(HOST):$(PORT)/ with gunicorn, DEBUG off. Ctrl-C stops it."; \
	exec $(BIN)/gunicorn -c config/gunicorn.py config.wsgi

# Load test on PostgreSQL (127.0.0.1:5432): synthetic corpus, gunicorn, wrk; prints the results
# table (docs/performance.md). BENCH_QUICK=1 tries it on a small corpus in a few minutes.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The suite in parallel, one worker per core (at most four), each test file on one worker.
PYTEST_PARALLEL ?= -n auto --maxprocesses 4 --dist loadfile

test: lint node_modules/axe-core/axe.min.js
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_PARALLEL)

# The long reliability checks (docs/reliability.md): wrk for 60 s at 64 connections against
# gunicorn and PostgreSQL while versions are published, then the database stopped and cut
# under a throwaway cluster. Needs PostgreSQL at 127.0.0.1:5432; installs wrk if missing.
soak: $(STAMP)
	$(BIN)/python scripts/soak.py

fixtures: $(STAMP)
	$(BIN)/python manage.py build_fixtures

clean:
	rm -rf $(VENV) var .pytest_cache
