"""Shift types (``shifts:``): templates load, every bad shift is one line naming its field."""

from __future__ import annotations

import pytest

from callsim.scenario.errors import ScenarioError
from callsim.scenario.loading import load_scenario
from tests.shared import REFERENCE, SCENARIOS

#: docs/model.md section 11's templates, on the reference scenario (a 12 h day from 08:00).
FULL_TIME = ("shifts.full={departments: billing, length: 8h, earliest: '08:00', latest: "
             "'12:00', step: 30min, breaks: [{length: 15min, earliest: 1h, latest: 2.5h}, "
             "{length: 30min, earliest: 3h, latest: 4.5h, paid: false}, "
             "{length: 15min, earliest: 5h, latest: 7h}]}")
PART_TIME = ("shifts.part={departments: [billing, support], length: 4h, earliest: '08:00', "
             "latest: '16:00', wage_per_hour: 25, max_count: 10, "
             "breaks: [{length: 15min, earliest: 1.5h, latest: 2.5h}]}")


def test_templates_load_with_their_defaults() -> None:
    s = load_scenario(REFERENCE, [FULL_TIME, PART_TIME])
    full, part = s.shifts["full"], s.shifts["part"]
    assert full.departments == ("billing",) and part.departments == ("billing", "support")
    assert full.paid_seconds == 7.5 * 3600 and part.paid_seconds == 4 * 3600
    assert full.breaks[1].paid is False and full.breaks[0].paid is True
    assert (part.latest, part.step, part.max_count) == (16 * 3600, None, 10)


def test_textbook_scenario_loads() -> None:
    s = load_scenario(SCENARIOS / "textbook_roster.yaml")
    assert [sh.cost for sh in s.shifts.values()] == [252, 288, 180, 180, 180, 288, 288, 288]


BAD = [
    ("shifts.x={departments: billing, length: 4h, earliest: '08:00', breaks: "
     "[{length: 30min, earliest: 3h, latest: 225min}]}", "shifts.x.breaks.0", "does not fit"),
    ("shifts.x={departments: billing, length: 4h, earliest: '08:00', breaks: "
     "[{length: 30min, earliest: 1h, latest: 2h}, {length: 15min, earliest: 2h}]}",
     "shifts.x.breaks.1", "overlaps"),
    ("shifts.x={departments: billing, length: 4h, earliest: '19:00'}", "shifts.x.earliest",
     "allows no start"),
    ("shifts.x={departments: billing, length: 4h, earliest: '10:00', latest: '09:00'}",
     "shifts.x.latest", "before the earliest"),
    ("shifts.x={departments: billing, length: 13h, earliest: '08:00'}", "shifts.x.length",
     "longer than the horizon"),
    ("shifts.x={departments: billing, length: 8h, earliest: '08:00', latest: '13:00'}",
     "shifts.x.latest", "ends after the horizon"),
    ("shifts.x={departments: [billing, sales], length: 4h, earliest: '08:00'}",
     "shifts.x.departments", "no department named 'sales'"),
    ("shifts.x={departments: [billing, support], length: 4h, earliest: '08:00'}",
     "shifts.x.cost", "different wages"),
    ("shifts.x={departments: billing, length: 4h, earliest: '08:00', min_count: 3, "
     "max_count: 2}", "shifts.x.max_count", "below min_count"),
    ("shifts.x={departments: billing, length: 4h, earliest: '08:00', cost: 1, "
     "wage_per_hour: 2}", "shifts.x.cost", "not both"),
    ("shifts.x={departments: billing, length: 4h, earliest: '08:00', lunch: 1h}",
     "shifts.x.lunch", ""),
    ("shifts.x={departments: billing, length: 4h, earliest: '25:00'}", "shifts.x.earliest",
     "clock time"),
]


@pytest.mark.parametrize(("override", "field", "words"), BAD, ids=[b[1] + b[2] for b in BAD])
def test_bad_shifts_are_one_line_naming_the_field(override: str, field: str, words: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(REFERENCE, [override])
    assert len(info.value.problems) == 1, info.value.problems
    line = info.value.problems[0]
    assert f": {field}: " in line and words in line and "\n" not in line, line
