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
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from callsim.analysis.statistics import paired_differences, summarize
from callsim.experiments.execution import BatchRunner, Execution
from callsim.experiments.grid import Grid
from callsim.experiments.replications import in_run_order
from callsim.experiments.store import PartStore, StoreError, summary_path, write_parquet
from callsim.experiments.sweep_points import (
    Interrupted,
    SweepInterrupted,
    WorkerDied,
    plan_points,
    prepare_points,
    run_points,
)
from callsim.policies import registry
from callsim.scenario.catalogue import KEY_COLUMNS
from callsim.scenario.document import document
from callsim.scenario.limits import MAX_POINTS
from callsim.scenario.schema import Scenario

__all__ = [
    "Interrupted",
    "SweepInterrupted",
    "SweepExport",
    "SweepWarning",
    "WorkerDied",
    "manifest",
    "order_rows",
    "summarize_sweep",
    "summary_path",
    "sweep",
    "write_parquet_tables",
]


#: Writes the finished results and summary tables to ``out`` (in a format of its choice).
SweepExport = Callable[[pd.DataFrame, pd.DataFrame, Path], object]


class SweepWarning(UserWarning):
    """Something a sweep found and repaired (damaged parts set aside and recomputed)."""


def manifest(scenario: Scenario, overrides: Sequence[str], grid: Grid,
             policies: Sequence[str], seed: int, independent_points: bool,
             scenarios: Sequence[Scenario] = ()) -> dict[str, Any]:
    """What identifies a sweep for ``--resume`` (replications may grow).

    The scenario file is hashed (the scenario's mapping when it has no file), and so is every
    file it references at any point (empirical durations, replayed calls): editing one of them
    makes the stored rows another sweep's. The overrides are the scenario's own (``--set``)
    and ``overrides``.
    """
    doc = document(scenario)
    files = sorted({f for s in scenarios for f in s.files})
    source = Path(doc.source)
    return {
        "scenario_sha256": _sha256(source) if source.is_file() else hashlib.sha256(
            json.dumps(doc.raw, sort_keys=True, default=str).encode("utf-8")).hexdigest(),
        "files_sha256": {str(f): _sha256(f) for f in files},
        "overrides": [*doc.overrides, *overrides],
        "grid": grid.describe(),
        "policies": list(policies),
        "seed": seed,
        "independent_points": independent_points,
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sweep(  # the library mirror of the command's options
    scenario: Scenario,
    grid: Grid,
    policies: Sequence[str] | None = None,
    reps: int = 10,
    seed: int = 0,
    overrides: Sequence[str] = (),
    out: str | Path | None = None,
    resume: bool = False,
    independent_points: bool = False,
    task_reps: int | None = None,
    max_points: int | None = MAX_POINTS,
    export: SweepExport | None = None,
    execution: Execution | None = None,
    keep_parts: bool = True,
) -> pd.DataFrame:
    """Run a sweep and return its tidy table.

    Parameters
    ----------
    scenario
        Validated scenario (:func:`~callsim.scenario.schema.load_scenario`); every point is
        its document with ``overrides`` and the point's values applied.
    grid
        Swept fields and values (:class:`callsim.experiments.grid.Grid`).
    policies
        Policies run at every point, on the same callers; default: the registry's default
        comparison (``cold``, ``warm``).
    reps
        Replications per point and policy.
    seed
        Base seed.
    overrides
        ``--set`` overrides applied at every point before the swept values.
    out
        Results Parquet file; finished rows are also kept in ``<out>.parts/``. ``None`` keeps
        everything in memory.
    resume
        Continue the sweep stored at ``out``: run only the missing (point, replication) pairs.
    independent_points
        Give every point its own seed instead of common random numbers across points.
    task_reps
        Replications per task (default: :func:`~callsim.experiments.execution.task_size`).
    max_points
        Refuse grids of more points than this, counted before they are built (None: no limit).
    export
        Writes the results and summary tables at the end, given ``(rows, summary, out)``;
        default: Parquet files ``out`` and :func:`summary_path` ``(out)``. The CLI passes
        one that picks the format by suffix (:mod:`callsim.report.writers`).
    execution
        Workers (never more than the replications to run), executor, work limit and progress
        (runs just finished, runs to do in all); default: every core.
    keep_parts
        Keep ``<out>.parts/`` once the results are written (for a later ``resume`` with more
        replications); ``False`` removes it. An interrupted sweep always keeps its parts.

    Returns
    -------
    pandas.DataFrame
        One row per (point, policy, replication): ``point``, the swept paths, ``policy``,
        ``replication``, ``seed`` and every metric key, sorted by point, replication, policy.

    Raises
    ------
    callsim.experiments.grid.GridError
        More points than ``max_points`` (nothing is built).
    ScenarioError
        A point does not validate (nothing runs).
    callsim.experiments.work.WorkLimitError
        More expected calls than ``execution.max_calls`` (nothing runs).
    callsim.experiments.store.StoreError
        ``out`` cannot be written, holds another sweep, is locked by a running sweep, or parts
        exist without ``resume`` or without a valid manifest; checked before any work.
    callsim.experiments.executors.ExecutorError
        No workers (e.g. no Dask scheduler at ``scheduler``); nothing is written.
    SweepInterrupted
        :class:`Interrupted` (Ctrl-C) or :class:`WorkerDied`; finished rows are saved for
        ``resume``.

    Examples
    --------
    Two billing staffings, both policies, two replications each, kept in memory:

    >>> from callsim import Grid, load_scenario
    >>> grid = Grid.from_specs(["departments.billing.agents=10,12"])
    >>> base = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=1h"])
    >>> rows = sweep(base, grid, reps=2, seed=1)
    >>> rows[["point", "departments.billing.agents", "policy", "replication"]].head(4)
       point  departments.billing.agents policy  replication
    0      0                          10   cold            0
    1      0                          10   warm            0
    2      0                          10   cold            1
    3      0                          10   warm            1
    >>> len(rows)
    8
    """
    policies = list(dict.fromkeys(policies or registry.default_comparison()))
    store = PartStore(out) if out is not None else None
    if store is not None:
        store.check()  # before any work: every output path can be written
    grid.check_size(max_points)
    scenarios = prepare_points(scenario, grid, overrides)
    execution = execution or Execution()
    execution.check_work(scenarios, reps * len(policies))
    try:
        with execution.runner(most=len(scenarios) * reps) as runner:
            runner.start()  # before anything is written
            frames = _run(store, runner, scenarios, grid, policies, seed, reps,
                          independent_points, task_reps,
                          manifest(scenario, overrides, grid, policies, seed,
                                   independent_points, scenarios), resume)
            rows = order_rows(pd.concat(frames, ignore_index=True), policies, reps)
            if store is not None:
                _write_tables(store, rows,
                              summarize_sweep(rows, ["point", *grid.paths], policies),
                              export or write_parquet_tables)
    finally:
        if store is not None:
            store.close()
    if store is not None and not keep_parts:  # reached only once the tables are written
        store.discard()
    return rows


def write_parquet_tables(rows: pd.DataFrame, summary: pd.DataFrame, out: Path) -> None:
    """The default sweep export: ``out`` and its :func:`summary_path`, both Parquet."""
    write_parquet(rows, out)
    write_parquet(summary, summary_path(out))


def _write_tables(store: PartStore, rows: pd.DataFrame, summary: pd.DataFrame,
                  export: SweepExport) -> None:
    """Write the results and summary; a failure is a StoreError (the parts are complete)."""
    try:
        export(rows, summary, store.out)
    except OSError as exc:
        raise StoreError(f"{store.out}: cannot write the results ({exc.strerror or exc}); every "
                         f"row is saved in {store.folder}: fix the folder and run the same "
                         "command with `resume`") from None


def _run(store: PartStore | None, runner: BatchRunner, scenarios: Sequence[Scenario],
         grid: Grid, policies: Sequence[str], seed: int, reps: int, independent: bool,
         per_task: int | None, description: dict[str, Any],
         resume: bool) -> list[pd.DataFrame]:
    """Open the store, plan what is missing, run it; the earlier and the new rows."""
    earlier = pd.DataFrame()
    if store is not None:
        store.open(description, resume)
        earlier = store.read()
        for damaged in store.damaged:
            warnings.warn(f"{damaged.name}: a damaged part (unreadable or truncated) was set "
                          "aside; its rows are computed again", SweepWarning, stacklevel=3)
    done: set[tuple[int, int]] = set()
    if len(earlier):
        done = set(zip(earlier["point"], earlier["replication"], strict=True))
    planned = plan_points(scenarios, grid, policies, seed, reps, done, independent)
    new = run_points(runner, planned, grid, store, per_task)
    return [earlier, *new] if len(earlier) else new


def order_rows(rows: pd.DataFrame, policies: Sequence[str], reps: int) -> pd.DataFrame:
    """Rows of replications below ``reps``, sorted by point, replication and policy order."""
    return in_run_order([rows[rows["replication"] < reps]], policies, before=["point"])


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
        Policies in the rows; the paired difference of every other policy against the first
        (``B - A``) is added.
    metrics
        Metric columns; default: every column but the keys, policy, replication and seed.

    Returns
    -------
    pandas.DataFrame
        Long table: the keys, ``policy`` (a policy name, or the paired difference's
        :func:`~callsim.experiments.comparison.difference_label`, e.g. ``"warm - cold"``),
        ``metric``, ``mean``, ``ci_low``, ``ci_high``, ``n``, ``significant`` (differences
        only; False for policy rows).
    """
    from callsim.analysis.statistics import difference_label, difference_pairs

    keys = list(keys)
    if metrics is None:
        metrics = [c for c in rows.columns if c not in (*keys, *KEY_COLUMNS)]
    summary = summarize(rows, by=[*keys, "policy"], metrics=metrics)
    summary["significant"] = False
    frames = [summary]
    for pair in difference_pairs(policies):
        diff = paired_differences(rows, pair, by=keys, metrics=metrics)
        diff.insert(len(keys), "policy", difference_label(pair))
        frames.append(diff)
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else summary
