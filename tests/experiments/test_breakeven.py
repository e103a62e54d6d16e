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
    from callsim.cli.breakeven import verdict

    jump = verdict(_summary(True, None, "departments.billing.agents"))
    assert "jumps" in jump and "= 3 and 4" in jump and "break-even at" not in jump
    plain = _summary(False, None, "transfer.warm.handoff_time.mean")
    assert "break-even at transfer.warm.handoff_time.mean = 3.5 s" in verdict(plain)
    known = breakeven(KNOWN, "transfer.warm.handoff_time.value=0:2min", METRIC, reps=3,
                      grid=3, steps=0)
    assert " s" in verdict(known) or " min" in verdict(known)
