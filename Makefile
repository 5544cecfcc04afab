# lifecircle — `make run` sets up and runs the demo; `make test` sets up and runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo

.PHONY: setup run test check lint typecheck bench bench-quick bench-plan bench-load bench-import bench-boards bench-batch bench-cli bench-desk bench-phone bench-care demo clean

setup: $(STAMP)

$(STAMP): pyproject.toml package.json scripts/system-deps.sh
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "lifecircle needs Python 3.11, found " + sys.version'
	scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	npm ci --no-audit --no-fund --silent
	touch $(STAMP)

run: setup  # the demo serves on localhost, so its boards are drafts (real boards need public_base_url)
	$(BIN)/lifecircle demo $(DEMO_DIR) --fresh
	$(BIN)/lifecircle -p $(DEMO_DIR) build
	$(BIN)/lifecircle -p $(DEMO_DIR) gaps --out $(DEMO_DIR)/gaps.xlsx
	$(BIN)/lifecircle -p $(DEMO_DIR) boards --all --draft --out $(DEMO_DIR)/boards
	$(BIN)/lifecircle -p $(DEMO_DIR) serve

test: setup
	scripts/system-deps.sh test
	$(BIN)/python -m pytest

# Benchmarks (issue 3): the peers (pandana, cityseer: AGPL, benchmark-only) go into the venv
# from binary wheels; src/ never imports them.
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): benchmarks/requirements.txt $(STAMP)
	$(BIN)/python -m pip install --quiet --only-binary=:all: -r benchmarks/requirements.txt
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run

bench-quick: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.run --quick

# Site planning (issue 6): 1,000 compounds × 2,000 candidates, N = 10; needs no peer tools
bench-plan: $(STAMP)
	$(BIN)/python -m benchmarks.plan benchmarks/results/plan

# Command-line start (issue 12): `lifecircle --version` / `--help` in fresh interpreters.
bench-cli: $(STAMP)
	$(BIN)/python -m benchmarks.cli_startup

# Web load (issue 4): the demo served by `lifecircle serve --workers 2`, 100 clients, ~1 minute.
bench-load: setup
	$(BIN)/python -m benchmarks.load

# Resident page (issue 11): the Nanjing demo's board page at 360×640 in headless Chromium, cold
# caches: time to the first useful answer (nearest services shown), map drawn, bytes.
bench-phone: setup
	$(BIN)/python -m benchmarks.resident_page --runs 7
	$(BIN)/python -m benchmarks.resident_page --runs 5 --cpu-slowdown 4 --network 4g

# Web hardening (issue 11): a resident endpoint's p50/p99 alone and during a 90,000-row staff
# sheet import (a background job), and the time to refuse a 2 GB XLSX bomb; ~3 minutes.
bench-import: setup
	$(BIN)/python -m benchmarks.import_load

# A whole city (issue 16): 16 tiles of the Helsinki extract built one by one vs on a 2-worker
# Dask LocalCluster, peak memory per worker, and a 300-city projection; ~5 minutes.
bench-batch: $(STAMP)
	$(BIN)/python -m benchmarks.batch benchmarks/results/batch

# Boards (issue 5): 500 synthetic A1 boards of the demo area, PDF + PNG each, 2 processes.
bench-boards: setup
	$(BIN)/python -m benchmarks.boards --boards 500 --workers 2 --out benchmarks/results/boards

# Grid desk (issue 14): intake at 100 cases/s through the served API, and the monthly report on
# 500,000 invented cases (SQLite; PostgreSQL too when LIFECIRCLE_TEST_POSTGRES_URL is set).
bench-desk: setup
	$(BIN)/python -m benchmarks.desk intake --rate 100 --seconds 20 --workers 2
	$(BIN)/python -m benchmarks.desk report --cases 500000

bench-care: setup
	$(BIN)/python -m benchmarks.care --people 2000 --visits 12

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: setup
	$(BIN)/mypy

check: lint typecheck test

clean:
	rm -rf $(VENV) node_modules $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache
