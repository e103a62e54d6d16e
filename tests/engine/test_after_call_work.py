"""After-call work (docs/model.md, "What real centres add"): theory and invariants.

With exponential talk and exponential after-call work (ACW) and no abandonment, one department is
an M/PH/c queue whose service is talk then ACW: the caller waits until an agent is free of both.
Its exact stationary distribution is that of a continuous-time Markov chain on (callers waiting,
agents talking, agents wrapping up), solved here numerically on a truncated state space (checked
against Pollaczek-Khinchine for one agent). The simulation's 99% confidence intervals must hold
the exact mean wait and P(wait), and be narrow enough to reject the two easy mistakes: ignoring
ACW, or treating talk + ACW as one exponential service of the same mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import coo_matrix
from scipy.sparse.linalg import spsolve

from callsim import compute_metrics, erlang_c, load_scenario, simulate, t_interval
from tests.shared import STEADY, assert_same_simulation, reference

CONFIDENCE = 0.99
TALK, WRAP = 180.0, 60.0  # mean talk and mean after-call work (s)


def mph_c(rate: float, talk: float, wrap: float, agents: int, max_queue: int = 400
          ) -> tuple[float, float]:
    """Exact P(wait) and mean wait (s) of M/PH/c with exponential talk, then exponential ACW.

    States (waiting q, talking n1, wrapping n2) with n1 + n2 <= c and q > 0 only when all c
    agents are busy; the queue is truncated at ``max_queue`` (its tail mass is negligible).
    """
    states = [(0, n1, n2) for n1 in range(agents + 1) for n2 in range(agents + 1 - n1)]
    states += [(q, n1, agents - n1) for q in range(1, max_queue + 1) for n1 in range(agents + 1)]
    index = {s: i for i, s in enumerate(states)}
    rows, cols, vals = [], [], []

    def move(a: tuple[int, int, int], b: tuple[int, int, int], r: float) -> None:
        if r > 0 and b in index:
            rows.extend((index[a], index[a])), cols.extend((index[b], index[a]))
            vals.extend((r, -r))

    for q, n1, n2 in states:
        s = (q, n1, n2)
        busy = n1 + n2 == agents
        move(s, (q + 1, n1, n2) if busy else (0, n1 + 1, n2), rate)
        move(s, (q, n1 - 1, n2 + 1), n1 / talk)
        move(s, (q - 1, n1 + 1, n2 - 1) if q else (0, n1, n2 - 1), n2 / wrap)
    n = len(states)
    # pi Q = 0 with sum(pi) = 1: the balance equation of state 0 is replaced by the sum.
    system = coo_matrix((vals, (cols, rows)), shape=(n, n)).tolil()
    system[0, :] = np.ones(n)
    rhs = np.zeros(n)
    rhs[0] = 1.0
    pi = spsolve(system.tocsr(), rhs)
    q = np.array([s[0] for s in states])
    full = np.array([s[1] + s[2] == agents for s in states])
    return float(pi[full].sum()), float((q * pi).sum() / rate)


def test_the_markov_chain_agrees_with_pollaczek_khinchine_for_one_agent():
    rate = 0.7 / (TALK + WRAP)
    p_wait, wait = mph_c(rate, TALK, WRAP, agents=1, max_queue=600)
    second_moment = 2 * TALK**2 + 2 * WRAP**2 + 2 * TALK * WRAP  # E[(T + W)^2]
    assert p_wait == pytest.approx(0.7, rel=1e-6)
    assert wait == pytest.approx(rate * second_moment / (2 * (1 - 0.7)), rel=1e-6)


def steady_figures(overrides: list[str], reps: int, seed: int) -> pd.DataFrame:
    """Per replication: P(wait), mean wait, occupancy and the ACW share of busy time."""
    scenario = load_scenario(STEADY, ["call_types.calls.patience=null", *overrides])
    rows = []
    for r in range(reps):
        result = simulate(scenario, seed=seed, replication=r)
        m = compute_metrics(result, scenario)
        calls = result.calls[result.calls["arrival"] >= result.warmup]
        rows.append({
            "p_wait": float(np.mean(calls["answer"] > calls["arrival"])),
            "wait_mean": m["overall.wait_mean"],
            "occupancy": m["departments.agents.occupancy"],
            "acw_share": (m["departments.agents.after_call_work"]
                          / m["departments.agents.busy_hours"]),
        })
    return pd.DataFrame(rows)


def assert_inside(samples: pd.Series, expected: float, max_half_width: float,
                  rejects: tuple[float, ...] = ()) -> None:
    """The exact value is inside the CI, and each wrong model's value outside it."""
    mean, lo, hi = t_interval(samples, CONFIDENCE)
    where = f"{CONFIDENCE:.0%} CI [{lo:.4f}, {hi:.4f}]"
    assert hi - lo <= 2 * max_half_width, f"{where} too wide to discriminate"
    assert lo <= expected <= hi, f"exact {expected:.4f} outside {where}"
    for wrong in rejects:
        assert not lo <= wrong <= hi, f"a wrong model's {wrong:.4f} inside {where}"


@pytest.mark.slow
def test_exponential_talk_and_wrap_up_against_the_exact_markov_chain():
    agents, load = 4, 0.75
    rate = load * agents / (TALK + WRAP)  # per second
    figures = steady_figures([
        f"call_types.calls.arrivals_per_hour={rate * 3600}",
        f"call_types.calls.handle_time={{dist: exponential, mean: {TALK}}}",
        f"departments.agents.after_call_work={{dist: exponential, mean: {WRAP}}}",
        f"departments.agents.agents={agents}",
        "horizon.duration=120h", "horizon.interval=120h",
    ], reps=24, seed=21)
    p_wait, wait = mph_c(rate, TALK, WRAP, agents)  # 0.5061, 100.4 s
    # The mistakes the intervals must reject: no ACW at all (24.8 s, P(wait) 0.20), or talk +
    # ACW as one exponential service of the same mean (122.3 s).
    no_acw = erlang_c(rate, TALK, agents, threshold=20.0)
    one_phase = erlang_c(rate, TALK + WRAP, agents, threshold=20.0)
    assert_inside(figures["wait_mean"], wait, 10.0, rejects=(no_acw.wait_mean,
                                                             one_phase.wait_mean))
    assert_inside(figures["p_wait"], p_wait, 0.02, rejects=(no_acw.p_wait,))
    # Occupancy counts ACW: busy = talk + ACW, so occupancy is the offered load per agent.
    assert_inside(figures["occupancy"], load, 0.01, rejects=(load * TALK / (TALK + WRAP),))
    assert_inside(figures["acw_share"], WRAP / (TALK + WRAP), 0.01)


#: The reference scenario with after-call work in both departments.
WRAPPED = ("departments.billing.after_call_work=30s",
           "departments.support.after_call_work={dist: exponential, mean: 45s}",
           "transfer.warm.caller_abandons_on_hold=true", "transfer.cold.drop_probability=0.1")


def wrap_ups(result) -> pd.DataFrame:
    log = result.activity
    rows = log[log["activity"] == "after_call_work"]
    return rows.assign(department=rows["department"].astype(str))


def test_no_after_call_work_and_zero_seconds_give_identical_records():
    assert_same_simulation(reference(), reference("departments.billing.after_call_work=0s"), 3)
    assert len(wrap_ups(simulate(reference("departments.billing.after_call_work=0s"), seed=3))) == 0


@pytest.mark.parametrize("policy", ["cold", "warm"])
def test_every_release_from_a_call_is_followed_by_after_call_work(policy):
    # One wrap-up per agent leg: the first agent's (resolved, or identified and transferred,
    # or holding until the handoff) and the second agent's after a transfer.
    scenario = reference(*WRAPPED)
    result = simulate(scenario, policy, seed=5)
    calls = result.calls
    resolver = calls["call_type"].map({k: ct.resolved_by for k, ct in scenario.call_types.items()})
    expected = (calls.loc[calls["answer"].notna(), "first_department"].astype(str).value_counts()
                .add(resolver[calls["answer_after_transfer"].notna()].astype(str).value_counts(),
                     fill_value=0))
    rows = wrap_ups(result)
    assert (calls["transfer_kind"] > 0).sum() > 100
    counted = rows["department"].value_counts()
    assert counted.sort_index().to_dict() == expected.sort_index().to_dict()
    billing = rows[rows["department"] == "billing"]
    assert np.allclose(billing["end"] - billing["start"], 30.0)


@pytest.mark.parametrize("policy", ["cold", "warm"])
def test_no_agent_answers_while_wrapping_up(policy):
    scenario = reference(*WRAPPED)
    result = simulate(scenario, policy, seed=6)
    calls = result.calls
    resolver = calls["call_type"].map({k: ct.resolved_by for k, ct in scenario.call_types.items()})
    answers = pd.concat([
        pd.DataFrame({"department": calls["first_department"].astype(str),
                      "agent": calls["agent"], "at": calls["answer"]}),
        pd.DataFrame({"department": resolver.astype(str), "agent": calls["agent_after_transfer"],
                      "at": calls["answer_after_transfer"]}),
    ]).dropna()
    both = answers.merge(wrap_ups(result), on=["department", "agent"])
    assert len(both) > 1000
    inside = (both["at"] > both["start"] + 1e-9) & (both["at"] < both["end"] - 1e-9)
    assert not inside.any(), both[inside].head()


def test_the_kth_wrap_up_of_a_department_lasts_the_same_under_every_policy():
    scenario = reference(*WRAPPED)
    durations = {}
    for policy in ("cold", "warm"):
        rows = wrap_ups(simulate(scenario, policy, seed=7))
        support = rows[rows["department"] == "support"].sort_values("start", kind="stable")
        durations[policy] = (support["end"] - support["start"]).to_numpy()
    n = min(len(d) for d in durations.values())
    # Wrap-ups starting at the same instant may be listed in either order: compare sorted blocks.
    assert n > 1000
    assert np.allclose(np.sort(durations["cold"][:n]), np.sort(durations["warm"][:n]))


def test_without_drain_a_wrap_up_stops_at_the_end_of_the_run():
    scenario = reference(*WRAPPED, "horizon.drain=false")
    result = simulate(scenario, "warm", seed=8)
    rows = wrap_ups(result)
    assert rows["end"].max() == pytest.approx(result.end_time)
    assert (rows["end"] >= rows["start"]).all()
