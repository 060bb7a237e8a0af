# The README's commands are these targets: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install launcher run test lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Builds the local Neo4j launcher (Maven; ~130 MB of jars cached in ~/.m2 on first run).
launcher: install
	$(BIN)/python -c "from graph.local_neo4j import ensure_built; ensure_built(quiet=False)"

# Local development: no tokens needed, which serve allows only on a loopback address.
run: launcher
	VALUEGRAPH_AUTH=off $(BIN)/valuegraph serve --demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: launcher lint
	$(BIN)/pytest

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) graph/neo4j_local/target .pytest_cache .mypy_cache .ruff_cache
