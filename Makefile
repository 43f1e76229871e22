# The two commands a newcomer needs: `make run` and `make test`. Both are idempotent.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
# Tests run in parallel workers (one per core, at most four); PYTEST_ARGS=... replaces this.
PYTEST_ARGS ?= -n auto --maxprocesses 4

.PHONY: run test system test-system lint clean-venv

run: $(STAMP)
	$(BIN)/registratur run

test: $(STAMP) test-system
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

clean-venv:
	rm -rf $(VENV)
