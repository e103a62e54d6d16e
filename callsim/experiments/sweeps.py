"""Parameter sweeps: a grid of scenario variants x policies x replications, as one tidy table.

Every point of the grid is validated before anything runs. Tasks (one point, a few replications,
every policy on the same callers) run on an executor (inline, a local process pool, or Dask) and
each finished task is written durably at once (:mod:`callsim.experiments.store`), so an interrupted
sweep resumes where it stopped and ends with the same table as an uninterrupted one.

Seeds: replication ``r`` of a point uses streams ``(seed, r)``; by default the seed is the base
seed at every point, so every point and policy sees the same callers (common random numbers
across the grid: smooth curves, precise differences between points). With
``independent_points`` each point gets its own seed derived from (base seed, point values).
Either way a row's numbers depend only on (base seed, point, replication), never on workers,
completion order, executor or resuming.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from callsim.analysis.catalogue import KEY_COLUMNS
from callsim.analysis.statistics import paired_differences, summarize
from callsim.experiments.executors import Executor, make_executor
from callsim.experiments.grid import Grid, GridError, check_paths, point_overrides
from callsim.experiments.replications import (
    default_workers,
    in_run_order,
    replication_rows,
)
from callsim.experiments.store import PartStore, write_table
from callsim.scenario.errors import ScenarioError
from callsim.scenario.schema import Scenario, build_scenario, read_scenario_file

#: Called with (runs just finished, runs to do in all).
SweepProgress = Callable[[int, int], None]
#: Writes the finished results and summary tables to ``out`` (in a format of its choice).
SweepExport = Callable[[pd.DataFrame, pd.DataFrame, Path], object]


class SweepInterrupted(RuntimeError):
    """The sweep stopped early; finished rows are saved. ``saved`` counts them."""

    def __init__(self, message: str, saved: int) -> None:
        super().__init__(message)
        self.saved = saved


def point_seed(seed: int, point: Mapping[str, Any], independent: bool) -> int:
    """The seed of a point: the base seed, or one derived from (base seed, point values)."""
    if not independent:
        return seed
    key = zlib.crc32(json.dumps(point, sort_keys=True).encode("utf-8"))
    return int(np.random.SeedSequence(seed, spawn_key=(key,)).generate_state(1)[0])


def run_task(
    scenario: Scenario,
    policies: Sequence[str],
    seed: int,
    replications: Sequence[int],
    point: int,
    params: Mapping[str, Any],
) -> pd.DataFrame:
    """Run the replications of one point for every policy; rows keyed by point and params."""
    rows = replication_rows(scenario, policies, seed, replications).rows
    return pd.DataFrame([{"point": point, **params, **row} for row in rows])


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


def manifest(scenario_path: Path, overrides: Sequence[str], grid: Grid,
             policies: Sequence[str], seed: int, independent_points: bool) -> dict[str, Any]:
    """What identifies a sweep for ``--resume`` (replications may grow)."""
    return {
        "scenario_sha256": hashlib.sha256(scenario_path.read_bytes()).hexdigest(),
        "overrides": list(overrides),
        "grid": grid.describe(),
        "policies": list(policies),
        "seed": seed,
        "independent_points": independent_points,
    }


def sweep(
    scenario: str | Path,
    grid: Grid,
    policies: Sequence[str] = ("cold", "warm"),
    reps: int = 10,
    seed: int = 0,
    overrides: Sequence[str] = (),
    out: str | Path | None = None,
    resume: bool = False,
    workers: int | None = None,
    executor: str = "processes",
    scheduler: str | None = None,
    independent_points: bool = False,
    task_reps: int | None = None,
    progress: SweepProgress | None = None,
    export: SweepExport | None = None,
) -> pd.DataFrame:
    """Run a sweep and return its tidy table.

    Parameters
    ----------
    scenario
        Scenario YAML file.
    grid
        Swept fields and values (:class:`callsim.experiments.grid.Grid`).
    policies
        Policies run at every point, on the same callers.
    reps
        Replications per point and policy.
    seed
        Base seed.
    overrides
        ``--set`` overrides applied at every point before the swept values.
    out
        Results file; finished rows are also kept in ``<out>.parts/``. ``None`` keeps
        everything in memory.
    resume
        Continue the sweep stored at ``out``: run only the missing (point, replication) pairs.
    workers
        Worker processes (default: all cores); ``1`` with the default executor runs in-process.
    executor
        ``processes`` (local pool) or ``dask`` (a local Dask cluster).
    scheduler
        Address of an existing Dask scheduler (``tcp://host:port``); implies Dask.
    independent_points
        Give every point its own seed instead of common random numbers across points.
    task_reps
        Replications per task (default: chosen so each worker gets several tasks).
    progress
        Called with (runs just finished, runs to do in all).
    export
        Writes the results and summary tables at the end, given ``(rows, summary, out)``;
        default: Parquet files ``out`` and :func:`summary_path` ``(out)``. The CLI passes
        one that picks the format by suffix (:mod:`callsim.report.writers`).

    Returns
    -------
    pandas.DataFrame
        One row per (point, policy, replication): ``point``, the swept paths, ``policy``,
        ``replication``, ``seed`` and every metric key, sorted by point, replication, policy.

    Raises
    ------
    ScenarioError
        A point does not validate (nothing runs).
    callsim.experiments.store.StoreError
        ``out`` holds another sweep, or parts exist without ``resume``.
    callsim.experiments.executors.ExecutorError
        No workers (e.g. no Dask scheduler at ``scheduler``); nothing is written.
    SweepInterrupted
        Ctrl-C or a dead worker; finished rows are saved for ``resume``.

    Examples
    --------
    Two billing staffings, both policies, two replications each, kept in memory:

    >>> from callsim import Grid
    >>> grid = Grid.from_specs(["departments.billing.agents=10,12"])
    >>> rows = sweep("scenarios/billing_support.yaml", grid, reps=2, seed=1,
    ...              overrides=["horizon.duration=1h"], workers=1)
    >>> rows[["point", "departments.billing.agents", "policy", "replication"]].head(4)
       point  departments.billing.agents policy  replication
    0      0                          10   cold            0
    1      0                          10   warm            0
    2      0                          10   cold            1
    3      0                          10   warm            1
    >>> len(rows)
    8
    """
    path = Path(scenario)
    policies = list(dict.fromkeys(policies))
    scenarios = prepare_points(path, grid, overrides)
    workers = default_workers() if workers is None else max(1, workers)
    runner = make_executor(executor, workers, scheduler)  # before anything is written
    try:
        store = PartStore(out) if out is not None else None
        if store is not None:
            store.open(manifest(path, overrides, grid, policies, seed, independent_points), resume)
        earlier = store.read() if store is not None else pd.DataFrame()  # rows of earlier runs
        done: set[tuple[int, int]] = set()
        if len(earlier):
            done = set(zip(earlier["point"], earlier["replication"], strict=True))
        per_task = task_reps or task_size(len(scenarios), reps, workers)
        tasks = plan_tasks(scenarios, grid, policies, seed, reps, done, independent_points,
                           per_task)
        frames = [earlier] if len(earlier) else []
        frames += _run_tasks(runner, tasks, store, len(policies), progress)
    finally:
        runner.close()
    rows = pd.concat(frames, ignore_index=True)
    rows = order_rows(rows, policies, reps)
    if store is not None:
        summary = summarize_sweep(rows, ["point", *grid.paths], policies)
        (export or write_parquet_tables)(rows, summary, store.out)
    return rows


def write_parquet_tables(rows: pd.DataFrame, summary: pd.DataFrame, out: Path) -> None:
    """The default sweep export: ``out`` and its :func:`summary_path`, both Parquet."""
    write_table(rows, out)
    write_table(summary, summary_path(out))


def _run_tasks(
    runner: Executor,
    tasks: list[tuple[Any, ...]],
    store: PartStore | None,
    n_policies: int,
    progress: SweepProgress | None,
) -> list[pd.DataFrame]:
    """Run the tasks, writing each finished one durably at once; return their rows."""
    total = sum(len(task[3]) for task in tasks) * n_policies
    frames: list[pd.DataFrame] = []
    if progress:
        progress(0, total)
    try:
        for frame in runner.run(run_task, tasks):
            if store is not None:
                store.write(frame)
            frames.append(frame)
            if progress:
                progress(len(frame), total)
    except KeyboardInterrupt:
        raise SweepInterrupted("interrupted", _saved(store, frames)) from None
    except Exception as exc:  # a dead worker, a lost cluster: finished rows are safe
        if type(exc).__name__ in ("BrokenProcessPool", "KilledWorker", "CancelledError"):
            raise SweepInterrupted(f"a worker died ({type(exc).__name__})",
                                   _saved(store, frames)) from None
        raise
    return frames


def _saved(store: PartStore | None, frames: list[pd.DataFrame]) -> int:
    """Rows safe on disk (the interrupt may land between a part's rename and its count)."""
    return len(store.read()) if store is not None else sum(map(len, frames))


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
) -> list[tuple[Any, ...]]:
    """Tasks for every (point, replication) not yet done, ``per_task`` replications each."""
    tasks = []
    points = zip(scenarios, grid.points(), grid.columns(), strict=True)
    for index, (scenario, point, columns) in enumerate(points):
        todo = [r for r in range(reps) if (index, r) not in done]
        s = point_seed(seed, point, independent)
        for i in range(0, len(todo), per_task):
            tasks.append((scenario, policies, s, todo[i : i + per_task], index, columns))
    return tasks


def order_rows(rows: pd.DataFrame, policies: Sequence[str], reps: int) -> pd.DataFrame:
    """Rows of replications below ``reps``, sorted by point, replication and policy order."""
    return in_run_order([rows[rows["replication"] < reps]], policies, before=["point"])


def summary_path(out: Path) -> Path:
    """``results.parquet`` -> ``results.summary.parquet``."""
    return out.with_name(out.stem + ".summary" + out.suffix)


def summarize_sweep(
    rows: pd.DataFrame,
    keys: Sequence[str],
    policies: Sequence[str],
    metrics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per point and policy: mean and 95% CI of every metric, plus paired differences.

    Parameters
    ----------
    rows
        Sweep rows (one per point, policy and replication).
    keys
        Columns that identify a point, e.g. ``["point", *grid.paths]``.
    policies
        Policies in the rows; with two, their paired difference is added.
    metrics
        Metric columns; default: every column but the keys, policy, replication and seed.

    Returns
    -------
    pandas.DataFrame
        Long table: the keys, ``policy`` (a policy name, or ``"warm - cold"`` for the paired
        difference), ``metric``, ``mean``, ``ci_low``, ``ci_high``, ``n``, ``significant``
        (differences only; False for policy rows).
    """
    from callsim.experiments.comparison import difference_pair

    keys = list(keys)
    if metrics is None:
        metrics = [c for c in rows.columns if c not in (*keys, *KEY_COLUMNS)]
    summary = summarize(rows, by=[*keys, "policy"], metrics=metrics)
    summary["significant"] = False
    pair = difference_pair(list(policies))
    if pair is None:
        return summary
    diff = paired_differences(rows, a=pair[0], b=pair[1], by=keys, metrics=metrics)
    diff.insert(len(keys), "policy", f"{pair[0]} - {pair[1]}")
    return pd.concat([summary, diff], ignore_index=True)
