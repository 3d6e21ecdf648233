# Two commands do all the set-up on a fresh machine:
#   make run   installs, loads the seed registry into the embedded store, serves http://127.0.0.1:5000
#   make test  installs the test dependencies (incl. Debian's chromium) and runs the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run setup test test-fast browser neo4j-start neo4j-stop bench clean

run: setup
	$(BIN)/pathways seed
	$(BIN)/pathways serve --host $(HOST) --port $(PORT)

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's chromium drives the browser tests; no browser is downloaded.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || { echo "could not install chromium: run 'sudo apt-get install chromium'" >&2; exit 1; }; }

test: setup browser
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m "not e2e"

neo4j-start:
	scripts/neo4j-local start

neo4j-stop:
	scripts/neo4j-local stop

clean:
	rm -rf $(VENV) node_modules instance
