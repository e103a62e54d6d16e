"""Many replications of a scenario, serially or across processes, as one tidy table.

Replication ``r`` of every policy uses the same callers (common random numbers), and the table
is the same, bit for bit, whatever the number of workers: rows are sorted by replication and
policy order before they are returned.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TYPE_CHECKING

import pandas as pd

from callsim.metrics import compute_metrics
from callsim.model import simulate

if TYPE_CHECKING:
    from callsim.scenario import Scenario

#: Columns that identify a row of the per-replication table.
KEY_COLUMNS: tuple[str, ...] = ("policy", "replication", "seed")

Progress = Callable[[int], None]


def replication_rows(
    scenario: Scenario,
    policies: Sequence[str],
    seed: int,
    replications: Sequence[int],
    keep_calls: bool = False,
) -> tuple[list[dict[str, object]], list[pd.DataFrame]]:
    """Run replications for every policy; return metric rows (and call records if asked).

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
    """
    rows: list[dict[str, object]] = []
    calls: list[pd.DataFrame] = []
    for r in replications:
        for policy in policies:
            result = simulate(scenario, policy=policy, seed=seed, replication=r)
            rows.append({"policy": policy, "replication": r, "seed": seed,
                         **compute_metrics(result, scenario)})
            if keep_calls:
                calls.append(result.calls.assign(policy=policy, replication=r, seed=seed))
    return rows, calls


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
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
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
        Called with the number of replications (of all policies) just finished.
    keep_calls
        Also return every run's call records in one DataFrame.

    Returns
    -------
    tuple
        The per-replication table (one row per policy and replication, one column per metric
        key of :func:`callsim.metrics.compute_metrics`) and the call records or ``None``.
    """
    policies = list(policies or [scenario.transfer.policy])
    reps_list = list(range(first, first + reps))
    workers = default_workers() if workers is None else max(1, workers)
    rows: list[dict[str, object]] = []
    calls: list[pd.DataFrame] = []
    if workers == 1 or reps <= 1:
        for r in reps_list:
            more_rows, more_calls = replication_rows(scenario, policies, seed, [r], keep_calls)
            rows += more_rows
            calls += more_calls
            if progress:
                progress(len(more_rows))
    else:
        chunk = max(1, min(8, reps // (4 * workers)))
        chunks = [reps_list[i : i + chunk] for i in range(0, reps, chunk)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(replication_rows, scenario, policies, seed, c, keep_calls)
                for c in chunks
            ]
            for future in as_completed(futures):
                more_rows, more_calls = future.result()
                rows += more_rows
                calls += more_calls
                if progress:
                    progress(len(more_rows))
    order = {p: i for i, p in enumerate(policies)}
    table = pd.DataFrame(rows)
    table = table.sort_values(
        ["replication", "policy"], key=lambda s: s.map(order) if s.name == "policy" else s
    ).reset_index(drop=True)
    records = None
    if keep_calls:
        records = pd.concat(calls, ignore_index=True) if calls else pd.DataFrame()
        records = records.sort_values(["replication", "policy", "call_id"],
                                      key=lambda s: s.map(order) if s.name == "policy" else s)
        records = records.reset_index(drop=True)
    return table, records
