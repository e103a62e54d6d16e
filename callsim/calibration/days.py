"""Which days of call records to use: a day type (a set of weekdays), dates, or both.

``--days`` takes items separated by commas, united; an item is one or more parts separated by
spaces, all of which a day must satisfy. A part is ``all``, ``weekdays`` (Monday to Friday), a
weekday (``fri``, ``friday``), a range of weekdays (``sun-thu``, wrapping round the week:
``fri-sat``), a date ``YYYY-MM-DD`` or a range of dates ``YYYY-MM-DD..YYYY-MM-DD``. So
``sun-thu 1999-02-01..1999-02-07`` is the Sunday-to-Thursday days of that week, and
``fri,sat`` the centre's short days.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

import numpy as np
import pandas as pd

from callsim.calibration.errors import RecordsError
from callsim.calibration.records import CallRecords

__all__ = ["day_filter", "select_days"]

_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_HELP = ("use all, weekdays, a weekday (fri), a range (sun-thu), YYYY-MM-DD or "
         "YYYY-MM-DD..YYYY-MM-DD")
DayTest = Callable[[pd.Timestamp], bool]


def _weekday(text: str) -> int | None:
    text = text.lower()
    for table in (_WEEKDAYS, _FULL):
        if text in table:
            return table.index(text)
    return None


def _date(text: str) -> pd.Timestamp | None:
    try:
        return pd.Timestamp(pd.to_datetime(text, format="%Y-%m-%d"))
    except ValueError:
        return None


def _part(text: str, problems: list[str]) -> DayTest:
    """One part of an item: a test of a day."""
    word = text.lower()
    if word == "all":
        return lambda day: True
    if word == "weekdays":
        return lambda day: day.dayofweek < 5
    if "." in word:
        first, _, last = word.partition("..")
        start, end = _date(first), _date(last)
        if start is not None and end is not None and start <= end:
            return lambda day: bool(start <= day <= end)
    elif (date := _date(word)) is not None:
        return lambda day: bool(day == date)
    elif _weekday(word) is not None:
        number = _weekday(word)
        return lambda day: bool(day.dayofweek == number)
    elif "-" in word:
        first, _, last = word.partition("-")
        a, b = _weekday(first), _weekday(last)
        if a is not None and b is not None:
            chosen = {(a + k) % 7 for k in range((b - a) % 7 + 1)}
            return lambda day: bool(day.dayofweek in chosen)
    problems.append(f"`days`: '{text}' is not a day ({_HELP})")
    return lambda day: False


def day_filter(spec: str | Iterable[str]) -> tuple[DayTest, list[pd.Timestamp]]:
    """The test ``--days SPEC`` puts to each day, and the dates it names one by one.

    Raises
    ------
    RecordsError
        A part that is no day, one line each.
    """
    text = spec if isinstance(spec, str) else ",".join(spec)
    problems: list[str] = []
    items = [[_part(p, problems) for p in item.split()] for item in text.split(",")
             if item.strip()]
    named = [d for item in text.split(",") for p in item.split()
             if "." not in p and (d := _date(p)) is not None]
    if not items:
        problems.append(f"`days`: nothing given ({_HELP})")
    if problems:
        raise RecordsError(problems)
    return (lambda day: any(all(test(day) for test in item) for item in items)), named


def select_days(records: CallRecords, days: str | Iterable[str] = "all") -> CallRecords:
    """Keep the calls of the days ``days`` chooses (see the module's grammar).

    Raises
    ------
    RecordsError
        An unreadable part, a named date absent from the records, or no day left.
    """
    spec = days if isinstance(days, str) else ",".join(days)
    test, named = day_filter(spec)
    known = set(records.days)
    missing = [f"`days`: no call on {d.date()}" for d in named if d not in known]
    if missing:
        raise RecordsError(missing)
    chosen = [d for d in records.days if test(d)]
    keep = records.frame["day"].isin(chosen).to_numpy() if chosen else np.zeros(0, bool)
    if not keep.any():
        raise RecordsError([f"`days` {spec}: no call left in the records"])
    return replace(records, frame=records.frame[keep].reset_index(drop=True))
