# The two README commands: `make demo` and `make test`. Only python3 and make are needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP_FLAGS := --disable-pip-version-check --no-input -q

.PHONY: install demo test test-browser lint typecheck unit lab notebooks bench clean

DEMO_STAMP := $(VENV)/.demo-installed
DEMO_MODEL := datasets/elderly_mode/elderly_mode.yaml
DEMO_OUT   := out/elderly_mode

# Development install (make test, lint, notebooks): sroi with the dev and notebooks extras. It
# is a superset of the demo's install, so it stamps that too.
$(STAMP): pyproject.toml requirements/constraints.txt
	@echo "==> Development install into $(VENV): sroi and its dev and notebooks extras (a few minutes)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_FLAGS) -c requirements/constraints.txt -e ".[dev,notebooks]"
	touch $(STAMP) $(DEMO_STAMP)

install: $(STAMP)

# The demo needs only sroi and its run-time dependencies (numpy, pandas, pint, scipy,
# statsmodels, matplotlib, openpyxl...): no test tools, no Jupyter.
$(DEMO_STAMP): pyproject.toml requirements/constraints.txt
	@echo "==> Creating the virtual environment $(VENV)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "==> Installing sroi and its run-time dependencies only (no dev or notebook extras)"
	$(BIN)/python -m pip install --disable-pip-version-check --no-input -c requirements/constraints.txt -e .
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	@echo "==> sroi analyse: the Elderly Mode case end to end (value map, Monte Carlo, tornado, switching values, credit scenarios) -> $(DEMO_OUT)/"
	MPLBACKEND=Agg $(BIN)/sroi analyse $(DEMO_MODEL) \
		--credit-scenarios datasets/elderly_mode/credit_scenarios.yaml --out $(DEMO_OUT) --overwrite
	@echo "==> sroi audit: the over-claim audit and switching values against 1:1 and published practice"
	$(BIN)/sroi audit $(DEMO_MODEL) --out $(DEMO_OUT) --overwrite
	@echo "==> Done: open $(DEMO_OUT)/report.html"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check sroi tests scripts benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy sroi

unit: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck unit

# The HTML report in headless Chromium at 1200 px and printed to PDF (tests/test_report_browser.py);
# installs Chromium from the Debian packages first when it is missing (needs root, as in CI).
test-browser: $(STAMP)
	@echo "==> Headless Chromium for the report test (Debian package chromium, installed if missing)"
	command -v chromium || (apt-get update && apt-get install -y chromium)
	command -v chromium >/dev/null
	$(BIN)/python -m pytest -m browser tests/test_report_browser.py

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
