PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint stress fuzz bench cluster lock system-packages install clean pack-screenshot

## Installs exactly the versions in requirements.lock (the ranges live in pyproject.toml).
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## The embedded service: API + worker + beat on SQLite, no servers to install; messages to victims go to a local
## stand-in for GOV.UK Notify unless VAL_NOTIFY_API_KEY is set.
run: install
	$(BIN)/python -m harness.local_run

## Every test, on throwaway PostgreSQL and Redis servers the tests start themselves.
test: install system-packages lint
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src workers tests bench harness
	$(BIN)/lint-imports
	$(BIN)/mypy

## The worker and end-to-end tests 20 times in a row (not part of `make test`): a flaky test is a broken build.
stress: install system-packages
	@scripts/stress $(or $(RUNS),20)

## The outside client (schemathesis) at length: every operation as every role, every check, both databases,
## at least 5,000 requests (EXAMPLES=N per operation and phase; not part of `make test`, which runs a short one).
fuzz: install system-packages
	$(BIN)/python -m harness.fuzz

## The README's picture of the Victims Board pack, from demo data in a throwaway database.
pack-screenshot: install system-packages
	$(BIN)/python -m harness.pack_screenshot docs/board-pack.png

## Re-pin requirements.lock to the newest versions pyproject.toml allows.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	(echo "# Exact versions make install uses (pip install -c requirements.lock -e '.[dev]'). Regenerate: make lock"; \
	 .lock-venv/bin/pip freeze --exclude-editable | grep -v '^-e') > requirements.lock
	rm -rf .lock-venv

system-packages:
	@scripts/ensure-system-packages

## Benchmarks (never part of `make test`): ratios against a baseline measured in the same run; every figure is
## also written to bench/results.json.
bench: install system-packages
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	$(BIN)/python -m bench

## Several nodes on one PostgreSQL and one Redis (2 API process groups, 2 worker nodes, a beat on each), 60 s of
## mixed load against a single node's run: throughput, and referrals and webhooks lost or doubled (must be 0).
cluster: install system-packages
	$(BIN)/python -m harness.cluster

clean:
	rm -rf $(VENV) var .pytest_cache
