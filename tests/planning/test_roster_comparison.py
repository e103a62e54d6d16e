"""Policies at the cost of their rosters: the paired difference, determinism, break-even.

The scenario (tests/planning/roster_compare.yaml) is tiny: 2 h, two departments, one-hour
shifts; warm's Erlang requirement is higher than cold's, so the rosters differ in cost.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from callsim import load_scenario, schedule
from callsim.analysis.metrics import compute_metrics
from callsim.experiments.execution import Execution
from callsim.planning.breakeven import BreakEvenError
from callsim.planning.breakeven_schedule import breakeven_schedule
from callsim.planning.roster import ScheduleError
from callsim.planning.roster_comparison import compare_rosters
from callsim.policies.simulation import simulate
from callsim.scenario.document import document_data
from callsim.scenario.loading import build_scenario
from tests.shared import ROOT

COMPARE = ROOT / "tests" / "planning" / "roster_compare.yaml"
ONE = Execution(workers=1)


@pytest.fixture(scope="module")
def rostered():
    sc = load_scenario(COMPARE)
    return schedule(sc, "erlang")


def test_paired_difference_equals_an_independent_computation(rostered) -> None:
    result = rostered
    found = compare_rosters(result, reps=4, seed=3, first=2, execution=ONE)
    totals = {}
    for policy in ("cold", "warm"):
        raw = result.scenario_for(document_data(result.scenario), policy)
        scenario = build_scenario(raw, str(COMPARE), COMPARE.parent)
        lost = [compute_metrics(simulate(scenario, policy, seed=3, replication=r),
                                scenario)["costs.lost_call_cost"] for r in range(2, 6)]
        totals[policy] = result.rosters[policy].cost + np.array(lost)
    diff = totals["warm"] - totals["cold"]
    half = stats.t.ppf(0.975, 3) * diff.std(ddof=1) / 2
    row = found.differences.set_index("metric").loc["total_cost"]
    assert row["mean"] == pytest.approx(diff.mean())
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((diff.mean() - half,
                                                             diff.mean() + half))
    roster = found.differences.set_index("metric").loc["roster_cost"]
    assert roster["mean"] == result.rosters["warm"].cost - result.rosters["cold"].cost != 0
    assert found.policies == ("cold", "warm") and found.replications == (2, 3, 4, 5)


def test_same_seed_same_answer_and_workers_do_not_matter(rostered) -> None:
    one = compare_rosters(rostered, reps=3, seed=5, execution=ONE).per_replication
    again = compare_rosters(rostered, reps=3, seed=5, execution=ONE).per_replication
    two = compare_rosters(rostered, reps=3, seed=5, execution=Execution(workers=2))
    assert one.equals(again) and one.equals(two.per_replication)
    other = compare_rosters(rostered, reps=3, seed=6, execution=ONE).per_replication
    assert not one["lost_call_cost"].equals(other["lost_call_cost"])


def test_a_given_requirement_runs_every_policy_on_its_one_roster(rostered) -> None:
    import pandas as pd

    need = pd.DataFrame({"start": ["08:00", "09:00"], "department": ["billing", "support"],
                         "agents": [4, 5]})
    result = schedule(rostered.scenario, need)
    found = compare_rosters(result, ["cold", "warm"], reps=2, execution=ONE)
    assert found.rosters == {"cold": "requirements", "warm": "requirements"}
    assert found.differences.set_index("metric").at["roster_cost", "mean"] == 0


@pytest.mark.parametrize(("policies", "reps", "words"), [
    (["cold"], 3, "two or more"),
    (["cold", "cold"], 3, "given twice"),
    (["cold", "nosuch"], 3, "unknown policy 'nosuch'"),
    (["cold", "callback"], 3, "no roster for it"),
    (["cold", "warm"], 1, "`reps` must be >= 2"),
])
def test_bad_comparisons_are_one_line(rostered, policies, reps, words) -> None:
    with pytest.raises(ScheduleError, match=words) as info:
        compare_rosters(rostered, policies, reps=reps, execution=ONE)
    assert "\n" not in str(info.value)


def test_breakeven_schedule_on_a_tiny_grid(rostered) -> None:
    sc = rostered.scenario
    field = "transfer.cold.reexplain_time.mean"
    found = breakeven_schedule(sc, f"{field}=10:600", requirements="erlang", reps=3, seed=1,
                               grid=2, steps=0, staff_reps=2, execution=ONE)
    assert found.rostered and found.restaffed and found.label == "warm - cold"
    assert found.points["value"].tolist() == [10.0, 600.0]
    from callsim.scenario.document import with_overrides

    at = with_overrides(sc, [f"{field}=600"])
    expected = compare_rosters(schedule(at, "erlang"), reps=3, seed=1, first=2, execution=ONE)
    total = expected.differences.set_index("metric").loc["total_cost"]
    assert found.points["mean"].iloc[1] == pytest.approx(total["mean"])
    assert found.points["ci_low"].iloc[1] == pytest.approx(total["ci_low"])


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"requirements": "need.csv"}, "not a given file"),
    ({"targets": ["nonsense"]}, "`targets`"),
    ({"policies": ["cold", "warm", "callback"]}, "exactly two policies"),
])
def test_breakeven_schedule_refuses_bad_input(rostered, kwargs, words) -> None:
    with pytest.raises(BreakEvenError, match=words):
        breakeven_schedule(rostered.scenario, "transfer.cold.reexplain_time.mean=10:600",
                           **{"requirements": "erlang", **kwargs}, execution=ONE)


def test_breakeven_schedule_counts_its_work_first_and_reports_progress(rostered) -> None:
    from callsim.experiments.work import WorkLimitError

    vary = "transfer.cold.reexplain_time.mean=10:600"
    with pytest.raises(WorkLimitError):
        breakeven_schedule(rostered.scenario, vary, requirements="erlang", reps=3, grid=2,
                           steps=0, execution=Execution(workers=1, max_calls=100))
    seen: list[tuple[int, int]] = []
    breakeven_schedule(rostered.scenario, vary, requirements="erlang", reps=3, grid=2,
                       steps=0, execution=Execution(workers=1,
                                                    progress=lambda d, p: seen.append((d, p))))
    assert sum(d for d, _ in seen) == seen[-1][1] == 2 * 2 * 3  # values x policies x reps
