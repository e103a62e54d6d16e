"""Every number of docs/model.md section 5, derived from one replication's records.

:func:`compute_metrics` returns a flat ``{key: float}`` dict whose keys are
``overall.<metric>``, ``call_types.<type>.<metric>``, ``departments.<dept>.<metric>`` and
``costs.<metric>``; the metric names are in :data:`METRIC_NAMES`. :func:`interval_metrics`
gives the same kind of numbers per planning interval.

Times are seconds, agent time is hours, costs are in the scenario's currency. The definitions
(and the choices where the spec is silent) are listed in ``docs/DESIGN.md`` and in the
docstrings below. Per-call metrics count calls that arrived at or after ``warmup``; agent time
counts every call but only inside the statistics window ``[warmup, end_time]``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from callsim.analysis.extensions import (
    EXTENSION_CALL_METRICS,
    LOST_OUTCOMES,
    extension_group_metrics,
    lost_customers,
)
from callsim.analysis.queues import (
    QUEUE_METRICS,
    clip,
    queue_columns,
    queue_table,
    queue_totals,
    ratio,
)
from callsim.analysis.segments import (
    ACTIVITIES,
    CallArrays,
    Segments,
    busy_covering,
    call_arrays,
    codes,
    covering,
    interval_times,
    set_table,
    times,
    totals_by_set,
    wait_lengths,
    wait_segments,
)
from callsim.engine.records import Outcome, SimulationResult, Stage, TransferKind
from callsim.scenario.schema import Scenario

#: Per-call metrics, for ``overall`` and for each call type (docs/model.md section 5).
CALL_METRICS: tuple[str, ...] = (
    "calls",
    "abandon_rate",
    "drop_rate",
    "lost_rate",
    "wait_mean",
    "wait_p90",
    "asa",
    "service_level",
    "resolution_time_mean",
    "transfers_cold",
    "transfers_warm",
    "abandon_rate_first_queue",
    "abandon_rate_after_transfer",
    "abandon_rate_on_hold",
    "transfers_hold_timeout",
    "unfinished_rate",
    *EXTENSION_CALL_METRICS,
)

#: Per-department metrics (agent time in hours, cost in currency).
DEPARTMENT_METRICS: tuple[str, ...] = (
    "occupancy",
    *ACTIVITIES,
    "agent_hours",
    "busy_hours",
    "staff_cost",
    *QUEUE_METRICS,
)

#: Cost metrics of the whole center (currency).
COST_METRICS: tuple[str, ...] = (
    "staff_cost",
    "transfer_agent_cost",
    "lost_call_cost",
    "total_cost",
)

#: Metric names per output group; ``call_types`` and ``departments`` are keyed by name too.
METRIC_NAMES: dict[str, tuple[str, ...]] = {
    "overall": CALL_METRICS,
    "call_types": CALL_METRICS,
    "departments": DEPARTMENT_METRICS,
    "costs": COST_METRICS,
}

#: Agent activities spent on misrouted calls (priced in ``costs.transfer_agent_cost``).
TRANSFER_ACTIVITIES: tuple[str, ...] = ("identifying", "holding", "handoff")

_HOUR = 3600.0


def metric_keys(scenario: Scenario) -> list[str]:
    """All flat keys :func:`compute_metrics` returns for ``scenario``, in output order."""
    keys = [f"overall.{m}" for m in CALL_METRICS]
    keys += [f"call_types.{t}.{m}" for t in scenario.call_types for m in CALL_METRICS]
    keys += [f"departments.{d}.{m}" for d in scenario.departments for m in DEPARTMENT_METRICS]
    keys += [f"costs.{m}" for m in COST_METRICS]
    return keys


def _share(count: int, n: int) -> float:
    return float(count) / n if n else float("nan")


def _mean(values: np.ndarray) -> float:
    """``values.mean()``, bit for bit (NumPy's sum divided by the count), without its overhead."""
    return float(values.sum()) / values.size if values.size else float("nan")


def percentile(values: np.ndarray, q: float) -> float:
    """``np.percentile(values, q)`` of a non-empty float array, bit for bit, at a fifth the cost.

    NumPy's default (``linear``) method, its steps in its order: the virtual index
    ``(n - 1) * (q / 100)``, the two order statistics around it (a partition), and NumPy's
    interpolation ``a + (b - a) * g``, or ``b - (b - a) * (1 - g)`` when ``g >= 0.5``; NaN if
    any value is NaN. ``np.percentile`` spends about 50 us per call around that (3,000
    values: 58 us against 12 us), more than the other per-call metrics of a call group.

    >>> values = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0])
    >>> percentile(values, 90), float(np.percentile(values, 90))
    (6.600000000000001, 6.600000000000001)
    """
    n = values.size
    virtual = (n - 1) * (q / 100)
    below = math.floor(virtual)
    above = n - 1 if virtual >= n - 1 else below + 1
    below = min(below, n - 1)
    ordered = np.partition(values, (below, above)) if n > 1 else values
    if math.isnan(ordered.max()):
        return float("nan")
    a, b = float(ordered[below]), float(ordered[above])
    gamma = virtual - math.floor(virtual)
    diff = b - a
    return b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma


def call_waits(c: CallArrays) -> np.ndarray:
    """Total waiting time per call (s): first queue plus second queue (warm hold included).

    Unfinished callers (``drain: false``) are counted up to the end of the run (censored).
    Computed once per ``c`` (shared: do not modify).
    """
    return c.derived("call_waits", _call_waits)


def _call_waits(c: CallArrays) -> np.ndarray:
    w1, w2 = wait_lengths(c)
    total: np.ndarray = w1 + w2
    return total


@dataclass(frozen=True)
class _CallGroups:
    """The counted calls of a run, overall and per call type, for :func:`_call_group`.

    Counts come from one ``np.bincount`` per code column over all groups; the values averaged
    (waits, times) are taken by each group's positions, so each group keeps the call order and
    its means and percentiles equal those of the calls selected one group at a time.

    Attributes
    ----------
    n
        Calls per group (group 0 overall, then one per call type).
    outcome, stage, kind
        Calls per group and code, shape ``(groups, codes)``.
    in_sl
        Calls per group answered by the first agent within the threshold.
    wait, first_wait, resolution, outcomes
        Per group, the calls' total waits, first waits (NaN when never answered), times from
        arrival to end, and outcome codes, in call order.
    """

    n: list[int]
    outcome: list[list[int]]
    stage: list[list[int]]
    kind: list[list[int]]
    in_sl: list[int]
    wait: list[np.ndarray]
    first_wait: list[np.ndarray]
    resolution: list[np.ndarray]
    outcomes: list[np.ndarray]

    @staticmethod
    def of(c: CallArrays, wait: np.ndarray, counted: np.ndarray, n_types: int,
           threshold: float) -> _CallGroups:
        """Split the counted calls of ``c`` into overall and per call type."""
        every = bool(counted.all())  # no warm-up: no selection to copy

        def pick(values: np.ndarray) -> np.ndarray:
            return values if every else values[counted]

        group = pick(c.call_type) + 1  # 0: a type the scenario does not know
        arrival, outcome = pick(c.arrival), pick(c.outcome)
        first_wait = pick(c.answer) - arrival
        n = np.bincount(group, minlength=n_types + 1)
        members = [(group == k).nonzero()[0] for k in range(1, n_types + 1)]

        def split(values: np.ndarray) -> list[np.ndarray]:
            return [values, *(values.take(m) for m in members)]

        # Within the threshold (a NaN first wait, never answered, compares false).
        in_sl = np.bincount(group.take((first_wait <= threshold).nonzero()[0]),
                            minlength=n_types + 1)
        return _CallGroups(
            n=[int(n.sum()), *n[1:].tolist()],
            outcome=_tally(group, outcome, n_types),
            stage=_tally(group, pick(c.stage), n_types),
            kind=_tally(group, pick(c.kind), n_types),
            in_sl=[int(in_sl.sum()), *in_sl[1:].tolist()],
            wait=split(pick(wait)),
            first_wait=split(first_wait),
            resolution=split(pick(c.end) - arrival),
            outcomes=split(outcome),
        )


def _tally(group: np.ndarray, codes: np.ndarray, n_types: int) -> list[list[int]]:
    """Calls per group and code: overall, then each call type (a row per group)."""
    width = int(codes.max()) + 1 if codes.size else 1
    size = (n_types + 1) * width
    table = np.bincount(group * width + codes, minlength=size)[:size].reshape(-1, width)
    rows: list[list[int]] = [table.sum(axis=0).tolist(), *table[1:].tolist()]
    return rows


def _count(row: list[int], *codes: int) -> int:
    """Calls of a group's tally ``row`` with any of ``codes``."""
    return sum(row[code] for code in codes if code < len(row))


#: Codes as plain ints (an enum member lookup per metric and group cost more than the count).
_RESOLVED, _ABANDONED, _DROPPED, _UNFINISHED = (
    int(Outcome.RESOLVED), int(Outcome.ABANDONED), int(Outcome.DROPPED), int(Outcome.UNFINISHED))
_LOST = tuple(int(o) for o in LOST_OUTCOMES)
_COLD, _WARM, _WARM_TO_COLD = (
    int(TransferKind.COLD), int(TransferKind.WARM), int(TransferKind.WARM_TO_COLD))
_FIRST_QUEUE, _AFTER_TRANSFER, _ON_HOLD = (
    int(Stage.FIRST_QUEUE), int(Stage.AFTER_TRANSFER), int(Stage.ON_HOLD))


def _call_group(groups: _CallGroups, g: int) -> dict[str, float]:
    """Per-call metrics of group ``g`` (0 overall, then each call type), but the extensions'."""
    n = groups.n[g]
    outcome, stage, kind = groups.outcome[g], groups.stage[g], groups.kind[g]
    first_wait, w = groups.first_wait[g], groups.wait[g]
    return {
        "calls": float(n),
        "abandon_rate": _share(_count(outcome, _ABANDONED), n),
        "drop_rate": _share(_count(outcome, _DROPPED), n),
        "lost_rate": _share(_count(outcome, *_LOST), n),
        "wait_mean": _mean(w),
        "wait_p90": percentile(w, 90) if n else float("nan"),
        "asa": _mean(first_wait[~np.isnan(first_wait)]),
        "service_level": _share(groups.in_sl[g], n),
        "resolution_time_mean": _mean(groups.resolution[g][groups.outcomes[g] == _RESOLVED]),
        "transfers_cold": float(_count(kind, _COLD)),
        "transfers_warm": float(_count(kind, _WARM, _WARM_TO_COLD)),
        "abandon_rate_first_queue": _share(_count(stage, _FIRST_QUEUE), n),
        "abandon_rate_after_transfer": _share(_count(stage, _AFTER_TRANSFER), n),
        "abandon_rate_on_hold": _share(_count(stage, _ON_HOLD), n),
        "transfers_hold_timeout": float(_count(kind, _WARM_TO_COLD)),
        "unfinished_rate": _share(_count(outcome, _UNFINISHED), n),
    }


def department_busy(
    c: CallArrays, lo: float, hi: float, n_departments: int
) -> dict[str, np.ndarray]:
    """Busy agent time per activity and department inside ``[lo, hi]`` (s).

    Per activity, the sum over its sets in order of each set's totals (:func:`totals_by_set`,
    all sets in one pass). Sets without segments (e.g. callbacks under
    cold and warm) are skipped: they add zeros.
    """
    table = c.derived(f"busy_table {n_departments}",
                      lambda c: set_table(busy_covering(c), n_departments))
    per_set = totals_by_set(table, lo, hi)
    out = {activity: np.zeros(n_departments) for activity in busy_covering(c)}
    for activity, row in zip(table.names, per_set, strict=True):
        out[activity] = out[activity] + row
    return out


def staffed_seconds(
    result: SimulationResult, c: CallArrays, departments: list[str], lo: float
) -> np.ndarray:
    """Staffed agent time per department from ``lo`` to the end of the run (s).

    Shift spells count inside ``[lo, horizon]``; after the horizon (drain) an agent counts as
    staffed only while busy, so staffed time there equals busy time.
    """
    shifts = result.shift_records
    n = len(departments)
    dept = codes(shifts, "department", departments)
    start, stop = times(shifts, "start"), times(shifts, "end")
    horizon = float(result.horizon)
    known = dept >= 0
    length = np.clip(np.minimum(stop, horizon) - np.maximum(start, lo), 0.0, None)
    on_shift = np.bincount(dept[known], weights=length[known], minlength=n)[:n]
    if c.end_time <= horizon:
        return on_shift
    overtime = department_busy(c, max(lo, horizon), c.end_time, n)
    return on_shift + sum(overtime.values(), start=np.zeros(n))


def off_phone_seconds(scenario: Scenario, lo: float) -> np.ndarray:
    """Paid agent time off the phones per department from ``lo`` to the horizon (s).

    Rostered agents (:meth:`~callsim.scenario.schema.Scenario.rostered`) minus the agents who
    take calls (:meth:`~callsim.scenario.schema.Scenario.agents_taking_calls`, the ones the
    simulation puts on duty), per interval, times the interval's time inside ``[lo,
    horizon]``: zero without shrinkage and with ``available`` 1. ``staff_cost`` charges it on
    top of the time of the agents on duty: every agent paid is charged, whether on the phones,
    staffed but not taking calls (``available`` < 1) or rostered off the phones (shrinkage), so
    a scenario costs what ``callsim staff`` reported for it.
    """
    found = _OFF_PHONE.get((id(scenario), lo))
    if found is not None and found[0] is scenario:  # the same scenario object: the same value
        return found[1]
    bounds = scenario.horizon.interval_bounds()
    length = np.clip(bounds[1:], lo, None) - np.clip(bounds[:-1], lo, None)
    seconds = np.array([float(np.dot(np.subtract(scenario.rostered(d),
                                                 scenario.agents_taking_calls(d)), length))
                        for d in scenario.departments])
    seconds.flags.writeable = False
    if len(_OFF_PHONE) >= 16:
        _OFF_PHONE.clear()
    _OFF_PHONE[(id(scenario), lo)] = (scenario, seconds)
    return seconds


#: :func:`off_phone_seconds` of the last scenarios (by identity; a scenario is frozen, and the
#: entry keeps it alive, so its id is not reused): a scenario's runs compute it once.
_OFF_PHONE: dict[tuple[int, float], tuple[Scenario, np.ndarray]] = {}


def compute_metrics(result: SimulationResult, scenario: Scenario) -> dict[str, float]:
    """Compute every metric of one replication as a flat dict.

    Parameters
    ----------
    result
        Records of one replication.
    scenario
        The validated scenario (only ``service_level_threshold`` (s), ``departments``
        (``wage_per_hour``, ``agents``, ``shrinkage``), ``call_types`` (``resolved_by``) and
        ``costs.lost_call`` are read).

    Returns
    -------
    dict[str, float]
        Keys as in :func:`metric_keys`. Waits and times in seconds; ``handling``,
        ``identifying``, ``holding``, ``handoff``, ``agent_hours``, ``busy_hours`` in agent-hours;
        costs in currency; counts as floats. Rates of a group without calls are NaN.

    Notes
    -----
    ``wait_mean``/``wait_p90`` are over all counted calls (waits of lost calls included, zero
    for a call answered at once); ``asa`` over calls the first agent answered;
    ``service_level`` is the share of all counted calls answered by the first agent within the
    threshold; ``transfers_warm`` includes warm holds turned cold by ``max_hold``
    (``transfers_hold_timeout``); cold transfers that were dropped count in
    ``transfers_cold``.

    Examples
    --------
    >>> from callsim import load_scenario, simulate
    >>> scenario = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=1h"])
    >>> metrics = compute_metrics(simulate(scenario, policy="cold", seed=1), scenario)
    >>> metrics["overall.calls"] > 0, 0 <= metrics["overall.service_level"] <= 1
    (True, True)
    >>> sorted(k for k in metrics if k.startswith("costs."))
    ['costs.lost_call_cost', 'costs.staff_cost', 'costs.total_cost', 'costs.transfer_agent_cost']
    """
    c = call_arrays(result, scenario)
    warmup = float(result.warmup)
    counted = c.arrival >= warmup
    out = _per_call_metrics(c, counted, scenario, result.policy)
    departments, staff_cost, transfer_cost = _department_metrics(result, c, scenario, warmup)
    out.update(departments)
    lost = lost_customers(c, counted)  # lost for good; without redials, lost calls
    out["costs.staff_cost"] = float(staff_cost.sum())
    out["costs.transfer_agent_cost"] = float(transfer_cost.sum())
    out["costs.lost_call_cost"] = float(lost * float(scenario.costs.lost_call))
    out["costs.total_cost"] = out["costs.staff_cost"] + out["costs.lost_call_cost"]
    return out


def _per_call_metrics(c: CallArrays, counted: np.ndarray, scenario: Scenario, policy: str
                      ) -> dict[str, float]:
    """The ``overall.*`` and ``call_types.<name>.*`` metrics of the counted calls."""
    types = list(scenario.call_types)
    groups = _CallGroups.of(c, call_waits(c), counted, len(types),
                            float(scenario.service_level_threshold))
    extensions = extension_group_metrics(c, counted, c.call_type + 1, len(types), policy)
    out: dict[str, float] = {}
    prefixes = ["overall", *(f"call_types.{name}" for name in types)]
    for g, prefix in enumerate(prefixes):
        metrics = {**_call_group(groups, g), **extensions[g]}
        out.update({f"{prefix}.{m}": v for m, v in metrics.items()})
    return out


def _department_metrics(
    result: SimulationResult, c: CallArrays, scenario: Scenario, warmup: float
) -> tuple[dict[str, float], np.ndarray, np.ndarray]:
    """Department metrics, staff cost and transfer cost per department.

    Returns the ``departments.<name>.*`` metrics, and per department the staff cost and the cost
    of agent time spent on transfers (currency), for the ``costs.*`` totals.
    """
    departments = list(scenario.departments)
    n = len(departments)
    queues = queue_totals(queue_table(result, scenario, c), departments)
    busy = department_busy(c, warmup, c.end_time, n)
    staffed = staffed_seconds(result, c, departments, warmup)
    busy_total = sum(busy.values(), start=np.zeros(n))
    wages = np.array([float(d.wage_per_hour) for d in scenario.departments.values()])
    out: dict[str, float] = {}
    staff_cost = (staffed + off_phone_seconds(scenario, warmup)) / _HOUR * wages
    transfer_cost = sum((busy[a] for a in TRANSFER_ACTIVITIES), start=np.zeros(n)) / _HOUR * wages
    occupancy = ratio(busy_total, staffed)
    for j, name in enumerate(departments):
        key = f"departments.{name}."
        out[key + "occupancy"] = float(occupancy[j])
        for activity in ACTIVITIES:
            out[key + activity] = float(busy[activity][j] / _HOUR)
        out[key + "agent_hours"] = float(staffed[j] / _HOUR)
        out[key + "busy_hours"] = float(busy_total[j] / _HOUR)
        out[key + "staff_cost"] = float(staff_cost[j])
        out.update({key + m: queues[key + m] for m in QUEUE_METRICS})
    return out, staff_cost, transfer_cost


def _department_profiles(
    result: SimulationResult, scenario: Scenario, c: CallArrays, bounds: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per department and interval: occupancy and time-average queue length."""
    departments = list(scenario.departments)
    shifts = result.shift_records
    shift_dept = codes(shifts, "department", departments)
    shift_start = times(shifts, "start")
    shift_stop = np.minimum(times(shifts, "end"), float(result.horizon))
    busy = [seg for segs in busy_covering(c).values() for seg in segs]
    queues = covering(wait_segments(c))
    shifts = covering([Segments(shift_start, shift_stop, shift_dept)])
    busy_time, queue_time, staffed = interval_times([busy, queues, shifts], len(departments),
                                                    bounds)
    occupancy, queue_length = ratio(busy_time, staffed), queue_time / np.diff(bounds)
    return {name: (occupancy[j], queue_length[j]) for j, name in enumerate(departments)}


def interval_metrics(result: SimulationResult, scenario: Scenario) -> pd.DataFrame:
    """Per-interval profile of one replication.

    Parameters
    ----------
    result
        Records of one replication.
    scenario
        The validated scenario (``horizon.duration``, ``horizon.interval`` (s),
        ``service_level_threshold`` (s), ``departments``, ``call_types``).

    Returns
    -------
    pandas.DataFrame
        Index ``interval`` (0..n-1); columns ``start``, ``end`` (s), ``calls`` (arrivals in the
        interval), ``wait_mean`` (s, all waiting of those calls, warm hold included),
        ``abandon_rate``, ``asa`` (s), ``service_level`` (of the calls arriving in the
        interval), then per department, keyed ``departments.<dept>.<metric>`` as everywhere,
        ``occupancy`` (busy / staffed agent time in the interval) and ``queue_length``
        (time-average number of callers waiting in the department's queue, warm holds
        included), then the department queue metrics of :mod:`callsim.analysis.queues` per
        interval of joining (``offered``, ``service_level``, ``abandon_rate``, ``asa`` (s),
        ``wait_mean`` (s)). Every interval of the horizon is listed, warm-up intervals
        too; drain time after the horizon is not part of any interval.

    Examples
    --------
    >>> from callsim import load_scenario, simulate
    >>> scenario = load_scenario("scenarios/billing_support.yaml",
    ...                          ["horizon.duration=2h", "horizon.interval=1h"])
    >>> profile = interval_metrics(simulate(scenario, policy="warm", seed=1), scenario)
    >>> profile[["start", "end"]]
               start     end
    interval
    0            0.0  3600.0
    1         3600.0  7200.0
    >>> {"departments.billing.occupancy", "departments.billing.queue_length"} <= set(profile)
    True
    """
    columns = interval_columns(result, scenario)
    # One float block: building the frame column by column cost more than the statistics.
    return pd.DataFrame(np.column_stack(list(columns.values())), columns=_names(tuple(columns)),
                        index=pd.RangeIndex(len(columns["start"]), name="interval"))


@lru_cache(maxsize=64)
def _names(columns: tuple[str, ...]) -> pd.Index:
    """The column index of an interval table, made once per list of columns.

    Making it was a third of the frame's cost; an index is immutable, so frames share it.
    """
    return pd.Index(columns)


def interval_columns(result: SimulationResult, scenario: Scenario) -> dict[str, np.ndarray]:
    """The columns of :func:`interval_metrics` as numpy arrays (one value per interval).

    What a worker sends back when many runs' profiles are gathered into one table
    (:mod:`callsim.experiments.replications`): no DataFrame per run.
    """
    c = call_arrays(result, scenario)
    bounds = scenario.horizon.interval_bounds()
    columns = _interval_calls(c, bounds, float(scenario.service_level_threshold))
    for name, (occupancy, queue_length) in _department_profiles(result, scenario, c,
                                                                bounds).items():
        key = f"departments.{name}."
        columns[f"{key}occupancy"], columns[f"{key}queue_length"] = occupancy, queue_length
    columns.update(queue_columns(queue_table(result, scenario, c), list(scenario.departments)))
    return columns


def _interval_calls(c: CallArrays, bounds: np.ndarray, threshold: float
                    ) -> dict[str, np.ndarray]:
    """The per-call columns of :func:`interval_metrics`, by interval of arrival."""
    n = len(bounds) - 1
    idx = clip(np.searchsorted(bounds, c.arrival, side="right") - 1, n - 1)
    calls = np.bincount(idx, minlength=n).astype(float)
    first_wait = c.answer - c.arrival
    answered = ~np.isnan(first_wait)

    def count(where: np.ndarray) -> np.ndarray:
        """Calls per interval where ``where`` (``bincount`` weighted by it, a third the cost)."""
        return np.bincount(idx.take(where.nonzero()[0]), minlength=n)

    abandoned = count(c.outcome == _ABANDONED)
    which = answered.nonzero()[0]
    n_answered = np.bincount(idx.take(which), minlength=n)
    sum_asa = np.bincount(idx.take(which), weights=first_wait.take(which), minlength=n)
    in_sl = count(first_wait <= threshold)  # answered (a NaN wait compares false) in time
    sum_wait = np.bincount(idx, weights=call_waits(c), minlength=n)
    return {  # NaN in an interval without calls (or without answered calls, for asa)
        "start": bounds[:-1],
        "end": bounds[1:],
        "calls": calls,
        "wait_mean": ratio(sum_wait, calls),
        "abandon_rate": ratio(abandoned, calls),
        "asa": ratio(sum_asa, n_answered),
        "service_level": ratio(in_sl, calls),
    }
