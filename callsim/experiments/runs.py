"""``run()``: one policy, some replications, every metric with its 95% confidence interval.

What ``callsim run`` prints: :func:`~callsim.experiments.replications.replicate` for one
policy, then :func:`~callsim.analysis.statistics.summarize` over the replications.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from callsim.analysis.documents import run_document
from callsim.analysis.statistics import summarize
from callsim.experiments.execution import Execution
from callsim.experiments.replications import replicate
from callsim.scenario.catalogue import KEY_COLUMNS

if TYPE_CHECKING:
    from callsim.scenario.schema import Scenario

__all__ = ["RunResult", "run"]


@dataclass(frozen=True)
class RunResult:
    """What :func:`run` measured.

    Attributes
    ----------
    scenario, policy, seed, replications
        The scenario's name, the policy run, the base seed and the replications.
    per_replication
        One row per replication: ``policy``, ``replication``, ``seed`` and every metric key.
    summary
        Long table: ``metric``, ``mean``, ``ci_low``, ``ci_high``, ``n``.
    calls
        Every replication's call records (with the key columns), or ``None``.
    """

    scenario: str
    policy: str
    seed: int
    replications: int
    per_replication: pd.DataFrame
    summary: pd.DataFrame
    calls: pd.DataFrame | None = None

    def to_dict(self) -> dict[str, Any]:
        """The ``callsim run --json`` document (docs/model.md section 8)."""
        return run_document(self.scenario, self.policy, self.replications, self.seed,
                            self.summary)


def run(
    scenario: Scenario,
    policy: str | None = None,
    reps: int = 1,
    seed: int = 0,
    keep_calls: bool = False,
    execution: Execution | None = None,
) -> RunResult:
    """Simulate ``reps`` replications of one policy and summarise every metric.

    Parameters
    ----------
    scenario
        Validated scenario.
    policy
        Transfer policy (default: the scenario's).
    reps
        Replications.
    seed
        Base seed.
    keep_calls
        Also keep every replication's call records.
    execution
        Workers, executor, work limit and progress (default: every core).

    Returns
    -------
    RunResult

    Examples
    --------
    >>> from callsim import load_scenario
    >>> scenario = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=1h"])
    >>> result = run(scenario, "cold", reps=2, seed=1)
    >>> result.policy, result.replications, list(result.summary.columns)
    ('cold', 2, ['metric', 'mean', 'ci_low', 'ci_high', 'n'])
    """
    chosen = policy or scenario.transfer.policy
    runs = replicate(scenario, [chosen], reps=reps, seed=seed, keep_calls=keep_calls,
                     execution=execution)
    table = runs.table
    summary = summarize(table, metrics=[c for c in table.columns if c not in KEY_COLUMNS])
    return RunResult(scenario.name, chosen, seed, reps, table, summary, runs.calls)
