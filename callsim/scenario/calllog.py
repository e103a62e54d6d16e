"""Call-log replay files: one row per call instead of Poisson arrivals.

Columns: ``time`` (seconds from the start of the horizon, a duration such as
``"90s"``, or a clock time ``HH:MM[:SS]`` taken relative to ``horizon.start``),
``call_type`` (a call type name), and optional ``handle_time`` and ``patience``
(durations; an empty cell means "draw from the call type's distribution").
The file is read and checked once, when the scenario is validated; the engine
only sees the arrays of :class:`CallLog`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING

from callsim.scenario.durations import parse_clock, parse_duration
from callsim.scenario.inputs import InputFileError, read_text
from callsim.scenario.limits import MAX_INPUT_BYTES, MAX_SECONDS

if TYPE_CHECKING:  # numpy loads when a replay file is read: validating a scenario without one
    import numpy as np  # needs no numpy

__all__ = ["CallLog", "CallLogError", "read_call_log"]

REQUIRED = ("time", "call_type")
OPTIONAL = ("handle_time", "patience")
MAX_PROBLEMS = 10


@dataclass(frozen=True, eq=False)
class CallLog:
    """Replayed calls, sorted by arrival time (stable for ties).

    Attributes
    ----------
    time : numpy.ndarray of float64
        Arrival times, seconds from the start of the horizon.
    call_type : numpy.ndarray of int32
        Index of the call type in the scenario's ``call_types`` order.
    handle_time : numpy.ndarray of float64
        Handle time in seconds, NaN where the file gives none.
    patience : numpy.ndarray of float64
        Patience in seconds, NaN where the file gives none.
    """

    time: np.ndarray
    call_type: np.ndarray
    handle_time: np.ndarray
    patience: np.ndarray

    def __post_init__(self) -> None:
        for f in fields(self):
            getattr(self, f.name).flags.writeable = False

    def __len__(self) -> int:
        return len(self.time)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CallLog):
            return NotImplemented
        import numpy as np

        return all(
            np.array_equal(getattr(self, f.name), getattr(other, f.name), equal_nan=True)
            for f in fields(self)
        )

    __hash__ = None  # type: ignore[assignment]

    def __setstate__(self, state: dict[str, np.ndarray]) -> None:
        for name, array in state.items():
            object.__setattr__(self, name, array)
        self.__post_init__()


class CallLogError(ValueError):
    """A replay file that cannot be used; ``problems`` has one message per bad row or column."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def read_call_log(
    path: Path, call_types: Sequence[str], duration: float, start: float = 0.0
) -> CallLog:
    """Read and check a replay file.

    Parameters
    ----------
    path : pathlib.Path
        The CSV file; messages name it by its file name.
    call_types : sequence of str
        Call type names, in scenario order (``call_type`` becomes an index into it).
    duration : float
        Horizon length in seconds: every time must be in [0, duration).
    start : float
        Clock time of t = 0 in seconds since midnight (for ``HH:MM`` times).

    Returns
    -------
    CallLog

    Raises
    ------
    CallLogError
        With messages such as ``day.csv row 12: unknown call_type 'sales'``,
        where the row is the file's line number (the header is row 1). At most
        ten row problems are listed.
    """
    name = path.name
    header, rows = _read_rows(path)
    columns = _parse_rows(name, header, rows, {t: i for i, t in enumerate(call_types)},
                          duration, start)
    import numpy as np

    time = np.asarray(columns["time"], dtype=np.float64)
    order = np.argsort(time, kind="stable")
    return CallLog(
        time=time[order],
        call_type=np.asarray(columns["call_type"], dtype=np.int32)[order],
        handle_time=np.asarray(columns["handle_time"], dtype=np.float64)[order],
        patience=np.asarray(columns["patience"], dtype=np.float64)[order],
    )


def _read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The checked header and the non-blank rows with their line numbers."""
    name = path.name
    try:
        text = read_text(path, MAX_INPUT_BYTES)
    except InputFileError as exc:
        raise CallLogError([str(exc)]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [c.strip() for c in next(reader, [])]
    _check_header(name, header)
    rows = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    if not rows:
        raise CallLogError([f"{name}: no calls"])
    return header, rows


def _parse_rows(
    name: str,
    header: list[str],
    rows: list[tuple[int, list[str]]],
    types: dict[str, int],
    duration: float,
    start: float,
) -> dict[str, list[float]]:
    """Column values of every row; raises listing up to ``MAX_PROBLEMS`` bad rows."""
    index = {c: header.index(c) for c in REQUIRED + OPTIONAL if c in header}
    columns: dict[str, list[float]] = {c: [] for c in REQUIRED + OPTIONAL}
    problems: list[str] = []
    bad = 0
    for line, row in rows:
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in index.items()}
        try:
            values = _parse_row(cells, types, duration, start)
        except ValueError as exc:
            bad += 1
            if bad <= MAX_PROBLEMS:
                problems.append(f"{name} row {line}: {exc}")
            continue
        for column, value in values.items():
            columns[column].append(value)
    if bad > MAX_PROBLEMS:  # every bad row counted, not "(more problems not shown)"
        problems.append(f"{name}: {bad - MAX_PROBLEMS:,} more problems not shown ({bad:,} in all)")
    if problems:
        raise CallLogError(problems)
    return columns


def _parse_row(
    cells: dict[str, str], types: dict[str, int], duration: float, start: float
) -> dict[str, float]:
    """One row's values: time (s), call type index and optional durations (s, NaN if empty)."""
    time = _time(cells["time"], duration, start)
    if cells["call_type"] not in types:
        raise ValueError(f"unknown call_type '{cells['call_type']}' (use {', '.join(types)})")
    values = {"time": time, "call_type": float(types[cells["call_type"]])}
    for col in OPTIONAL:
        values[col] = _optional_duration(col, cells.get(col, ""))
    return values


def _check_header(name: str, header: list[str]) -> None:
    problems = [f"{name}: missing column '{c}'" for c in REQUIRED if c not in header]
    known = REQUIRED + OPTIONAL
    problems += [
        f"{name}: unknown column '{c}' (use {', '.join(known)})" for c in header if c not in known
    ]
    problems += [f"{name}: column '{c}' appears twice" for c in known if header.count(c) > 1]
    if problems:
        raise CallLogError(problems)


def _time(cell: str, duration: float, start: float) -> float:
    """Arrival time in seconds from the start; clock times are taken relative to ``start``."""
    if not cell:
        raise ValueError("time is empty")
    t = parse_clock(cell) - start if ":" in cell else parse_duration(cell)
    if not 0 <= t < duration:
        raise ValueError(
            f"time '{cell}' is {t:g} s from the start, outside the horizon [0, {duration:g}) s"
        )
    return t


def _optional_duration(column: str, cell: str) -> float:
    """A non-negative duration in seconds, or NaN for an empty cell."""
    if not cell:
        return float("nan")
    try:
        value = parse_duration(cell)
    except ValueError as exc:
        raise ValueError(f"{column}: {exc}") from None
    if value < 0:
        raise ValueError(f"{column}: must be >= 0")
    if value > MAX_SECONDS:
        raise ValueError(f"{column}: must be <= {MAX_SECONDS:g}")
    return value
