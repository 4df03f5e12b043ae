# Two commands on a fresh machine: `make run` (server on SQLite) and `make test`.
# Both install what they need into .venv first (Python 3.11+ must be on the PATH).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
ADDRESS ?= 127.0.0.1:8000

.PHONY: install run test lint format

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

install: $(INSTALLED)

# Applies migrations, prints a new admin token when none exists, serves on $(ADDRESS).
run: install
	$(BIN)/python manage.py serve $(ADDRESS)

# The whole suite; on PostgreSQL when DATABASE_URL points there. Also installs the official
# DatoCMS client (npm) into tests/compat/node_modules for the compatibility tests.
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# A long fuzzing run of both APIs (tests/fuzz): prints requests sent, 5xx seen (each family
# with one reproduction) and rows wrongly written. FUZZ_EXAMPLES sets its length,
# FUZZ_SEED=<n> replays a run (its seed is printed); DATABASE_URL picks the database.
FUZZ_EXAMPLES ?= 10000
.PHONY: fuzz
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/fuzz -q -p no:cacheprovider --show-capture=no
