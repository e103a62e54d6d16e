"""The simulator against queueing theory, with tolerances from confidence intervals.

One department, no misroutes, exponential times: the model is M/M/n (Erlang C) without
patience and M/M/n+M (Erlang A) with exponential patience. Each test runs independent
steady-state replications (long horizon, warm-up removed), builds a 99% Student-t interval
per figure from the replications, and asserts that the theoretical value lies inside it. Each
test also asserts the interval is narrow enough to tell neighbouring staffing levels apart, so
it could fail on a wrong model.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from callsim import compute_metrics, erlang_a, erlang_c, load_scenario, simulate, t_interval
from tests.shared import STEADY

CONFIDENCE = 0.99


def replicate_figures(overrides: list[str], reps: int, seed: int) -> pd.DataFrame:
    """Per replication: P(wait), P(abandon), service level, ASA, mean wait of all callers."""
    scenario = load_scenario(STEADY, overrides)
    rows = []
    for r in range(reps):
        result = simulate(scenario, seed=seed, replication=r)
        m = compute_metrics(result, scenario)
        calls = result.calls[result.calls["arrival"] >= result.warmup]
        delay = (calls["answer"] - calls["arrival"]).to_numpy()
        waited = ~(delay == 0)  # abandoned callers (NaN) waited too
        rows.append({
            "p_wait": float(np.mean(waited)),
            "p_abandon": m["overall.abandon_rate"],
            "service_level": m["overall.service_level"],
            "asa": m["overall.asa"],
            "wait_mean": m["overall.wait_mean"],
        })
    return pd.DataFrame(rows)


def assert_within_ci(samples: pd.Series, expected: float, max_half_width: float) -> None:
    mean, lo, hi = t_interval(samples, CONFIDENCE)
    assert hi - lo <= 2 * max_half_width, f"CI [{lo:.5f}, {hi:.5f}] too wide to discriminate"
    assert lo <= expected <= hi, (
        f"theory {expected:.5f} outside {CONFIDENCE:.0%} CI [{lo:.5f}, {hi:.5f}]"
    )


@pytest.mark.slow
def test_erlang_c_published_case():
    # 100 calls per 30 min, AHT 180 s, 14 agents, no abandonment.
    figures = replicate_figures(
        ["call_types.calls.patience=null", "horizon.duration=60h", "horizon.interval=60h"],
        reps=30, seed=11,
    )
    theory = erlang_c(200 / 3600, 180.0, 14, threshold=20.0)
    assert theory.p_wait == pytest.approx(0.1741319, abs=1e-6)
    assert (figures["p_abandon"] == 0).all()
    # Neighbouring staffing levels (13: 0.2853, 15: 0.1020) are > 0.07 away.
    assert_within_ci(figures["p_wait"], theory.p_wait, max_half_width=0.02)
    assert_within_ci(figures["service_level"], 0.8883500, max_half_width=0.015)
    assert_within_ci(figures["asa"], 7.8359, max_half_width=1.5)


@pytest.mark.slow
def test_erlang_a_published_case():
    # 10 calls/min, AHT 3 min, mean patience 2 min, 30 agents: P(wait) 0.4766, P(ab) 0.0799.
    figures = replicate_figures(
        [
            "call_types.calls.arrivals_per_hour=600",
            "call_types.calls.patience={dist: exponential, mean: 2min}",
            "departments.agents.agents=30",
            "horizon.duration=30h",
            "horizon.interval=30h",
        ],
        reps=30, seed=12,
    )
    theory = erlang_a(600 / 3600, 180.0, 120.0, 30, threshold=20.0)
    assert theory.p_wait == pytest.approx(0.4766, abs=1e-4)
    assert theory.p_abandon == pytest.approx(0.0799, abs=1e-4)
    assert_within_ci(figures["p_wait"], theory.p_wait, max_half_width=0.02)
    assert_within_ci(figures["p_abandon"], theory.p_abandon, max_half_width=0.01)
    assert_within_ci(figures["service_level"], theory.service_level, max_half_width=0.02)
    assert_within_ci(figures["asa"], theory.asa, max_half_width=1.5)


@pytest.mark.slow
def test_abandonment_identity_theta_times_mean_wait():
    # Little's law on the queue: P(abandon) = theta x mean wait of all callers, per replication,
    # exact up to sampling noise; checked through the paired per-replication difference.
    figures = replicate_figures(["horizon.duration=40h", "horizon.interval=40h"], reps=20, seed=13)
    theta = 1 / 600.0
    diff = figures["p_abandon"] - theta * figures["wait_mean"]
    mean, lo, hi = t_interval(diff, CONFIDENCE)
    assert lo <= 0 <= hi
    assert hi - lo < 0.004
