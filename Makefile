# 联企通 — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_WORKERS ?= 2
export FLASK_APP := wsgi

.PHONY: run test test-sqlite test-pg venv migrate seed lint check clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

venv: $(BIN)/.installed

migrate: venv
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed-demo

run: seed
	HOST=$(HOST) PORT=$(PORT) scripts/serve.sh

test: test-sqlite test-pg

test-sqlite: venv
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q $(PYTEST_ARGS)

# The fault harness restarts PostgreSQL, so it runs alone after the parallel suite.
test-pg: venv
	@if scripts/with-postgres.sh true; then \
	  scripts/with-postgres.sh bash -c '$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q -m "not faults" $(PYTEST_ARGS) && \
	    $(BIN)/python -m pytest -q -s -m faults tests/faults'; \
	else echo "PostgreSQL unavailable on this machine: PostgreSQL run skipped"; fi

lint: venv
	$(BIN)/ruff check .

check: venv
	$(BIN)/flask db check

clean:
	rm -rf $(VENV) .pytest_cache
