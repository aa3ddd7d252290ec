PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint bench system-packages install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The embedded service: API + worker + beat on SQLite, no servers to install.
run: install
	$(BIN)/val run

## Every test, on throwaway PostgreSQL and Redis servers the tests start themselves.
test: install system-packages lint
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src workers tests bench harness
	$(BIN)/lint-imports

system-packages:
	@scripts/ensure-system-packages

## Benchmarks (never part of `make test`): ratios against a baseline measured in the same run.
bench: install system-packages
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache
