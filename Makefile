# Two entry points for a fresh clone: `make demo` and `make test`.
# Both create .venv in the repository root on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DISTRIBUTIONS := core plugins/oauth2 plugins/oauth1a plugins/basic contrib/sandbox
PROJECT_FILES := requirements-dev.txt $(foreach d,$(DISTRIBUTIONS),$(d)/pyproject.toml)

.PHONY: demo test lint typecheck unit bench clean

$(STAMP): $(PROJECT_FILES)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt $(foreach d,$(DISTRIBUTIONS),-e $(d))
	touch $@

demo: $(STAMP)
	$(BIN)/connauth demo

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python benchmarks/oauth1_signing.py

clean:
	rm -rf $(VENV)
