"""A given requirement: agents needed per interval and department, from a CSV file or a table.

The file has columns ``start`` (interval start, clock time ``HH:MM`` counted from
``horizon.start``), ``department`` and ``agents`` (a number >= 0; a fraction is covered by
the next whole agent). An interval and department without a row needs nobody.

>>> import pandas as pd
>>> from callsim.scenario.loading import load_scenario
>>> sc = load_scenario("scenarios/textbook_roster.yaml")
>>> table = pd.DataFrame({"start": ["07:00", "13:00"], "department": ["agents", "agents"],
...                       "agents": [4, 16]})
>>> requirement_table(sc, table, "given")[0, 6:14].tolist()
[0.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 16.0]
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd

from callsim.scenario.durations import format_clock, parse_clock
from callsim.scenario.inputs import InputFileError, read_text
from callsim.scenario.limits import MAX_AGENTS, MAX_INPUT_BYTES
from callsim.scenario.schema import Scenario

__all__ = ["COLUMNS", "RequirementError", "read_requirements", "requirement_table"]

#: The columns of a requirement file.
COLUMNS = ("start", "department", "agents")


class RequirementError(ValueError):
    """A requirement file or table that cannot be used; the message is one line."""


def read_requirements(scenario: Scenario, path: str | Path) -> np.ndarray:
    """Agents needed per department (scenario order) and interval, from a CSV file.

    Raises
    ------
    RequirementError
        ``FILE: row N: ...`` (N the file's line number, the header is row 1) or ``FILE: ...``.
    """
    path = Path(path)
    try:
        text = read_text(path, MAX_INPUT_BYTES)
    except InputFileError as exc:
        raise RequirementError(f"{path}: {str(exc).removeprefix(f'{path.name}: ')}") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise RequirementError(f"{path}: empty file (expected columns {', '.join(COLUMNS)})")
    table = pd.DataFrame(rows[1:], columns=[c.strip() for c in rows[0]]) if all(
        len(r) == len(rows[0]) for r in rows) else None
    if table is None:
        bad = next(i for i, r in enumerate(rows) if len(r) != len(rows[0]))
        raise RequirementError(f"{path}: row {bad + 1}: {len(rows[bad])} cells, the header "
                               f"has {len(rows[0])}")
    return requirement_table(scenario, table, str(path), first_row=2)


def _start(scenario: Scenario, text: str) -> int:
    h = scenario.horizon
    offset = (parse_clock(text.strip()) - h.start) % 86400.0
    index = offset / h.interval
    if abs(index - round(index)) > 1e-9 or round(index) >= h.n_intervals:
        raise ValueError(f"start {text.strip()!r} is not the start of a planning interval "
                         f"(every {h.interval / 60:g} min from {format_clock(0, h.start)}, "
                         f"{h.n_intervals} intervals)")
    return round(index)


def _agents(text: object) -> float:
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ValueError(f"agents {text!r} is not a number") from None
    if not math.isfinite(value) or not 0 <= value <= MAX_AGENTS:
        raise ValueError(f"agents {text!r} must be a number from 0 to {MAX_AGENTS}")
    return value


def requirement_table(scenario: Scenario, table: pd.DataFrame, source: str = "requirements",
                      first_row: int = 2) -> np.ndarray:
    """Agents needed per department and interval from a table with :data:`COLUMNS`.

    ``first_row`` is the row number of the table's first row in messages.

    Raises
    ------
    RequirementError
        A missing column, an unknown department, a start that is not an interval start, an
        agents value that is not a number >= 0, or a repeated (start, department).
    """
    twice = [c for c in COLUMNS if list(table.columns).count(c) > 1]
    if twice:  # which one is meant? (two 'agents' columns unpacked into a traceback)
        raise RequirementError(f"{source}: column {twice[0]!r} appears "
                               f"{list(table.columns).count(twice[0])} times in the header")
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise RequirementError(f"{source}: missing column {missing[0]!r} (expected columns "
                               f"{', '.join(COLUMNS)})")
    names = list(scenario.departments)
    out = np.zeros((len(names), scenario.horizon.n_intervals))
    seen: set[tuple[int, int]] = set()
    for i, (start, dept, agents) in enumerate(table[list(COLUMNS)].itertuples(index=False)):
        try:
            if str(dept).strip() not in names:
                raise ValueError(f"no department named {str(dept).strip()!r}")
            key = (names.index(str(dept).strip()), _start(scenario, str(start)))
            if key in seen:
                raise ValueError(f"a second row for {str(dept).strip()} at {str(start).strip()}")
            seen.add(key)
            out[key] = _agents(agents)
        except ValueError as exc:
            raise RequirementError(f"{source}: row {first_row + i}: {exc}") from None
    return out
