"""Arrival timestamps of call records: one timestamp column, or a date plus time-of-day columns.

Exports often write the date and the time of day in separate columns, and the time the call
reached the queue in one of several columns (the queue's start when the call queued, the
service's start when an agent was free). :class:`~callsim.calibration.mapping.DateTime` says
which; a call that crossed midnight (its queue time earlier than the time its date belongs to)
is put on the next day. A time of day without a date is never a timestamp (it would read as
1 January 1900): mapping files must name a date.
"""

from __future__ import annotations

import re
import warnings
from datetime import datetime

import numpy as np
import pandas as pd

from callsim.calibration.mapping import ColumnMap, DateTime

__all__ = ["arrival_stamps", "clock_over_59", "date_time_columns", "outside_calendar"]

_DAY = pd.Timedelta(days=1)
#: A time more than this much earlier than the time its date belongs to is on the next day.
_CROSSED_MIDNIGHT = pd.Timedelta(hours=12)
#: The minutes and seconds fields of a clock-style cell (``H:MM:SS``, ``MM:SS``).
_CLOCK_FIELD = re.compile(r":(\d+(?:\.\d*)?)")
#: A timestamp ending in a UTC offset: the wall-clock part, then the offset.
_OFFSET = re.compile(r"^(.*\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$")


def clock_over_59(cells: pd.Series) -> np.ndarray:
    """Whether each clock-style cell has minutes or seconds over 59 (``00:99:99``).

    pandas reads ``00:99:99`` as 1 h 40 min 39 s; an export never writes that, so it is a
    fault to report, not a duration (or a time of day) to use.

    Examples
    --------
    >>> clock_over_59(pd.Series(["00:99:99", "7:02:60", "1:02:03", "45", "00:00:59.5"])).tolist()
    [True, True, False, False, False]
    """
    return np.array([any(float(f) >= 60 for f in _CLOCK_FIELD.findall(str(c))) for c in cells],
                    dtype=bool)


def date_time_columns(raw: pd.DataFrame, spec: DateTime) -> pd.Series:
    """The cells an arrival is built from, as text for error lines: ``990201 7:02:47``."""
    return raw[spec.date].astype(str).str.cat(_chosen_time(raw, spec), sep=" ")


def arrival_stamps(raw: pd.DataFrame, arrived: pd.Series | None, mapping: ColumnMap) -> pd.Series:
    """Timestamps (datetime64, naive) of each row's arrival; NaT where unreadable."""
    if mapping.date_time is not None:
        return _date_plus_time(raw, mapping.date_time)
    assert arrived is not None
    return _timestamps(arrived, mapping.timestamp_format)


def _timestamps(values: pd.Series, fmt: str | None) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = values
    elif pd.api.types.is_numeric_dtype(values):
        stamps = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    else:
        stamps = _parsed(values, fmt)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    return stamps.astype("datetime64[ns]")


def _parsed(values: pd.Series, fmt: str | None) -> pd.Series:
    """Timestamps at the wall-clock time written, whatever UTC offset each carries.

    One offset for all is dropped (the caller localizes to naive). Mixed offsets (a file across
    a change to summer time) would leave pandas with objects, not timestamps: each is read at its
    own wall-clock time, as the centre's day and intervals are.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)  # pandas 2: mixed offsets; 3: ValueError
        try:
            stamps = pd.to_datetime(values, format=fmt or "ISO8601", errors="coerce")
            if pd.api.types.is_datetime64_any_dtype(stamps):
                return stamps
        except (FutureWarning, ValueError):
            pass
    wall = values.astype(str).str.strip().str.replace(_OFFSET, r"\1", regex=True)
    fmt = fmt.replace("%z", "").strip() if fmt else None
    return pd.to_datetime(wall, format=fmt or "ISO8601", errors="coerce")


def outside_calendar(cells: pd.Series, fmt: str | None) -> np.ndarray:
    """Whether each unreadable cell is a well-formed date outside what pandas holds (1677-2262).

    Such a cell (``3000-01-01 08:00:00``) is no format error: the message says so.

    Examples
    --------
    >>> outside_calendar(pd.Series(["3000-01-01 08:00:00", "tomorrow"]), None).tolist()
    [True, False]
    """
    def readable(text: str) -> bool:
        try:
            stamp = datetime.strptime(text, fmt) if fmt else datetime.fromisoformat(text)
        except ValueError:
            return False
        return not pd.Timestamp.min.year < stamp.year < pd.Timestamp.max.year

    return np.array([readable(str(c).strip()) for c in cells], dtype=bool)


def _chosen_time(raw: pd.DataFrame, spec: DateTime) -> pd.Series:
    """Per row, the first of the time columns whose cell is not one of ``spec.none``."""
    chosen = pd.Series("", index=raw.index, dtype=object)
    missing = np.ones(len(raw), dtype=bool)
    for column in spec.time:
        cells = raw[column].astype(str).str.strip()
        usable = missing & ~cells.isin(spec.none).to_numpy() & (cells != "").to_numpy()
        chosen[usable] = cells[usable]
        missing &= ~usable
    return chosen


def _time_of_day(cells: pd.Series) -> pd.Series:
    """``H:MM:SS`` cells as timedeltas below 24 h; NaT when unreadable (each distinct cell once)."""
    codes, uniques = pd.factorize(cells)
    parsed = pd.to_timedelta(pd.Series(uniques, dtype=object), errors="coerce")
    parsed = parsed.where((parsed >= pd.Timedelta(0)) & (parsed < _DAY)
                          & ~clock_over_59(pd.Series(uniques, dtype=object)))
    values = np.append(parsed.to_numpy(dtype="timedelta64[ns]"), np.timedelta64("NaT"))
    return pd.Series(values[codes], index=cells.index)


def _date_plus_time(raw: pd.DataFrame, spec: DateTime) -> pd.Series:
    day = pd.to_datetime(raw[spec.date].astype(str).str.strip(),
                         format=spec.date_format or "ISO8601", errors="coerce")
    time = _time_of_day(_chosen_time(raw, spec))
    if spec.date_of is not None:
        reference = _time_of_day(raw[spec.date_of].astype(str).str.strip())
        crossed = (time < reference - _CROSSED_MIDNIGHT).to_numpy()
        day = day.where(~crossed, day + _DAY)
    return (day.dt.normalize() + time).astype("datetime64[ns]")
