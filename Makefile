# Two commands for a fresh machine: `make run` starts fintrack, `make test` runs every test.
# Both create the virtual environment in .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast lint format bench

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed
	$(BIN)/python main.py

# The browser tests use the system's Chromium when present, else Playwright's own download.
test: $(BIN)/.installed
	@command -v chromium >/dev/null || $(BIN)/python -m playwright install chromium
	# Two processes for the core and UI tests, then one for those that start servers,
	# browsers or time the server (the `serial` marker, see tests/conftest.py).
	$(BIN)/python -m pytest -n 2 -m "not serial"
	$(BIN)/python -m pytest -m serial

# Core and UI layers only (no browser, no server subprocesses): the quick loop while editing.
test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest tests/core tests/ui

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(BIN)/.installed
	$(BIN)/python -m bench
