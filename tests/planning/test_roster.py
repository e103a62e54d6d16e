"""Two-step rosters: the textbook case, and every roster checked without the solver.

:func:`check_roster` reads only the scenario's shift types and the roster's ``shifts`` and
``coverage`` tables: each row's start and breaks lie on their windows and steps, the counts
respect ``min_count`` and ``max_count``, the cost adds up, and at every moment of every
interval the agents on duty and not on a break cover the requirement (agents of a shared shift
type may answer any of its departments: Hall's condition on every set of departments).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callsim.experiments.execution import Execution
from callsim.planning.roster import Roster, ScheduleError, schedule
from callsim.scenario.loading import build_scenario, load_scenario
from callsim.scenario.schema import Scenario
from tests.shared import REFERENCE, SCENARIOS

TEXTBOOK = SCENARIOS / "textbook_roster.yaml"
TEXTBOOK_REQUIREMENTS = SCENARIOS / "textbook_requirements.csv"
HOURLY = [0, 0, 0, 0, 0, 0, 1, 4, 8, 9, 10, 9, 8, 16, 10, 10, 6, 7, 8, 8, 6, 6, 5, 4]


def _cost(scenario: Scenario, name: str) -> float:
    shift = scenario.shifts[name]
    if shift.cost is not None:
        return shift.cost
    paid = shift.paid_time if shift.paid_time is not None else shift.length - sum(
        b.length for b in shift.breaks if not b.paid)
    wage = shift.wage_per_hour or scenario.departments[shift.departments[0]].wage_per_hour
    return wage * paid / 3600


def _on_grid(value: float, first: float, last: float, step: float) -> bool:
    k = (value - first) / step
    return first - 1e-6 <= value <= last + 1e-6 and abs(k - round(k)) < 1e-6


def _check_row(scenario: Scenario, row: Any) -> None:
    shift = scenario.shifts[row.shift]
    h = scenario.horizon
    assert row.department == "+".join(shift.departments)
    first = (shift.earliest - h.start) % 86400
    last = first if shift.latest is None else (shift.latest - h.start) % 86400
    step = shift.step or h.interval
    assert _on_grid(row.start_time, first, last, step), row
    assert row.end_time - row.start_time == pytest.approx(shift.length)
    assert len(row.break_times) == len(shift.breaks)
    for (a, b), brk in zip(row.break_times, shift.breaks, strict=True):
        assert b - a == pytest.approx(brk.length)
        assert _on_grid(a - row.start_time, brk.earliest, brk.last, brk.step or step), row
        assert row.start_time <= a and b <= row.end_time


def _moments(scenario: Scenario, shifts: pd.DataFrame) -> np.ndarray:
    """Every time at which availability can change, plus the interval starts."""
    h = scenario.horizon
    times = {0.0, *(np.arange(h.n_intervals) * h.interval)}
    for r in shifts.itertuples():
        times |= {r.start_time, r.end_time, *(t for pair in r.break_times for t in pair)}
    return np.array(sorted(t for t in times if t < h.duration))


def _on_phones(shifts: pd.DataFrame, moment: float) -> dict[str, int]:
    """Agents on duty and not on a break during [moment, next change), per department set."""
    out: dict[str, int] = {}
    for r in shifts.itertuples():
        working = r.start_time <= moment < r.end_time and not any(
            a <= moment < b for a, b in r.break_times)
        if working:
            out[r.department] = out.get(r.department, 0) + int(r.count)
    return out


def _covers(need: dict[str, float], pools: dict[str, int]) -> bool:
    """Hall's condition: every set of departments gets at least its need from the pools."""
    names = [d for d, n in need.items() if n > 0]
    for k in range(1, len(names) + 1):
        for subset in itertools.combinations(names, k):
            supply = sum(n for pool, n in pools.items() if set(pool.split("+")) & set(subset))
            if supply < sum(math.ceil(need[d] - 1e-9) for d in subset):
                return False
    return True


def check_roster(scenario: Scenario, roster: Roster) -> None:
    """Assert that ``roster`` is a valid covering roster, without using the solver's model."""
    shifts, coverage, h = roster.shifts, roster.coverage, scenario.horizon
    for row in shifts.itertuples():
        _check_row(scenario, row)
    for name, shift in scenario.shifts.items():
        n = int(shifts.loc[shifts["shift"] == name, "count"].sum())
        assert n >= shift.min_count and (shift.max_count is None or n <= shift.max_count)
    cost = sum(_cost(scenario, r.shift) * r.count for r in shifts.itertuples())
    assert roster.cost == pytest.approx(cost)
    for moment in _moments(scenario, shifts):
        t = min(int(moment // h.interval), h.n_intervals - 1)
        rows = coverage[coverage["interval"] == t]
        need = dict(zip(rows["department"], rows["required"], strict=True))
        assert _covers(need, _on_phones(shifts, moment)), (moment, need)
    assert (coverage["scheduled"] >= coverage["required"] - 1e-9).all()


def test_textbook_roster_costs_6336() -> None:
    sc = load_scenario(TEXTBOOK)
    result = schedule(sc, TEXTBOOK_REQUIREMENTS)
    roster = result.rosters["requirements"]
    assert roster.cost == 6336 and roster.gap < 1e-9 and roster.solution.status == "optimal"
    assert roster.requirement[0].tolist() == HOURLY
    check_roster(sc, roster)


def test_a_table_is_a_requirement_too() -> None:
    sc = load_scenario(TEXTBOOK)
    table = pd.DataFrame({"start": [f"{h:02d}:00" for h in range(24)],
                          "department": "agents", "agents": HOURLY})
    assert schedule(sc, table).rosters["requirements"].cost == 6336


FULL_DAY = [
    "shifts.full={departments: billing, length: 8h, earliest: '08:00', latest: '12:00', "
    "step: 30min, breaks: [{length: 15min, earliest: 1h, latest: 2.5h}, {length: 30min, "
    "earliest: 3h, latest: 4.5h, paid: false}, {length: 15min, earliest: 5h, latest: 7h}]}",
    "shifts.part={departments: [billing, support], length: 4h, earliest: '08:00', latest: "
    "'16:00', wage_per_hour: 25, max_count: 6, breaks: [{length: 15min, earliest: 1.5h, "
    "latest: 2.5h}]}",
    "shifts.sup={departments: support, length: 8h, earliest: '08:00', latest: '12:00', "
    "breaks: [{length: 30min, earliest: 3h, latest: 4.5h, paid: false}]}",
]


def test_breaks_and_a_shared_shift_type(tmp_path: Path) -> None:
    sc = load_scenario(REFERENCE, FULL_DAY)
    rows = [{"start": f"{8 + t // 2:02d}:{30 * (t % 2):02d}", "department": d, "agents": n}
            for t in range(24) for d, n in (("billing", 9 + t % 3), ("support", 6 + t // 6))]
    pd.DataFrame(rows).to_csv(tmp_path / "need.csv", index=False)
    roster = schedule(sc, tmp_path / "need.csv").rosters["requirements"]
    check_roster(sc, roster)
    assert roster.gap <= 1e-4 and (roster.shifts["breaks"] != "").all()
    # every agent on the phones counts in some department's coverage, shared ones included
    slot = roster.programme.slot
    on_phones = [sum(_on_phones(roster.shifts, u * slot).values())
                 for u in range(roster.programme.n_slots)]
    assert roster.solution.available.sum(axis=0).tolist() == on_phones
    assert roster.paid_hours == pytest.approx(sum(
        r.count * (7.5 if r.shift == "full" else 4 if r.shift == "part" else 7.5)
        for r in roster.shifts.itertuples()))


def test_same_input_same_roster() -> None:
    sc = load_scenario(REFERENCE, FULL_DAY)
    a, b = (schedule(sc, "erlang", targets=["service_level>=0.8"], policies=["warm"])
            for _ in range(2))
    pd.testing.assert_frame_equal(a.shifts, b.shifts)
    pd.testing.assert_frame_equal(a.coverage, b.coverage)


def test_erlang_requirement_is_covered() -> None:
    sc = load_scenario(REFERENCE, FULL_DAY)
    result = schedule(sc, "erlang", targets=["service_level>=0.8"], policies=["cold", "warm"])
    assert list(result.rosters) == ["cold", "warm"]
    for roster in result.rosters.values():
        check_roster(sc, roster)


def test_counts_within_min_and_max() -> None:
    sc = load_scenario(TEXTBOOK, ["shifts.night.min_count=1", "shifts.day12.max_count=6"])
    roster = schedule(sc, TEXTBOOK_REQUIREMENTS).rosters["requirements"]
    check_roster(sc, roster)
    counts = roster.shifts.groupby("shift")["count"].sum()
    assert counts["night"] == 1 and counts["day12"] <= 6 and roster.cost == 6336 + 252


@pytest.mark.parametrize(("overrides", "words"), [
    (["shifts.day08.max_count=0", "shifts.day10.max_count=0", "shifts.day12.max_count=0",
      "shifts.late14.max_count=1"], "no roster covers"),
    (["shifts.early.earliest='07:00'"], "needs 1 agents at 06:00"),
])
def test_impossible_requirements_are_one_line(overrides: list[str], words: str) -> None:
    with pytest.raises(ScheduleError, match=words) as info:
        schedule(load_scenario(TEXTBOOK, overrides), TEXTBOOK_REQUIREMENTS)
    assert "\n" not in str(info.value)


# -- random small instances --------------------------------------------------------------------

BASE: dict[str, Any] = {
    "name": "random roster", "horizon": {"duration": "8h", "interval": "1h",
                                        "start": "00:00"},
    "departments": {"a": {"agents": 1, "wage_per_hour": 20},
                    "b": {"agents": 1, "wage_per_hour": 20}},
    "call_types": {"x": {"arrivals_per_hour": 1, "resolved_by": "a", "handle_time": 60}},
}


@st.composite
def instances(draw: st.DrawFn) -> tuple[Scenario, pd.DataFrame]:
    shifts: dict[str, Any] = {
        # an hour-long shift per department at every start keeps every instance feasible
        "flex_a": {"departments": "a", "length": "1h", "earliest": "00:00", "latest": "07:00",
                   "cost": 100},
        "flex_b": {"departments": "b", "length": "1h", "earliest": "00:00", "latest": "07:00",
                   "cost": 100},
    }
    for k in range(draw(st.integers(1, 3))):
        length = draw(st.integers(2, 6))
        first = draw(st.integers(0, 8 - length))
        shift: dict[str, Any] = {
            "departments": draw(st.sampled_from(["a", "b", ["a", "b"]])),
            "length": f"{length}h", "earliest": f"{first:02d}:00",
            "latest": f"{draw(st.integers(first, 8 - length)):02d}:00",
            "step": draw(st.sampled_from(["30min", "1h"])),
            "min_count": draw(st.integers(0, 1)),
        }
        if length >= 3 and draw(st.booleans()):
            shift["breaks"] = [{"length": draw(st.sampled_from(["15min", "30min"])),
                                "earliest": "1h", "latest": f"{length - 1}h", "step": "15min",
                                "paid": draw(st.booleans())}]
        shifts[f"s{k}"] = shift
    sc = build_scenario({**BASE, "shifts": shifts}, "random.yaml", Path("."))
    need = draw(st.lists(st.integers(0, 4), min_size=16, max_size=16))
    table = pd.DataFrame({"start": [f"{t:02d}:00" for t in range(8)] * 2,
                          "department": ["a"] * 8 + ["b"] * 8, "agents": need})
    return sc, table


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_random_rosters_cover_their_requirement(instance: tuple[Scenario, pd.DataFrame]) -> None:
    sc, table = instance
    roster = schedule(sc, table).rosters["requirements"]
    check_roster(sc, roster)
    assert roster.gap <= 1e-4
    # never dearer than covering every hour with the hour-long shifts alone (bound by the gap)
    assert roster.cost <= 100 * table["agents"].sum() * (1 + 1e-4) + 1e-6


def test_model_md_templates_roster_the_reference_day() -> None:
    import re

    import yaml

    from callsim.scenario.loading import read_scenario_file
    from tests.shared import ROOT

    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8").split("## 11.", 1)[1]
    templates = yaml.safe_load(re.findall(r"```yaml\n(.*?)```", text, flags=re.S)[0])
    shifts = templates["shifts"]
    shifts["support_full"] = {**shifts["full_time"], "departments": "support"}
    raw = {**read_scenario_file(REFERENCE), **templates}
    raw["horizon"] = {**raw["horizon"], "start": "07:00"}
    sc = build_scenario(raw, "templates", REFERENCE.parent)
    assert sc.shifts["full_time"].paid_seconds == 7.5 * 3600
    result = schedule(sc, "erlang", targets=["service_level>=0.8"], policies=["cold"])
    check_roster(sc, result.rosters["cold"])


@pytest.mark.parametrize(("override", "words"), [
    ("shifts.early.step=1", "slots"),
    ("shifts.early.length=5.5", "whole seconds"),
])
def test_oversized_or_unaligned_programmes_are_refused(override: str, words: str) -> None:
    sc = load_scenario(TEXTBOOK, [override, "shifts.early.latest='12:00'"])
    with pytest.raises(ScheduleError, match=words) as info:
        schedule(sc, TEXTBOOK_REQUIREMENTS)
    assert "\n" not in str(info.value)


def test_roster_section_in_the_html_report() -> None:
    from callsim.experiments.comparison import compare
    from callsim.report.html import report_html
    from callsim.report.roster_section import roster_section

    sc = load_scenario(TEXTBOOK, ["horizon.duration=24h"])
    section = roster_section(schedule(sc, TEXTBOOK_REQUIREMENTS))
    short = load_scenario(REFERENCE, ["horizon.duration=1h"])
    page = report_html(short, compare(short, reps=2, seed=1, execution=Execution(workers=1)),
                       extra_sections=[section])
    assert 'id="rosters"' in page and "6,336" in page and "late18" in page
    assert page.count("<svg") >= 4
