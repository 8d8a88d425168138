# The two README commands: `make demo` and `make test`. Only python3 and make are needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP_FLAGS := --disable-pip-version-check --no-input -q

.PHONY: install demo test lint typecheck unit lab notebooks bench clean

$(STAMP): pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_FLAGS) -c requirements/constraints.txt -e ".[dev,notebooks]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python -m sroi analyse datasets/elderly_mode/elderly_mode.yaml \
		--credit-scenarios datasets/elderly_mode/credit_scenarios.yaml --out out/elderly_mode
	$(BIN)/python scripts/audit_and_break_even.py datasets/elderly_mode/elderly_mode.yaml --out out/elderly_mode

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check sroi tests scripts benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy sroi

unit: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck unit

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks

notebooks: $(STAMP)
	$(BIN)/python scripts/run_notebooks.py

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install $(PIP_FLAGS) -c requirements/constraints.txt -e ".[dev,bench]"
	touch $(BENCH_STAMP)

# Every benchmark at its default size and one table of measures and targets (benchmarks/README.md).
bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache out
