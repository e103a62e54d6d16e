"""Department queue metrics: every join counted once, from the moment of joining."""

from __future__ import annotations

import numpy as np
import pytest

from callsim import compute_metrics, interval_metrics, load_scenario, simulate
from callsim.analysis.queues import queue_joins
from callsim.analysis.segments import call_arrays
from callsim.engine.records import Outcome


@pytest.fixture(scope="module")
def scenario():
    return load_scenario("scenarios/billing_support.yaml", ["horizon.duration=3h"])


@pytest.mark.parametrize("policy", ["cold", "warm"])
def test_joins_add_up(scenario, policy):
    result = simulate(scenario, policy, seed=3)
    m = compute_metrics(result, scenario)
    calls = result.calls
    transferred = calls["transfer"].notna() & (calls["outcome"] != Outcome.DROPPED)
    offered = sum(m[f"departments.{d}.offered"] for d in scenario.departments)
    assert offered == len(calls) + int(transferred.sum())
    abandoned = sum(m[f"departments.{d}.abandon_rate"] * m[f"departments.{d}.offered"]
                    for d in scenario.departments)
    assert abandoned == pytest.approx((calls["outcome"] == Outcome.ABANDONED).sum())
    # billing's queue is joined by its own callers and misrouted support callers only
    first_billing = (calls["first_department"] == "billing").sum()
    assert m["departments.billing.offered"] == first_billing
    joins = queue_joins(call_arrays(result, scenario))
    assert (joins.wait >= 0).all()
    assert not (joins.answered & joins.abandoned).any()


def test_interval_columns_sum_to_horizon(scenario):
    result = simulate(scenario, "warm", seed=4)
    m = compute_metrics(result, scenario)
    frame = interval_metrics(result, scenario)
    for d in scenario.departments:
        offered = frame[f"departments.{d}.offered"]
        assert offered.sum() == m[f"departments.{d}.offered"]
        sl = np.nansum(frame[f"departments.{d}.service_level"] * offered) / offered.sum()
        assert sl == pytest.approx(m[f"departments.{d}.service_level"])
        wait = np.nansum(frame[f"departments.{d}.wait_mean"] * offered) / offered.sum()
        assert wait == pytest.approx(m[f"departments.{d}.wait_mean"])
