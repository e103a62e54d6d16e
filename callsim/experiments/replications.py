"""Many replications of a scenario, serially or across processes, as one tidy table.

Replication ``r`` of every policy uses the same callers (common random numbers), and the table
is the same, bit for bit, whatever the number of workers: rows are sorted by replication and
policy order before they are returned.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import pandas as pd

from callsim.analysis.metrics import compute_metrics, interval_metrics
from callsim.experiments.executors import make_executor
from callsim.experiments.work import check_work
from callsim.policies.simulation import simulate
from callsim.scenario.limits import MAX_CALLS

if TYPE_CHECKING:
    from callsim.scenario.schema import Scenario


Progress = Callable[[int], None]


class Batch(NamedTuple):
    """What a batch of replications returns: metric rows, interval tables, call records."""

    rows: list[dict[str, object]]
    intervals: list[pd.DataFrame]
    calls: list[pd.DataFrame]


def replication_rows(
    scenario: Scenario,
    policies: Sequence[str],
    seed: int,
    replications: Sequence[int],
    keep_calls: bool = False,
    intervals: bool = False,
) -> Batch:
    """Run replications for every policy; return metric rows (and more if asked).

    Parameters
    ----------
    scenario
        Validated scenario.
    policies
        Transfer policies to run, each on the same callers.
    seed
        Base seed.
    replications
        Replication numbers to run.
    keep_calls
        Also return each run's call records, with ``policy``, ``replication`` and ``seed`` columns.
    intervals
        Also return each run's :func:`callsim.analysis.metrics.interval_metrics` table, with
        the same key columns.
    """
    batch = Batch([], [], [])
    for r in replications:
        for policy in policies:
            result = simulate(scenario, policy=policy, seed=seed, replication=r)
            keys = {"policy": policy, "replication": r, "seed": seed}
            batch.rows.append({**keys, **compute_metrics(result, scenario)})
            if intervals:
                table = interval_metrics(result, scenario).reset_index()
                batch.intervals.append(table.assign(**keys))
            if keep_calls:
                batch.calls.append(result.calls.assign(**keys))
    return batch


@dataclass(frozen=True)
class ReplicationTask:
    """A batch of replications for one worker: the arguments of :func:`replication_rows`."""

    scenario: Scenario
    policies: tuple[str, ...]
    seed: int
    replications: tuple[int, ...]
    keep_calls: bool = False
    intervals: bool = False


def run_replications(task: ReplicationTask) -> Batch:
    """Run one :class:`ReplicationTask` (what a worker does)."""
    return replication_rows(task.scenario, task.policies, task.seed, task.replications,
                            task.keep_calls, task.intervals)


def default_workers() -> int:
    """All cores of the machine."""
    return os.cpu_count() or 1


def replicate(
    scenario: Scenario,
    policies: Sequence[str] | None = None,
    reps: int = 10,
    seed: int = 0,
    workers: int | None = 1,
    first: int = 0,
    progress: Progress | None = None,
    keep_calls: bool = False,
    intervals: bool = False,
    max_calls: float | None = MAX_CALLS,
) -> Replications:
    """Run ``reps`` replications of each policy.

    Parameters
    ----------
    scenario
        Validated scenario.
    policies
        Policies to run; default: the scenario's own policy.
    reps
        Replications per policy.
    seed
        Base seed; replication ``r`` gets its own streams from ``(seed, r)``.
    workers
        Processes to use; ``1`` runs in this process, ``None`` uses every core.
    first
        Number of the first replication (to add replications to an earlier run).
    progress
        Called with the number of runs (replications x policies) just finished.
    keep_calls
        Also return every run's call records in one DataFrame.
    intervals
        Also return every run's per-interval statistics in one DataFrame.
    max_calls
        Refuse (before running) work expected to simulate more calls than this (None: no limit).

    Returns
    -------
    Replications
        ``table``: one row per policy and replication (key columns ``policy``, ``replication``,
        ``seed``, then one column per metric key of
        :func:`callsim.analysis.metrics.compute_metrics`);
        ``intervals`` and ``calls``: DataFrames or ``None``. Rows are in replication then
        policy order, whatever the number of workers.

    Raises
    ------
    callsim.experiments.work.WorkLimitError
        The work is above ``max_calls``; nothing runs.

    Examples
    --------
    >>> from callsim import load_scenario
    >>> scenario = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=1h"])
    >>> runs = replicate(scenario, ["cold", "warm"], reps=2, seed=1)
    >>> runs.table[["policy", "replication", "seed"]]
      policy  replication  seed
    0   cold            0     1
    1   warm            0     1
    2   cold            1     1
    3   warm            1     1
    >>> bool((runs.table["overall.calls"] > 0).all())
    True
    """
    policies = list(policies or [scenario.transfer.policy])
    check_work([scenario], reps * len(policies), max_calls)
    reps_list = list(range(first, first + reps))
    workers = default_workers() if workers is None else max(1, workers)
    workers = min(workers, reps)  # never more workers than replications
    chunk = 1 if workers == 1 else max(1, min(4, reps // (4 * workers)))
    tasks = [ReplicationTask(scenario, tuple(policies), seed, tuple(reps_list[i : i + chunk]),
                             keep_calls, intervals) for i in range(0, reps, chunk)]
    batches: list[Batch] = []
    runner = make_executor("processes", workers)
    try:
        for batch in runner.run(run_replications, tasks):
            batches.append(batch)
            if progress:
                progress(len(batch.rows))
    finally:
        runner.close()
    return Replications(
        table=in_run_order([pd.DataFrame(b.rows) for b in batches], policies),
        intervals=in_run_order([f for b in batches for f in b.intervals], policies,
                               after=["interval"]) if intervals else None,
        calls=in_run_order([f for b in batches for f in b.calls], policies,
                           after=["call_id"]) if keep_calls else None,
    )


def in_run_order(
    frames: Sequence[pd.DataFrame],
    policies: Sequence[str],
    before: Sequence[str] = (),
    after: Sequence[str] = (),
) -> pd.DataFrame:
    """Concatenate tables and sort them by ``before``, replication, policy, ``after``.

    Policies sort in the order given (not alphabetically), so a table reads as the runs were
    planned, whatever order workers finished them in.
    """
    order = {p: i for i, p in enumerate(policies)}
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.sort_values(
        [*before, "replication", "policy", *after],
        key=lambda s: s.map(order) if s.name == "policy" else s,
        kind="stable",
    )
    return frame.reset_index(drop=True)


class Replications(NamedTuple):
    """The tables of :func:`replicate`."""

    table: pd.DataFrame
    intervals: pd.DataFrame | None
    calls: pd.DataFrame | None
