"""The cheapest roster covering a requirement: a set-covering integer programme (HiGHS).

Time is cut into slots, the greatest common divisor of every time the shift types and the
horizon use (whole seconds), so every shift and break starts and ends on a slot boundary. The
programme (docs/DESIGN.md, "Rosters"), with ``j`` a shift type at one allowed start (a
*column*), ``b`` one of its breaks and ``p`` an allowed start of that break:

- ``x[j]`` agents on column ``j``, ``w[j, b, p]`` of them taking break ``b`` at ``p``, with
  ``sum_p w[j, b, p] = x[j]`` (break variables per shift start, as in Aykin 1996: since the
  windows of a shift's breaks do not overlap, any pairing of the placements of its breaks is
  a valid day for each agent);
- agents of column ``j`` available in slot ``u``: ``x[j]`` when ``u`` is inside the shift,
  less the ``w`` whose break holds ``u``;
- a shift type shared by several departments puts its available agents in a pool per set of
  departments; ``y[g, d, u]`` of pool ``g`` answer department ``d`` in slot ``u``, at most
  what the pool has;
- every slot ``u`` of interval ``t``: department ``d``'s own agents plus its ``y`` at least
  the requirement ``r[d, t]`` (an interval is covered when each of its moments is);
- shift counts per type between ``min_count`` and ``max_count``; minimise the cost of the
  shifts. Every variable is integer; scipy.optimize.milp (HiGHS) proves the gap.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp

from callsim.scenario.durations import format_clock
from callsim.scenario.limits import MAX_ROSTER_SLOTS, MAX_ROSTER_VARIABLES
from callsim.scenario.schema import Scenario
from callsim.scenario.shifts import ShiftType

__all__ = ["Column", "CoveringError", "Programme", "Solution", "available_of", "programme",
           "solve"]


class CoveringError(ValueError):
    """A roster that cannot be built or solved; the message is one line."""


@dataclass(frozen=True)
class Column:
    """One shift type at one allowed start, on the slot grid.

    Attributes
    ----------
    shift
        The shift type's name.
    departments
        The departments its agents serve (several: a shared pool).
    start, end
        First slot of the shift and the slot after its last.
    cost, paid_hours
        Of one agent on this shift.
    breaks
        Per break of the shift type, its allowed start slots.
    break_slots
        Per break, its length in slots.
    """

    shift: str
    departments: tuple[str, ...]
    start: int
    end: int
    cost: float
    paid_hours: float
    breaks: tuple[tuple[int, ...], ...]
    break_slots: tuple[int, ...]


@dataclass(frozen=True)
class Programme:
    """The columns of a scenario's shift types on a slot grid (no requirement yet)."""

    slot: float
    n_slots: int
    interval_of_slot: np.ndarray
    departments: tuple[str, ...]
    columns: tuple[Column, ...]
    counts: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    clock_start: float = 0.0

    @property
    def pools(self) -> tuple[tuple[str, ...], ...]:
        """The sets of departments that share a shift type, in order of first use."""
        return tuple(dict.fromkeys(c.departments for c in self.columns
                                   if len(c.departments) > 1))


@dataclass(frozen=True)
class Solution:
    """A solved programme.

    Attributes
    ----------
    counts
        Agents per column.
    placements
        Per column, per break, agents per allowed start (aligned with ``Column.breaks``).
    available
        Agents answering each department in each slot (departments x slots).
    cost, bound, gap
        The roster's cost, HiGHS's proven lower bound and the relative gap between them.
    status, seconds
        ``optimal`` (within the gap asked for) or ``time limit``; the solver's time.
    """

    counts: np.ndarray
    placements: tuple[tuple[np.ndarray, ...], ...]
    available: np.ndarray
    cost: float
    bound: float
    gap: float
    status: str
    seconds: float


def _whole(seconds: float) -> int:
    value = round(seconds)
    if abs(value - seconds) > 1e-6:
        raise CoveringError(f"shift times must be whole seconds, got {seconds:g} s")
    return value


def _offset(clock: float, start: float) -> float:
    return (clock - start) % 86400.0


def _shift_times(shift: ShiftType, interval: float, start: float) -> list[float]:
    step = shift.step or interval
    times = [_offset(shift.earliest, start), step, shift.length]
    if shift.latest is not None:
        times.append(_offset(shift.latest, start))
    for b in shift.breaks:
        times += [b.length, b.earliest, b.last, b.step or step]
    return times


def time_slot(scenario: Scenario) -> int:
    """The slot length (s): the gcd of the horizon's and every shift type's times."""
    h = scenario.horizon
    times = [h.duration, h.interval]
    for shift in scenario.shifts.values():
        times += _shift_times(shift, h.interval, h.start)
    return math.gcd(*(_whole(t) for t in times if t > 0))


def _starts(first: float, last: float, step: float) -> list[float]:
    n = int(math.floor((last - first) / step + 1e-9))
    return [first + k * step for k in range(n + 1)]


def shift_cost(scenario: Scenario, shift: ShiftType) -> float:
    """Cost of one shift: ``cost``, else (its wage or its first department's) x paid hours."""
    if shift.cost is not None:
        return shift.cost
    wage = shift.wage_per_hour
    if wage is None:
        wage = scenario.departments[shift.departments[0]].wage_per_hour
    return wage * shift.paid_seconds / 3600.0


def _columns(scenario: Scenario, name: str, shift: ShiftType, slot: int) -> list[Column]:
    h = scenario.horizon
    step = shift.step or h.interval
    first = _offset(shift.earliest, h.start)
    last = first if shift.latest is None else _offset(shift.latest, h.start)
    length = round(shift.length / slot)
    out = []
    for begin in _starts(first, last, step):
        s = round(begin / slot)
        breaks = tuple(tuple(s + round(t / slot) for t in _starts(b.earliest, b.last,
                                                                  b.step or step))
                       for b in shift.breaks)
        out.append(Column(name, shift.departments, s, s + length, shift_cost(scenario, shift),
                          shift.paid_seconds / 3600.0, breaks,
                          tuple(round(b.length / slot) for b in shift.breaks)))
    return out


def programme(scenario: Scenario) -> Programme:
    """Every shift type of ``scenario`` at every allowed start, with its break placements.

    Raises
    ------
    CoveringError
        No shift types, times off whole seconds, or a grid or programme too large.
    """
    if not scenario.shifts:
        raise CoveringError("the scenario has no shifts: section (shift types to roster)")
    h = scenario.horizon
    slot = time_slot(scenario)
    n_slots = round(h.duration / slot)
    if n_slots > MAX_ROSTER_SLOTS:
        raise CoveringError(f"the shift times need {slot} s slots, {n_slots} over the "
                            f"horizon, more than {MAX_ROSTER_SLOTS}: use rounder times")
    columns = [c for name, shift in scenario.shifts.items()
               for c in _columns(scenario, name, shift, slot)]
    size = sum(1 + sum(len(b) for b in c.breaks) for c in columns)
    if size > MAX_ROSTER_VARIABLES:
        raise CoveringError(f"the shifts give {size} variables, more than "
                            f"{MAX_ROSTER_VARIABLES}: use fewer starts or break placements")
    of_slot = np.minimum((np.arange(n_slots) * slot) // h.interval,
                         h.n_intervals - 1).astype(np.int64)
    counts = {name: (s.min_count, s.max_count) for name, s in scenario.shifts.items()}
    return Programme(float(slot), n_slots, of_slot, tuple(scenario.departments),
                     tuple(columns), counts, h.start)


@dataclass
class _Layout:
    """Variable numbers: ``x`` per column, ``w`` per column and break, ``y`` per pool."""

    x: list[int]
    w: list[list[list[int]]]
    y: dict[tuple[int, int], list[int]]
    size: int

    @classmethod
    def of(cls, prog: Programme) -> _Layout:
        n = len(prog.columns)
        x, w, at = list(range(n)), [], n
        for c in prog.columns:
            numbers = []
            for starts in c.breaks:
                numbers.append(list(range(at, at + len(starts))))
                at += len(starts)
            w.append(numbers)
        y = {}
        for g, pool in enumerate(prog.pools):
            for d in pool:
                y[(g, prog.departments.index(d))] = list(range(at, at + prog.n_slots))
                at += prog.n_slots
        return cls(x, w, y, at)


def _availability(prog: Programme, lay: _Layout) -> sparse.csr_array:
    """Agents available per owner (departments, then pools) and slot, as a matrix."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    owners = [*((d,) for d in prog.departments), *prog.pools]
    for j, c in enumerate(prog.columns):
        base = owners.index(c.departments) * prog.n_slots
        span = range(base + c.start, base + c.end)
        rows += span
        cols += [lay.x[j]] * len(span)
        vals += [1.0] * len(span)
        for b, starts in enumerate(c.breaks):
            for p, s in enumerate(starts):
                span = range(base + s, base + s + c.break_slots[b])
                rows += span
                cols += [lay.w[j][b][p]] * len(span)
                vals += [-1.0] * len(span)
    for (g, d), ys in lay.y.items():
        pool = (len(prog.departments) + g) * prog.n_slots
        rows += [d * prog.n_slots + u for u in range(prog.n_slots)]
        rows += [pool + u for u in range(prog.n_slots)]
        cols += ys * 2
        vals += [1.0] * prog.n_slots + [-1.0] * prog.n_slots
    shape = (len(owners) * prog.n_slots, lay.size)
    return sparse.csr_array(sparse.coo_array((vals, (rows, cols)), shape=shape))


def _breaks_sum(prog: Programme, lay: _Layout) -> sparse.csr_array:
    """One row per column and break: its placements less the column's agents (= 0)."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    n = 0
    for j, ws in enumerate(lay.w):
        for b in ws:
            rows += [n] * (len(b) + 1)
            cols += [*b, lay.x[j]]
            vals += [1.0] * len(b) + [-1.0]
            n += 1
    return sparse.csr_array(sparse.coo_array((vals, (rows, cols)), shape=(n, lay.size)))


def _count_rows(prog: Programme, lay: _Layout) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
    names = list(prog.counts)
    rows = [names.index(c.shift) for c in prog.columns]
    matrix = sparse.coo_array(([1.0] * len(rows), (rows, lay.x)), shape=(len(names), lay.size))
    low = np.array([float(prog.counts[n][0]) for n in names])
    high = np.array([np.inf if most is None else float(most)
                     for most in (prog.counts[n][1] for n in names)])
    return sparse.csr_array(matrix), low, high


def _check_served(prog: Programme, need: np.ndarray) -> None:
    """Refuse a requirement in a slot where no shift type of the department can be on duty."""
    served = np.zeros(need.shape, dtype=bool)
    for c in prog.columns:
        for d in c.departments:
            served[prog.departments.index(d), c.start:c.end] = True
    lacking = np.argwhere((need > 0) & ~served)
    if len(lacking):
        d, u = lacking[0]
        name = prog.departments[d]
        raise CoveringError(f"{name} needs {need[d, u]:g} agents at "
                            f"{format_clock(u * prog.slot, prog.clock_start)} but no shift type "
                            f"of {name} can be on duty then (see shifts:)")


def solve(prog: Programme, requirement: np.ndarray, time_limit: float = 60.0,
          mip_gap: float = 1e-4) -> Solution:
    """The cheapest roster meeting ``requirement`` (departments x intervals).

    Parameters
    ----------
    prog
        The columns (:func:`programme`).
    requirement
        Agents needed per department (in ``prog.departments`` order) and interval.
    time_limit
        Seconds HiGHS may take; the best roster found by then is returned with its gap.
    mip_gap
        Relative gap at which HiGHS stops (``1e-4``: within 0.01% of the optimum).

    Raises
    ------
    CoveringError
        No roster covers the requirement, or none was found within the time limit.
    """
    per_slot = np.asarray(requirement, dtype=float)[:, prog.interval_of_slot]
    _check_served(prog, per_slot)
    need = per_slot.ravel()
    lay = _Layout.of(prog)
    avail = _availability(prog, lay)
    low = np.concatenate([need, np.zeros(avail.shape[0] - need.size)])
    count, c_low, c_high = _count_rows(prog, lay)
    pairs = _breaks_sum(prog, lay)
    constraints = [LinearConstraint(avail, low, np.inf), LinearConstraint(count, c_low, c_high)]
    if pairs.shape[0]:
        constraints.append(LinearConstraint(pairs, 0.0, 0.0))
    cost = np.zeros(lay.size)
    cost[lay.x] = [c.cost for c in prog.columns]
    began = time.perf_counter()
    res = milp(cost, integrality=np.ones(lay.size), bounds=Bounds(0, np.inf),
               constraints=constraints,
               options={"time_limit": float(time_limit), "mip_rel_gap": float(mip_gap)})
    seconds = time.perf_counter() - began
    if res.x is None:
        raise CoveringError("no roster covers the requirement with these shift types (check "
                            "their windows, breaks and max_count)" if res.status == 2 else
                            f"the solver found no roster: {res.message}")
    return _solution(prog, lay, avail, res, seconds, per_slot)


def _solution(prog: Programme, lay: _Layout, avail: sparse.csr_array, res: OptimizeResult,
              seconds: float, need: np.ndarray) -> Solution:
    values = np.round(np.asarray(res.x)).astype(np.int64)
    n_dept = len(prog.departments)
    rows = np.round(avail @ values.astype(float)).astype(np.int64).reshape(-1, prog.n_slots)
    available = _place_idle(prog, rows[:n_dept], rows[n_dept:], need)
    cost = float(sum(c.cost * values[j] for j, c in enumerate(prog.columns)))
    bound = float(getattr(res, "mip_dual_bound", cost))
    gap = 0.0 if cost <= 0 else (cost - bound) / cost
    gap = 0.0 if gap < 1e-9 else gap  # rounding noise of the bound is no gap
    placements = tuple(tuple(values[np.asarray(b, dtype=np.int64)] for b in ws) for ws in lay.w)
    status = "optimal" if res.status == 0 else "time limit"
    return Solution(values[lay.x], placements, available, cost, bound, gap, status, seconds)


def _place_idle(prog: Programme, available: np.ndarray, idle: np.ndarray, need: np.ndarray
                ) -> np.ndarray:
    """Give each pool's agents the programme left unassigned to its departments.

    One at a time, to the department of the pool with the least surplus in that slot, so the
    coverage counts every agent on the phones.
    """
    available = available.copy()
    for g, pool in enumerate(prog.pools):
        members = np.array([prog.departments.index(d) for d in pool])
        for u in np.flatnonzero(idle[g] > 0):
            for _ in range(int(idle[g, u])):
                d = members[np.argmin(available[members, u] - need[members, u])]
                available[d, u] += 1
    return available


def agent_days(column: Column, placements: Sequence[np.ndarray], count: int
               ) -> list[tuple[tuple[int, ...], int]]:
    """The column's agents grouped by their break starts: ``[(break start slots, agents)]``.

    Each break's placements are listed agent by agent in time order and paired across breaks
    (any pairing is a valid day: break windows do not overlap).
    """
    if count <= 0:
        return []
    lists = [np.repeat(np.asarray(starts), np.asarray(n)) for starts, n
             in zip(column.breaks, placements, strict=True)]
    days: dict[tuple[int, ...], int] = {}
    for agent in range(count):
        key = tuple(int(lst[agent]) for lst in lists)
        days[key] = days.get(key, 0) + 1
    return sorted(days.items())


def available_of(prog: Programme, counts: np.ndarray,
                 placements: Sequence[Sequence[np.ndarray]], requirement: np.ndarray
                 ) -> np.ndarray:
    """Agents answering each department per slot for given counts and break placements.

    Agents of shared shift types go, slot by slot, to the department of their pool with the
    least surplus over ``requirement`` (departments x intervals): for rosters changed outside
    the programme (simulation-based removal of shifts).
    """
    own = np.zeros((len(prog.departments), prog.n_slots), dtype=np.int64)
    pools = np.zeros((len(prog.pools), prog.n_slots), dtype=np.int64)
    for j, c in enumerate(prog.columns):
        row = np.zeros(prog.n_slots, dtype=np.int64)
        row[c.start:c.end] += int(counts[j])
        for b, starts in enumerate(c.breaks):
            for p, s in enumerate(starts):
                row[s:s + c.break_slots[b]] -= int(placements[j][b][p])
        if len(c.departments) == 1:
            own[prog.departments.index(c.departments[0])] += row
        else:
            pools[prog.pools.index(c.departments)] += row
    need = np.asarray(requirement, dtype=float)[:, prog.interval_of_slot]
    return _place_idle(prog, own, pools, need)
