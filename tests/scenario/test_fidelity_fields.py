"""The section 9 fields refuse bad values with one line naming the file and the field."""

from __future__ import annotations

import pytest

from tests.shared import REFERENCE, assert_one_line_error, invoke_cli

SCENARIOS = REFERENCE.parent


@pytest.mark.parametrize(("override", "field", "words"), [
    ("departments.billing.after_call_work=-5s", "departments.billing.after_call_work",
     ">= 0"),
    ("departments.billing.after_call_work={dist: exponential}",
     "departments.billing.after_call_work", "mean"),
    ("departments.billing.available=0", "departments.billing.available", "> 0"),
    ("departments.billing.available=1.2", "departments.billing.available", "<= 1"),
    ("departments.billing.available=[0.9, 0.8]", "departments.billing.available",
     "expected 24 values"),
    ("departments.billing.available=yes", "departments.billing.available", "number"),
    ("call_types.support.priority=-1", "call_types.support.priority", ">= 0"),
    ("call_types.support.priority=1.5", "call_types.support.priority", "whole number"),
    ("call_types.support.patience_scale=0", "call_types.support.patience_scale", "> 0"),
    ("call_types.support.patience_scale=[1, 2]", "call_types.support.patience_scale",
     "expected 24 values"),
    ("call_types.support.patience_scale=yes", "call_types.support.patience_scale", "number"),
    ("call_types.support.handle_scale=-1", "call_types.support.handle_scale", "> 0"),
    ("call_types.support.handle_scale=[1, 2]", "call_types.support.handle_scale",
     "expected 24 values"),
    ("arrivals.busyness.cv=-0.1", "arrivals.busyness.cv", ">= 0"),
    ("arrivals.busyness.cv=3", "arrivals.busyness.cv", "<= 1"),
    ("arrivals.busyness={}", "arrivals.busyness.cv", "required"),
    ("arrivals.other=1", "arrivals.other", "not permitted"),
])
def test_bad_values_are_one_line_errors(override, field, words):
    result = invoke_cli("validate", str(REFERENCE), "--set", override)
    assert_one_line_error(result, REFERENCE.name, field, words)


def test_busyness_is_refused_with_a_replayed_call_log():
    path = SCENARIOS / "replay_example.yaml"
    result = invoke_cli("validate", str(path), "--set", "arrivals.busyness.cv=0.2")
    assert_one_line_error(result, path.name, "arrivals.busyness.cv", "arrivals_file")


def test_busyness_zero_is_accepted_with_a_replayed_call_log():
    path = SCENARIOS / "replay_example.yaml"
    result = invoke_cli("validate", str(path), "--set", "arrivals.busyness.cv=0")
    assert result.exit_code == 0, result.output
