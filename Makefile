# The two set-up commands of the README: `make demo` and `make test`.
# Both create the virtual environment from pyproject.toml when it is missing or stale.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

.PHONY: demo test bench mutation locale
demo: $(BIN)/.installed
	$(BIN)/spreiding demo

test: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 --dist worksteal --durations=25

# The Dutch messages: after changing a message of the command line, `make locale` extracts
# the messages (those marked _ or N_, and every help text of the command tree), merges them
# into spreiding/locale/nl/LC_MESSAGES/spreiding.po (translate the new ones there) and
# compiles the .mo that is committed beside it (tests/test_cli_locale.py checks that the two
# agree, so a fresh clone needs no build step).
locale: $(BIN)/.installed
	$(BIN)/python -m spreiding.cli.catalogue spreiding/locale/spreiding.pot
	$(BIN)/pybabel update --no-wrap --no-fuzzy-matching --ignore-obsolete \
		-i spreiding/locale/spreiding.pot -d spreiding/locale -D spreiding -l nl
	$(BIN)/pybabel compile --statistics -d spreiding/locale -D spreiding

bench: $(BIN)/.installed
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python -m benchmarks.run

# Mutation testing, run by hand (not part of `test`): mutmut mutates the engines, the money
# helpers and the reader and runs the fast tests that exercise each mutant ([tool.mutmut] in
# pyproject.toml); it works in mutants/ and lists the surviving mutants at the end.
mutation: $(BIN)/.installed
	$(BIN)/mutmut run
	$(BIN)/mutmut export-cicd-stats
	$(BIN)/mutmut results
