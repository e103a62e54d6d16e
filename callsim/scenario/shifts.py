"""Shift types: the ``shifts:`` section of a scenario (docs/model.md section 11).

A shift type says when agents may start (``earliest`` to ``latest`` every ``step``, clock times
counted from ``horizon.start``), how long they stay (``length``), what one shift costs (``cost``,
or ``wage_per_hour`` x paid time, or the department's wage x paid time), which breaks they take
(each in a window after the start, placed at a step) and how many such shifts a roster may hold
(``min_count``, ``max_count``). A shift type serves one department or several (its agents then
answer whichever of them the roster assigns them to). Rosters are built from these by
:mod:`callsim.planning.roster`; this module only validates them.

>>> lunch = Break(length=1800, earliest=3 * 3600, latest=5 * 3600, paid=False)
>>> day = ShiftType(departments="billing", length="8h", earliest="07:00", latest="10:00",
...                 breaks=(lunch,))
>>> day.departments, day.length, day.paid_seconds
(('billing',), 28800.0, 27000.0)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    model_validator,
)

from callsim.scenario.durations import ClockTime, PositiveSeconds, Seconds, format_clock
from callsim.scenario.errors import field_errors
from callsim.scenario.limits import MAX_AGENTS, MAX_AMOUNT

__all__ = ["Break", "ShiftType", "shift_problems"]

_Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")]
_Count = Annotated[int, Strict(), Field(ge=0, le=MAX_AGENTS)]
_Amount = Annotated[float, Strict(), Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]
Loc = tuple[str | int, ...]


def _names(value: Any) -> Any:
    """One department name or a list of them."""
    return [value] if isinstance(value, str) else value


def _hours(seconds: float) -> str:
    """A time as written in a scenario: ``8h``, ``90min``, ``45s``."""
    if seconds % 3600 == 0:
        return f"{seconds / 3600:g}h"
    return f"{seconds / 60:g}min" if seconds % 60 == 0 else f"{seconds:g}s"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Break(_Model):
    """A break every agent of a shift takes.

    It starts ``earliest`` to ``latest`` after the shift's start, at multiples of ``step`` from
    ``earliest`` (default: the shift's step).
    """

    length: PositiveSeconds
    earliest: Seconds
    latest: Seconds | None = None
    step: PositiveSeconds | None = None
    paid: StrictBool = True

    @property
    def last(self) -> float:
        """The latest start after the shift's start (``latest``, or ``earliest`` alone)."""
        return self.earliest if self.latest is None else self.latest

    @model_validator(mode="after")
    def _window(self) -> Break:
        if self.last < self.earliest:
            raise field_errors("break", [(("latest",), f"latest start {_hours(self.last)} is "
                                          f"before the earliest {_hours(self.earliest)}")])
        return self


class ShiftType(_Model):
    """One kind of shift; see the module docstring and docs/model.md section 11."""

    departments: Annotated[tuple[_Name, ...], BeforeValidator(_names), Field(min_length=1)]
    length: PositiveSeconds
    earliest: ClockTime
    latest: ClockTime | None = None
    step: PositiveSeconds | None = None
    paid_time: Seconds | None = None
    cost: _Amount | None = None
    wage_per_hour: _Amount | None = None
    breaks: tuple[Break, ...] = ()
    min_count: _Count = 0
    max_count: _Count | None = None

    @property
    def paid_seconds(self) -> float:
        """Paid time of one shift (s): ``paid_time``, else the length less unpaid breaks."""
        if self.paid_time is not None:
            return self.paid_time
        return self.length - sum(b.length for b in self.breaks if not b.paid)

    @model_validator(mode="after")
    def _fits(self) -> ShiftType:
        problems = list(self._own_problems())
        if problems:
            raise field_errors("shift", problems)
        return self

    def _own_problems(self) -> Iterator[tuple[Loc, str]]:
        end = 0.0
        for i, b in enumerate(self.breaks):
            if b.last + b.length > self.length:
                yield ("breaks", i), (f"does not fit its shift: starting at {_hours(b.last)} it "
                                      f"ends after the shift's length {_hours(self.length)}")
            elif b.earliest < end:
                yield ("breaks", i), ("its window overlaps the break before it: list breaks in "
                                      "order, each window after the previous break's latest end")
            end = b.last + b.length
        if self.paid_time is not None and self.paid_time > self.length:
            yield ("paid_time",), f"is longer than the shift ({_hours(self.length)})"
        if self.cost is not None and self.wage_per_hour is not None:
            yield ("cost",), "give cost or wage_per_hour, not both"
        if len(set(self.departments)) != len(self.departments):
            yield ("departments",), "names a department twice"
        if self.max_count is not None and self.max_count < self.min_count:
            yield ("max_count",), f"is below min_count ({self.min_count})"


def _offset(clock: float, start: float) -> float:
    """Seconds from the horizon start of a clock time (the first such time after the start)."""
    return (clock - start) % 86400.0


def shift_problems(shifts: Mapping[str, ShiftType], duration: float, start: float,
                   wages: Mapping[str, float]) -> Iterator[tuple[Loc, str]]:
    """Problems of the shift types against the horizon and the departments (``wages``).

    Clock times count from ``horizon.start`` (``start``, seconds since midnight): a clock time
    before it is that time on the next day.
    """
    for name, shift in shifts.items():
        loc: Loc = ("shifts", name)
        for d in shift.departments:
            if d not in wages:
                yield (*loc, "departments"), f"no department named '{d}'"
        first = _offset(shift.earliest, start)
        last = first if shift.latest is None else _offset(shift.latest, start)
        if shift.length > duration:
            yield (*loc, "length"), (f"{_hours(shift.length)} is longer than the horizon "
                                     f"({_hours(duration)})")
        elif last < first:
            yield (*loc, "latest"), (f"{format_clock(last, start)} comes before the earliest "
                                     f"start {format_clock(first, start)} in the horizon")
        elif first + shift.length > duration:
            yield (*loc, "earliest"), (f"the window allows no start: a shift starting at "
                                       f"{format_clock(first, start)} ends after the horizon's "
                                       f"end ({format_clock(duration, start)})")
        elif last + shift.length > duration:
            yield (*loc, "latest"), (f"a shift starting at {format_clock(last, start)} ends "
                                     f"after the horizon's end ({format_clock(duration, start)})")
        rates = {wages[d] for d in shift.departments if d in wages}
        if shift.cost is None and shift.wage_per_hour is None and len(rates) > 1:
            yield (*loc, "cost"), ("its departments have different wages: give cost or "
                                   "wage_per_hour")
