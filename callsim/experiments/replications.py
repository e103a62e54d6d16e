"""Many replications of a scenario as one tidy table, on the batch runner.

Replication ``r`` of every policy uses the same callers (common random numbers), and the table
is the same, bit for bit, whatever the executor and the number of workers: rows come back in
replication then policy order (:mod:`callsim.experiments.execution`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pandas as pd

from callsim.analysis.metrics import compute_metrics, interval_columns
from callsim.experiments.execution import BatchRunner, Execution, Run, Unit

if TYPE_CHECKING:
    from callsim.engine.records import SimulationResult
    from callsim.scenario.schema import Scenario


class IntervalBlock(NamedTuple):
    """One run's interval statistics as a worker sends them: no DataFrame per run.

    ``values`` holds the columns of :func:`~callsim.analysis.metrics.interval_metrics`
    (``columns``, one row per interval) and ``keys`` the run's key columns; the parent stacks
    the blocks of many runs into one table (:func:`interval_table`).
    """

    columns: tuple[str, ...]
    values: np.ndarray
    keys: dict[str, object]


class Outputs(NamedTuple):
    """What one run gives :func:`replicate`: its metric row, interval block and call records."""

    row: dict[str, object]
    intervals: IntervalBlock | None
    calls: pd.DataFrame | None


@dataclass(frozen=True)
class MeasureOutputs:
    """The measure of :func:`replicate`: metrics, and interval statistics or calls if asked."""

    intervals: bool = False
    calls: bool = False

    def __call__(self, result: SimulationResult, scenario: Scenario, run: Run) -> Outputs:
        """The run's metric row (keys first) and, if asked, its interval table and calls."""
        keys = run.keys()
        block = None
        if self.intervals:
            columns = interval_columns(result, scenario)
            block = IntervalBlock(tuple(columns), np.column_stack(list(columns.values())), keys)
        calls = result.calls.assign(**keys) if self.calls else None
        return Outputs({**keys, **compute_metrics(result, scenario)}, block, calls)


def interval_table(blocks: Sequence[IntervalBlock]) -> pd.DataFrame:
    """The interval blocks of many runs as one table, in the order given.

    Columns ``interval``, those of :func:`~callsim.analysis.metrics.interval_metrics`, then
    the key columns: the table ``interval_metrics(...).reset_index().assign(**keys)`` of each
    run, concatenated, built in one go.
    """
    if not blocks:
        return pd.DataFrame()
    columns = blocks[0].columns
    if any(b.columns != columns for b in blocks):
        raise ValueError("interval blocks with different columns")
    sizes = [len(b.values) for b in blocks]
    frame = pd.DataFrame(np.concatenate([b.values for b in blocks]), columns=list(columns))
    frame.insert(0, "interval", np.concatenate([np.arange(n, dtype=np.int64) for n in sizes]))
    for key in blocks[0].keys:
        values = [b.keys[key] for b in blocks]
        dtype = object if isinstance(values[0], str) else np.int64
        frame[key] = np.repeat(np.array(values, dtype=dtype), sizes)
    return frame


def metric_row(result: SimulationResult, scenario: Scenario, run: Run) -> dict[str, object]:
    """The key columns and every metric of one run (the measure of sweeps and break-evens)."""
    return {**run.keys(), **compute_metrics(result, scenario)}


def replicate(
    scenario: Scenario,
    policies: Sequence[str] | None = None,
    reps: int = 10,
    seed: int = 0,
    first: int = 0,
    keep_calls: bool = False,
    intervals: bool = False,
    execution: Execution | None = None,
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
    first
        Number of the first replication (to add replications to an earlier run).
    keep_calls
        Also return every run's call records in one DataFrame.
    intervals
        Also return every run's per-interval statistics in one DataFrame.
    execution
        Workers, executor, work limit and progress (:class:`Execution`; default: every core).

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
        The work is above ``execution.max_calls``; nothing runs.

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
    execution = execution or Execution()
    policies = list(policies or [scenario.transfer.policy])
    execution.check_work([scenario], reps * len(policies))
    with execution.runner(most=reps) as runner:
        return replicate_on(runner, scenario, policies, range(first, first + reps), seed,
                            keep_calls, intervals)


def replicate_on(runner: BatchRunner, scenario: Scenario, policies: Sequence[str],
                 replications: Sequence[int], seed: int, keep_calls: bool = False,
                 intervals: bool = False) -> Replications:
    """:func:`replicate` on a runner already started (no work check)."""
    unit = Unit(scenario, tuple(policies), seed, tuple(replications))
    [outputs] = runner.run([unit], MeasureOutputs(intervals, keep_calls))
    return Replications(
        table=pd.DataFrame([o.row for o in outputs]),
        intervals=(interval_table([o.intervals for o in outputs if o.intervals is not None])
                   if intervals else None),
        calls=_concat([o.calls for o in outputs]) if keep_calls else None,
    )


def _concat(frames: Sequence[pd.DataFrame | None]) -> pd.DataFrame:
    return pd.concat([f for f in frames if f is not None], ignore_index=True)


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
