"""Durations and clock times, parsed to seconds.

A duration is a number of seconds (``90``, ``2.5``) or a string with a unit
(``"45s"``, ``"3min"``, ``"1.5h"``, ``"250 ms"``). The bare unit ``m`` is
refused on purpose: minutes or metres, and easily read as months.

>>> parse_duration("3min")
180.0
>>> parse_duration("1.5 h")
5400.0
>>> parse_clock("08:30")
30600.0
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from callsim.scenario.limits import MAX_SECONDS

__all__ = [
    "UNITS",
    "ClockTime",
    "PositiveSeconds",
    "Seconds",
    "format_clock",
    "parse_clock",
    "parse_duration",
]

#: Seconds per unit. ``m`` alone is deliberately absent (ambiguous).
UNITS: dict[str, float] = {
    "ms": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "min": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "d": 86400.0,
}

_DURATION = re.compile(
    r"^\s*(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<unit>[A-Za-z]*)\s*$"
)
_CLOCK = re.compile(r"^\s*(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}(?:\.\d+)?))?\s*$")


def parse_duration(value: Any) -> float:
    """Convert a duration to seconds.

    Parameters
    ----------
    value : int, float or str
        A number of seconds, or a string made of a number and an optional unit
        (``ms``, ``s``, ``sec``, ``min``, ``h``, ``hr``, ``d``), spaces allowed.

    Returns
    -------
    float
        The duration in seconds (may be negative if the input is; range checks
        belong to the caller, e.g. the :data:`Seconds` type).

    Raises
    ------
    ValueError
        If the value is not a finite number or a number with a known unit.
    """
    problem = f"invalid duration {_show(value)} (use seconds or a unit: {', '.join(UNITS)})"
    if isinstance(value, bool):
        raise ValueError(problem)
    if isinstance(value, numbers.Real):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        unit = match["unit"].lower()
        if unit == "m":
            raise ValueError(f"invalid duration {_show(value)}: 'm' is ambiguous (write 'min')")
        if unit and unit not in UNITS:
            raise ValueError(problem)
        seconds = float(match["number"]) * UNITS.get(unit, 1.0)
    else:
        raise ValueError(problem)
    if not math.isfinite(seconds):
        raise ValueError(f"invalid duration {_show(value)}: must be finite")
    return seconds


def _show(value: Any) -> str:
    """Quote strings as the user wrote them, ``repr`` anything else."""
    return f"'{value}'" if isinstance(value, str) else repr(value)


def parse_clock(value: Any) -> float:
    """Convert a clock time ``HH:MM`` or ``HH:MM:SS`` to seconds since midnight.

    Parameters
    ----------
    value : str or float
        A clock time string, or a number already in seconds since midnight.

    Returns
    -------
    float
        Seconds since midnight, in [0, 86400].

    Raises
    ------
    ValueError
        If the string is not a valid clock time (hours 0-24, minutes and
        seconds 0-59; ``24:00`` is the only time with hour 24).
    """
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        seconds = float(value)
        if not 0 <= seconds <= 86400:
            raise ValueError(f"invalid clock time {value!r}: seconds since midnight in [0, 86400]")
        return seconds
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"invalid clock time {value!r} (use HH:MM or HH:MM:SS)")
    hours, minutes, secs = int(match["h"]), int(match["m"]), float(match["s"] or 0)
    total = hours * 3600 + minutes * 60 + secs
    if minutes > 59 or secs >= 60 or total > 86400:
        raise ValueError(f"invalid clock time '{value}' (use HH:MM or HH:MM:SS, up to 24:00)")
    return total


def format_clock(seconds: float, start: float = 0.0, with_seconds: bool = False) -> str:
    """Clock time ``HH:MM`` (``HH:MM:SS`` off the minute) of ``seconds`` after ``start``.

    The one clock formatter: report texts, staffing tables, calibration windows, figure ticks
    and the ``arrival_clock`` column of call records all call it.

    Parameters
    ----------
    seconds
        Time from the start of the horizon (s), rounded to the second.
    start
        Clock time of t = 0, seconds since midnight (``horizon.start``).
    with_seconds
        Always ``HH:MM:SS``, even on the minute.

    Examples
    --------
    >>> format_clock(0, 8 * 3600), format_clock(5400, 8 * 3600), format_clock(90, 0)
    ('08:00', '09:30', '00:01:30')
    >>> format_clock(3600, 23.5 * 3600)  # past midnight: the next day's clock
    '00:30'
    >>> format_clock(60, with_seconds=True)
    '00:01:00'
    """
    total = round(float(seconds) + float(start)) % 86400
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs or with_seconds else "")


#: Non-negative duration in seconds (at most MAX_SECONDS), from a number or a string with a unit.
Seconds = Annotated[
    float, BeforeValidator(parse_duration), Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)
]

#: Strictly positive duration in seconds.
PositiveSeconds = Annotated[
    float, BeforeValidator(parse_duration), Field(gt=0, le=MAX_SECONDS, allow_inf_nan=False)
]

#: Clock time (``"08:00"``) as seconds since midnight.
ClockTime = Annotated[float, BeforeValidator(parse_clock)]
