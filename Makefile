# Ordo — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test check bench clean venv

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

## Set everything up and run Ordo with a live simulated world on SQLite (Ctrl-C stops).
demo: $(STAMP)
	$(BIN)/ordo db upgrade
	$(BIN)/ordo demo

## The whole suite: unit, integration (SQLite and PostgreSQL), e2e.
test: $(STAMP)
	$(BIN)/python -m pytest -q

## Lint and type-check.
check: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

## Benchmarks recorded in BENCHMARKS.md.
bench: $(STAMP)
	$(BIN)/ordo bench intake

clean:
	rm -rf $(VENV) ordo.db ordo.db-wal ordo.db-shm .pytest_cache .mypy_cache .ruff_cache
