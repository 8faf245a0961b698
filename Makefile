# partnernet — every install step lives here, so a fresh machine needs only `make serve` / `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: install serve test lint neo4j-up neo4j-down schema bench bench-neo4j clean chromium lock

install: $(VENV)/.installed node_modules/.installed api/static/dashboard/index.html chromium

# What the server needs, exactly as locked (hash-checked); then the project itself, no deps,
# editable (hatchling: a .pth of the checkout).
$(VENV)/.runtime: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

# Plus the test, lint and benchmark toolchain.
$(VENV)/.installed: $(VENV)/.runtime requirements-dev.lock
	$(BIN)/pip install -q --require-hashes -r requirements-dev.lock
	touch $@

# Re-resolve both lock files from pyproject.toml (pip-tools in a throwaway venv). Upgrading:
# `make lock UPGRADE=--upgrade`, then `make test` and `make bench` before committing.
lock:
	$(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install -q pip-tools==7.6.2
	.lockenv/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-find-links $(UPGRADE) -o requirements.lock pyproject.toml
	.lockenv/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-find-links $(UPGRADE) --extra dev -o requirements-dev.lock pyproject.toml
	rm -rf .lockenv

# npm ci also copies GraphiQL's browser bundles into api/static/graphiql/vendor and builds the
# dashboard into api/static/dashboard (postinstall); the dashboard is rebuilt when its sources
# change.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

api/static/dashboard/index.html: $(wildcard dashboard/*.* dashboard/src/*.* dashboard/src/*/*.*) | node_modules/.installed
	npm run --silent build:dashboard

# Debian's chromium for the browser test; installed when missing and we may use apt.
chromium:
	@bash tools/ensure-chromium.sh

serve: $(VENV)/.runtime node_modules/.installed api/static/dashboard/index.html
	$(BIN)/partnernet serve

test: install
	bash tools/run-tests.sh

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	npm run --silent check:dashboard

schema: $(VENV)/.runtime
	$(BIN)/partnernet schema schema.graphql

neo4j-up:
	bash tools/neo4j-test-server/up.sh

neo4j-down:
	bash tools/neo4j-test-server/down.sh

# Benchmarks print ratios against a peer measured in the same run (see each script's --help;
# --large adds the 100k-actor sections, which take minutes).
bench: $(VENV)/.installed
	$(BIN)/python bench/api_overhead.py
	$(BIN)/python bench/centrality.py --quick
	$(BIN)/python bench/coverage.py
	$(BIN)/python bench/lineage.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/after_write.py
	$(BIN)/python bench/peers.py --quick
	$(BIN)/python bench/history.py

bench-neo4j: $(VENV)/.installed
	$(BIN)/python bench/neo4j_ingest.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis .lockenv .import_linter_cache
