"""Department queue metrics: every caller who joins a department's queue (docs/model.md).

A department's queue is joined by first-queue arrivals (the IVR sent the caller there), by
transferred callers (cold transfers that were not dropped) and by warm callers on hold (the
first agent attached). Callback requests and calls resolved in place by a cross-trained agent
do not join; a warm hold turned callback leaves the queue, unanswered, at the request. Each
join counts once for the department joined, with times measured
from the moment of joining: a transferred caller answered at once by an idle agent joined and
waited zero seconds. These are the numbers staffing targets constrain (docs/model.md).

:func:`queue_table` gives, per department and planning interval of joining, the sums the
metrics are made of; :func:`queue_metrics` turns them into ``offered``, ``service_level``,
``abandon_rate``, ``asa`` and ``wait_mean`` for the whole horizon and per interval. Joins
before ``warmup`` are left out; joins after the horizon (transfers during drain) belong to the
last interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from callsim.analysis.segments import CallArrays, call_arrays, wait_lengths, wait_segments
from callsim.engine.records import Outcome, SimulationResult, Stage, TransferKind

#: Department queue metrics, in output order.
QUEUE_METRICS: tuple[str, ...] = ("offered", "service_level", "abandon_rate", "asa", "wait_mean")

#: The sums each department and interval keeps (counts, and waits in seconds).
_SUMS: tuple[str, ...] = ("offered", "in_sl", "abandoned", "answered", "asa_sum", "wait_sum")

#: Codes as plain ints: an array compared with an enum member converts it every time (3x
#: the cost of the comparison).
_ABANDONED = int(Outcome.ABANDONED)
_DROPPED = int(Outcome.DROPPED)
_AFTER_TRANSFER = int(Stage.AFTER_TRANSFER)
_FIRST_QUEUE = int(Stage.FIRST_QUEUE)
_ON_HOLD = int(Stage.ON_HOLD)
_CALLBACK = int(TransferKind.CALLBACK)
_HOLD_TO_CALLBACK = int(TransferKind.HOLD_TO_CALLBACK)
_IN_PLACE = int(TransferKind.IN_PLACE)


@dataclass(frozen=True)
class QueueJoins:
    """One row per join of a department queue.

    Attributes
    ----------
    department
        Department index joined (``-1`` when unknown).
    join
        Time of joining (s).
    wait
        Time waited in this queue (s): to the answer, the abandonment, or the end of the run.
    answered
        Whether an agent of the department answered the caller from this queue.
    abandoned
        Whether the caller hung up while waiting in this queue (on hold included).
    """

    department: np.ndarray
    join: np.ndarray
    wait: np.ndarray
    answered: np.ndarray
    abandoned: np.ndarray


def queue_joins(c: CallArrays) -> QueueJoins:
    """Every join of a department queue, first queues then transfers.

    A transferred caller joins the resolving department's queue at the transfer time unless the
    cold transfer dropped the call; warm callers wait there on hold. See the module docstring.
    """
    answered1 = ~np.isnan(c.answer)
    abandoned1 = (c.outcome == _ABANDONED) & (c.stage == _FIRST_QUEUE)
    # The second queue's joins are the second waiting segments (wait_segments): not calls
    # resolved in place or written down as callbacks (policy callback). A warm hold turned
    # callback left the queue at the request (hold_end), unanswered from it.
    second = (~np.isnan(wait_segments(c)[1].start)).nonzero()[0]
    wait1, wait2 = wait_lengths(c)  # waits from joining to the answer, the abandonment or the end
    to_callback = c.kind.take(second) == _HOLD_TO_CALLBACK
    answered2 = ~np.isnan(c.answer_after_transfer.take(second)) & ~to_callback
    stage2 = c.stage.take(second)
    abandoned2 = (c.outcome.take(second) == _ABANDONED) & (
        (stage2 == _AFTER_TRANSFER) | (stage2 == _ON_HOLD)
    )
    return QueueJoins(
        department=np.concatenate([c.first_department, c.resolving_department.take(second)]),
        join=np.concatenate([c.arrival, c.transfer.take(second)]),
        wait=np.concatenate([wait1, wait2.take(second)]),
        answered=np.concatenate([answered1, answered2]),
        abandoned=np.concatenate([abandoned1, abandoned2]),
    )


def queue_table(result: SimulationResult, scenario: Any, c: CallArrays | None = None
                ) -> np.ndarray:
    """Sums per department and interval of joining, shape ``(departments, intervals, 6)``.

    The last axis holds ``offered``, answered within the threshold, abandoned, answered, the
    sum of answered callers' waits (s) and the sum of all waits (s). Joins before ``warmup``
    are left out; joins after the horizon count in the last interval.
    """
    c = call_arrays(result, scenario) if c is None else c
    warmup, n_dept = float(result.warmup), len(scenario.departments)
    step, n_int = float(scenario.horizon.interval), scenario.horizon.n_intervals
    threshold = float(scenario.service_level_threshold)
    return c.derived(f"queue_table {warmup} {n_dept} {step} {n_int} {threshold}",
                     lambda c: _queue_table(queue_joins(c), warmup, n_dept, step, n_int,
                                            threshold))


def _queue_table(joins: QueueJoins, warmup: float, n_dept: int, step: float, n_int: int,
                 threshold: float) -> np.ndarray:
    keep = (joins.join >= warmup) & (joins.department >= 0)
    chosen = None if keep.all() else keep.nonzero()[0]  # no warm-up: every join

    def pick(values: np.ndarray) -> np.ndarray:
        return values if chosen is None else values.take(chosen)

    interval = clip(floor_divide(pick(joins.join), step).astype(np.int64), n_int - 1)
    cell = pick(joins.department) * n_int + interval
    wait, answered = pick(joins.wait), pick(joins.answered)
    size = n_dept * n_int

    def count(where: np.ndarray | None = None) -> np.ndarray:
        """Joins per cell (where ``where``): the sums of weights of 1, at a third the cost."""
        chosen = cell if where is None else cell.take(where.nonzero()[0])
        return np.bincount(chosen, minlength=size)[:size]

    def total(weights: np.ndarray) -> np.ndarray:
        return np.bincount(cell, weights=weights, minlength=size)[:size]

    sums = np.empty((size, len(_SUMS)))
    for k, column in enumerate((count(), count(answered & (wait <= threshold)),
                                count(pick(joins.abandoned)), count(answered),
                                total(np.where(answered, wait, 0.0)), total(wait))):
        sums[:, k] = column
    return sums.reshape(n_dept, n_int, len(_SUMS))


def clip(values: np.ndarray, most: int) -> np.ndarray:
    """``np.clip(values, 0, most)`` of integers, in place, at a third of its cost."""
    np.maximum(values, 0, out=values)
    out: np.ndarray = np.minimum(values, most, out=values)
    return out


def floor_divide(values: np.ndarray, step: float) -> np.ndarray:
    """``values // step`` (``step`` > 0) as NumPy gives it, at a fifth of the cost.

    NumPy's float floor division (``fmod`` and corrections) is exact: the floor of the true
    quotient. ``floor(values / step)`` is too wherever the rounded quotient is not a whole
    number (rounding to nearest cannot carry a quotient across a whole number it does not
    land on); where it is one, ``//`` is asked.

    >>> values = np.array([0.0, 1799.9, 1800.0, 5400.5, 0.30000000000000004])
    >>> bool((floor_divide(values, 1800.0) == values // 1800.0).all())
    True
    >>> float(floor_divide(np.array([0.3]), 0.1)[0]), 0.3 // 0.1
    (2.0, 2.0)
    """
    quotient = values / step
    out: np.ndarray = np.floor(quotient)
    whole = out == quotient
    if whole.any():
        out[whole] = values[whole] // step
    return out


def metrics_from_sums(sums: np.ndarray) -> dict[str, np.ndarray]:
    """Queue metrics from sums along the last axis (any leading shape); NaN where none joined."""
    offered, in_sl, abandoned, answered, asa_sum, wait_sum = (
        sums[..., k] for k in range(len(_SUMS)))
    return {
        "offered": offered,
        "service_level": ratio(in_sl, offered),
        "abandon_rate": ratio(abandoned, offered),
        "asa": ratio(asa_sum, answered),
        "wait_mean": ratio(wait_sum, offered),
    }


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator / denominator`` where the denominator is positive, NaN elsewhere."""
    out = np.empty(denominator.shape)
    out.fill(np.nan)  # np.full, without its Python wrapper (this runs 14 times a run)
    quotient: np.ndarray = np.divide(numerator, denominator, out=out, where=denominator > 0)
    return quotient


def queue_metrics(result: SimulationResult, scenario: Any, c: CallArrays | None = None
                  ) -> tuple[dict[str, float], pd.DataFrame]:
    """Department queue metrics of one replication, for the horizon and per interval.

    Parameters
    ----------
    result
        Records of one replication.
    scenario
        The validated scenario (``departments``, ``call_types``, ``horizon``,
        ``service_level_threshold`` (s)).
    c
        The call arrays of ``result`` when already computed.

    Returns
    -------
    tuple[dict[str, float], pandas.DataFrame]
        Flat keys ``departments.<dept>.<metric>`` for the horizon, and a frame indexed by
        interval with columns ``departments.<dept>.<metric>`` too. ``offered`` is a count of joins,
        ``service_level`` and ``abandon_rate`` are shares of all joins, ``asa`` (answered
        joins) and ``wait_mean`` (all joins) are seconds from joining.
    """
    sums = queue_table(result, scenario, c)
    frame = pd.DataFrame(queue_columns(sums, list(scenario.departments)),
                         index=pd.RangeIndex(scenario.horizon.n_intervals, name="interval"))
    return queue_totals(sums, list(scenario.departments)), frame


def queue_totals(sums: np.ndarray, departments: list[str]) -> dict[str, float]:
    """Flat ``departments.<dept>.<metric>`` queue metrics of the horizon (:func:`queue_table`)."""
    horizon = metrics_from_sums(sums.sum(axis=1))
    return {f"departments.{name}.{m}": float(horizon[m][j])
            for j, name in enumerate(departments) for m in QUEUE_METRICS}


def queue_columns(sums: np.ndarray, departments: list[str]) -> dict[str, np.ndarray]:
    """Per-interval queue metrics, columns ``departments.<dept>.<metric>`` (:func:`queue_table`)."""
    per_interval = metrics_from_sums(sums)
    return {f"departments.{name}.{m}": per_interval[m][j]
            for j, name in enumerate(departments) for m in QUEUE_METRICS}
