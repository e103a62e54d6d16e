"""The target grammar ``[DEPT:]METRIC(>=|<=)VALUE`` and the scenario's ``targets:`` list."""

from __future__ import annotations

import pytest

from callsim import ScenarioError, load_scenario
from callsim.scenario.targets import TargetError, parse_target


@pytest.mark.parametrize(("text", "dept", "metric", "op", "value"), [
    ("service_level>=0.8", None, "service_level", ">=", 0.8),
    ("billing:service_level >= 90%", "billing", "service_level", ">=", 0.9),
    ("asa<=30s", None, "asa", "<=", 30.0),
    ("support:wait_mean<=1.5min", "support", "wait_mean", "<=", 90.0),
    ("abandon_rate<=0.05", None, "abandon_rate", "<=", 0.05),
    ("occupancy<=0.85", None, "occupancy", "<=", 0.85),
])
def test_parse(text, dept, metric, op, value):
    t = parse_target(text)
    assert (t.department, t.metric, t.op, t.value) == (dept, metric, op, pytest.approx(value))


@pytest.mark.parametrize(("text", "message"), [
    ("service_level=0.8", "expected [DEPT:]METRIC"),
    ("sla>=0.8", "unknown metric 'sla'"),
    ("service_level<=0.8", "service_level targets use >="),
    ("abandon_rate<=5", "must be in [0, 1]"),
    ("asa<=soon", "needs a time"),
    ("asa<=-3s", "must be a time >= 0"),
])
def test_bad_targets_say_why_in_one_line(text, message):
    with pytest.raises(TargetError, match=message.replace("[", r"\[")) as info:
        parse_target(text)
    assert "\n" not in str(info.value)


def test_holds_and_nan():
    t = parse_target("asa<=20")
    assert t.holds(20.0) and not t.holds(20.1) and t.holds(float("nan"))


def test_scenario_targets_are_validated():
    sc = load_scenario("scenarios/billing_support.yaml",
                       ['targets=["service_level>=0.8", "billing:asa<=30s"]'])
    assert [t.metric for t in sc.parsed_targets] == ["service_level", "asa"]
    with pytest.raises(ScenarioError) as info:
        load_scenario("scenarios/billing_support.yaml", ['targets=["sales:asa<=30s"]'])
    assert info.value.problems == [
        "scenarios/billing_support.yaml: targets.0: no department named 'sales'"]
