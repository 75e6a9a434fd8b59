# 联企通 — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
PYTEST_WORKERS ?= 2
export FLASK_APP := wsgi

.PHONY: run test test-sqlite test-pg venv migrate seed lint check clean browser hosts bench-web bench-desk bench-hosts

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

# The browser tests (tests/web) need chromium: installed here when we are root, otherwise they are
# skipped and pytest prints why (-rs).
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium for the browser tests (apt-get)"; \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null 2>&1 || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }; } || \
	  echo "*** chromium could not be installed: the browser tests (tests/web) will be SKIPPED ***"; \
	else echo "*** chromium is not installed and cannot be (not root): the browser tests (tests/web) will be SKIPPED ***"; fi

# The two-host deployment test (tests/deploy/test_two_hosts.py, PostgreSQL half) needs nginx and redis-server
# from Debian: installed here when we are root (their own services are not started), otherwise it is skipped.
hosts:
	@if { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } && command -v redis-server >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing nginx and redis-server for the two-host test (apt-get)"; \
	  { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx redis-server >/dev/null 2>&1 || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx redis-server >/dev/null; }; } || \
	  echo "*** nginx/redis-server could not be installed: the two-host test (tests/deploy/test_two_hosts.py) will be SKIPPED ***"; \
	else echo "*** nginx/redis-server are not installed and cannot be (not root): the two-host test will be SKIPPED ***"; fi

test-sqlite: venv browser
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q -rs $(PYTEST_ARGS)

# The fault harness restarts PostgreSQL, so it runs alone after the parallel suite.
test-pg: venv browser hosts
	@if scripts/with-postgres.sh true; then \
	  scripts/with-postgres.sh bash -c '$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q -rs -m "not faults" $(PYTEST_ARGS) && \
	    $(BIN)/python -m pytest -q -s -m faults tests/faults'; \
	else echo "PostgreSQL unavailable on this machine: PostgreSQL run skipped"; fi

lint: venv
	$(BIN)/ruff check .

check: venv
	$(BIN)/flask db check

# The phone shell's first-load size and the 我的企业 render time at 4x CPU throttling (bench/web.py).
bench-web: venv browser
	$(BIN)/python bench/web.py

bench-desk: venv browser
	$(BIN)/python bench/desk.py

# The README's deployment at two-host scale behind nginx, PASS/FAIL per guarantee (bench/two_hosts.sh).
bench-hosts: venv hosts
	bench/two_hosts.sh

clean:
	rm -rf $(VENV) .pytest_cache
