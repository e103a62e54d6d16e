"""Properties every replication must have, on randomly generated scenarios (hypothesis).

The scenarios are small (a few hundred calls at most) but cover every option of docs/model.md
section 3: staffing that changes per interval (zero agents included), misroutes to any other
department, every transfer option, optional patience, warm-up and ``drain: false``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callsim import build_scenario, compute_metrics, simulate
from callsim.analysis.segments import ACTIVITIES
from callsim.engine.records import Outcome, SimulationResult, Stage, TransferKind
from tests.engine.timeline import det

R, A, D, U = Outcome.RESOLVED, Outcome.ABANDONED, Outcome.DROPPED, Outcome.UNFINISHED
N = Outcome.UNREACHED
#: Transfer kinds each policy may record (besides none and resolved in place).
KINDS = {
    "cold": {TransferKind.COLD},
    "warm": {TransferKind.WARM, TransferKind.WARM_TO_COLD, TransferKind.HOLD_TO_CALLBACK},
    "conditional": {TransferKind.COLD, TransferKind.WARM, TransferKind.WARM_TO_COLD,
                    TransferKind.HOLD_TO_CALLBACK},
    "callback": {TransferKind.CALLBACK},
}
HELD_KINDS = (TransferKind.WARM, TransferKind.WARM_TO_COLD)
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Expected number of arrivals of a generated scenario is at most this (fast runs).
MAX_EXPECTED_CALLS = 160


# -- strategies ------------------------------------------------------------------------------


@st.composite
def distributions(draw, mean_low: float, mean_high: float, zero: bool = False) -> dict:
    """One of exponential / deterministic / uniform / lognormal with a mean in the range (s)."""
    kind = draw(st.sampled_from(["exponential", "deterministic", "uniform", "lognormal"]))
    mean = draw(st.floats(mean_low, mean_high))
    if kind == "exponential":
        return {"dist": kind, "mean": mean}
    if kind == "deterministic":
        return det(draw(st.sampled_from([0.0, mean])) if zero else mean)
    if kind == "uniform":
        low = draw(st.floats(0.0, mean))
        return {"dist": kind, "low": low, "high": 2 * mean - low}
    return {"dist": kind, "mean": mean, "sd": draw(st.floats(0.0, 2 * mean))}


def per_interval(values: st.SearchStrategy, n: int) -> st.SearchStrategy:
    """One value for the horizon, or a list of one value per interval."""
    return st.one_of(values, st.lists(values, min_size=n, max_size=n))


@st.composite
def scenarios(draw) -> dict:
    """A raw scenario mapping, as read from YAML."""
    n = draw(st.integers(1, 4))
    interval = draw(st.integers(300, 1800))
    duration = interval if n == 1 else interval * (n - 1) + draw(st.integers(1, interval))
    departments = [f"d{i}" for i in range(draw(st.integers(1, 3)))]
    types = [f"k{i}" for i in range(draw(st.integers(1, 3)))]

    max_hold = draw(st.none() | st.floats(1.0, 300.0))
    staffing = {d: draw(per_interval(st.integers(0, 4), n)) for d in departments}
    if not any(np.sum(a) for a in staffing.values()):
        staffing[departments[0]] = 1  # at least one agent somewhere
    max_rate = MAX_EXPECTED_CALLS / len(types) / (duration / 3600)
    rate = st.floats(max_rate / 4, max_rate)
    rates = rate | st.lists(rate | st.just(0.0), min_size=n, max_size=n)  # quiet intervals

    call_types = {}
    for k in types:
        resolver = draw(st.sampled_from(departments))
        misroute = {
            d: draw(st.one_of(st.just(0.0), st.just(1.0), st.floats(0.0, 1.0)))
            for d in departments
            if d != resolver and draw(st.integers(0, 3))
        }
        total = sum(misroute.values())
        if total > 1:
            misroute = {d: share / total for d, share in misroute.items()}
        call_types[k] = {
            "arrivals_per_hour": draw(rates),
            "resolved_by": resolver,
            "handle_time": draw(distributions(30, 600, zero=True)),
            "patience": draw(st.none() | distributions(5, 600, zero=True)),
            "misroute": misroute,
            "redial": draw(st.none() | st.fixed_dictionaries({
                "probability": st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0),
                "delay": distributions(1, 600, zero=True),
                "max_attempts": st.integers(1, 4),
            })),
        }

    return {
        "name": "generated",
        "horizon": {
            "duration": duration,
            "interval": interval,
            "warmup": draw(st.sampled_from([0.0, 0.1, 0.5, 0.9])) * duration,
            "drain": draw(st.booleans()),
        },
        "departments": {
            d: {"agents": staffing[d], "wage_per_hour": draw(st.floats(0, 50)),
                "resolves": draw(cross_training(d, call_types))}
            for d in departments
        },
        "call_types": call_types,
        "transfer": {
            "policy": draw(st.sampled_from(["cold", "warm", "conditional", "callback"])),
            "identify_time": draw(distributions(1, 120, zero=True)),
            "cold": {
                "reexplain_time": draw(distributions(1, 120, zero=True)),
                "drop_probability": draw(st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0)),
                "patience_factor": draw(st.floats(0.2, 3.0)),
                "priority": draw(st.booleans()),
            },
            "warm": {
                "handoff_time": draw(distributions(1, 60, zero=True)),
                "caller_abandons_on_hold": draw(st.booleans()),
                "priority": draw(st.booleans()),
                "max_hold": max_hold,
                "on_max_hold": draw(st.sampled_from(["cold", "callback"])) if max_hold else "cold",
            },
            "conditional": draw(conditions()),
            "callback": {
                "note_time": draw(distributions(1, 60, zero=True)),
                "first": draw(st.booleans()),
                "connect_time": draw(distributions(1, 60, zero=True)),
                "reach_probability": draw(st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0)),
                "attempts": draw(st.integers(1, 3)),
                "retry_delay": draw(st.floats(0.0, 600.0)),
            },
        },
        "costs": {"lost_call": draw(st.floats(0, 20))},
    }


@st.composite
def conditions(draw) -> dict:
    """A ``transfer.conditional`` section."""
    when = draw(st.sampled_from(["agent_free", "queue_at_most", "expected_wait_at_most"]))
    if when == "queue_at_most":
        return {"warm_when": when, "max_queue": draw(st.integers(0, 5))}
    if when == "expected_wait_at_most":
        return {"warm_when": when, "max_expected_wait": draw(st.floats(0.0, 900.0))}
    return {"warm_when": when}


@st.composite
def cross_training(draw, department: str, call_types: dict) -> dict:
    """A ``departments.D.resolves`` section: some other departments' call types."""
    others = [k for k, ct in call_types.items() if ct["resolved_by"] != department]
    chosen = draw(st.lists(st.sampled_from(others), unique=True)) if others else []
    return {k: {"share": draw(st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0)),
                "handle_factor": draw(st.floats(0.2, 3.0))} for k in chosen}


SEEDS = st.integers(0, 2**32 - 1)


def run(raw: dict, seed: int):
    scenario = build_scenario(raw, source="<generated>", base_dir=Path("."))
    return scenario, simulate(scenario, seed=seed)


# -- helpers -----------------------------------------------------------------------------------


def col(result: SimulationResult, name: str) -> np.ndarray:
    return result.calls[name].to_numpy()


def no_patience(scenario, result: SimulationResult) -> np.ndarray:
    """Per call: its type has no patience (the caller never gives up while an agent may come)."""
    none = np.array([scenario.call_types[k].patience is None for k in scenario.call_types])
    return none[result.calls["call_type"].cat.codes.to_numpy()]


def hung_up_at_close(scenario, result: SimulationResult) -> np.ndarray:
    """Abandoned calls that had no patience to run out: only callers on hold nobody could
    answer any more, who hang up when a draining center closes (docs/DESIGN.md,
    ``drain: true``). A caller without patience waiting in a queue never abandons."""
    stage = col(result, "abandon_stage")
    endless = np.zeros(len(result.calls), dtype=bool)
    if not scenario.transfer.warm.caller_abandons_on_hold:
        endless = stage == Stage.ON_HOLD
    return (col(result, "outcome") == A) & endless


def busy_intervals(scenario, result: SimulationResult) -> pd.DataFrame:
    """Every agent busy interval ``[start, stop]`` (s) rebuilt from the call records."""
    c = result.calls
    end_time = result.end_time
    kind, outcome = col(result, "transfer_kind"), col(result, "outcome")
    answer, transfer, end = col(result, "answer"), col(result, "transfer"), col(result, "end")
    hold_end, handoff_end = col(result, "hold_end"), col(result, "handoff_end")

    release = np.where(kind == TransferKind.NONE, end, np.nan)
    release = np.where(kind == TransferKind.COLD, transfer, release)
    warm_release = np.where(np.isnan(handoff_end), hold_end, handoff_end)
    # A warm hold still going when the run stopped (drain false) has neither.
    warm_release = np.where(np.isnan(handoff_end) & (outcome != A), np.nan, warm_release)
    release = np.where(kind == TransferKind.WARM, warm_release, release)
    release = np.where(kind == TransferKind.WARM_TO_COLD, hold_end, release)
    release = np.where(kind == TransferKind.IN_PLACE, end, release)
    called = np.isin(kind, (TransferKind.CALLBACK, TransferKind.HOLD_TO_CALLBACK))
    release = np.where(called, hold_end, release)
    release = np.where(np.isnan(release), end_time, release)  # still busy when the run stopped
    answered = ~np.isnan(answer)
    first = pd.DataFrame(
        {
            "department": c["first_department"].astype(str).to_numpy()[answered],
            "agent": col(result, "agent")[answered],
            "start": answer[answered],
            "stop": release[answered],
        }
    )
    answer_after_transfer = col(result, "answer_after_transfer")
    answered2 = ~np.isnan(answer_after_transfer)
    resolver = np.array([scenario.call_types[k].resolved_by for k in c["call_type"]], dtype=object)
    second = pd.DataFrame(
        {
            "department": resolver[answered2].astype(str),
            "agent": col(result, "agent_after_transfer")[answered2],
            "start": answer_after_transfer[answered2],
            "stop": np.where(np.isnan(end), end_time, end)[answered2],
        }
    )
    dialling = result.activity.assign(department=result.activity["department"].astype(str))
    dialling = dialling.rename(columns={"end": "stop"})[["department", "agent", "start", "stop"]]
    parts = [frame for frame in (first, second, dialling) if len(frame)]
    return pd.concat(parts, ignore_index=True) if parts else first


# -- properties --------------------------------------------------------------------------------


@PROPERTY
@given(raw=scenarios(), seed=SEEDS)
def test_every_call_has_exactly_one_outcome(raw, seed):
    scenario, result = run(raw, seed)
    outcome = col(result, "outcome")
    assert set(np.unique(outcome)) <= {R, A, D, U, N}
    counts = {o: int(np.count_nonzero(outcome == o)) for o in (R, A, D, U, N)}
    assert len(result.calls) == sum(counts.values())
    assert np.array_equal(result.calls["call_id"].to_numpy(), np.arange(len(result.calls)))
    waiting_stage = np.isin(col(result, "abandon_stage"), (Stage.FIRST_QUEUE,
                                                             Stage.AFTER_TRANSFER))
    endless = no_patience(scenario, result)
    # A caller without patience never abandons a queue (issue 19 item 11: a draining center
    # with nobody on duty recorded every such caller abandoned at its close).
    assert not np.any(endless & (outcome == A) & waiting_stage)
    if scenario.horizon.drain:  # left unfinished: only callers nobody could answer, waiting
        assert np.all(endless[outcome == U])
    # Callers on hold without patience abandon only when a draining center closes.
    closing = hung_up_at_close(scenario, result)
    assert scenario.horizon.drain or not closing.any()
    assert np.all(col(result, "end")[closing] == result.end_time)
    # An outcome time for every finished call, none for an unfinished one.
    assert np.array_equal(np.isnan(col(result, "end")), outcome == U)

    m = compute_metrics(result, scenario)
    counted = col(result, "arrival") >= scenario.horizon.warmup
    n = int(np.count_nonzero(counted))
    assert m["overall.calls"] == n
    if n:
        shares = {o: np.count_nonzero(counted & (outcome == o)) / n for o in (R, A, D, U, N)}
        assert m["overall.abandon_rate"] == shares[A]
        assert m["overall.drop_rate"] == shares[D]
        assert m["overall.unfinished_rate"] == shares[U]
        assert m["overall.unreached_rate"] == shares[N]
        total = m["overall.abandon_rate"] + m["overall.drop_rate"] + m["overall.unreached_rate"]
        total += m["overall.unfinished_rate"] + shares[R]
        assert math.isclose(total, 1.0, rel_tol=1e-12)
    assert sum(m[f"call_types.{k}.calls"] for k in scenario.call_types) == n


@PROPERTY
@given(raw=scenarios(), seed=SEEDS)
def test_customers_are_first_calls_and_redials_follow_lost_calls(raw, seed):
    scenario, result = run(raw, seed)
    calls = result.calls
    first = calls["attempt"] == 1
    assert np.array_equal(np.sort(calls.loc[first, "customer"]), np.arange(first.sum()))
    assert calls[["customer", "attempt"]].drop_duplicates().shape[0] == len(calls)
    ordered = calls.sort_values(["customer", "attempt"])
    previous = ordered.groupby("customer").shift(1)
    later = ordered["attempt"] > 1
    assert (previous.loc[later, "attempt"] == ordered.loc[later, "attempt"] - 1).all()
    assert previous.loc[later, "outcome"].isin([A, D, N]).all()
    assert (ordered.loc[later, "arrival"] >= previous.loc[later, "end"]).all()
    for k, ct in scenario.call_types.items():
        mine = ordered["call_type"] == k
        allowed = ct.redial.max_attempts if ct.redial and ct.redial.probability > 0 else 1
        assert (ordered.loc[mine, "attempt"] <= allowed).all()
    m = compute_metrics(result, scenario)
    counted = calls["arrival"] >= scenario.horizon.warmup
    assert m["overall.customers"] == (counted & first).sum()


@PROPERTY
@given(raw=scenarios(), seed=SEEDS)
def test_timestamps_and_codes_are_consistent(raw, seed):
    scenario, result = run(raw, seed)
    t = scenario.transfer
    chain = ["arrival", "answer", "transfer", "hold_end", "handoff_end", "end"]
    arrival, answer, transfer = (col(result, x) for x in ("arrival", "answer", "transfer"))
    times = result.calls[chain].to_numpy(dtype=np.float64, copy=True)
    for row in times:
        present = row[~np.isnan(row)]
        assert np.all(np.diff(present) >= 0), row
    hold_end, answer_after_transfer, end = (
        col(result, x) for x in ("hold_end", "answer_after_transfer", "end"))
    assert np.all(np.diff(arrival) >= 0)
    assert np.all((arrival >= 0) & (arrival < scenario.horizon.duration))
    two = ~np.isnan(answer_after_transfer)
    assert np.all(answer_after_transfer[two] >= transfer[two])
    assert np.all((end >= answer_after_transfer)[two & ~np.isnan(end)])

    kind, outcome, stage = (col(result, x) for x in ("transfer_kind", "outcome", "abandon_stage"))
    agent, agent_after_transfer = col(result, "agent"), col(result, "agent_after_transfer")
    assert np.array_equal(agent >= 0, ~np.isnan(answer))
    assert np.array_equal(agent_after_transfer >= 0, two)
    assert np.array_equal(~np.isnan(transfer), kind != TransferKind.NONE)
    assert np.all(np.isnan(answer_after_transfer[kind == TransferKind.NONE]))
    # Misrouted iff the first department does not resolve the call type.
    resolver = np.array([scenario.call_types[k].resolved_by for k in result.calls["call_type"]])
    own = result.calls["first_department"].astype(str).to_numpy() == resolver
    assert np.all(kind[own] == TransferKind.NONE)
    assert np.all(np.isnan(answer[~own]) | ~np.isnan(transfer[~own]) | (outcome[~own] == U))

    assert set(np.unique(kind)) <= KINDS[t.policy] | {TransferKind.NONE, TransferKind.IN_PLACE}
    if t.policy in ("cold", "callback"):
        assert np.all(np.isnan(answer_after_transfer) | ~np.isin(kind, HELD_KINDS))
    if t.policy in ("warm", "callback"):
        assert np.all(outcome != D)
    warm = kind == TransferKind.WARM
    handed = warm & two
    # the handoff starts the release
    assert np.array_equal(hold_end[handed], answer_after_transfer[handed])
    timed_out = np.isin(kind, (TransferKind.WARM_TO_COLD, TransferKind.HOLD_TO_CALLBACK))
    if timed_out.any():  # the hold ends exactly max_hold after the transfer
        assert np.array_equal(hold_end[timed_out], transfer[timed_out] + t.warm.max_hold)
    w2c = kind == TransferKind.WARM_TO_COLD
    assert np.all(np.isnan(answer_after_transfer[w2c])
                  | (answer_after_transfer[w2c] >= hold_end[w2c]))
    assert np.all(np.isnan(col(result, "handoff_end")[w2c]))
    # Callbacks are never answered before they were requested; unreached calls were callbacks.
    called = np.isin(kind, (TransferKind.CALLBACK, TransferKind.HOLD_TO_CALLBACK))
    assert np.all(np.isnan(answer_after_transfer[called])
                  | (answer_after_transfer[called] >= hold_end[called]))
    unreached = outcome == N
    assert np.all(called[unreached]) and np.all(np.isnan(answer_after_transfer[unreached]))
    reached = called & ~np.isnan(answer_after_transfer)
    assert np.all(col(result, "agent_after_transfer")[reached] >= 0)
    in_place = kind == TransferKind.IN_PLACE
    assert np.all(np.isnan(answer_after_transfer[in_place])) and np.all(outcome[in_place] != A)
    dropped = outcome == D
    assert np.all(kind[dropped] == TransferKind.COLD)
    assert np.array_equal(end[dropped], transfer[dropped])
    if t.cold.drop_probability == 0:
        assert not dropped.any()

    abandoned = outcome == A
    assert np.array_equal(stage != Stage.NONE, abandoned)
    assert np.all(np.isnan(answer[stage == Stage.FIRST_QUEUE]))
    after = stage == Stage.AFTER_TRANSFER
    assert np.all(np.isin(kind[after], [TransferKind.COLD, TransferKind.WARM_TO_COLD]))
    assert np.all(np.isnan(answer_after_transfer[abandoned]))
    on_hold = stage == Stage.ON_HOLD
    assert np.all(kind[on_hold] == TransferKind.WARM)
    assert np.array_equal(end[on_hold], hold_end[on_hold])
    if on_hold.any() and not t.warm.caller_abandons_on_hold:
        # Only a draining center that closes hangs up on a held caller.
        assert scenario.horizon.drain
        assert np.all(end[on_hold] == result.end_time)
    if (kind == TransferKind.WARM_TO_COLD).any():
        assert t.warm.max_hold is not None


@PROPERTY
@given(raw=scenarios(), seed=SEEDS)
def test_an_agent_holds_one_call_at_a_time_and_only_on_duty(raw, seed):
    scenario, result = run(raw, seed)
    busy = busy_intervals(scenario, result)
    assert np.all(busy["stop"] >= busy["start"])
    busy = busy.sort_values(["department", "agent", "start", "stop"], kind="stable")
    for (department, agent), group in busy.groupby(["department", "agent"], sort=False):
        start, stop = group["start"].to_numpy(), group["stop"].to_numpy()
        overlapping = start[1:] < stop[:-1]
        assert not overlapping.any(), (department, agent, group[np.r_[overlapping, False]])

    shifts = result.shifts
    assert np.all(shifts["end"] >= shifts["start"])
    spells = {
        key: group[["start", "end"]].to_numpy()
        for key, group in shifts.assign(department=shifts["department"].astype(str)).groupby(
            ["department", "agent"]
        )
    }
    for spell in spells.values():  # one agent number is one person at a time
        spell = spell[np.argsort(spell[:, 0], kind="stable")]
        assert np.all(spell[1:, 0] >= spell[:-1, 1])
    for department, agent, start, stop in busy.itertuples(index=False):
        own = spells.get((department, agent), np.empty((0, 2)))
        inside = (own[:, 0] <= start) & (stop <= own[:, 1])
        assert inside.any(), (department, agent, start, stop)


@PROPERTY
@given(raw=scenarios(), seed=SEEDS)
def test_busy_time_never_exceeds_staffed_time(raw, seed):
    scenario, result = run(raw, seed)
    m = compute_metrics(result, scenario)
    for d in scenario.departments:
        occupancy = m[f"departments.{d}.occupancy"]
        busy = sum(m[f"departments.{d}.{a}"] for a in ACTIVITIES)
        assert math.isclose(busy, m[f"departments.{d}.busy_hours"], rel_tol=1e-9, abs_tol=1e-12)
        if m[f"departments.{d}.agent_hours"] > 0:
            assert 0 <= occupancy <= 1 + 1e-9, (d, occupancy)
        else:
            assert busy == 0


@PROPERTY
@given(raw=scenarios(), seed=SEEDS)
def test_same_seed_same_records(raw, seed):
    scenario, first = run(raw, seed)
    second = simulate(scenario, seed=seed)
    assert first.calls.equals(second.calls)
    assert first.shifts.equals(second.shifts)
    assert first.end_time == second.end_time


# -- drain closes the center; exact arrival times (plain examples) ------------------------------


def two_way_misroutes(policy: str, max_hold=None):
    """Two one-agent departments, each receiving only the other's calls; no patience."""
    types = {
        f"k{i}": {"arrivals_per_hour": 240.0, "resolved_by": f"d{i}", "handle_time": det(30),
                  "misroute": {f"d{1 - i}": 1.0}}
        for i in (0, 1)
    }  # fmt: skip
    raw = {
        "name": "two-way misroutes",
        "horizon": {"duration": 300, "interval": 300},
        "departments": {d: {"agents": 1, "wage_per_hour": 10.0} for d in ("d0", "d1")},
        "call_types": types,
        "transfer": {"policy": policy, "identify_time": det(10),
                     "warm": {"max_hold": max_hold}},
    }  # fmt: skip
    return build_scenario(raw, source="<example>", base_dir=Path("."))


@pytest.mark.parametrize(("policy", "max_hold"), [("cold", None), ("warm", 60)])
def test_two_way_misroutes_drain_without_endless_holds(policy, max_hold):
    calls = simulate(two_way_misroutes(policy, max_hold), seed=0).calls
    assert len(calls) > 30
    assert (calls["outcome"] == R).all()


def test_warm_holds_waiting_for_each_other_hang_up_when_the_center_closes():
    # d0's only agent holds a call for d1 while d1's only agent holds one for d0: a deadlock
    # of warm transfers without max_hold. Drain closes the center: the held callers hang up
    # (on_hold), releasing their agents; everyone else waiting has no patience, never
    # abandons, and is still waiting when the drain ends: unfinished (issue 19 item 11).
    result = simulate(two_way_misroutes("warm"), seed=0)
    calls = result.calls
    held = calls[calls["abandon_stage"] == Stage.ON_HOLD]
    assert sorted(held["first_department"].astype(str)) == ["d0", "d1"]
    assert (held["hold_end"] == result.end_time).all() and (held["end"] == result.end_time).all()
    waiting = calls[calls["answer"].isna()]
    assert len(waiting) and (waiting["outcome"] == U).all() and waiting["end"].isna().all()
    assert (calls["end"].dropna() <= result.end_time).all()


def one_queue(duration: float, interval: float, agents, arrivals_per_hour: float, handle: float):
    """A validated one-department, one-call-type scenario without patience."""
    raw = {
        "name": "one queue",
        "horizon": {"duration": duration, "interval": interval},
        "departments": {"a": {"agents": agents, "wage_per_hour": 10.0}},
        "call_types": {
            "k": {"arrivals_per_hour": arrivals_per_hour, "resolved_by": "a",
                  "handle_time": det(handle)},
        },
    }  # fmt: skip
    return build_scenario(raw, source="<example>", base_dir=Path("."))


def test_drain_with_no_agent_left_never_makes_up_an_abandonment():
    # Issue 19 item 11: callers without patience ("never abandons") in a queue nobody staffs
    # any more were all recorded abandoned at the close, abandon rate 1.0, no warning. They
    # wait until the drain ends: unfinished, and the metrics and a warning say so.
    from callsim.experiments.caveats import result_caveats

    scenario = one_queue(3600, 1800, agents=[2, 0], arrivals_per_hour=60, handle=100)
    result = simulate(scenario, seed=1)
    calls = result.calls
    stranded = calls[calls["answer"].isna()]
    assert len(stranded) > 10
    assert (stranded["outcome"] == U).all() and stranded["end"].isna().all()
    assert (stranded["abandon_stage"] == Stage.NONE).all()
    assert not (calls["outcome"] == A).any()
    metrics = compute_metrics(result, scenario)
    assert metrics["overall.abandon_rate"] == 0.0
    assert metrics["overall.unfinished_rate"] == len(stranded) / len(calls)
    table = pd.DataFrame([{"overall.calls": len(calls),
                           "overall.unfinished_rate": metrics["overall.unfinished_rate"]}])
    [warning] = result_caveats(table, scenario)
    assert "still waiting when the drain ended: their queue never emptied" in warning


def test_an_idle_agent_answers_at_the_arrival_time():
    scenario = one_queue(600, 600, agents=10, arrivals_per_hour=360, handle=60)
    for seed in range(50):
        calls = simulate(scenario, seed=seed).calls
        idle = calls["answer"] <= calls["arrival"]
        assert idle.sum() > 0.5 * len(calls), seed  # most callers find an idle agent
        assert (calls.loc[idle, "answer"] == calls.loc[idle, "arrival"]).all(), seed
