"""A department's roster: the ``departments.D.roster`` field (docs/model.md section 11).

A roster lists groups of agents who work one shift: ``start`` and ``end`` (clock times counted
from ``horizon.start``, seconds allowed: ``"07:00"``, ``"12:07:30"``), ``count`` agents, and
the ``breaks`` each of them takes (``{start, end}`` clock times inside the shift). With a
roster the engine puts agents on and off the phones at these exact moments instead of following
``agents`` per interval (``callsim schedule --write-scenario`` writes it).

>>> entry = RosterEntry(start="08:00", end="12:00", count=2,
...                     breaks=({"start": "10:00", "end": "10:15"},))
>>> steps(((entry),), start=7 * 3600.0)
[(3600.0, 2), (10800.0, -2), (11700.0, 2), (18000.0, -2)]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict

from callsim.scenario.durations import ClockTime, format_clock
from callsim.scenario.limits import MAX_AGENTS

__all__ = ["RosterBreak", "RosterEntry", "roster_problems", "steps"]

_DAY = 86400.0
Loc = tuple[str | int, ...]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RosterBreak(_Model):
    """A break of every agent of a roster entry, from ``start`` to ``end`` (clock times)."""

    start: ClockTime
    end: ClockTime


class RosterEntry(_Model):
    """``count`` agents on one shift from ``start`` to ``end``, taking ``breaks``."""

    start: ClockTime
    end: ClockTime
    count: Annotated[int, Strict(), Field(ge=0, le=MAX_AGENTS)]
    breaks: tuple[RosterBreak, ...] = ()


def _after(clock: float, origin: float) -> float:
    """Seconds from ``origin`` (a clock time) to the first ``clock`` strictly after it."""
    offset = (clock - origin) % _DAY
    return offset if offset > 0 else _DAY


def spans(entry: RosterEntry, start: float) -> tuple[float, float, list[tuple[float, float]]]:
    """The entry's shift and breaks in seconds from the horizon start (clock ``start``).

    The shift starts at the first ``entry.start`` at or after the horizon start; its end and
    its breaks are the first such clock times after the shift's start.
    """
    begin = (entry.start - start) % _DAY
    origin = start + begin
    breaks = [(begin + _after(b.start, origin) % _DAY, begin + _after(b.end, origin))
              for b in entry.breaks]
    return begin, begin + _after(entry.end, origin), breaks


def steps(entries: Sequence[RosterEntry], start: float) -> list[tuple[float, int]]:
    """Changes of agents on the phones: ``(seconds from the horizon start, change)``, in order.

    Agents come on at a shift's start and a break's end and go off at a break's start and the
    shift's end.
    """
    out: list[tuple[float, int]] = []
    for entry in entries:
        if not entry.count:
            continue
        begin, end, breaks = spans(entry, start)
        out += [(begin, entry.count), (end, -entry.count)]
        for a, b in breaks:
            out += [(a, -entry.count), (b, entry.count)]
    return sorted(out)


def roster_problems(entries: Sequence[RosterEntry], duration: float, start: float
                    ) -> Iterator[tuple[Loc, str]]:
    """Problems of one department's roster against the horizon (``duration``, clock ``start``)."""
    for i, entry in enumerate(entries):
        begin, end, breaks = spans(entry, start)
        if end > duration:
            yield (i, "end"), (f"the shift {format_clock(begin, start)}-"
                               f"{format_clock(end, start)} ends after the horizon's end "
                               f"({format_clock(duration, start)})")
            continue
        last = begin
        for k, (a, b) in enumerate(breaks):
            if not last <= a < b <= end:
                yield (i, "breaks", k), (f"{format_clock(a, start)}-{format_clock(b, start)} "
                                         f"is not inside the shift {format_clock(begin, start)}-"
                                         f"{format_clock(end, start)} after the break before it")
            last = max(last, b)


def levels(entries: Sequence[RosterEntry], start: float, times: Sequence[float]) -> list[int]:
    """Agents on the phones from each of ``times`` (in order, s from the horizon start) on."""
    changes = steps(entries, start)
    out, level, k = [], 0, 0
    for t in times:
        while k < len(changes) and changes[k][0] <= t:
            level += changes[k][1]
            k += 1
        out.append(level)
    return out


def change_times(entries: Sequence[RosterEntry], start: float) -> list[float]:
    """Every moment the roster puts agents on or off the phones (s from the horizon start)."""
    return sorted({t for t, _ in steps(entries, start)})
