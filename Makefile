# Two entry points for a fresh clone: `make demo` and `make test`.
# Both create .venv in the repository root on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DISTRIBUTIONS := core plugins/oauth2 plugins/oauth1a plugins/basic contrib/sandbox contrib/store-postgres contrib/store-redis
PROJECT_FILES := requirements-dev.txt $(foreach d,$(DISTRIBUTIONS),$(d)/pyproject.toml)

# A second environment without connauth-oauth1a proves that removing a method
# needs no change anywhere else: the rest of the suite must pass there too.
REDUCED_VENV := .venv-without-oauth1a
REDUCED_BIN := $(REDUCED_VENV)/bin
REDUCED_STAMP := $(REDUCED_VENV)/.installed
REDUCED_DISTRIBUTIONS := $(filter-out plugins/oauth1a,$(DISTRIBUTIONS))

.PHONY: demo test lint typecheck unit unit-without-oauth1a bench clean

$(STAMP): $(PROJECT_FILES)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt $(foreach d,$(DISTRIBUTIONS),-e $(d))
	touch $@

$(REDUCED_STAMP): $(PROJECT_FILES)
	test -x $(REDUCED_BIN)/python || $(PYTHON) -m venv $(REDUCED_VENV)
	$(REDUCED_BIN)/python -m pip install --quiet --upgrade pip
	$(REDUCED_BIN)/python -m pip install --quiet -r requirements-dev.txt $(foreach d,$(REDUCED_DISTRIBUTIONS),-e $(d))
	touch $@

demo: $(STAMP)
	$(BIN)/connauth demo

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	CONNAUTH_EXPECTED_METHODS=basic,oauth1a,oauth2,pat $(BIN)/python -m pytest

unit-without-oauth1a: $(REDUCED_STAMP)
	CONNAUTH_EXPECTED_METHODS=basic,oauth2,pat $(REDUCED_BIN)/python -m pytest \
		-p no:cacheprovider --ignore=tests/oauth1a

test: lint typecheck unit unit-without-oauth1a

# Benchmarks print tables and write JSON to benchmarks/results/; see
# docs/benchmarks.md. They take several minutes in all and need PostgreSQL
# and Redis on 127.0.0.1.
bench: $(STAMP)
	$(BIN)/python benchmarks/oauth1_signing.py
	$(BIN)/python benchmarks/request_overhead.py
	$(BIN)/python benchmarks/refresh_storm.py
	$(BIN)/python benchmarks/check_latency.py
	$(BIN)/python benchmarks/store_latency.py

clean:
	rm -rf $(VENV) $(REDUCED_VENV)
