# Two commands on a fresh machine: `make run` serves the demo, `make test` checks everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint openapi bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

run: $(STAMP)
	$(BIN)/kredo migrate
	$(BIN)/kredo seed-demo --with-history
	@echo "Serving on http://$(HOST):$(PORT) (interactive docs: http://$(HOST):$(PORT)/docs), with the worker"
	$(BIN)/kredo worker & worker=$$!; trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	$(BIN)/uvicorn app.main:app --host $(HOST) --port $(PORT) --no-access-log --no-server-header

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m tools.test_both

openapi: $(STAMP)
	$(BIN)/kredo openapi

clean:
	rm -rf $(VENV) kredo.db kredo.db-wal kredo.db-shm kredo.db.worker-lock .mypy_cache .ruff_cache
