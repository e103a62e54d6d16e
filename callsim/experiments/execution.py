"""One way to fan out replications: the :class:`Execution` options and the batch runner.

Every experiment (``compare``, ``sweep``, ``staff``, ``breakeven``, ``backtest``) describes its
work as :class:`Unit` s (one scenario, some policies, a seed, replication numbers) and what to
measure of each simulated run (a picklable ``measure(result, scenario, run)``). The
:class:`BatchRunner` cuts the units into :class:`Task` s of :func:`task_size` replications,
runs them where :class:`Execution` says (in this process, a local process pool, or Dask),
reports progress as runs finished out of runs planned, and gives the measures back per unit in
replication then policy order. Every task carries its own seeds, so the numbers never depend on
the executor, the number of workers or the task size.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from types import TracebackType
from typing import TYPE_CHECKING, Generic, NamedTuple, Protocol, TypeVar

from callsim.experiments.executors import EXECUTORS, Executor, make_executor
from callsim.experiments.work import WorkEstimate, check_work
from callsim.scenario.limits import MAX_CALLS

if TYPE_CHECKING:
    from callsim.engine.records import SimulationResult
    from callsim.scenario.schema import Scenario

__all__ = [
    "BatchRunner",
    "Execution",
    "Measure",
    "Progress",
    "Run",
    "Task",
    "Unit",
    "default_workers",
    "run_task",
    "task_size",
]

R = TypeVar("R", covariant=True)
M = TypeVar("M")

#: Called with (runs just finished, runs planned so far); a run is one replication of one policy.
Progress = Callable[[int, int], None]

#: Most replications in one task: per-task costs (pickling, a sweep's part file) stay small.
MAX_TASK_REPS = 5


def default_workers() -> int:
    """All cores of the machine (the default of every command and experiment)."""
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Execution:
    """Where and how much to run: the options every experiment takes.

    Attributes
    ----------
    workers
        Worker processes; ``None`` (the default) uses every core, ``1`` runs in this process
        (with the ``processes`` executor).
    executor
        ``processes`` (a local pool) or ``dask`` (a local Dask cluster of ``workers``).
    scheduler
        Address of an existing Dask scheduler (``tcp://host:port``); implies Dask.
    max_calls
        Refuse, before running, work expected to simulate more calls than this (``None``: no
        limit); see :mod:`callsim.experiments.work`.
    progress
        Called with (runs just finished, runs planned so far).

    Examples
    --------
    >>> Execution(workers=1).resolved_workers()
    1
    >>> Execution(executor="threads")
    Traceback (most recent call last):
    ...
    ValueError: unknown executor 'threads'; choose from processes, dask
    """

    workers: int | None = None
    executor: str = "processes"
    scheduler: str | None = None
    max_calls: float | None = MAX_CALLS
    progress: Progress | None = None

    def __post_init__(self) -> None:
        if self.executor not in EXECUTORS:
            raise ValueError(f"unknown executor {self.executor!r}; choose from "
                             f"{', '.join(EXECUTORS)}")

    def resolved_workers(self, most: int | None = None) -> int:
        """The number of workers: ``workers`` or every core, at least 1, at most ``most``."""
        n = default_workers() if self.workers is None else max(1, self.workers)
        return max(1, min(n, most)) if most is not None else n

    def check_work(self, scenarios: Sequence[Scenario], runs_per_scenario: int) -> WorkEstimate:
        """The one work estimate (:func:`~callsim.experiments.work.check_work`) with ``max_calls``.

        Raises
        ------
        callsim.experiments.work.WorkLimitError
            Above ``max_calls``.
        """
        return check_work(scenarios, runs_per_scenario, self.max_calls)

    def reporting(self, progress: Progress | None) -> Execution:
        """A copy that reports progress to ``progress``."""
        return replace(self, progress=progress)

    def runner(self, most: int | None = None) -> BatchRunner:
        """A :class:`BatchRunner` with at most ``most`` workers; use it as a context manager."""
        return BatchRunner(self, most)


class Run(NamedTuple):
    """Which run a measure looks at: the key columns of every per-replication row."""

    policy: str
    replication: int
    seed: int

    def keys(self) -> dict[str, object]:
        """``{"policy": ..., "replication": ..., "seed": ...}``."""
        return self._asdict()


class Measure(Protocol[R]):
    """What to keep of one simulated run (a module-level function or a frozen dataclass)."""

    def __call__(self, result: SimulationResult, scenario: Scenario, run: Run) -> R:
        """The measure of ``result``."""
        ...


@dataclass(frozen=True)
class Unit:
    """Work of one scenario: every policy on replications ``replications`` with base ``seed``."""

    scenario: Scenario
    policies: tuple[str, ...]
    seed: int
    replications: tuple[int, ...]

    @property
    def runs(self) -> int:
        """Replications x policies."""
        return len(self.replications) * len(self.policies)


@dataclass(frozen=True)
class Task(Generic[M]):
    """The one task type: some replications of one unit, and what to measure (sent to a worker).

    Attributes
    ----------
    index
        The task's number (answers come back in any order).
    unit
        The index of the unit the task belongs to.
    work
        The unit's scenario, policies and seed, with this task's replications.
    measure
        Called on every simulated run.
    """

    index: int
    unit: int
    work: Unit
    measure: Measure[M]


def run_task(task: Task[M]) -> tuple[int, list[M]]:
    """Simulate a task's replications, every policy on the same callers (what a worker does).

    Returns the task's number and the measures in replication then policy order.
    """
    from callsim.policies.simulation import simulate

    out = []
    work = task.work
    for r in work.replications:
        for policy in work.policies:
            result = simulate(work.scenario, policy=policy, seed=work.seed, replication=r)
            out.append(task.measure(result, work.scenario, Run(policy, r, work.seed)))
    return task.index, out


def task_size(replications: int, workers: int) -> int:
    """Replications per task: at least 4 tasks per worker, at most :data:`MAX_TASK_REPS`.

    The one task-size formula. Small tasks balance the workers (a short tail when the last
    tasks finish) and lose little on a crash; 5 replications keep the per-task costs (pickling,
    a durable part file) to a few percent.

    >>> task_size(100, 2), task_size(6, 2), task_size(12, 1)
    (5, 1, 3)
    """
    return max(1, min(MAX_TASK_REPS, replications // (4 * max(1, workers))))


class BatchRunner:
    """Runs units on the executor of an :class:`Execution`; one per experiment.

    The executor starts on the first :meth:`run` (or :meth:`start`, to report a missing Dask
    scheduler before anything is written) and stops when the ``with`` block is left. Progress
    counts every run of every :meth:`run` call: ``(runs just finished, runs planned so far)``.
    """

    def __init__(self, execution: Execution, most: int | None = None) -> None:
        self.execution = execution
        self.workers = execution.resolved_workers(most)
        self.executor: Executor | None = None
        self.planned = 0
        self.done = 0

    def __enter__(self) -> BatchRunner:
        return self

    def start(self) -> Executor:
        """Start the executor if it is not running yet.

        Raises
        ------
        callsim.experiments.executors.ExecutorError
            No workers (e.g. no Dask scheduler at the address).
        """
        if self.executor is None:
            e = self.execution
            self.executor = make_executor(e.executor, self.workers, e.scheduler)
        return self.executor

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.executor is not None:
            # Leaving on an error or Ctrl-C: stop the workers at once, do not wait for them.
            self.executor.close(abort=kind is not None)
            self.executor = None

    def tasks(self, units: Sequence[Unit], measure: Measure[M], per_task: int | None = None
              ) -> list[Task[M]]:
        """The units cut into tasks of ``per_task`` replications (default :func:`task_size`)."""
        size = per_task or task_size(sum(len(u.replications) for u in units), self.workers)
        out: list[Task[M]] = []
        for k, unit in enumerate(units):
            reps = unit.replications
            for i in range(0, len(reps), size):
                out.append(Task(len(out), k, replace(unit, replications=reps[i:i + size]),
                                measure))
        return out

    def run(self, units: Sequence[Unit], measure: Measure[M], per_task: int | None = None,
            on_task: Callable[[Task[M], list[M]], None] | None = None) -> list[list[M]]:
        """Measures of every run of every unit, per unit in replication then policy order.

        ``on_task(task, measures)`` is called as each task finishes (in completion order),
        e.g. to save it durably.

        Raises
        ------
        callsim.experiments.executors.WorkerLost
            A worker died; tasks finished before were passed to ``on_task``.
        """
        executor = self.start()
        tasks = self.tasks(units, measure, per_task)
        self.planned += sum(t.work.runs for t in tasks)
        progress = self.execution.progress
        if progress:
            progress(0, self.planned)
        answers: dict[int, list[M]] = {}
        for index, values in executor.run(run_task, tasks):
            answers[index] = values
            if on_task is not None:
                on_task(tasks[index], values)
            self.done += len(values)
            if progress:
                progress(len(values), self.planned)
        out: list[list[M]] = [[] for _ in units]
        for task in tasks:
            out[task.unit].extend(answers[task.index])
        return out
