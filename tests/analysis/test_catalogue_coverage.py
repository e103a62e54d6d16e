"""Every metric any code emits or targets is in the catalogue (one home per metric fact)."""

from __future__ import annotations

import pytest

from callsim.analysis.erlang import erlang_a
from callsim.analysis.metrics import compute_metrics, interval_metrics
from callsim.calibration.observed import BACKTEST_METRICS
from callsim.policies import registry
from callsim.policies.simulation import simulate
from callsim.scenario.catalogue import catalogued, metric
from callsim.scenario.loading import load_scenario
from callsim.scenario.targets import TARGET_METRICS
from tests.shared import ROOT

#: Scenarios that between them use every option (callbacks, conditional, redials, in place).
SCENARIOS = ("callbacks", "conditional_warm", "cross_trained", "redials", "billing_support")
#: Columns of the interval profile that are not metrics.
INTERVAL_KEYS = {"interval", "start", "end"}


def catalogued_names() -> set[str]:
    registry.names()  # the registry adds the policies' own metrics
    return {m.name for m in catalogued()}


def emitted(name: str) -> set[str]:
    """Bare metric names of every run and interval column of one scenario, every policy."""
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml", ["horizon.duration=1h"])
    names: set[str] = set()
    for policy in registry.names():
        result = simulate(scenario, policy=policy, seed=1)
        names |= {key.rpartition(".")[2] for key in compute_metrics(result, scenario)}
        profile = interval_metrics(result, scenario)
        names |= {column.rpartition(".")[2] for column in profile.columns
                  if column not in INTERVAL_KEYS}
    return names


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_emitted_metric_is_catalogued(name: str) -> None:
    assert emitted(name) - catalogued_names() == set()


def test_every_targeted_erlang_and_backtest_metric_is_catalogued() -> None:
    figures = set(erlang_a(0.05, 180.0, 600.0, 12).as_dict()) - {"agents", "offered_load",
                                                                   "wait_if_delayed"}
    named = {*TARGET_METRICS, *figures, *BACKTEST_METRICS}
    assert named - catalogued_names() == set()


def test_a_policy_metric_is_catalogued_once_the_registry_loads() -> None:
    registry.names()
    assert metric("transfers_conditional_warm").label == "Conditional transfers gone warm"
