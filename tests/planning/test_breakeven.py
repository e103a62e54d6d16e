"""Break-even: a crossing known by construction is found; a one-sided field has none."""

from __future__ import annotations

from pathlib import Path

import pytest

from callsim import breakeven, load_scenario
from callsim.planning.breakeven import BreakEvenError, parse_vary

KNOWN = load_scenario(Path(__file__).parent / "breakeven_known.yaml")
METRIC = "call_types.support.resolution_time_mean"


def test_crossing_known_by_construction_is_inside_the_range():
    # warm - cold = (share misrouted) x (handoff - 60 s): zero at a handoff of 60 s
    result = breakeven(KNOWN, "transfer.warm.handoff_time.value=0:100", METRIC, reps=3,
                       grid=5, steps=4)
    assert result.crossing is not None and result.range is not None
    assert result.range[0] <= 60.0 <= result.range[1]
    assert result.crossing == pytest.approx(60.0, abs=0.5)
    assert result.better_below == "warm"
    doc = result.to_dict()
    assert set(doc) >= {"field", "metric", "crossing", "range", "better_below", "points"}
    assert all(set(p) == {"value", "difference"} for p in doc["points"])
    assert [p["value"] for p in doc["points"]] == sorted(p["value"] for p in doc["points"])


def test_one_policy_always_better_has_no_crossing():
    result = breakeven(KNOWN, "transfer.warm.handoff_time.value=70:200", METRIC, reps=3,
                       grid=4)
    doc = result.to_dict()
    assert doc["crossing"] is None and doc["range"] is None and doc["better_below"] is None
    assert doc["better"] == "cold"
    assert all(p["difference"]["mean"] > 0 for p in doc["points"])


@pytest.mark.parametrize(("vary", "message"), [
    ("transfer.warm.handoff_time.value", "expected FIELD=LO:HI"),
    ("transfer.warm.handoff_time.value=5:1", "LO must be below HI"),
    ("departments.sales.agents=1:3", "no department named 'sales'"),
    ("transfer.warm.bogus=1:3", "transfer.warm.bogus"),
])
def test_bad_fields_are_one_line_errors(vary, message):
    with pytest.raises((BreakEvenError, ValueError)) as info:
        breakeven(KNOWN, vary, METRIC, reps=2, grid=2, steps=0)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_integer_fields():
    assert parse_vary("departments.billing.agents=8:16") == ("departments.billing.agents",
                                                             8.0, 16.0, True)
    assert parse_vary("call_types.support.misroute.billing=0:1")[3] is False


# Issue 19, item 2: the work of --grid and --steps is counted and bounded before any run.

def test_bisection_stops_when_the_value_no_longer_changes():
    from callsim.experiments.execution import Execution
    from callsim.planning.breakeven import useful_steps

    most = useful_steps(0.0, 100.0, 3, integer=False)
    assert most == 51  # (100 / 2) / (100 * 2**-52), in halvings
    seen: list[int] = []
    result = breakeven(KNOWN, "transfer.warm.handoff_time.value=0:100", METRIC, reps=2,
                       grid=3, steps=100_000,
                       execution=Execution(workers=1, progress=lambda d, p: seen.append(d)))
    # bisection also stops once an end's CI includes 0 (issue 18 item 4): here at once
    assert 3 <= len(result.points) <= 3 + most
    assert sum(seen) == 2 * 2 * len(result.points)  # 2 policies x 2 replications per value
    values = result.points["value"].tolist()
    assert len(set(values)) == len(values)
    assert result.crossing == pytest.approx(60.0, abs=0.5)


def test_the_middle_of_a_bracket_is_none_once_it_would_repeat_an_end():
    from callsim.planning.breakeven import _middle

    assert _middle((30.0, 32.0), integer=True) == 31.0
    assert _middle((30.0, 31.0), integer=True) is None
    assert _middle((1.0, 1.0 + 2**-52), integer=False) is None
    low, high, steps = 0.0, 100.0, 0
    while (mid := _middle((low, high), integer=False)) is not None:
        low, steps = mid, steps + 1
    assert steps <= 60  # a float bracket collapses after about 52 halvings, never hours


@pytest.mark.parametrize(("lo", "hi", "grid", "integer", "expected"), [
    (30, 40, 5, True, 2), (30, 31, 2, True, 0), (0, 1e9, 2, True, 30),
    (0.0, 0.4, 5, False, 50), (0.0, 1e-300, 2, False, 52), (5.0, 5.0 + 2**-40, 2, False, 52),
])
def test_useful_steps_are_bounded(lo, hi, grid, integer, expected):
    from callsim.planning.breakeven import useful_steps

    assert useful_steps(lo, hi, grid, integer) == expected


@pytest.mark.parametrize("grid", [10_001, 10_000_000, 10**15])
def test_a_grid_above_the_point_limit_is_refused_before_it_is_built(grid):
    with pytest.raises(BreakEvenError, match=r"more than the limit of 10,000"):
        breakeven(KNOWN, "transfer.warm.handoff_time.value=0:100", METRIC, reps=2, grid=grid)


def test_an_integer_field_counts_its_distinct_values_only():
    from callsim.planning.breakeven import _grid_size

    assert _grid_size(30, 40, 10_000_000, integer=True) == 11


def test_the_work_estimate_counts_the_bisection_steps():
    from callsim.experiments.execution import Execution
    from callsim.experiments.work import WorkLimitError

    per_value = 2 * 2 * KNOWN.expected_calls()  # 2 policies x 2 replications
    limit = per_value * 4  # the 3 grid values pass, 3 + 4 steps do not
    with pytest.raises(WorkLimitError, match="above the limit"):
        breakeven(KNOWN, "transfer.warm.handoff_time.value=0:100", METRIC, reps=2, grid=3,
                  steps=4, execution=Execution(workers=1, max_calls=limit))
def _summary(integer: bool, targets: tuple[str, ...] | None, field: str):
    from callsim.planning.breakeven import _bracket, _Setup, _summarize

    setup = _Setup(KNOWN, field, integer, "costs.total_cost", ("cold", "warm"), 3, 0, targets, 2)
    # mean, ci_low, ci_high, n, significant: both ends of the sign change significant
    points = {3.0: (-50.0, -60.0, -40.0, 3, 1.0), 4.0: (50.0, 40.0, 60.0, 3, 1.0),
              5.0: (70.0, 60.0, 80.0, 3, 1.0)}
    return _summarize(setup, points, 3.0, 5.0, _bracket(points))


def test_a_sign_change_between_significant_whole_numbers_is_a_jump_not_a_crossing():
    # Issue 18 item 4: "break-even at ... = 21.8" interpolated across a staffing step, where
    # neither bracketing value's CI includes 0.
    result = _summary(True, None, "departments.billing.agents")
    assert result.crossing is None and result.range == (3.0, 4.0) and result.jump
    assert result.better_below == "warm"  # warm - cold of a cost below 0: warm cheaper
    doc = result.to_dict()
    assert doc["crossing"] is None and doc["jump"] and doc["sign_change_without_crossing"]


def test_restaffed_sign_changes_are_not_interpolated_but_a_continuous_field_is():
    restaffed = _summary(False, ("service_level>=0.8",), "transfer.warm.handoff_time.mean")
    assert restaffed.crossing is None and restaffed.range == (3.0, 4.0)
    assert not restaffed.jump  # values could still be narrowed: not located, not a jump
    plain = _summary(False, None, "transfer.warm.handoff_time.mean")
    assert plain.crossing == pytest.approx(3.5)


def test_the_verdict_gives_durations_as_durations_and_names_a_jump():
    from callsim.cli.breakeven import crossing_sentence as verdict

    jump = verdict(_summary(True, None, "departments.billing.agents"))
    assert "jumps" in jump and "= 3 and 4" in jump and "break-even at" not in jump
    plain = _summary(False, None, "transfer.warm.handoff_time.mean")
    assert "break-even at transfer.warm.handoff_time.mean = 3.5 s" in verdict(plain)
    known = breakeven(KNOWN, "transfer.warm.handoff_time.value=0:2min", METRIC, reps=3,
                      grid=3, steps=0)
    assert " s" in verdict(known) or " min" in verdict(known)
