"""Caller priority classes (docs/model.md, "What real centres add"): theory and queue order.

One department of c agents, exponential service of the same mean for every class, no
abandonment: the non-preemptive priority M/M/c queue, whose mean wait of class k (classes
numbered from the highest) is exact (Cobham 1954):

    W_k = C(c, A) / (c mu (1 - sigma_{k-1}) (1 - sigma_k)),

with C(c, A) the Erlang C probability of waiting and sigma_k the load of classes 1..k per agent.
The simulation's 99% intervals must hold every W_k and reject first come first served.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from callsim import build_scenario, compute_metrics, erlang_c, simulate, t_interval
from tests.shared import assert_same_simulation, reference

CONFIDENCE = 0.99
SERVICE = 180.0  # mean service (s), every class
AGENTS = 4
#: Class name -> (priority, arrivals per hour): a load of 0.75 per agent, split 1:1:1.
CLASSES = {"gold": (2, 20.0), "silver": (1, 20.0), "bronze": (0, 20.0)}


def priority_scenario(hours: float):
    call_types = {
        name: {"arrivals_per_hour": rate, "resolved_by": "desk", "priority": priority,
               "handle_time": {"dist": "exponential", "mean": SERVICE}}
        for name, (priority, rate) in CLASSES.items()
    }
    raw = {
        "name": "priority M/M/c",
        "horizon": {"duration": f"{hours}h", "interval": f"{hours}h", "warmup": "2h"},
        "departments": {"desk": {"agents": AGENTS, "wage_per_hour": 30.0}},
        "call_types": call_types,
    }
    return build_scenario(raw, "priority.yaml", Path("."))


def cobham_waits() -> dict[str, float]:
    """Exact mean wait (s) per class of the non-preemptive priority M/M/c queue."""
    rate = sum(r for _, r in CLASSES.values()) / 3600
    waiting = erlang_c(rate, SERVICE, AGENTS, threshold=20.0).p_wait
    capacity = AGENTS / SERVICE
    waits, above = {}, 0.0
    for name, (_, r) in sorted(CLASSES.items(), key=lambda item: -item[1][0]):
        sigma = above + r / 3600 / capacity
        waits[name] = waiting / (capacity * (1 - above) * (1 - sigma))
        above = sigma
    return waits


@pytest.mark.slow
def test_priority_classes_against_the_exact_non_preemptive_priority_queue():
    scenario = priority_scenario(hours=100)
    rows = []
    for r in range(24):
        m = compute_metrics(simulate(scenario, seed=31, replication=r), scenario)
        rows.append({name: m[f"call_types.{name}.wait_mean"] for name in CLASSES})
    figures = pd.DataFrame(rows)
    exact = cobham_waits()  # gold 30.6 s, silver 61.1 s, bronze 183.4 s
    rate = sum(r for _, r in CLASSES.values()) / 3600
    fcfs = erlang_c(rate, SERVICE, AGENTS, threshold=20.0).wait_mean  # 91.7 s for every class
    for name, wait in exact.items():
        mean, lo, hi = t_interval(figures[name], CONFIDENCE)
        where = f"{name}: {CONFIDENCE:.0%} CI [{lo:.1f}, {hi:.1f}]"
        assert lo <= wait <= hi, f"exact {wait:.1f} s outside {where}"
        assert not lo <= fcfs <= hi, f"first come first served ({fcfs:.1f} s) inside {where}"


def test_a_higher_class_is_answered_first_and_a_class_in_arrival_order():
    scenario = priority_scenario(hours=20)
    calls = simulate(scenario, seed=32).calls
    priority = {k: p for k, (p, _) in CLASSES.items()}
    calls = calls.assign(priority=calls["call_type"].astype(str).map(priority))
    answered = calls.dropna(subset=["answer"]).sort_values("answer", kind="stable")
    assert (answered["answer"] > answered["arrival"]).sum() > 500  # plenty of waiting
    for _, row in answered.iterrows():
        # Nobody of a higher class, nor of the same class who came earlier, was waiting.
        waiting = calls[(calls["arrival"] < row["answer"]) & (calls["answer"] > row["answer"])]
        ahead = waiting[(waiting["priority"] > row["priority"]) |
                        ((waiting["priority"] == row["priority"])
                         & (waiting["arrival"] < row["arrival"]))]
        assert ahead.empty, (row.to_dict(), ahead.head().to_dict())


def test_one_class_for_everyone_is_first_come_first_served():
    same = reference("call_types.billing.priority=3", "call_types.support.priority=3")
    assert_same_simulation(reference(), same, seed=4)
