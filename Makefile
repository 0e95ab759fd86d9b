# One entry point for humans and CI. `make install` builds .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint format demo sandbox bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

demo: $(STAMP)
	$(BIN)/clickbot demo

sandbox: $(STAMP)
	$(BIN)/clickbot sandbox --api-key 00000000-0000-4000-8000-000000000000

# Ack latency under load (bench/ack.py); wrk is the load generator, installed here if missing
# (Debian/Ubuntu). `make test` does not need it.
bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
	$(BIN)/python -m bench.ack

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
