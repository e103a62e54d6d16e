"""The staffing search against theory, and its promises: minimal, feasible, deterministic."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from callsim import build_scenario, load_scenario, staff
from callsim.analysis.offered_load import erlang_staffing
from callsim.experiments.executors import InlineExecutor
from callsim.experiments.staffing_runs import StaffingRunner
from callsim.scenario.targets import parse_target

HERE = Path(__file__).parent


def one_queue(rates: list[float], hours: float, patience: str | None = None,
              warmup: str = "30min"):
    """One department, exponential times (AHT 180 s), Poisson arrivals per interval."""
    call = {"arrivals_per_hour": rates, "resolved_by": "desk",
            "handle_time": {"dist": "exponential", "mean": 180}}
    if patience:
        call["patience"] = {"dist": "exponential", "mean": patience}
    raw = {"name": "one queue",
           "horizon": {"duration": f"{hours * len(rates)}h", "interval": f"{hours}h",
                       "warmup": warmup},
           "departments": {"desk": {"agents": 1, "wage_per_hour": 30}},
           "call_types": {"calls": call}}
    return build_scenario(raw, "<test>", Path("."))


def assert_erlang_or_straddles(result, expected: dict[str, list[int]]) -> None:
    """Found staffing equals the Erlang figure, except where the verification CI straddles."""
    for policy, found in result.policies.items():
        for i, dept in enumerate(result.departments):
            for j, n in enumerate(expected[dept]):
                if found.staffing[i, j] == n:
                    continue
                checks = found.checks[(found.checks.department == dept)
                                      & found.checks.interval.isin([j, -1])]
                assert checks.straddles.any(), (policy, dept, j, found.staffing[i, j], n)


@pytest.mark.slow
def test_published_erlang_c_case_gives_14_agents():
    # 100 calls per 30 min, AHT 180 s, no abandonment, 80% within 20 s: 14 (13 give 0.7956)
    sc = one_queue([200], 20)
    start, _ = erlang_staffing(sc, "cold", [parse_target("service_level>=0.8")])
    assert start["desk"].tolist() == [14]
    result = staff(sc, ["service_level>=0.8"], policies=["cold"], scope="horizon", reps=8,
                   verify_reps=8, seed=1)
    assert_erlang_or_straddles(result, {"desk": [14]})
    assert result.policies["cold"].meets_targets


@pytest.mark.slow
@pytest.mark.parametrize(("target", "patience", "rate", "expected"), [
    ("abandon_rate<=0.03", 300, 200, 13),   # Erlang A: 13 -> 0.0250, 12 -> 0.0427
    ("asa<=8s", 120, 200, 12),              # Erlang A: 12 -> 6.3 s, 11 -> 9.8 s
])
def test_erlang_a_cases(target, patience, rate, expected):
    sc = one_queue([rate], 20, patience=patience)
    start, _ = erlang_staffing(sc, "cold", [parse_target(target)])
    assert start["desk"].tolist() == [expected]
    result = staff(sc, [target], policies=["cold"], scope="horizon", reps=8, verify_reps=8,
                   seed=2)
    assert_erlang_or_straddles(result, {"desk": [expected]})


@pytest.mark.slow
def test_profile_gets_the_erlang_figure_interval_by_interval():
    # Erlang C at 40, 70, 20 calls/h: 4, 6, 3 agents with SL 0.861, 0.866, 0.927; one fewer
    # gives 0.602, 0.680, 0.702 (margins of 0.06 or more either side)
    sc = one_queue([40, 70, 20], 10)
    result = staff(sc, ["service_level>=0.8"], policies=["cold"], reps=8, verify_reps=6,
                   seed=3)
    assert_erlang_or_straddles(result, {"desk": [4, 6, 3]})
    assert result.policies["cold"].erlang_start.tolist() == [[4, 6, 3]]


TWO = ["service_level>=0.8", "abandon_rate<=0.05"]


@pytest.fixture(scope="module")
def small():
    return load_scenario(HERE / "staffing_small.yaml")


@pytest.fixture(scope="module")
def small_result(small):
    return staff(small, TWO, policies=["cold", "warm"], reps=6, verify_reps=6, seed=5)


def test_minimal_and_feasible(small, small_result):
    targets = [parse_target(t) for t in TWO]
    names = list(small.departments)
    for policy, found in small_result.policies.items():
        runner = StaffingRunner(InlineExecutor(), 1, small, policy, 5, occupancy=False)
        base = found.staffing
        trials = [base]
        cells = [(d, j) for d in range(base.shape[0]) for j in range(base.shape[1])
                 if base[d, j] > 0]
        for d, j in cells:
            trial = base.copy()
            trial[d, j] -= 1
            trials.append(trial)
        estimates = runner.evaluate(trials, range(6))
        assert not estimates[0].failures(targets, names, horizon=False).any(), policy
        for (d, j), estimate in zip(cells, estimates[1:], strict=True):
            assert estimate.failures(targets, names, horizon=False).any(), (policy, d, j)


def test_deterministic_for_any_number_of_workers(small, small_result):
    two = staff(small, TWO, policies=["cold", "warm"], reps=6, verify_reps=6, seed=5,
                workers=2)
    for policy in ("cold", "warm"):
        a, b = small_result.policies[policy], two.policies[policy]
        assert np.array_equal(a.staffing, b.staffing)
        assert a.total_cost == b.total_cost
    assert small_result.to_dict() == two.to_dict()


def test_costs_and_shrinkage(small):
    result = staff(small, TWO, policies=["cold"], reps=3, verify_reps=2, seed=5,
                   shrinkage=0.3)
    found = result.policies["cold"]
    assert (found.rostered == np.ceil(found.staffing / 0.7 - 1e-9)).all()
    wages = np.array([d.wage_per_hour for d in small.departments.values()])
    assert found.staff_cost == pytest.approx(float(found.rostered.sum(axis=1) @ wages))
