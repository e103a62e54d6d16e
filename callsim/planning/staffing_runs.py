"""Simulating candidate staffings: queue sums per replication, department and interval.

The staffing search evaluates many candidate staffings of one scenario and policy, each on the
same replications (common random numbers). :class:`StaffingRunner` gives every candidate to
the batch runner as one unit (:mod:`callsim.experiments.execution`), which puts the answers
back in candidate and replication order, so the numbers never depend on the executor or on the
number of workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from callsim.analysis.extensions import lost_customers
from callsim.analysis.queues import metrics_from_sums, queue_table
from callsim.analysis.segments import CallArrays, busy_segments, call_arrays, cumulative_time
from callsim.engine.records import SimulationResult
from callsim.experiments.execution import BatchRunner, Run, Unit
from callsim.scenario.schema import Scenario
from callsim.scenario.targets import Target

#: Agents on the phones per department and interval, shape ``(departments, intervals)``.
AgentGrid = np.ndarray


def with_staffing(scenario: Scenario, staffing: AgentGrid) -> Scenario:
    """A copy of ``scenario`` whose departments have ``staffing`` (one row per department)."""
    return scenario.with_departments(lambda i, _: {"agents": tuple(int(a) for a in staffing[i])})


class QueueSums(NamedTuple):
    """What one run of a candidate staffing measured (see :class:`MeasureQueues`)."""

    sums: np.ndarray
    times: np.ndarray | None
    lost: float


@dataclass(frozen=True)
class MeasureQueues:
    """The measure of the staffing search: queue sums, busy and staffed time, lost calls."""

    occupancy: bool

    def __call__(self, result: SimulationResult, scenario: Scenario, run: Run) -> QueueSums:
        """The run's queue sums, busy and staffed time, and lost calls.

        Queue sums ``(departments, intervals, 6)`` (see
        :func:`callsim.analysis.queues.queue_table`); busy and staffed seconds
        ``(departments, intervals, 2)`` when ``occupancy``, else ``None``; customers lost
        for good (:func:`~callsim.analysis.extensions.lost_customers`), counted after warm-up.
        """
        c = call_arrays(result, scenario)
        return QueueSums(queue_table(result, scenario, c),
                         _busy_staffed(result, scenario, c) if self.occupancy else None,
                         float(lost_customers(c, c.arrival >= float(result.warmup))))


def _busy_staffed(result: SimulationResult, scenario: Scenario, c: CallArrays) -> np.ndarray:
    """Busy and staffed agent seconds per department and interval, ``(D, J, 2)``."""
    h = scenario.horizon
    bounds = h.interval_bounds()
    n_dept = len(scenario.departments)
    out = np.zeros((n_dept, h.n_intervals, 2))
    shifts = result.shifts
    codes = np.asarray(shifts["department"].cat.codes) if len(shifts) else np.zeros(0, int)
    start = shifts["start"].to_numpy(dtype=float)
    stop = np.minimum(shifts["end"].to_numpy(dtype=float), h.duration)
    for j in range(n_dept):
        mine = codes == j
        out[j, :, 1] = np.diff(cumulative_time(start[mine], stop[mine], bounds))
    for segs in busy_segments(c).values():
        for seg in segs:
            for j in range(n_dept):
                mine = seg.department == j
                out[j, :, 0] += np.diff(cumulative_time(seg.start[mine], seg.stop[mine], bounds))
    return out


@dataclass(frozen=True)
class Estimate:
    """What replications of one candidate staffing measured.

    Attributes
    ----------
    sums
        Queue sums per replication, department and interval (see ``queue_table``).
    times
        Busy and staffed agent seconds per replication, department and interval, or ``None``.
    lost
        Lost calls per replication.
    """

    sums: np.ndarray
    times: np.ndarray | None
    lost: np.ndarray

    def per_replication(self, metric: str, horizon: bool) -> np.ndarray:
        """A metric per replication and department (and interval unless ``horizon``)."""
        if metric == "occupancy":
            if self.times is None:
                raise ValueError("occupancy was not measured")
            t = self.times.sum(axis=2) if horizon else self.times
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.asarray(np.where(t[..., 1] > 0, t[..., 0] / t[..., 1], np.nan))
        sums = self.sums.sum(axis=2) if horizon else self.sums
        values = metrics_from_sums(sums)
        # callers joined and nobody was answered: no ASA, and no target on it can be met
        unanswered = (values["offered"] > 0) & np.isnan(values[metric])
        return np.where(unanswered, np.inf, values[metric])

    def mean(self, metric: str, horizon: bool) -> np.ndarray:
        """Mean over replications (NaN replications left out; NaN if none has a value)."""
        values = self.per_replication(metric, horizon)
        count = np.sum(~np.isnan(values), axis=0)
        total = np.nansum(values, axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.where(count > 0, total / np.maximum(count, 1), np.nan))

    def failures(self, targets: Sequence[Target], departments: Sequence[str],
                 horizon: bool) -> np.ndarray:
        """Where some target is missed: ``(departments,)`` for the horizon, else per interval."""
        shape = self.sums.shape[1:2] if horizon else self.sums.shape[1:3]
        failed = np.zeros(shape, dtype=bool)
        for target in targets:
            means = self.mean(target.metric, horizon)
            for j, name in enumerate(departments):
                if target.applies_to(name):
                    failed[j] |= ~np.vectorize(target.holds, otypes=[bool])(means[j])
        return failed


class StaffingRunner:
    """Evaluates candidate staffings of one scenario and policy on the batch runner.

    Parameters
    ----------
    runner
        The experiment's batch runner (where tasks run).
    scenario, policy, seed
        What is simulated; replication ``r`` of every candidate sees the same callers.
    occupancy
        Also measure busy and staffed time (for occupancy targets).
    """

    def __init__(self, runner: BatchRunner, scenario: Scenario, policy: str, seed: int,
                 occupancy: bool) -> None:
        self.runner = runner
        self.scenario, self.policy, self.seed, self.occupancy = scenario, policy, seed, occupancy
        self.runs = 0

    def evaluate(self, candidates: Sequence[AgentGrid], replications: Sequence[int]
                 ) -> list[Estimate]:
        """Estimates of every candidate on the same replications, in candidate order."""
        return self.evaluate_scenarios([with_staffing(self.scenario, staffing)
                                        for staffing in candidates], replications)

    def evaluate_scenarios(self, scenarios: Sequence[Scenario], replications: Sequence[int]
                           ) -> list[Estimate]:
        """Estimates of candidate scenarios (e.g. rosters) on the same replications, in order."""
        units = [Unit(scenario, (self.policy,), self.seed, tuple(replications))
                 for scenario in scenarios]
        answers = self.runner.run(units, MeasureQueues(self.occupancy))
        self.runs += len(replications) * len(scenarios)
        return [Estimate(np.stack([a.sums for a in runs]),
                         np.stack([a.times for a in runs if a.times is not None])
                         if self.occupancy else None,
                         np.array([a.lost for a in runs]))
                for runs in answers]
