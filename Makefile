# The README's commands are these targets: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FRONTEND_DEPS := frontend/node_modules/.installed
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/tsconfig.json frontend/codegen.ts tests/data/snapshots/schema.graphql tests/data/snapshots/openapi.json -type f -not -path "frontend/src/generated/*" 2>/dev/null)

.PHONY: install system-deps launcher frontend run test test-python test-frontend lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium drives the explorer's end-to-end tests (never a downloaded browser).
system-deps:
	@command -v java >/dev/null || { echo "Java 17+ is needed (the local Neo4j)"; exit 1; }
	@command -v mvn >/dev/null || { echo "Maven is needed (builds the local Neo4j launcher)"; exit 1; }
	@command -v npm >/dev/null || { echo "Node.js 20+ with npm is needed (the explorer)"; exit 1; }
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "install Debian's chromium (sudo apt-get install chromium) for the browser tests"; exit 1; fi; }

# Builds the local Neo4j launcher (Maven; ~130 MB of jars cached in ~/.m2 on first run).
launcher: install
	$(BIN)/python -c "from graph.local_neo4j import ensure_built; ensure_built(quiet=False)"

$(FRONTEND_DEPS): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $(FRONTEND_DEPS)

frontend/dist/index.html: $(FRONTEND_DEPS) $(FRONTEND_SOURCES)
	cd frontend && npm run build --silent

# The web explorer, built into frontend/dist and served by the app at /.
frontend: frontend/dist/index.html

# Local development: no tokens needed, which serve allows only on a loopback address.
run: launcher frontend
	VALUEGRAPH_AUTH=off $(BIN)/valuegraph serve --demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test-frontend: frontend
	cd frontend && npm test --silent

test-python: launcher frontend
	$(BIN)/pytest

test: system-deps lint test-frontend test-python

# The benchmarks of docs/benchmarks.md (not part of `make test`): SIZE=S|M|L|XL.
SIZE ?= M
bench: launcher
	$(BIN)/python -m bench --size $(SIZE)

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) graph/neo4j_local/target frontend/node_modules frontend/dist \
	  .pytest_cache .mypy_cache .ruff_cache test-output
