"""Every public function has a runnable example (STYLE.md: documentation that runs).

The examples themselves run as doctests (``--doctest-modules`` over ``callsim/``, see
pyproject.toml); this checks that none is missing.
"""

from __future__ import annotations

import inspect

import pytest

import callsim

FUNCTIONS = [name for name in callsim.__all__ if inspect.isfunction(getattr(callsim, name))]


#: The public functions, by name: adding or removing one is a decision, made here on purpose.
PUBLIC_FUNCTIONS = {
    "agents_for_service_level", "apply_overrides", "backtest", "breakeven", "build_scenario",
    "calibrate", "compare", "compute_metrics", "erlang_a", "erlang_c", "interval_metrics",
    "load_scenario", "paired_differences", "read_records", "replicate", "run", "schedule",
    "simulate", "staff", "summarize", "sweep", "t_interval", "write_records",
}


def test_the_public_api_has_functions():
    assert set(FUNCTIONS) == PUBLIC_FUNCTIONS


@pytest.mark.parametrize("name", FUNCTIONS)
def test_public_function_has_a_numpy_examples_section(name):
    doc = inspect.getdoc(getattr(callsim, name)) or ""
    assert "\nExamples\n--------\n" in doc, f"callsim.{name} has no Examples section"
    examples = doc.split("\nExamples\n--------\n", 1)[1]
    assert ">>> " in examples, f"callsim.{name}: its Examples section has no doctest"
