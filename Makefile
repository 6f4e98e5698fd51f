# Two entry points on a fresh machine:
#   make run   - install everything (first time: ~7 min to build llama.cpp) and start `coach chat`
#   make test  - install everything, then lint, unit + integration tests, and the evals
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Tests and evals keep their data apart from the user's own coach folder.
TEST_HOME := $(CURDIR)/.coach-home

.PHONY: setup run test lint unit eval bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/python -m pip install --quiet -e ".[local,dev,plot]"
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/coach setup
	$(BIN)/coach chat

lint: setup
	$(BIN)/ruff check .

unit: setup
	$(BIN)/pytest -q -m "not integration"

eval: setup
	COACH_HOME=$(TEST_HOME) $(BIN)/coach eval --provider local

bench: setup
	COACH_HOME=$(TEST_HOME) $(BIN)/coach bench

test: setup lint
	COACH_HOME=$(TEST_HOME) $(BIN)/coach setup
	COACH_TEST_MODELS_DIR=$(TEST_HOME)/models $(BIN)/pytest -q
	COACH_HOME=$(TEST_HOME) $(BIN)/coach eval --provider local
