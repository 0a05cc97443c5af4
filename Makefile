PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The environment is installed by uv (pinned here), several times faster than pip alone.
UV_VERSION := 0.13.9
# Compiled modules are kept even where the environment says not to: without them every
# process (each test worker, each server worker, the demo) compiles the whole app again,
# seconds of CPU each.
export PYTHONDONTWRITEBYTECODE :=

.PHONY: demo test check bench fmt clean messages

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $(STAMP)

# make demo [PORT=8000] [HOST=127.0.0.1] [REBUILD=1]: serve the demo world, built on first use.
PORT ?= 8000
HOST ?= 127.0.0.1
REBUILD ?=
demo: $(STAMP)
	@$(BIN)/newretail demo --host $(HOST) --port $(PORT) $(if $(filter 1 yes true,$(REBUILD)),--rebuild)

# Tests run in parallel, one process per core and one more, which works while the others wait
# on PostgreSQL, Chromium or a server they started (PYTEST_WORKERS=0 runs them in this process);
# tests sharing a costly module or session fixture are kept on one worker (tests/conftest.py);
# the thirty slowest tests are listed at the end, to see where the time goes.
PYTEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')

test: $(STAMP)
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --durations=30

# Lint, formatting, types, and the import contracts of pyproject.toml (layers and purity).
check: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo

fmt: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(STAMP)
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

LOCALE_DIR := src/newretail/locale

# Extract the pages' texts, merge them into each language's catalog, compile the catalogs.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-wrap --sort-by-file --project newretail \
		--copyright-holder "newretail contributors" -o $(LOCALE_DIR)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE_DIR)/messages.pot -d $(LOCALE_DIR) -D messages --no-wrap --ignore-obsolete
	$(BIN)/pybabel compile -d $(LOCALE_DIR) -D messages --statistics

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
