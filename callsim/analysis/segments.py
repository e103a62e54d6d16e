"""Time segments derived from the per-call records: agents busy, callers waiting.

The engine records timestamps only (``docs/DESIGN.md``, "Derived facts"); this module turns them
into half-open time segments ``[start, stop)`` in seconds, each owned by a department, so that
:mod:`callsim.analysis.metrics` can integrate them over a window or over planning intervals
without a Python loop per call.

Rule for calls still in the system at the end of the run (outcome ``unfinished``, only with
``drain: false``): a step that had started but not ended stops at ``result.end_time``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from callsim.engine.records import Outcome, SimulationResult, TransferKind
from callsim.scenario.schema import Scenario

#: Agent activities, in the order of the per-department busy split.
ACTIVITIES: tuple[str, ...] = ("handling", "identifying", "holding", "handoff", "calling_back",
                               "after_call_work")

#: Transfer kinds whose customer hung up with a callback request (at ``hold_end``).
CALLBACK_KINDS: tuple[int, ...] = (TransferKind.CALLBACK, TransferKind.HOLD_TO_CALLBACK)


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

    def closed(self, times: np.ndarray) -> np.ndarray:
        """Replace missing stop times of unfinished calls by the end of the run (s)."""
        missing = np.isnan(times) & (self.outcome == Outcome.UNFINISHED)
        return np.where(missing, self.end_time, times)


def _time(calls: pd.DataFrame, column: str) -> np.ndarray:
    times: np.ndarray = calls[column].to_numpy(dtype=np.float64, na_value=np.nan)
    return times


def call_arrays(result: SimulationResult, scenario: Scenario) -> CallArrays:
    """Convert ``result.calls`` to arrays and resolve department indices.

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
        Times in seconds; codes as small integers.
    """
    calls = result.calls
    departments = list(scenario.departments)
    types = list(scenario.call_types)
    type_idx = pd.Categorical(calls["call_type"], categories=types).codes.astype(np.int64)
    first = pd.Categorical(calls["first_department"], categories=departments).codes
    resolver_of_type = np.array(
        [
            departments.index(ct.resolved_by) if ct.resolved_by in departments else -1
            for ct in scenario.call_types.values()
        ]
        + [-1],
        dtype=np.int64,
    )
    return CallArrays(
        arrival=_time(calls, "arrival"),
        answer=_time(calls, "answer"),
        transfer=_time(calls, "transfer"),
        hold_end=_time(calls, "hold_end"),
        answer_after_transfer=_time(calls, "answer_after_transfer"),
        handoff_end=_time(calls, "handoff_end"),
        end=_time(calls, "end"),
        kind=calls["transfer_kind"].to_numpy(dtype=np.int64),
        outcome=calls["outcome"].to_numpy(dtype=np.int64),
        stage=calls["abandon_stage"].to_numpy(dtype=np.int64),
        call_type=type_idx,
        first_department=first.astype(np.int64),
        resolving_department=resolver_of_type[type_idx],  # -1 indexes the trailing -1
        end_time=float(result.end_time),
        calling_back=_activity(result, departments, "calling_back"),
        customer=(calls["customer"].to_numpy(dtype=np.int64) if "customer" in calls
                  else np.arange(len(calls), dtype=np.int64)),
        attempt=(calls["attempt"].to_numpy(dtype=np.int64) if "attempt" in calls
                 else np.ones(len(calls), dtype=np.int64)),
        after_call_work=_activity(result, departments, "after_call_work"),
    )


def _activity(result: SimulationResult, departments: list[str], name: str) -> Segments:
    """The segments of one logged agent activity (``result.activity``)."""
    log = result.activity
    rows = log[log["activity"] == name] if len(log) else log
    dept = pd.Categorical(rows["department"], categories=departments).codes.astype(np.int64)
    return Segments(_time(rows, "start"), _time(rows, "end"), dept)


def _first_valid(*columns: np.ndarray) -> np.ndarray:
    """Element-wise first non-NaN value among ``columns`` (NaN if all are NaN)."""
    out = columns[0].copy()
    for column in columns[1:]:
        out = np.where(np.isnan(out), column, out)
    return out


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
        one, the second agent.
    """
    answered = ~np.isnan(c.answer)
    misrouted = c.first_department != c.resolving_department
    nan = np.full_like(c.answer, np.nan)
    warm = c.kind == TransferKind.WARM
    held = warm | np.isin(c.kind, (TransferKind.WARM_TO_COLD, TransferKind.HOLD_TO_CALLBACK))
    # First agent: resolves the call itself, or identifies and transfers it (or, cross-trained,
    # resolves it in place after identifying: handling from the end of identification).
    in_place = c.kind == TransferKind.IN_PLACE
    handle1_stop = np.where(answered & ~misrouted, c.closed(c.end), nan)
    identify_stop = np.where(answered & misrouted, c.closed(c.transfer), nan)
    noting = c.kind == TransferKind.CALLBACK  # writing a callback request down: identifying
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
        First-queue and second-queue segments (s).
    """
    end_or_now = c.closed(c.end)
    first = Segments(c.arrival, _first_valid(c.answer, end_or_now), c.first_department)
    kind = c.kind
    second_queue = (
        ~np.isnan(c.transfer) & (c.outcome != Outcome.DROPPED) & (kind != TransferKind.IN_PLACE)
        & (kind != TransferKind.CALLBACK)
    )
    start2 = np.where(second_queue, c.transfer, np.nan)
    # A warm hold turned callback waited until the request (hold_end), then was off the line.
    stop = np.where(kind == TransferKind.HOLD_TO_CALLBACK, c.closed(c.hold_end),
                    _first_valid(c.answer_after_transfer, end_or_now))
    stop2 = np.where(second_queue, stop, np.nan)
    return first, Segments(start2, stop2, c.resolving_department)


def overlap(start: np.ndarray, stop: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Length (s) of each segment's overlap with the window ``[lo, hi]``; NaN segments give 0."""
    length = np.minimum(stop, hi) - np.maximum(start, lo)
    covered: np.ndarray = np.nan_to_num(np.clip(length, 0.0, None), nan=0.0)
    return covered


def total_by_department(seg: Segments, lo: float, hi: float, n_departments: int) -> np.ndarray:
    """Sum of the overlaps of ``seg`` with ``[lo, hi]`` per department (s)."""
    known = seg.department >= 0
    totals = np.bincount(
        seg.department[known],
        weights=overlap(seg.start[known], seg.stop[known], lo, hi),
        minlength=n_departments,
    )
    return totals[:n_departments]


def cumulative_time(start: np.ndarray, stop: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Total covered time of the segments before each instant in ``at`` (s).

    ``F(t) = sum_i (min(t, stop_i) - min(t, start_i))`` computed with sorted bounds and
    cumulative sums, so overlaps with many intervals cost ``O((n + m) log n)``.
    Differences ``F(b) - F(a)`` give the time integral over ``[a, b]``.
    """
    valid = ~(np.isnan(start) | np.isnan(stop)) & (stop > start)
    s, e = np.sort(start[valid]), np.sort(stop[valid])
    cs = np.concatenate(([0.0], np.cumsum(s)))
    ce = np.concatenate(([0.0], np.cumsum(e)))
    ns = np.searchsorted(s, at, side="right")
    ne = np.searchsorted(e, at, side="right")
    covered: np.ndarray = (ns * at - cs[ns]) - (ne * at - ce[ne])
    return covered
