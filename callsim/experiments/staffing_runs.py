"""Simulating candidate staffings: queue sums per replication, department and interval.

The staffing search evaluates many candidate staffings of one scenario and policy, each on the
same replications (common random numbers). :class:`StaffingRunner` sends every (candidate,
block of replications) pair to an executor as one task and puts the answers back in
candidate and replication order, so the numbers never depend on the executor or on the number
of workers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from callsim.analysis.extensions import lost_customers
from callsim.analysis.queues import metrics_from_sums, queue_table
from callsim.analysis.segments import CallArrays, busy_segments, call_arrays, cumulative_time
from callsim.engine.records import SimulationResult
from callsim.experiments.executors import Executor
from callsim.policies.simulation import simulate
from callsim.scenario.schema import Scenario
from callsim.scenario.targets import Target

#: A staffing: agents on the phones, shape ``(departments, intervals)``.
Staffing = np.ndarray


def with_staffing(scenario: Scenario, staffing: Staffing) -> Scenario:
    """A copy of ``scenario`` whose departments have ``staffing`` (one row per department)."""
    departments = {
        name: dept.model_copy(update={"agents": tuple(int(a) for a in staffing[i])})
        for i, (name, dept) in enumerate(scenario.departments.items())
    }
    return scenario.model_copy(update={"departments": departments})


def evaluate_block(scenario: Scenario, policy: str, seed: int, replications: Sequence[int],
                   occupancy: bool) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
    """Simulate replications of one staffed scenario (an executor task).

    Returns
    -------
    tuple
        Queue sums ``(reps, departments, intervals, 6)`` (see
        :func:`callsim.analysis.queues.queue_table`); busy and staffed seconds
        ``(reps, departments, intervals, 2)`` when ``occupancy``, else ``None``; customers lost
        for good per replication (:func:`~callsim.analysis.extensions.lost_customers`).
    """
    sums, times, lost = [], [], []
    for r in replications:
        result = simulate(scenario, policy=policy, seed=seed, replication=r)
        c = call_arrays(result, scenario)
        sums.append(queue_table(result, scenario, c))
        lost.append(float(lost_customers(c, c.arrival >= float(result.warmup))))
        if occupancy:
            times.append(_busy_staffed(result, scenario, c))
    return np.stack(sums), (np.stack(times) if occupancy else None), np.array(lost)


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
        return metrics_from_sums(sums)[metric]

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
    """Evaluates candidate staffings of one scenario and policy on an executor.

    Parameters
    ----------
    executor
        Where tasks run.
    workers
        Workers behind the executor (sets the task size only, never the numbers).
    scenario, policy, seed
        What is simulated; replication ``r`` of every candidate sees the same callers.
    occupancy
        Also measure busy and staffed time (for occupancy targets).
    """

    def __init__(self, executor: Executor, workers: int, scenario: Scenario, policy: str,
                 seed: int, occupancy: bool) -> None:
        self.executor, self.workers = executor, max(1, workers)
        self.scenario, self.policy, self.seed, self.occupancy = scenario, policy, seed, occupancy
        self.runs = 0

    def evaluate(self, candidates: Sequence[Staffing], replications: Sequence[int]
                 ) -> list[Estimate]:
        """Estimates of every candidate on the same replications, in candidate order."""
        reps = list(replications)
        per_task = max(1, math.ceil(len(reps) * len(candidates) / (3 * self.workers)))
        per_task = len(reps) if self.workers == 1 else min(per_task, len(reps))
        blocks = [reps[i:i + per_task] for i in range(0, len(reps), per_task)]
        tasks: list[StaffingTask] = []
        keys: list[tuple[int, int]] = []
        for k, staffing in enumerate(candidates):
            staffed = with_staffing(self.scenario, staffing)
            for b, block in enumerate(blocks):
                tasks.append(StaffingTask(len(tasks), staffed, self.policy, self.seed,
                                          tuple(block), self.occupancy))
                keys.append((k, b))
        answers: dict[tuple[int, int], tuple[np.ndarray, np.ndarray | None, np.ndarray]] = {}
        for i, answer in self.executor.run(run_staffing_task, tasks):
            answers[keys[i]] = answer
        self.runs += len(reps) * len(candidates)
        out = []
        for k in range(len(candidates)):
            parts = [answers[(k, b)] for b in range(len(blocks))]
            times = [p[1] for p in parts]
            out.append(Estimate(
                np.concatenate([p[0] for p in parts]),
                None if times[0] is None else np.concatenate([t for t in times if t is not None]),
                np.concatenate([p[2] for p in parts]),
            ))
        return out


@dataclass(frozen=True)
class StaffingTask:
    """One unit of work: some replications of one candidate staffing (shipped to a worker).

    Attributes
    ----------
    index
        The task's number (answers come back in any order).
    scenario
        The scenario with the candidate staffing.
    policy, seed, replications
        What is simulated.
    occupancy
        Also measure busy and staffed time.
    """

    index: int
    scenario: Scenario
    policy: str
    seed: int
    replications: tuple[int, ...]
    occupancy: bool


def run_staffing_task(task: StaffingTask
                      ) -> tuple[int, tuple[np.ndarray, np.ndarray | None, np.ndarray]]:
    """:func:`evaluate_block` of one task, tagged with its number (what a worker does)."""
    return task.index, evaluate_block(task.scenario, task.policy, task.seed,
                                      task.replications, task.occupancy)
