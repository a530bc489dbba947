# The booking platform. `make up` runs it with demo data; `make test` runs every test.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install browser contract-tools test test-unit lint format up bench chaos clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"

# Browser tests drive Debian's Chromium through Playwright (no browser download).
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

# The official AsyncAPI parser (Node.js), which the contract test runs on docs/asyncapi.json.
contract-tools:
	@command -v npm >/dev/null || (apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null)
	@test -d tests/contract/node_modules/@asyncapi/parser || npm ci --prefix tests/contract --no-audit --no-fund --silent

test: install browser contract-tools
	$(BIN)/python -m pytest tests

test-unit: install contract-tools
	$(BIN)/python -m pytest tests -m unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy contracts infra web rooms clients reservations orchestrator

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .run .pytest_cache .ruff_cache .mypy_cache

up: install
	$(BIN)/python -m infra.launcher

# Bookings per second and latency, ours against the floor, Celery and Temporal
# (tests/bench/__main__.py). BENCH_ARGS passes options, e.g.
# make bench BENCH_ARGS="--agents 32 --seconds 60 --profile" or BENCH_ARGS="--systems temporal".
bench: install
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python -m tests.bench $(BENCH_ARGS)

# Each fault in turn on a fresh platform under the bench workload, then the invariants from the
# stores (tests/chaos/__main__.py). CHAOS_ARGS passes options, e.g.
# make chaos CHAOS_ARGS="--scenarios kill-rooms pause-rooms-20 --agents 8 --quick".
chaos: install
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	$(BIN)/python -m tests.chaos $(CHAOS_ARGS)
