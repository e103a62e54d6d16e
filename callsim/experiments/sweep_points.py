"""The points of a sweep: validated up front, planned as units of work, run durably.

Every point is one :class:`~callsim.experiments.execution.Unit` (its scenario, every policy,
the point's seed, the replications still to do); the batch runner cuts it into tasks and each
finished task is written durably at once (:func:`run_points`).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from callsim.experiments.execution import BatchRunner, Progress, Task, Unit
from callsim.experiments.executors import WorkerLost
from callsim.experiments.grid import Grid, GridError, check_paths, point_overrides
from callsim.experiments.replications import metric_row
from callsim.experiments.store import PartStore, StoreError
from callsim.scenario.document import document, with_overrides
from callsim.scenario.errors import ScenarioError
from callsim.scenario.schema import Scenario

__all__ = [
    "Interrupted",
    "SweepInterrupted",
    "SweepProgress",
    "WorkerDied",
    "plan_points",
    "point_seed",
    "prepare_points",
    "run_points",
]

#: Called with (runs just finished, runs to do in all).
SweepProgress = Progress


class SweepInterrupted(RuntimeError):
    """The sweep stopped early; finished rows are saved. ``saved`` counts them."""

    def __init__(self, message: str, saved: int) -> None:
        super().__init__(message)
        self.saved = saved


class Interrupted(SweepInterrupted):
    """Stopped by the user (Ctrl-C)."""


class WorkerDied(SweepInterrupted):
    """A worker process died (killed, out of memory) or the cluster was lost."""


def point_seed(seed: int, point: Mapping[str, Any], independent: bool) -> int:
    """The seed of a point: the base seed, or one derived from (base seed, point values)."""
    if not independent:
        return seed
    key = zlib.crc32(json.dumps(point, sort_keys=True).encode("utf-8"))
    return int(np.random.SeedSequence(seed, spawn_key=(key,)).generate_state(1)[0])


def prepare_points(scenario: Scenario, grid: Grid, overrides: Sequence[str] = ()
                   ) -> list[Scenario]:
    """Validate the scenario at every point; all problems are reported before anything runs.

    Each point is the scenario's document (:mod:`callsim.scenario.document`) with
    ``overrides``, then the point's values, applied.

    Raises
    ------
    ScenarioError
        One line per problem, each naming the field and the point.
    """
    doc = document(scenario)
    try:
        check_paths(doc.raw, grid, doc.source)
    except GridError as exc:
        raise ScenarioError([str(exc)]) from None
    scenarios: list[Scenario] = []
    problems: dict[str, list[Mapping[str, Any]]] = {}
    points = grid.points()
    for point in points:
        try:
            scenarios.append(with_overrides(scenario, [*overrides, *point_overrides(point)]))
        except ScenarioError as exc:
            for line in exc.problems:
                problems.setdefault(line, []).append(point)
    if problems:
        raise ScenarioError([f"{line} ({_where(at, len(points))})"
                             for line, at in problems.items()])
    return scenarios


def _where(points: Sequence[Mapping[str, Any]], total: int) -> str:
    """The points a problem is at: ``at every point`` or ``at a=1, b=2 and 3 more points``.

    A problem the same at every point (a typo in a swept field's name) is one line, not one
    per point.
    """
    if len(points) == total and total > 1:
        return "at every point"
    first = "at " + ", ".join(f"{k}={v}" for k, v in points[0].items())
    more = len(points) - 1
    return first + (f" and {more} more point{'s' if more > 1 else ''}" if more else "")


def plan_points(
    scenarios: Sequence[Scenario],
    grid: Grid,
    policies: Sequence[str],
    seed: int,
    reps: int,
    done: set[tuple[int, int]],
    independent: bool,
) -> list[tuple[int, Unit]]:
    """(point index, unit) for every point with replications not yet done."""
    out = []
    for index, (scenario, point) in enumerate(zip(scenarios, grid.points(), strict=True)):
        todo = tuple(r for r in range(reps) if (index, r) not in done)
        if todo:
            out.append((index, Unit(scenario, tuple(policies), point_seed(seed, point,
                                                                          independent), todo)))
    return out


def run_points(
    runner: BatchRunner,
    planned: Sequence[tuple[int, Unit]],
    grid: Grid,
    store: PartStore | None,
    per_task: int | None = None,
) -> list[pd.DataFrame]:
    """Run the planned points, writing each finished task durably at once; return their rows.

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
    columns = grid.columns()
    frames: list[pd.DataFrame] = []

    def finished(task: Task[dict[str, object]], rows: list[dict[str, object]]) -> None:
        point = planned[task.unit][0]
        frame = pd.DataFrame([{"point": point, **columns[point], **row} for row in rows])
        if store is not None:
            _write(store, frame, frames)
        frames.append(frame)

    try:
        runner.run([unit for _, unit in planned], metric_row, per_task, finished)
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
                         "run the same command with `resume`") from None


def _saved(store: PartStore | None, frames: list[pd.DataFrame]) -> int:
    """Rows safe on disk (the interrupt may land between a part's rename and its count)."""
    return len(store.read()) if store is not None else sum(map(len, frames))
