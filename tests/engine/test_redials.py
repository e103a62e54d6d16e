"""Redials (docs/model.md 3): exact timelines, the probability-0 limit, CRN, validation, theory.

Base scenario (tests/engine/timeline.py): billing and support, one agent each; identify 10 s,
billing handle 50 s, support handle 100 s, patience 1000 s, horizon 1000 s.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from callsim import ScenarioError, build_scenario, compute_metrics, load_scenario, simulate
from callsim.engine.records import Outcome, TransferKind
from callsim.experiments.execution import Execution
from tests.engine.timeline import BASE, det, row, run_log
from tests.shared import assert_same_simulation

#: Replications in this process (the numbers are the same on any executor).
SERIAL = Execution(workers=1)

R, A, D = Outcome.RESOLVED, Outcome.ABANDONED, Outcome.DROPPED


def redial(call_type: str, probability: float = 1.0, delay: float = 30, attempts: int = 2):
    return {f"call_types.{call_type}.redial": {"probability": probability, "delay": det(delay),
                                               "max_attempts": attempts}}


def test_redial_after_an_abandonment(tmp_path):
    # Billing busy 0-50; the caller at 10 (patience 20) abandons at 30 and calls again at 60:
    # answered at once (billing free since 50), ends 110.
    r = run_log(tmp_path, [(0, "billing"), (10, "billing", None, 20)], redial("billing"))
    assert len(r.calls) == 3
    lost, again = row(r, 1), row(r, 2)
    assert (lost["outcome"], lost["end"], lost["customer"], lost["attempt"]) == (A, 30, 1, 1)
    assert (again["arrival"], again["answer"], again["end"]) == (60, 60, 110)
    assert (again["customer"], again["attempt"], again["outcome"]) == (1, 2, R)


def test_redial_after_a_drop_until_max_attempts(tmp_path):
    # Dropped at 10 (identify 0-10); calls again at 40, identified 40-50, dropped again at 50;
    # max_attempts 2: no third call.
    changes = {**redial("misrouted"), "transfer.cold.drop_probability": 1.0}
    r = run_log(tmp_path, [(0, "misrouted")], changes, policy="cold")
    calls = r.calls
    assert calls["attempt"].tolist() == [1, 2] and calls["customer"].tolist() == [0, 0]
    assert calls["arrival"].tolist() == [0, 40] and calls["end"].tolist() == [10, 50]
    assert (calls["outcome"] == D).all() and (calls["transfer_kind"] == TransferKind.COLD).all()


def test_redial_after_an_unreached_callback(tmp_path):
    # Callback policy: billing identifies 0-10 and notes 10-25; support dials 25-30 and never
    # reaches the customer: unreached at 30. The customer calls again at 60, is misrouted
    # again: identified 60-70, noted 70-85, dialled 85-90, unreached at 90; max_attempts 2.
    changes = {**redial("misrouted"),
               "transfer.callback": {"note_time": det(15), "connect_time": det(5),
                                     "reach_probability": 0.0}}
    r = run_log(tmp_path, [(0, "misrouted")], changes, policy="callback")
    calls = r.calls
    assert calls["attempt"].tolist() == [1, 2] and calls["customer"].tolist() == [0, 0]
    assert calls["arrival"].tolist() == [0, 60] and calls["end"].tolist() == [30, 90]
    assert (calls["outcome"] == Outcome.UNREACHED).all()


def test_a_redial_after_the_horizon_is_not_made(tmp_path):
    # Billing busy 900-1100; the caller at 950 (patience 20) abandons at 970; the redial would
    # come at 970 + 30 = 1000, the end of the horizon: not made.
    r = run_log(tmp_path, [(900, "billing", 200), (950, "billing", None, 20)], redial("billing"))
    assert len(r.calls) == 2 and row(r, 1)["outcome"] == A
    r = run_log(tmp_path, [(900, "billing", 200), (950, "billing", None, 20)],
                redial("billing", delay=29))
    assert len(r.calls) == 3 and row(r, 2)["arrival"] == 999


def test_customer_metrics_and_lost_call_cost_per_customer(tmp_path):
    # Customer 1 abandons, redials and is resolved: 2 calls, not lost for good.
    changes = {**redial("billing"), "costs": {"lost_call": 10.0}}
    r = run_log(tmp_path, [(0, "billing"), (10, "billing", None, 20)], changes)
    raw = {**BASE, "call_types": {**BASE["call_types"], "billing": {
        **BASE["call_types"]["billing"], "redial": {"probability": 1.0, "delay": det(30)}}},
        "costs": {"lost_call": 10.0}}
    m = compute_metrics(r, build_scenario(raw, source="s.yaml", base_dir="."))
    assert (m["overall.customers"], m["overall.redials"], m["overall.calls"]) == (2, 1, 3)
    assert m["overall.calls_per_customer"] == 1.5
    assert m["overall.first_contact_resolution"] == 0.5
    assert m["overall.customer_loss_rate"] == 0 and m["overall.lost_rate"] == pytest.approx(1 / 3)
    assert m["costs.lost_call_cost"] == 0


REDIALS = ["call_types.support.redial={probability: 0.7, delay: {dist: exponential, mean: 5min},"
           " max_attempts: 4}",
           "call_types.billing.redial={probability: 0.5, delay: 2min}"]


def test_probability_zero_is_no_option():
    plain = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=2h"])
    zero = load_scenario("scenarios/billing_support.yaml", [
        "horizon.duration=2h", "call_types.support.redial={probability: 0.0, delay: 1min}"])
    assert_same_simulation(plain, zero, seed=4)


def test_first_calls_are_the_same_under_every_policy():
    scenario = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=3h", *REDIALS])
    runs = {p: simulate(scenario, p, seed=8).calls for p in ("cold", "warm", "conditional")}
    firsts = [c[c["attempt"] == 1] for c in runs.values()]
    columns = ["customer", "call_type", "first_department", "arrival"]
    for other in firsts[1:]:
        pd.testing.assert_frame_equal(firsts[0][columns].reset_index(drop=True),
                                      other[columns].reset_index(drop=True))
    assert all((c["attempt"] > 1).any() for c in runs.values())
    # A customer's k-th call draws the same attributes wherever it happens: same IVR route.
    both = runs["cold"].merge(runs["warm"], on=["customer", "attempt"], suffixes=("_c", "_w"))
    assert (both["attempt"] > 1).any()
    assert (both["first_department_c"] == both["first_department_w"]).all()
    # ... and the same handle time: redials resolved without a transfer under both policies.
    direct = both[(both["attempt"] > 1) & (both["transfer_kind_c"] == 0)
                  & (both["transfer_kind_w"] == 0) & (both["outcome_c"] == Outcome.RESOLVED)
                  & (both["outcome_w"] == Outcome.RESOLVED)]
    assert len(direct) > 0
    np.testing.assert_allclose(direct["end_c"] - direct["answer_c"],
                               direct["end_w"] - direct["answer_w"], rtol=1e-9)


def test_every_redial_follows_a_lost_call_of_the_same_customer():
    scenario = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=3h", *REDIALS])
    calls = simulate(scenario, "cold", seed=2).calls.sort_values(["customer", "attempt"])
    previous = calls.groupby("customer").shift(1)
    later = calls["attempt"] > 1
    assert (previous.loc[later, "attempt"] == calls.loc[later, "attempt"] - 1).all()
    assert previous.loc[later, "outcome"].isin([A, D, Outcome.UNREACHED]).all()
    assert (calls.loc[later, "arrival"] >= previous.loc[later, "end"]).all()
    assert (calls["arrival"] < scenario.horizon.duration).all()
    m = compute_metrics(simulate(scenario, "cold", seed=2), scenario)
    assert m["overall.customers"] == (calls["attempt"] == 1).sum()


@pytest.mark.parametrize(("redial_", "message"), [
    ({"probability": 1.5, "delay": 60}, "call_types.billing.redial.probability:"),
    ({"probability": 0.5, "delay": 60, "max_attempts": 0},
     "call_types.billing.redial.max_attempts:"),
    ({"probability": 0.5}, "call_types.billing.redial.delay:"),
    ({"probability": 0.5, "delay": "soon"}, "call_types.billing.redial.delay: 'soon' is neither"),
])
def test_validation(redial_, message):
    raw = {**BASE, "call_types": {**BASE["call_types"], "billing": {
        **BASE["call_types"]["billing"], "redial": redial_}}}
    with pytest.raises(ScenarioError) as err:
        build_scenario(raw, source="s.yaml", base_dir=".")
    lines = str(err.value).splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"s.yaml: {message}"), lines


def test_paired_differences_stay_narrower_with_redials():
    from callsim import compare

    scenario = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=4h", *REDIALS])
    result = compare(scenario, ["cold", "warm"], reps=8, seed=3, execution=SERIAL)
    key = "overall.wait_mean"
    paired = result.differences.set_index("metric").loc[key]
    table = result.per_replication
    a = table[table["policy"] == "cold"][key].to_numpy()
    b = table[table["policy"] == "warm"][key].to_numpy()
    unpaired = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
    assert (paired["ci_high"] - paired["ci_low"]) / 2 < 2.365 * unpaired


def retrial_queue(lam, mu, theta, p, nu, c, size=70):
    """Stationary law of the retrial queue with abandonment, by a birth-death computation.

    State (i, j): i callers in the system (in service or waiting), j customers in orbit (lost,
    calling again after an exponential delay of rate nu). Fresh calls at rate lam, redials at
    j nu, services at min(i, c) mu, abandonments at (i - c)+ theta, each going to orbit with
    probability p. Truncated at ``size`` in each direction. Returns P as an array [i, j].
    """
    from scipy.sparse import lil_matrix
    from scipy.sparse.linalg import spsolve

    n = size * size
    index = lambda i, j: i * size + j  # noqa: E731
    q = lil_matrix((n, n))
    for i in range(size):
        for j in range(size):
            moves = []
            if i + 1 < size:
                moves.append((i + 1, j, lam))
                if j > 0:
                    moves.append((i + 1, j - 1, j * nu))
            if i > 0:
                moves.append((i - 1, j, min(i, c) * mu))
                lost = max(i - c, 0) * theta
                if j + 1 < size:
                    moves += [(i - 1, j + 1, lost * p), (i - 1, j, lost * (1 - p))]
                else:
                    moves.append((i - 1, j, lost))
            for a, b, rate in moves:
                q[index(i, j), index(a, b)] += rate
                q[index(i, j), index(i, j)] -= rate
    a = q.T.tocsr().tolil()
    a[0, :] = 1.0  # replace one balance equation by the normalisation
    rhs = np.zeros(n)
    rhs[0] = 1.0
    return spsolve(a.tocsr(), rhs).reshape(size, size)


@pytest.mark.slow
def test_retrial_queue_with_abandonment_matches_the_birth_death_chain():
    from scipy import stats

    lam, mu, theta, p, nu, c = 180 / 3600, 1 / 60, 1 / 60, 0.5, 1 / 120, 4
    pi = retrial_queue(lam, mu, theta, p, nu, c)
    i, j = np.arange(pi.shape[0])[:, None], np.arange(pi.shape[1])[None, :]
    offered = lam + nu * float((pi * j).sum())
    theory = {"abandon_rate": theta * float((pi * np.maximum(i - c, 0)).sum()) / offered,
              "calls_per_customer": offered / lam}
    raw = {
        "name": "retrial queue",
        "horizon": {"duration": "30h", "interval": "30h", "warmup": "3h"},
        "departments": {"desk": {"agents": c, "wage_per_hour": 1.0}},
        "call_types": {"call": {
            "arrivals_per_hour": 180.0, "resolved_by": "desk",
            "handle_time": {"dist": "exponential", "mean": 60},
            "patience": {"dist": "exponential", "mean": 60},
            "redial": {"probability": p, "delay": {"dist": "exponential", "mean": 120},
                       "max_attempts": 20}}},
        "transfer": {"policy": "cold"},
    }
    scenario = build_scenario(raw, source="<theory>", base_dir=".")
    runs = [compute_metrics(simulate(scenario, "cold", seed=5, replication=r), scenario)
            for r in range(6)]
    for name, expected in theory.items():
        values = np.array([m[f"overall.{name}"] for m in runs])
        half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values))
        assert abs(values.mean() - expected) <= half, (name, values.mean(), half, expected)
