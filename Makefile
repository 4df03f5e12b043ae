# Two commands on a fresh machine: `make run` (server on SQLite) and `make test`.
# Both install what they need into .venv first (Python 3.11+ must be on the PATH):
# `make run` only what running needs, `make test` adds the test tools (the `test` extra).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_INSTALLED := $(VENV)/.installed-run
TEST_INSTALLED := $(VENV)/.installed-test
ADDRESS ?= 127.0.0.1:8000
TEST_WORKERS ?= 3

.PHONY: install run test lint format browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# pip shows its progress: the first install downloads a few dozen packages.
$(RUN_INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $@

$(TEST_INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

install: $(RUN_INSTALLED)

# Applies migrations, prints a new admin token when none exists, and serves on $(ADDRESS)
# with the production server (granian), using the secret key kept in CMS_DATA_DIR.
run: $(RUN_INSTALLED)
	$(BIN)/python manage.py serve $(ADDRESS)

# The browser test (tests/browser.py) drives Debian's Chromium and chromedriver: installed
# here when either is missing (as root; elsewhere the test is skipped, or fails in CI).
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	            -o DPkg::Lock::Timeout=300 chromium chromium-driver; \
	    else \
	        echo "make test: no chromium/chromedriver and not root: the browser test will be skipped"; \
	    fi; \
	fi

# The whole suite, in TEST_WORKERS processes (a file's tests stay in one, so a module's
# server is started once); on PostgreSQL when DATABASE_URL points there. Also installs the
# official DatoCMS client and CLI (npm) into tests/compat/node_modules for the compat tests.
test: $(TEST_INSTALLED) browser
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

format: $(TEST_INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# A long fuzzing run of both APIs (tests/fuzz): prints requests sent, 5xx seen (each family
# with one reproduction) and rows wrongly written. FUZZ_EXAMPLES sets its length,
# FUZZ_SEED=<n> replays a run (its seed is printed); DATABASE_URL picks the database.
FUZZ_EXAMPLES ?= 10000
.PHONY: fuzz
fuzz: $(TEST_INSTALLED)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/fuzz -q -p no:cacheprovider --show-capture=no
