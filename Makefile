# Quick start: `make demo` and `make test` work on a machine with only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS_STAMP := $(VENV)/.notebooks

.PHONY: demo test lint bench clean notebooks notebooks-run fuzz readme-answers

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(NOTEBOOKS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,notebooks]'
	touch $(NOTEBOOKS_STAMP)

# JupyterLab on notebooks/ (installs the notebooks extra: jupyterlab, ipykernel).
notebooks: $(NOTEBOOKS_STAMP)
	$(BIN)/jupyter lab notebooks/

# Re-execute every notebook on a real kernel and save it with its outputs (then commit them;
# tests/docs/test_notebooks.py checks that the committed outputs are current).
notebooks-run: $(STAMP)
	$(BIN)/python tools/notebooks.py

demo: $(STAMP)
	$(BIN)/callsim compare scenarios/billing_support.yaml --reps 20 --seed 1

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

# Style, docstrings and complexity (ruff), types (mypy --strict, see pyproject.toml), the layer
# contracts (import-linter) and the 40-line limit on function bodies.
# The fuzz tests, long mode: 10,000 mutated scenario documents (make test runs 150), 10,000
# hostile command lines and records files (make test runs 4), and 500 Ctrl-Cs at random
# moments of commands with 2 workers (make test runs 7).
fuzz: $(STAMP)
	CALLSIM_FUZZ_EXAMPLES=10000 CALLSIM_FUZZ_REPORT=1 $(BIN)/python -m pytest -q -s \
		-p no:cacheprovider tests/scenario/test_fuzz_loader.py tests/cli/test_fuzz_commands.py \
		tests/cli/test_cli_interrupts.py

# The README's quoted answers that take long to recompute (its staffing table and the worked
# sweep: about a minute of CPU); make test checks the cheap ones (the demo's answer, Erlang).
readme-answers: $(STAMP)
	CALLSIM_README_ANSWERS=1 $(BIN)/python -m pytest -q -p no:cacheprovider \
		tests/docs/test_readme.py -k quotes

lint: $(STAMP)
	$(BIN)/ruff check callsim tests benchmarks tools
	$(BIN)/mypy callsim
	$(BIN)/lint-imports --no-logo --no-cache
	$(BIN)/python tools/function_length.py callsim --max-lines 40

bench: $(STAMP)
	$(BIN)/python benchmarks/erlang_a.py
	$(BIN)/python benchmarks/compare.py
	$(BIN)/python benchmarks/report.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/staffing.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
