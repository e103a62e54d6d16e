"""Metrics from hand-made call records, checked against hand-computed numbers."""

from __future__ import annotations

import math
from types import SimpleNamespace as NS

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callsim.analysis.metrics import (
    CALL_METRICS,
    DEPARTMENT_METRICS,
    METRIC_NAMES,
    compute_metrics,
    interval_metrics,
    metric_keys,
)
from callsim.analysis.segments import cumulative_time, overlap
from callsim.engine.records import CODE_COLUMNS, TIME_COLUMNS, SimulationResult

DEPTS = ("billing", "support")
TYPES = ("billing", "support")
WAGE = {"billing": 28.0, "support": 35.0}
H = 3600.0
NAN = float("nan")

#: docs/model.md section 5 names: the contract.
SPEC_CALL = ("calls", "abandon_rate", "drop_rate", "lost_rate", "wait_mean", "wait_p90", "asa",
             "service_level", "resolution_time_mean", "transfers_cold", "transfers_warm")
SPEC_DEPT = ("occupancy", "handling", "identifying", "holding", "handoff", "agent_hours")
SPEC_COSTS = ("staff_cost", "transfer_agent_cost", "lost_call_cost", "total_cost")


def make_scenario(duration: float = H, interval: float = 1800.0):
    """A real Scenario when the module exists, else a stand-in with the attributes used."""
    interval = min(interval, duration)
    try:
        from callsim.scenario.schema import Scenario
    except ImportError:
        return NS(
            service_level_threshold=20.0,
            departments={d: NS(wage_per_hour=WAGE[d], agents=1) for d in DEPTS},
            call_types={t: NS(resolved_by=t) for t in TYPES},
            costs=NS(lost_call=12.0),
            horizon=NS(duration=duration, interval=interval, warmup=0.0, drain=True),
        )
    return Scenario.model_validate(
        {
            "name": "metrics test",
            "horizon": {"duration": duration, "interval": interval},
            "service_level_threshold": 20,
            "departments": {d: {"agents": 1, "wage_per_hour": WAGE[d]} for d in DEPTS},
            "call_types": {
                t: {
                    "arrivals_per_hour": 10,
                    "resolved_by": t,
                    "handle_time": {"dist": "exponential", "mean": 300},
                    "patience": {"dist": "exponential", "mean": 180},
                }
                for t in TYPES
            },
            "transfer": {"policy": "warm", "identify_time": {"dist": "exponential", "mean": 45}},
            "costs": {"lost_call": 12.0},
        }
    )


def call(call_type: str, first: str, arrival: float, **kw) -> dict:
    """One call record; unspecified times are NaN, codes 0, agents -1."""
    row = {name: NAN for name in TIME_COLUMNS}
    row.update({"call_type": call_type, "first_department": first, "arrival": arrival})
    row.update({"agent": 0, "agent_after_transfer": -1, "transfer_kind": 0, "outcome": 0,
                "abandon_stage": 0})
    row.update(kw)
    return row


def result(calls: list[dict], shifts: list[tuple] | None = None, horizon: float = H,
           warmup: float = 0.0, end_time: float | None = None) -> SimulationResult:
    frame = pd.DataFrame(calls, columns=["call_type", "first_department", *TIME_COLUMNS,
                                         *CODE_COLUMNS])
    frame.insert(0, "call_id", np.arange(len(frame)))
    frame["call_type"] = pd.Categorical(frame["call_type"], categories=TYPES)
    frame["first_department"] = pd.Categorical(frame["first_department"], categories=DEPTS)
    frame = frame.astype(CODE_COLUMNS)
    if shifts is None:
        shifts = [("billing", 0, 0.0, horizon), ("support", 0, 0.0, horizon)]
    shift_frame = pd.DataFrame(shifts, columns=["department", "agent", "start", "end"])
    return SimulationResult(frame, shift_frame, horizon, warmup,
                            horizon if end_time is None else end_time, "warm", 1, 0)


@pytest.fixture
def scenario():
    return make_scenario()


def test_keys_cover_the_contract(scenario):
    m = compute_metrics(result([call("billing", "billing", 0, answer=0, end=60)]), scenario)
    assert list(m) == metric_keys(scenario)
    assert set(SPEC_CALL) <= set(CALL_METRICS) and set(SPEC_DEPT) <= set(DEPARTMENT_METRICS)
    assert METRIC_NAMES["costs"] == SPEC_COSTS
    for t in TYPES:
        assert all(f"call_types.{t}.{n}" in m for n in SPEC_CALL)
    assert all(isinstance(v, float) for v in m.values())


def test_resolved_direct_call(scenario):
    m = compute_metrics(result([call("billing", "billing", 100, answer=110, end=410)]), scenario)
    assert m["overall.calls"] == 1
    assert m["overall.wait_mean"] == 10 and m["overall.wait_p90"] == 10 and m["overall.asa"] == 10
    assert m["overall.service_level"] == 1 and m["overall.abandon_rate"] == 0
    assert m["overall.resolution_time_mean"] == 310
    assert m["departments.billing.handling"] == pytest.approx(300 / H)
    assert m["departments.billing.identifying"] == 0
    assert m["departments.billing.agent_hours"] == pytest.approx(1.0)
    assert m["departments.billing.occupancy"] == pytest.approx(300 / H)
    assert m["departments.support.occupancy"] == 0
    assert m["call_types.billing.calls"] == 1 and m["call_types.support.calls"] == 0


def test_cold_transfer(scenario):
    c = call("support", "billing", 0, answer=30, transfer=90, answer_after_transfer=150, end=450,
             agent_after_transfer=0, transfer_kind=1)
    m = compute_metrics(result([c]), scenario)
    assert m["overall.wait_mean"] == 30 + 60  # first queue + support queue
    assert m["overall.asa"] == 30 and m["overall.service_level"] == 0  # 30 s > 20 s threshold
    assert m["overall.transfers_cold"] == 1 and m["overall.transfers_warm"] == 0
    assert m["departments.billing.identifying"] == pytest.approx(60 / H)
    assert m["departments.billing.handling"] == 0 and m["departments.billing.holding"] == 0
    assert m["departments.support.handling"] == pytest.approx(300 / H)
    assert m["departments.support.handoff"] == 0
    assert m["call_types.support.resolution_time_mean"] == 450
    assert m["costs.transfer_agent_cost"] == pytest.approx(60 / H * 28)


def test_warm_transfer_with_hold_and_handoff(scenario):
    c = call("support", "billing", 0, answer=5, transfer=65, hold_end=125,
             answer_after_transfer=125, handoff_end=155, end=455, agent_after_transfer=0,
             transfer_kind=2)
    m = compute_metrics(result([c]), scenario)
    assert m["overall.wait_mean"] == 5 + 60  # the hold is waiting too
    assert m["overall.transfers_warm"] == 1 and m["overall.transfers_cold"] == 0
    b, s = "departments.billing.", "departments.support."
    assert m[b + "identifying"] == pytest.approx(60 / H)
    assert m[b + "holding"] == pytest.approx(60 / H)
    assert m[b + "handoff"] == pytest.approx(30 / H)
    assert m[b + "handling"] == 0
    assert m[b + "busy_hours"] == pytest.approx(150 / H)
    assert m[s + "handoff"] == pytest.approx(30 / H)
    assert m[s + "handling"] == pytest.approx(300 / H)
    assert m[s + "busy_hours"] == pytest.approx(330 / H)
    assert m["costs.transfer_agent_cost"] == pytest.approx(150 / H * 28 + 30 / H * 35)


def test_warm_turned_cold_by_max_hold(scenario):
    c = call("support", "billing", 0, answer=10, transfer=70, hold_end=130,
             answer_after_transfer=200, end=500, agent_after_transfer=0, transfer_kind=3)
    m = compute_metrics(result([c]), scenario)
    assert m["overall.transfers_warm"] == 1 and m["overall.transfers_hold_timeout"] == 1
    assert m["overall.wait_mean"] == 10 + 130
    assert m["departments.billing.holding"] == pytest.approx(60 / H)
    assert m["departments.billing.handoff"] == 0 and m["departments.support.handoff"] == 0
    assert m["departments.support.handling"] == pytest.approx(300 / H)


def test_dropped_call_waits_only_in_first_queue(scenario):
    c = call("support", "billing", 0, answer=10, transfer=70, end=70, transfer_kind=1, outcome=2)
    m = compute_metrics(result([c]), scenario)
    assert m["overall.drop_rate"] == 1 and m["overall.lost_rate"] == 1
    assert m["overall.abandon_rate"] == 0 and m["overall.wait_mean"] == 10
    assert math.isnan(m["overall.resolution_time_mean"])
    assert m["departments.billing.identifying"] == pytest.approx(60 / H)
    assert m["departments.support.busy_hours"] == 0
    assert m["costs.lost_call_cost"] == 12.0


def test_abandonment_in_each_stage(scenario):
    calls = [
        call("billing", "billing", 0, end=50, agent=-1, outcome=1, abandon_stage=1),
        call("support", "billing", 0, answer=10, transfer=70, end=170, transfer_kind=1,
             outcome=1, abandon_stage=2),
        call("support", "billing", 0, answer=10, transfer=70, hold_end=130, end=130,
             transfer_kind=2, outcome=1, abandon_stage=3),
        call("billing", "billing", 0, answer=0, end=100),
    ]
    m = compute_metrics(result(calls), scenario)
    assert m["overall.calls"] == 4
    assert m["overall.abandon_rate"] == 0.75 and m["overall.lost_rate"] == 0.75
    for stage in ("first_queue", "after_transfer", "on_hold"):
        assert m[f"overall.abandon_rate_{stage}"] == 0.25
    waits = np.array([50, 10 + 100, 10 + 60, 0])
    assert m["overall.wait_mean"] == pytest.approx(waits.mean())
    assert m["overall.wait_p90"] == pytest.approx(np.percentile(waits, 90))
    assert m["overall.asa"] == pytest.approx((10 + 10 + 0) / 3)
    assert m["overall.service_level"] == 0.75
    assert m["call_types.support.abandon_rate_first_queue"] == 0
    assert m["call_types.support.abandon_rate_after_transfer"] == 0.5
    assert m["call_types.billing.abandon_rate_first_queue"] == 0.5
    # the holding agent is freed by the abandonment on hold
    assert m["departments.billing.holding"] == pytest.approx(60 / H)
    assert m["departments.support.busy_hours"] == 0
    assert m["costs.lost_call_cost"] == 3 * 12.0


def test_warmup_excludes_calls_but_not_agent_time(scenario):
    calls = [
        call("billing", "billing", 500, answer=550, end=850),  # before warm-up
        call("billing", "billing", 600, answer=700, end=800),  # exactly at warm-up: counted
    ]
    m = compute_metrics(result(calls, warmup=600.0), scenario)
    assert m["overall.calls"] == 1 and m["overall.wait_mean"] == 100
    assert m["departments.billing.handling"] == pytest.approx((250 + 100) / H)
    assert m["departments.billing.agent_hours"] == pytest.approx(3000 / H)
    assert m["departments.billing.occupancy"] == pytest.approx(350 / 3000)


def test_drain_overtime_counts_only_while_busy(scenario):
    calls = [call("billing", "billing", 3500, answer=3500, end=4000)]
    shifts = [("billing", 0, 0.0, 4000.0), ("billing", 1, 0.0, 4000.0),
              ("support", 0, 0.0, 3600.0)]
    m = compute_metrics(result(calls, shifts, end_time=4000.0), scenario)
    staffed = 2 * 3600 + 400  # idle drain time of agent 1 is not staffed
    assert m["departments.billing.agent_hours"] == pytest.approx(staffed / H)
    assert m["departments.billing.occupancy"] == pytest.approx(500 / staffed)
    assert m["departments.billing.staff_cost"] == pytest.approx(staffed / H * 28)
    assert m["departments.support.agent_hours"] == pytest.approx(1.0)


def test_unfinished_calls_without_drain(scenario):
    calls = [
        call("billing", "billing", 3500, answer=3550, outcome=3),  # in service at the horizon
        call("support", "billing", 3400, answer=3450, transfer=3500, transfer_kind=2,
             outcome=3),  # on hold at the horizon
        call("billing", "billing", 3590, agent=-1, outcome=3),  # still in the first queue
    ]
    m = compute_metrics(result(calls), scenario)
    assert m["overall.unfinished_rate"] == 1 and m["overall.lost_rate"] == 0
    assert m["departments.billing.handling"] == pytest.approx(50 / H)
    assert m["departments.billing.identifying"] == pytest.approx(50 / H)
    assert m["departments.billing.holding"] == pytest.approx(100 / H)
    assert m["overall.wait_mean"] == pytest.approx((50 + 50 + 100 + 10) / 3)  # censored
    assert math.isnan(m["overall.resolution_time_mean"])


def test_costs(scenario):
    calls = [
        call("billing", "billing", 0, answer=0, end=1800),
        call("billing", "billing", 0, end=30, agent=-1, outcome=1, abandon_stage=1),
        call("support", "billing", 0, answer=1800, transfer=1860, end=1860, transfer_kind=1,
             outcome=2),
    ]
    m = compute_metrics(result(calls), scenario)
    assert m["costs.staff_cost"] == pytest.approx(28 + 35)  # one hour each
    assert m["departments.billing.staff_cost"] == pytest.approx(28)
    assert m["costs.transfer_agent_cost"] == pytest.approx(60 / H * 28)
    assert m["costs.lost_call_cost"] == pytest.approx(2 * 12)
    assert m["costs.total_cost"] == pytest.approx(28 + 35 + 24)


def test_empty_group_gives_nan_rates_not_errors(scenario):
    m = compute_metrics(result([call("billing", "billing", 0, answer=0, end=60)]), scenario)
    assert m["call_types.support.calls"] == 0 and m["call_types.support.transfers_cold"] == 0
    for name in ("abandon_rate", "wait_mean", "wait_p90", "asa", "service_level"):
        assert math.isnan(m[f"call_types.support.{name}"])
    empty = compute_metrics(result([]), scenario)
    assert empty["overall.calls"] == 0 and math.isnan(empty["overall.abandon_rate"])
    assert empty["departments.billing.occupancy"] == 0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 600), st.floats(1, 900)), min_size=1, max_size=30))
def test_occupancy_never_exceeds_one(gaps_and_services):
    """One agent serving callers back to back (FCFS) is never more than fully busy."""
    rows, free = [], 0.0
    for i, (gap, service) in enumerate(gaps_and_services):
        arrival = (rows[-1]["arrival"] if rows else 0.0) + gap
        answer = max(arrival, free)
        free = answer + service
        rows.append(call(TYPES[i % 2], DEPTS[i % 2], arrival, answer=answer, end=free))
    horizon = max(r["arrival"] for r in rows) + 1.0
    end_time = max(horizon, free)
    shifts = [(d, 0, 0.0, end_time) for d in DEPTS]
    m = compute_metrics(result(rows, shifts, horizon=horizon, end_time=end_time),
                        make_scenario(duration=horizon))
    for d in DEPTS:
        occ = m[f"departments.{d}.occupancy"]
        assert 0.0 <= occ <= 1.0 + 1e-12
        assert m[f"departments.{d}.busy_hours"] <= m[f"departments.{d}.agent_hours"] + 1e-12


def test_interval_metrics_hand_computed(scenario):
    calls = [
        call("billing", "billing", 100, answer=1900, end=2000),  # waits across the boundary
        call("support", "support", 1000, end=1010, agent=-1, outcome=1, abandon_stage=1),
        call("support", "billing", 2000, answer=2010, transfer=2070, answer_after_transfer=2170,
             end=2470, agent_after_transfer=0, transfer_kind=1),
    ]
    shifts = [("billing", 0, 0.0, H), ("support", 0, 1800.0, H)]
    frame = interval_metrics(result(calls, shifts), scenario)
    assert list(frame.index) == [0, 1] and frame.index.name == "interval"
    assert list(frame["start"]) == [0, 1800]
    assert list(frame["calls"]) == [2, 1]
    assert list(frame["abandon_rate"]) == [0.5, 0.0]
    assert list(frame["asa"]) == [1800.0, 10.0]
    assert list(frame["service_level"]) == [0.0, 1.0]
    billing, support = "departments.billing.", "departments.support."
    assert frame[f"{billing}queue_length"].tolist() == pytest.approx([1700 / 1800, 110 / 1800])
    assert frame[f"{support}queue_length"].tolist() == pytest.approx([10 / 1800, 100 / 1800])
    assert frame["departments.billing.occupancy"].tolist() == pytest.approx([0, 160 / 1800])
    assert math.isnan(frame["departments.support.occupancy"].iloc[0])  # nobody on duty
    assert frame["departments.support.occupancy"].iloc[1] == pytest.approx(300 / 1800)


def test_interval_metrics_short_last_interval():
    sc = make_scenario(duration=3000.0, interval=1800.0)
    calls = [call("billing", "billing", 2900, answer=2900, end=3000)]
    frame = interval_metrics(result(calls, horizon=3000.0), sc)
    assert frame["end"].tolist() == [1800, 3000]
    assert frame["departments.billing.occupancy"].iloc[1] == pytest.approx(100 / 1200)


def test_cumulative_time_matches_direct_overlaps():
    rng = np.random.default_rng(3)
    start = rng.uniform(0, 1000, 500)
    stop = start + rng.exponential(100, 500)
    stop[::7] = np.nan
    bounds = np.linspace(0, 1200, 13)
    fast = np.diff(cumulative_time(start, stop, bounds))
    slow = [overlap(start, stop, a, b).sum() for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    assert fast == pytest.approx(slow)


def big_result(n: int) -> SimulationResult:
    """n synthetic calls of every kind, built with numpy (records need not be consistent)."""
    rng = np.random.default_rng(0)
    arrival = np.sort(rng.uniform(0, 12 * H, n))
    answer = arrival + rng.exponential(30, n)
    kind = rng.choice([0, 1, 2, 3], n, p=[0.8, 0.1, 0.05, 0.05]).astype("int8")
    misrouted = kind > 0
    transfer = np.where(misrouted, answer + 45, np.nan)
    answer_after_transfer = np.where(misrouted, transfer + rng.exponential(60, n), np.nan)
    hold_end = np.where(kind == 2, answer_after_transfer,
                        np.where(kind == 3, transfer + 30, np.nan))
    handoff_end = np.where(kind == 2, answer_after_transfer + 30, np.nan)
    end = np.where(misrouted, answer_after_transfer + 300, answer + 300)
    first = np.where(misrouted, "billing", rng.choice(DEPTS, n))
    ctype = np.where(misrouted, "support", first)
    calls = pd.DataFrame({
        "call_id": np.arange(n), "call_type": pd.Categorical(ctype, categories=TYPES),
        "first_department": pd.Categorical(first, categories=DEPTS), "arrival": arrival,
        "answer": answer, "transfer": transfer, "hold_end": hold_end,
        "answer_after_transfer": answer_after_transfer,
        "handoff_end": handoff_end, "end": end, "agent": np.zeros(n, "int16"),
        "agent_after_transfer": np.zeros(n, "int16"), "transfer_kind": kind,
        "outcome": np.zeros(n, "int8"), "abandon_stage": np.zeros(n, "int8"),
    })
    shifts = pd.DataFrame({"department": np.repeat(DEPTS, 100), "agent": np.tile(np.arange(100), 2),
                           "start": 0.0, "end": 12 * H + 600})
    return SimulationResult(calls, shifts, 12 * H, 0.0, 12 * H + 600, "warm", 1, 0)


def test_200k_calls_give_every_metric():
    # Speed is measured by benchmarks/compare.py, not here (no wall-clock assertion in tests).
    sc = make_scenario(duration=12 * H, interval=1800.0)
    res = big_result(200_000)
    m = compute_metrics(res, sc)
    assert m["overall.calls"] == 200_000 and list(m) == metric_keys(sc)
    frame = interval_metrics(res, sc)
    assert len(frame) == 24 and frame["calls"].sum() == 200_000
