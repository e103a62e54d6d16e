"""The tasks of a sweep: points validated up front, then (point, replications) units of work.

A :class:`SweepTask` is a frozen dataclass (one point, a few replications, every policy on the
same callers) that an executor ships to a worker; :func:`run_tasks` runs them and writes each
finished one durably at once.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from callsim.experiments.executors import Executor, WorkerLost
from callsim.experiments.grid import Grid, GridError, check_paths, point_overrides
from callsim.experiments.replications import replication_rows
from callsim.experiments.store import PartStore, StoreError
from callsim.scenario.errors import ScenarioError
from callsim.scenario.loading import build_scenario, read_scenario_file
from callsim.scenario.schema import Scenario

__all__ = [
    "Interrupted",
    "SweepInterrupted",
    "SweepProgress",
    "SweepTask",
    "WorkerDied",
    "plan_tasks",
    "point_seed",
    "prepare_points",
    "run_task",
    "run_tasks",
    "task_size",
]

#: Called with (runs just finished, runs to do in all).
SweepProgress = Callable[[int, int], None]


class SweepInterrupted(RuntimeError):
    """The sweep stopped early; finished rows are saved. ``saved`` counts them."""

    def __init__(self, message: str, saved: int) -> None:
        super().__init__(message)
        self.saved = saved


class Interrupted(SweepInterrupted):
    """Stopped by the user (Ctrl-C)."""


class WorkerDied(SweepInterrupted):
    """A worker process died (killed, out of memory) or the cluster was lost."""


@dataclass(frozen=True)
class SweepTask:
    """One unit of work: some replications of one point, for every policy.

    Attributes
    ----------
    scenario
        The validated scenario at this point.
    policies
        Policies run on the same callers.
    seed
        The point's seed (see :func:`point_seed`).
    replications
        Replication numbers to run.
    point
        Index of the point in the grid.
    params
        The point's values as they appear in the results table.
    """

    scenario: Scenario
    policies: tuple[str, ...]
    seed: int
    replications: tuple[int, ...]
    point: int
    params: Mapping[str, Any]


def run_task(task: SweepTask) -> pd.DataFrame:
    """Run one task; rows keyed by point and params (what a worker does)."""
    rows = replication_rows(task.scenario, task.policies, task.seed, task.replications).rows
    return pd.DataFrame([{"point": task.point, **task.params, **row} for row in rows])


def point_seed(seed: int, point: Mapping[str, Any], independent: bool) -> int:
    """The seed of a point: the base seed, or one derived from (base seed, point values)."""
    if not independent:
        return seed
    key = zlib.crc32(json.dumps(point, sort_keys=True).encode("utf-8"))
    return int(np.random.SeedSequence(seed, spawn_key=(key,)).generate_state(1)[0])


def prepare_points(
    scenario_path: str | Path, grid: Grid, overrides: Sequence[str] = ()
) -> list[Scenario]:
    """Validate the scenario at every point; all problems are reported before anything runs.

    Raises
    ------
    ScenarioError
        One line per problem, each naming the field and the point.
    """
    path = Path(scenario_path)
    raw = read_scenario_file(path)
    try:
        check_paths(raw, grid, str(path))
    except GridError as exc:
        raise ScenarioError([str(exc)]) from None
    scenarios, problems = [], []
    for point in grid.points():
        try:
            scenarios.append(build_scenario(raw, str(path), path.parent,
                                            [*overrides, *point_overrides(point)]))
        except ScenarioError as exc:
            at = ", ".join(f"{k}={v}" for k, v in point.items())
            problems += [f"{line} (at {at})" for line in exc.problems]
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))
    return scenarios


def task_size(n_points: int, reps: int, workers: int) -> int:
    """Replications per task: at least 4 tasks per worker, at most 5 replications a task.

    Small tasks balance the workers (a short tail when the last tasks finish) and lose little
    on a crash; 5 replications keep the per-task costs (pickling, one durable part file) to a
    few percent.
    """
    return int(np.clip((n_points * reps) // (4 * workers), 1, 5))


def plan_tasks(
    scenarios: Sequence[Scenario],
    grid: Grid,
    policies: Sequence[str],
    seed: int,
    reps: int,
    done: set[tuple[int, int]],
    independent: bool,
    per_task: int,
) -> list[SweepTask]:
    """Tasks for every (point, replication) not yet done, ``per_task`` replications each."""
    tasks = []
    points = zip(scenarios, grid.points(), grid.columns(), strict=True)
    for index, (scenario, point, columns) in enumerate(points):
        todo = [r for r in range(reps) if (index, r) not in done]
        s = point_seed(seed, point, independent)
        for i in range(0, len(todo), per_task):
            tasks.append(SweepTask(scenario, tuple(policies), s, tuple(todo[i : i + per_task]),
                                   index, columns))
    return tasks


def run_tasks(
    runner: Executor,
    tasks: list[SweepTask],
    store: PartStore | None,
    progress: SweepProgress | None,
) -> list[pd.DataFrame]:
    """Run the tasks, writing each finished one durably at once; return their rows.

    Raises
    ------
    Interrupted
        Ctrl-C; every finished row is saved.
    WorkerDied
        A worker died; every finished row is saved.
    StoreError
        A finished part cannot be written (e.g. the folder became read-only); the parts
        written before are kept.
    """
    total = sum(len(t.replications) * len(t.policies) for t in tasks)
    frames: list[pd.DataFrame] = []
    if progress:
        progress(0, total)
    try:
        for frame in runner.run(run_task, tasks):
            if store is not None:
                _write(store, frame, frames)
            frames.append(frame)
            if progress:
                progress(len(frame), total)
    except KeyboardInterrupt:
        raise Interrupted("interrupted", _saved(store, frames)) from None
    except WorkerLost as exc:
        raise WorkerDied(str(exc), _saved(store, frames)) from None
    return frames


def _write(store: PartStore, frame: pd.DataFrame, frames: list[pd.DataFrame]) -> None:
    """Write a finished part; a failed write (read-only folder, full disk) is a StoreError."""
    try:
        store.write(frame)
    except OSError as exc:
        raise StoreError(f"{store.folder}: cannot save finished rows ({exc.strerror or exc}); "
                         f"{_saved(store, frames)} finished rows are safe: fix the folder and "
                         "run the same command with --resume") from None


def _saved(store: PartStore | None, frames: list[pd.DataFrame]) -> int:
    """Rows safe on disk (the interrupt may land between a part's rename and its count)."""
    return len(store.read()) if store is not None else sum(map(len, frames))
