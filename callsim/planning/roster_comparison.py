"""Policies at the cost of their rosters: the paired difference of roster plus lost-call cost.

Each policy's roster (:class:`~callsim.planning.roster.Roster`) is simulated under that policy
through :meth:`~callsim.planning.roster.ScheduleResult.scenario_for`, the one function that
turns a roster into a scenario, on the same replications (common random numbers: the same
callers under every policy). A policy's total cost on a replication is its roster's cost (every
shift, paid whatever the calls do) plus the simulated lost-call cost; the difference ``B - A``
(A the first policy named) is paired by replication (:func:`~callsim.analysis.statistics.
paired_differences`, which also decides significance). A policy with no roster of its own (a
given requirement) is simulated on the ``requirements`` roster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from callsim.analysis.metrics import compute_metrics
from callsim.analysis.statistics import (
    Pair,
    difference_label,
    difference_pairs,
    paired_differences,
    summarize,
)
from callsim.experiments.execution import BatchRunner, Execution, Run, Unit
from callsim.planning.roster import GIVEN, ScheduleError, ScheduleResult
from callsim.policies import registry
from callsim.scenario.catalogue import metric as catalogue_metric
from callsim.scenario.document import document, document_data
from callsim.scenario.loading import build_scenario
from callsim.scenario.schema import Scenario

__all__ = ["COSTS", "RosterComparison", "compare_rosters", "compare_rosters_on",
           "roster_policies", "roster_scenario"]

#: The compared costs, per replication: roster (fixed), lost calls (simulated), their sum.
COSTS = ("roster_cost", "lost_call_cost", "total_cost")


def lost_call_cost(result: Any, scenario: Scenario, run: Run) -> dict[str, object]:
    """The measure of a roster's run: its keys and the simulated lost-call cost."""
    return {**run.keys(), "lost_call_cost": compute_metrics(result, scenario)[
        "costs.lost_call_cost"]}


def roster_policies(result: ScheduleResult) -> list[str]:
    """The policies ``result`` rostered (its rosters named after a policy), in order."""
    return [name for name in result.rosters if name in registry.names()]


def _roster_of(result: ScheduleResult, policy: str) -> str:
    if policy in result.rosters:
        return policy
    if GIVEN in result.rosters:
        return GIVEN
    raise ScheduleError(f"`policies` {policy}: no roster for it (rostered: "
                        f"{', '.join(result.rosters)})")


def roster_scenario(result: ScheduleResult, name: str) -> Scenario:
    """The scenario that simulates roster ``name``: :meth:`ScheduleResult.scenario_for`, validated.

    Relative file names are found where the rostered scenario's were.
    """
    doc = document(result.scenario)
    return build_scenario(result.scenario_for(document_data(result.scenario), name), doc.source,
                          doc.base_dir)


def _policies(result: ScheduleResult, policies: Sequence[str] | None) -> list[str]:
    names = list(policies) if policies else roster_policies(result)
    problem = registry.policy_problem(names)
    if problem:
        raise ScheduleError(problem)
    if len(names) < 2:
        raise ScheduleError("`policies`: comparing rosters needs two or more (e.g. cold and "
                            f"warm); got {', '.join(names) or 'none'}")
    return names


@dataclass(frozen=True)
class RosterComparison:
    """Each policy's total cost at its roster, and the paired differences ``B - A``.

    Attributes
    ----------
    scenario
        The scenario rostered.
    policies
        The policies, the first named (A) the reference of every difference.
    rosters
        Per policy, the name of the roster it runs (itself, or ``requirements``).
    roster_costs
        Per policy, the cost of its roster.
    seed, replications
        Base seed and replication numbers simulated (the same for every policy).
    per_replication
        One row per policy and replication: ``policy``, ``replication``, ``seed``, and the
        :data:`COSTS`.
    """

    scenario: Scenario
    policies: tuple[str, ...]
    rosters: dict[str, str]
    roster_costs: dict[str, float]
    seed: int
    replications: tuple[int, ...]
    per_replication: pd.DataFrame

    @property
    def pairs(self) -> list[Pair]:
        """Every other policy against the first named, ``(b, a)`` read ``b - a``."""
        return difference_pairs(list(self.policies))

    @property
    def summary(self) -> pd.DataFrame:
        """Mean and 95% CI of each cost per policy (long: policy, metric, mean, ...)."""
        return summarize(self.per_replication, by=["policy"], metrics=list(COSTS))

    @property
    def differences(self) -> pd.DataFrame:
        """Paired differences of each cost, one block per pair.

        Columns ``difference`` (``b - a``), ``metric``, ``mean``, ``ci_low``, ``ci_high``,
        ``n``, ``significant``.
        """
        frames = [paired_differences(self.per_replication, pair, metrics=list(COSTS))
                  .assign(difference=difference_label(pair)) for pair in self.pairs]
        out = pd.concat(frames, ignore_index=True)
        return out[["difference", *[c for c in out.columns if c != "difference"]]]

    def better(self, pair: Pair) -> str | None:
        """The policy of ``pair`` whose total cost is significantly lower, or ``None``."""
        rows = self.differences
        row = rows[(rows["difference"] == difference_label(pair))
                   & (rows["metric"] == "total_cost")].iloc[0]
        if not row["significant"]:
            return None
        side = catalogue_metric("costs.total_cost").preferred(float(row["mean"]))
        return pair[0] if side == "b" else pair[1]

    @property
    def table(self) -> pd.DataFrame:
        """One row per policy: roster, its cost, lost-call and total cost with 95% CIs."""
        summary = self.summary
        rows = []
        for p in self.policies:
            row: dict[str, object] = {"policy": p, "roster": self.rosters[p]}
            for m in COSTS:
                s = summary[(summary["policy"] == p) & (summary["metric"] == m)].iloc[0]
                row.update({m: s["mean"], f"{m}_low": s["ci_low"], f"{m}_high": s["ci_high"]})
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The ``comparison`` object of ``callsim schedule --json`` (docs/model.md)."""
        def interval(mean: float, low: float, high: float) -> dict[str, Any]:
            return {"mean": _num(mean), "ci95": [_num(low), _num(high)]}

        table, diffs = self.table, self.differences
        policies = {r["policy"]: {"roster": r["roster"], "roster_cost": _num(r["roster_cost"]),
                                  **{m: interval(r[m], r[f"{m}_low"], r[f"{m}_high"])
                                     for m in COSTS[1:]}}
                    for r in table.to_dict("records")}
        differences: dict[str, dict[str, Any]] = {}
        for pair in self.pairs:
            label = difference_label(pair)
            block = diffs[diffs["difference"] == label].set_index("metric")
            differences[label] = {m: {**interval(block.at[m, "mean"], block.at[m, "ci_low"],
                                                 block.at[m, "ci_high"]),
                                      "significant": bool(block.at[m, "significant"])}
                                  for m in COSTS}
            differences[label]["better"] = self.better(pair)
        return {"difference": difference_label(self.pairs[0]), "seed": self.seed,
                "replications": len(self.replications),
                "first_replication": self.replications[0], "policies": policies,
                "differences": differences}


def _num(value: Any) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def compare_rosters(
    result: ScheduleResult,
    policies: Sequence[str] | None = None,
    reps: int = 20,
    seed: int = 0,
    first: int = 0,
    execution: Execution | None = None,
) -> RosterComparison:
    """Simulate each policy's roster and pair the total costs (roster + lost calls) ``B - A``.

    Parameters
    ----------
    result
        Rosters from :func:`~callsim.planning.roster.schedule`.
    policies
        Policies to compare, the first named the reference (default: every policy
        ``result`` rostered, in order). A policy without its own roster runs the
        ``requirements`` roster.
    reps, seed, first
        Replications ``first .. first+reps-1`` with base ``seed``, the same for every policy.
    execution
        Workers, executor, work limit and progress; the numbers do not depend on it.

    Returns
    -------
    RosterComparison

    Raises
    ------
    ScheduleError
        Fewer than two policies, a policy given twice, unknown or without a roster, or
        ``reps < 2``.
    WorkLimitError
        The simulations are above ``execution.max_calls``; nothing runs.

    Examples
    --------
    >>> from callsim import load_scenario, schedule
    >>> sc = load_scenario("tests/planning/roster_compare.yaml")
    >>> c = compare_rosters(schedule(sc, "erlang"), reps=3, execution=Execution(workers=1))
    >>> c.policies, c.differences["difference"].iloc[0]
    (('cold', 'warm'), 'warm - cold')
    """
    names = _policies(result, policies)
    scenarios = {p: roster_scenario(result, _roster_of(result, p)) for p in names}
    execution = execution or Execution()
    execution.check_work(list(scenarios.values()), reps)
    with execution.runner() as runner:
        return compare_rosters_on(runner, result, names, reps, seed, first, scenarios)


def compare_rosters_on(runner: BatchRunner, result: ScheduleResult, policies: Sequence[str],
                       reps: int, seed: int, first: int = 0,
                       scenarios: dict[str, Scenario] | None = None) -> RosterComparison:
    """:func:`compare_rosters` on a batch runner an experiment already holds (no work check)."""
    names = _policies(result, policies)
    if reps < 2:
        raise ScheduleError("`reps` must be >= 2 to compare rosters (paired confidence "
                            "intervals)")
    rosters = {p: _roster_of(result, p) for p in names}
    scenarios = scenarios or {p: roster_scenario(result, rosters[p]) for p in names}
    replications = tuple(range(first, first + reps))
    units = [Unit(scenarios[p], (p,), seed, replications) for p in names]
    costs = {p: float(result.rosters[rosters[p]].cost) for p in names}
    frame = pd.DataFrame([row for rows in runner.run(units, lost_call_cost) for row in rows])
    frame["roster_cost"] = frame["policy"].map(costs).astype(float)
    frame["total_cost"] = frame["roster_cost"] + frame["lost_call_cost"]
    frame = frame[["policy", "replication", "seed", *COSTS]]
    return RosterComparison(result.scenario, tuple(names), rosters, costs, seed, replications,
                            frame)
