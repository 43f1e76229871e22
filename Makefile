# The two commands a newcomer needs: `make run` and `make test`. Both are idempotent.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
# The web interface's front-end packages (KERN, htmx, pdf.js, axe-core), pinned by
# package-lock.json; installed again only when the lock file changes.
NODE_STAMP = node_modules/.installed
# Tests run in parallel workers (one per core, at most four); PYTEST_ARGS=... replaces this.
PYTEST_ARGS ?= -n auto --maxprocesses 4

.PHONY: run test system test-system lint clean-venv clean-node

run: $(STAMP) $(NODE_STAMP)
	$(BIN)/registratur run

test: $(STAMP) $(NODE_STAMP) test-system
	$(BIN)/ruff check .
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

system:
	@scripts/ensure-system-packages

test-system:
	@scripts/ensure-system-packages --test

$(STAMP): setup.cfg pyproject.toml | system
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create a virtual environment. On Debian: apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

# Optional dependencies are left out: pdf.js names a canvas library for Node.js only, and the
# browser needs none of it.
$(NODE_STAMP): package.json package-lock.json | system
	@command -v npm >/dev/null 2>&1 || { \
	  echo "npm is missing: install Node.js and npm (on Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --omit=optional --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

clean-venv:
	rm -rf $(VENV)

clean-node:
	rm -rf node_modules
