# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint migrate seed demo-users fixtures test-postgres clean help

help:
	@echo "make run    - set up (venv, migrate, seed corpus, demo accounts) and serve http://$(HOST):$(PORT)"
	@echo "make test   - set up the dev tools, run ruff and the whole test suite"

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

seed: migrate
	$(BIN)/python manage.py load_seeds

demo-users: migrate
	$(BIN)/python manage.py create_demo_users

run: seed demo-users
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint node_modules/axe-core/axe.min.js
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

fixtures: $(STAMP)
	$(BIN)/python manage.py build_fixtures

clean:
	rm -rf $(VENV) var .pytest_cache
