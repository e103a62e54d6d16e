"""Time segments derived from the per-call records: agents busy, callers waiting.

The engine records timestamps only (``docs/DESIGN.md``, "Derived facts"); this module turns them
into half-open time segments ``[start, stop)`` in seconds, each owned by a department, so that
:mod:`callsim.analysis.metrics` can integrate them over a window or over planning intervals
without a Python loop per call.

Rule for calls still in the system at the end of the run (outcome ``unfinished``, only with
``drain: false``): a step that had started but not ended stops at ``result.end_time``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple, TypeVar, cast

import numpy as np
import pandas as pd

from callsim.engine.records import (
    Outcome,
    Records,
    SimulationResult,
    Table,
    TransferKind,
)
from callsim.scenario.schema import Scenario

T = TypeVar("T")

#: Agent activities, in the order of the per-department busy split.
ACTIVITIES: tuple[str, ...] = ("handling", "identifying", "holding", "handoff", "calling_back",
                               "after_call_work")

#: Transfer kinds whose customer hung up with a callback request (at ``hold_end``).
CALLBACK_KINDS: tuple[int, ...] = (int(TransferKind.CALLBACK), int(TransferKind.HOLD_TO_CALLBACK))

#: Codes as plain ints: an array compared with an enum member converts it every time (3x
#: the cost of the comparison).
_DROPPED = int(Outcome.DROPPED)
_UNFINISHED = int(Outcome.UNFINISHED)
_CALLBACK = int(TransferKind.CALLBACK)
_HOLD_TO_CALLBACK = int(TransferKind.HOLD_TO_CALLBACK)
_IN_PLACE = int(TransferKind.IN_PLACE)
_WARM = int(TransferKind.WARM)
_WARM_TO_COLD = int(TransferKind.WARM_TO_COLD)


@dataclass(frozen=True)
class Segments:
    """Time segments of one activity, each owned by a department.

    Attributes
    ----------
    start, stop
        Segment bounds (s). ``NaN`` bounds mean "no segment" and integrate to zero.
    department
        Department index (position in the scenario's ``departments``) per segment; ``-1`` for a
        department the scenario does not know (ignored).
    """

    start: np.ndarray
    stop: np.ndarray
    department: np.ndarray


@dataclass(frozen=True)
class CallArrays:
    """The call records as numpy arrays, with department and call-type indices resolved."""

    arrival: np.ndarray
    answer: np.ndarray
    transfer: np.ndarray
    hold_end: np.ndarray
    answer_after_transfer: np.ndarray
    handoff_end: np.ndarray
    end: np.ndarray
    kind: np.ndarray
    outcome: np.ndarray
    stage: np.ndarray
    call_type: np.ndarray  # index into scenario.call_types, -1 if unknown
    first_department: np.ndarray  # index into scenario.departments, -1 if unknown
    resolving_department: np.ndarray  # index into scenario.departments, -1 if unknown
    end_time: float
    calling_back: Segments  # agents dialling callbacks (from the activity records)
    customer: np.ndarray  # customer number (first calls in arrival order)
    attempt: np.ndarray  # 1 for a customer's first call, k for their k-th (redials)
    after_call_work: Segments  # agents wrapping up after calls (from the activity records)
    memo: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def unfinished(self) -> np.ndarray:
        """Whether each call was still in the system at the end of the run."""
        found: np.ndarray = self.outcome == _UNFINISHED
        return found

    @cached_property
    def any_unfinished(self) -> bool:
        """Whether any call was still in the system at the end of the run (``drain: false``)."""
        return bool(self.unfinished.any())

    def closed(self, times: np.ndarray) -> np.ndarray:
        """Replace missing stop times of unfinished calls by the end of the run (s)."""
        if not self.any_unfinished:
            return times
        return np.where(np.isnan(times) & self.unfinished, self.end_time, times)

    def derived(self, key: str, make: Callable[[CallArrays], T]) -> T:
        """``make(self)``, computed once per ``key``.

        For what several metrics read (segments, queue joins); the value is shared, not
        copied: do not modify it.
        """
        if key not in self.memo:
            self.memo[key] = make(self)
        return cast("T", self.memo[key])


def times(records: Records, column: str) -> np.ndarray:
    """A time column (s) of a record table as float64 (``NaN`` for a step that did not happen)."""
    if isinstance(records, Table):
        return records.columns[column].astype(np.float64, copy=False)
    values: np.ndarray = records[column].to_numpy(dtype=np.float64, na_value=np.nan)
    return values


def codes(records: Records, column: str, names: list[str]) -> np.ndarray:
    """A department or call-type column as positions in ``names`` (``-1``: not among them).

    The engine's tables already hold positions in the scenario's lists: they are used as they
    are when the names agree, and mapped name by name otherwise.
    """
    if not isinstance(records, Table):
        found: np.ndarray = pd.Categorical(records[column], categories=names).codes
        return found.astype(np.int64)
    own = records.names[column]
    values = records.columns[column].astype(np.int64)
    if own == names:
        return values
    position = np.array([names.index(x) if x in names else -1 for x in own] + [-1], dtype=np.int64)
    mapped: np.ndarray = position[values]  # a code of -1 reads the trailing -1
    return mapped


def _integers(records: Records, column: str, default: np.ndarray | None = None) -> np.ndarray:
    """An integer column, or ``default`` when the table has no such column.

    The engine's columns are used as they are (small integers, no copy: what a run's derived
    values keep in memory is what the next run's analysis touches fresh); a DataFrame's as int64.
    """
    if default is not None and column not in records:
        return default
    if isinstance(records, Table):
        return records.columns[column]
    values: np.ndarray = records[column].to_numpy(dtype=np.int64)
    return values


def call_arrays(result: SimulationResult, scenario: Scenario) -> CallArrays:
    """The call records as arrays, with department and call-type indices resolved.

    Parameters
    ----------
    result
        One replication's records.
    scenario
        Anything with ``departments`` (mapping of names) and ``call_types`` (mapping of names to
        objects with ``resolved_by``).

    Returns
    -------
    CallArrays
        Times in seconds; codes as small integers. Built once per result and set of names
        (kept in ``result.derived``), so the metrics and the interval profile of a run share
        them and what they derive (:meth:`CallArrays.derived`).
    """
    key = ("call_arrays", tuple(scenario.departments),
           tuple((name, ct.resolved_by) for name, ct in scenario.call_types.items()))
    found = result.derived.get(key)
    if not isinstance(found, CallArrays):
        found = result.derived[key] = _call_arrays(result, scenario)
    return found


def _call_arrays(result: SimulationResult, scenario: Scenario) -> CallArrays:
    calls = result.call_records
    departments = list(scenario.departments)
    type_idx = codes(calls, "call_type", list(scenario.call_types))
    resolver_of_type = np.array(
        [
            departments.index(ct.resolved_by) if ct.resolved_by in departments else -1
            for ct in scenario.call_types.values()
        ]
        + [-1],
        dtype=np.int64,
    )
    n = len(type_idx)
    return CallArrays(
        arrival=times(calls, "arrival"),
        answer=times(calls, "answer"),
        transfer=times(calls, "transfer"),
        hold_end=times(calls, "hold_end"),
        answer_after_transfer=times(calls, "answer_after_transfer"),
        handoff_end=times(calls, "handoff_end"),
        end=times(calls, "end"),
        kind=_integers(calls, "transfer_kind"),
        outcome=_integers(calls, "outcome"),
        stage=_integers(calls, "abandon_stage"),
        call_type=type_idx,
        first_department=codes(calls, "first_department", departments),
        resolving_department=resolver_of_type[type_idx],  # -1 indexes the trailing -1
        end_time=float(result.end_time),
        calling_back=_activity(result, departments, "calling_back"),
        customer=_integers(calls, "customer", np.arange(n, dtype=np.int64)),
        attempt=_integers(calls, "attempt", np.ones(n, dtype=np.int64)),
        after_call_work=_activity(result, departments, "after_call_work"),
    )


def _activity(result: SimulationResult, departments: list[str], name: str) -> Segments:
    """The segments of one logged agent activity (``result.activity_records``)."""
    log = result.activity_records
    if isinstance(log, Table):
        rows = log.columns["activity"] == name
        return Segments(times(log, "start")[rows], times(log, "end")[rows],
                        codes(log, "department", departments)[rows])
    rows = log[log["activity"] == name] if len(log) else log
    return Segments(times(rows, "start"), times(rows, "end"),
                    codes(rows, "department", departments))


def _first_valid(*columns: np.ndarray) -> np.ndarray:
    """Element-wise first non-NaN value among ``columns`` (NaN if all are NaN)."""
    out = columns[0].copy()
    for column in columns[1:]:
        out = np.where(np.isnan(out), column, out)
    return out


def busy_covering(c: CallArrays) -> dict[str, list[Segments]]:
    """:func:`busy_segments` keeping only segments that cover time (:func:`covering`).

    Sums over them equal those over all segments bit for bit: what is left out adds zeros.
    Computed once per ``c``.
    """
    def make(c: CallArrays) -> dict[str, list[Segments]]:
        # The segments themselves are not kept (unless asked for): only what covers time is.
        every = c.memo.get("busy_segments") or _busy_segments(c)
        return {activity: covering(segs) for activity, segs in cast(
            "dict[str, list[Segments]]", every).items()}

    return c.derived("busy_covering", make)


def busy_segments(c: CallArrays) -> dict[str, list[Segments]]:
    """Agent busy segments per activity (both agents of a call).

    Parameters
    ----------
    c
        Call arrays from :func:`call_arrays`.

    Returns
    -------
    dict[str, list[Segments]]
        For each name in :data:`ACTIVITIES`, the segments (s) of the first and, where there is
        one, the second agent (computed once per ``c``; shared, not to be modified).
    """
    return c.derived("busy_segments", _busy_segments)


def _busy_segments(c: CallArrays) -> dict[str, list[Segments]]:
    answered = ~np.isnan(c.answer)
    misrouted = c.first_department != c.resolving_department
    nan = np.full_like(c.answer, np.nan)
    warm = c.kind == _WARM
    held = warm | (c.kind == _WARM_TO_COLD) | (c.kind == _HOLD_TO_CALLBACK)
    # First agent: resolves the call itself, or identifies and transfers it (or, cross-trained,
    # resolves it in place after identifying: handling from the end of identification).
    in_place = c.kind == _IN_PLACE
    handle1_stop = np.where(answered & ~misrouted, c.closed(c.end), nan)
    identify_stop = np.where(answered & misrouted, c.closed(c.transfer), nan)
    noting = c.kind == _CALLBACK  # writing a callback request down: identifying
    # Holding ends at the release (an immediate handoff: hold_end == answer_after_transfer).
    hold_stop = _first_valid(c.hold_end, np.where(warm, c.answer_after_transfer, nan),
                             c.closed(c.end))
    hold_stop = np.where(held, hold_stop, nan)
    # Handoff (warm only): both agents together.
    handoff = warm & ~np.isnan(c.answer_after_transfer)
    handoff_stop = np.where(handoff, c.closed(c.handoff_end), nan)
    # Second agent handles after the handoff (warm) or from answering (cold, warm turned cold).
    answered2 = ~np.isnan(c.answer_after_transfer)
    handle2_start = np.where(warm, c.closed(c.handoff_end), c.answer_after_transfer)
    handle2_stop = np.where(answered2, c.closed(c.end), nan)

    first, second = c.first_department, c.resolving_department
    handling = [Segments(c.answer, handle1_stop, first),
                Segments(handle2_start, handle2_stop, second)]
    identifying = [Segments(c.answer, identify_stop, first)]
    # Section 4 segments only where they occur (the common case stays fast).
    _add_first_agent(handling, in_place, c.transfer, c.closed(c.end), first)
    _add_first_agent(identifying, noting, c.transfer, c.closed(c.hold_end), first)
    return {
        "handling": handling,
        "identifying": identifying,
        "holding": [Segments(np.where(held, c.transfer, nan), hold_stop, first)],
        "handoff": [
            Segments(c.answer_after_transfer, handoff_stop, first),
            Segments(c.answer_after_transfer, handoff_stop, second),
        ],
        "calling_back": [c.calling_back], "after_call_work": [c.after_call_work],
    }


def _add_first_agent(segments: list[Segments], where: np.ndarray, start: np.ndarray,
                     stop: np.ndarray, department: np.ndarray) -> None:
    """Append the first agent's segments ``[start, stop)`` of the calls ``where`` is true."""
    if where.any():
        nan = np.nan
        segments.append(Segments(np.where(where, start, nan), np.where(where, stop, nan),
                                 department))


def wait_segments(c: CallArrays) -> tuple[Segments, Segments]:
    """Caller waiting segments: first queue, then the resolving department's queue.

    The first wait runs from arrival to the first answer (or the abandonment, or the end of the
    run for unfinished callers) in the IVR department's queue. The second wait, for transferred
    calls that were not dropped (calls resolved in place were not transferred), runs from the
    transfer to ``answer_after_transfer`` (or the abandonment after transfer or on hold, or the
    end of the run) in the resolving department's queue; a warm hold is part of it. A callback
    customer waits on the line only until the request (``policy: callback``: not at all; a warm
    hold turned callback: until ``hold_end``): waiting for the call back is not waiting in a queue.

    Returns
    -------
    tuple[Segments, Segments]
        First-queue and second-queue segments (s), computed once per ``c``.
    """
    return c.derived("wait_segments", _wait_segments)


def wait_lengths(c: CallArrays) -> tuple[np.ndarray, np.ndarray]:
    """Per call, the time (s) waited in the first queue and in the second (0 where none).

    The lengths of :func:`wait_segments`, computed once per ``c`` (shared: do not modify): the
    total wait of each call and the wait of each queue join are made of them.
    """
    def make(c: CallArrays) -> tuple[np.ndarray, np.ndarray]:
        first, second = wait_segments(c)
        return nan_to_zero(first.stop - first.start), nan_to_zero(second.stop - second.start)

    return c.derived("wait_lengths", make)


def _wait_segments(c: CallArrays) -> tuple[Segments, Segments]:
    end_or_now = c.closed(c.end)
    first = Segments(c.arrival, _first_valid(c.answer, end_or_now), c.first_department)
    kind = c.kind
    second_queue = (
        ~np.isnan(c.transfer) & (c.outcome != _DROPPED) & (kind != _IN_PLACE)
        & (kind != _CALLBACK)
    )
    start2 = np.where(second_queue, c.transfer, np.nan)
    # A warm hold turned callback waited until the request (hold_end), then was off the line.
    stop = np.where(kind == _HOLD_TO_CALLBACK, c.closed(c.hold_end),
                    _first_valid(c.answer_after_transfer, end_or_now))
    stop2 = np.where(second_queue, stop, np.nan)
    return first, Segments(start2, stop2, c.resolving_department)


def overlap(start: np.ndarray, stop: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Length (s) of each segment's overlap with the window ``[lo, hi]``; NaN segments give 0."""
    length = np.minimum(stop, hi) - np.maximum(start, lo)
    covered: np.ndarray = np.fmax(length, 0.0)  # fmax: NaN (no segment) gives 0 too
    return covered


class SetTable(NamedTuple):
    """Many sets of segments as one: what :func:`totals_by_set` sums in one pass.

    Attributes
    ----------
    names
        The name of each set (e.g. its activity), in order; a name may repeat.
    start, stop
        Every set's segments, set after set, of known departments only.
    cell
        ``set number * n_departments + department`` per segment.
    n_departments
        The number of departments.
    """

    names: tuple[str, ...]
    start: np.ndarray
    stop: np.ndarray
    cell: np.ndarray
    n_departments: int


def set_table(sets: dict[str, list[Segments]], n_departments: int) -> SetTable:
    """The sets of ``sets`` (name -> sets; empty sets left out) as one :class:`SetTable`."""
    chosen = [(name, seg) for name, segs in sets.items() for seg in segs if seg.start.size]
    if not chosen:
        empty = np.zeros(0)
        return SetTable((), empty, empty, np.zeros(0, dtype=np.int64), n_departments)
    department = np.concatenate([seg.department for _, seg in chosen])
    number = np.repeat(np.arange(len(chosen)) * n_departments,
                       [seg.start.size for _, seg in chosen])
    start = np.concatenate([seg.start for _, seg in chosen])
    stop = np.concatenate([seg.stop for _, seg in chosen])
    if department.min() < 0:  # segments of departments the scenario does not know
        known = (department >= 0).nonzero()[0]
        start, stop = start.take(known), stop.take(known)
        department, number = department.take(known), number.take(known)
    return SetTable(tuple(name for name, _ in chosen), start, stop, number + department,
                    n_departments)


def totals_by_set(table: SetTable, lo: float, hi: float) -> np.ndarray:
    """Per set and department, the sum of the overlaps of its segments with ``[lo, hi]`` (s).

    Shape ``(sets, n_departments)``: each row bit for bit what one ``np.bincount`` of the set
    alone gives (a bin's weights are summed in the segments' order, set after set).
    """
    size = len(table.names) * table.n_departments
    totals = np.bincount(table.cell, weights=overlap(table.start, table.stop, lo, hi),
                         minlength=size)
    return totals.reshape(len(table.names), table.n_departments)


def any_of(values: np.ndarray, codes: Iterable[int]) -> np.ndarray:
    """Whether each value is one of a few ``codes`` (``np.isin`` for small sets, faster)."""
    out = np.zeros(values.shape, dtype=bool)
    for code in codes:
        out |= values == code
    return out


def nan_to_zero(values: np.ndarray) -> np.ndarray:
    """``values`` with NaN replaced by 0 (times here are finite: no infinities to replace)."""
    out: np.ndarray = np.where(np.isnan(values), 0.0, values)
    return out


def cumulative_time(start: np.ndarray, stop: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Total covered time of the segments before each instant in ``at`` (s).

    ``F(t) = sum_i (min(t, stop_i) - min(t, start_i))`` computed with sorted bounds and
    cumulative sums, so overlaps with many intervals cost ``O((n + m) log n)``.
    Differences ``F(b) - F(a)`` give the time integral over ``[a, b]``.
    """
    valid = ~(np.isnan(start) | np.isnan(stop)) & (stop > start)
    return _cumulative(start[valid], stop[valid], at)


def _cumulative(start: np.ndarray, stop: np.ndarray, at: np.ndarray) -> np.ndarray:
    """:func:`cumulative_time` of segments known to cover time (no NaN, stop after start).

    ``start`` and ``stop`` are sorted in place: its callers pass copies of their own. They
    are sorted with NumPy's stable sort: segments come in call order, so their bounds are
    nearly sorted already, which it sorts up to 10x faster than the default quicksort (and a
    sorted array is the same whichever sort made it). Array methods, not the ``np.``
    functions: this runs a dozen times per run on short arrays, where each call's overhead
    is most of its cost.
    """
    start.sort(kind="stable")
    stop.sort(kind="stable")
    cs = np.empty(len(start) + 1)
    cs[0] = 0.0
    start.cumsum(out=cs[1:])
    ce = np.empty(len(stop) + 1)
    ce[0] = 0.0
    stop.cumsum(out=ce[1:])
    ns = start.searchsorted(at, side="right")
    ne = stop.searchsorted(at, side="right")
    covered: np.ndarray = (ns * at - cs[ns]) - (ne * at - ce[ne])
    return covered


def covering(sets: Iterable[Segments]) -> list[Segments]:
    """The segments of each set that cover some time (both bounds known, stop after start).

    A set whose every segment does is given back as it is (its arrays shared, not copied).
    """
    out = []
    for seg in sets:
        valid = (seg.stop > seg.start).nonzero()[0]  # not where either bound is NaN
        out.append(seg if valid.size == seg.start.size else Segments(
            seg.start.take(valid), seg.stop.take(valid), seg.department.take(valid)))
    return out


def interval_times(groups: Sequence[Sequence[Segments]], n_departments: int,
                   bounds: np.ndarray) -> list[np.ndarray]:
    """Time (s) each group's segments cover per department and interval of ``bounds``.

    ``groups`` are lists of sets from :func:`covering`. For each group, an array of shape
    ``(n_departments, len(bounds) - 1)``: per department, the sum over the group's sets in their
    order of each set's share, the difference of :func:`cumulative_time` at the bounds (a set
    without segments of the department adds nothing). Bit for bit one :func:`cumulative_time`
    per set and department, with the steps that follow the sorts and sums done for all of
    them at once.
    """
    which, starts, stops = [], [], []
    for g, sets in enumerate(groups):
        for seg in sets:
            left = seg.start.size  # segments of departments still to be looked at
            for j in range(n_departments if left else 0):
                mine = (seg.department == j).nonzero()[0]
                if mine.size == seg.start.size:  # a set of one department (most are)
                    which.append((g, j))
                    starts.append(seg.start.copy())
                    stops.append(seg.stop.copy())
                elif mine.size:
                    which.append((g, j))
                    starts.append(seg.start.take(mine))
                    stops.append(seg.stop.take(mine))
                left -= mine.size
                if not left:
                    break
    totals = [np.zeros((n_departments, len(bounds) - 1)) for _ in groups]
    if which:
        covered = _sums_below(starts, bounds) - _sums_below(stops, bounds)
        share = covered[:, 1:] - covered[:, :-1]  # np.diff, without its overhead
        for (g, j), row in zip(which, share, strict=True):
            totals[g][j] += row
    return totals


def _sums_below(sets: list[np.ndarray], at: np.ndarray) -> np.ndarray:
    """Per set (a row each), ``sum(max(at - x, 0) for x in set)`` at every ``at``.

    As :func:`_cumulative` computes it (``n * at - cumsum[n]``, ``n`` the values at or below
    ``at``, summed in sorted order): each set is sorted in place (its caller's copy) and summed.
    """
    below = np.empty((len(sets), len(at)), dtype=np.int64)
    sums = []
    for k, values in enumerate(sets):
        values.sort(kind="stable")  # nearly sorted: see _cumulative
        below[k] = values.searchsorted(at, side="right")
        sums.append(values.cumsum())
    last = np.maximum(below - 1, 0)
    summed = np.array([total[i] for total, i in zip(sums, last, strict=True)])
    out: np.ndarray = below * at - np.where(below > 0, summed, 0.0)
    return out
