"""Policy comparison: replications with common random numbers, paired differences, precision.

:func:`compare` runs every policy on the same callers (replication ``r`` of each policy shares
its random streams), summarises each metric per policy with a 95% t-interval, and reports the
paired difference ``B - A`` of two policies per metric (``warm - cold`` by default; A is the
first named), whose interval is much narrower than the difference of two independent means.
With ``precision`` it adds replications in batches until the headline metrics are estimated to
the requested relative half-width, up to a cap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from callsim.analysis.documents import compare_document, interval_key, nest_metrics
from callsim.analysis.statistics import (  # the difference-pair convention lives there
    difference_label,
    difference_pair,
    difference_pairs,
    half_width_ratio,
    paired_differences,
    summarize,
)
from callsim.experiments.execution import Execution
from callsim.experiments.replications import in_run_order, replicate_on
from callsim.policies import registry
from callsim.scenario.catalogue import KEY_COLUMNS

if TYPE_CHECKING:
    from callsim.scenario.schema import Scenario

#: Metrics whose precision ``--precision`` controls.
HEADLINE_METRICS: tuple[str, ...] = (
    "overall.abandon_rate",
    "overall.wait_mean",
    "costs.total_cost",
)


@dataclass(frozen=True)
class Precision:
    """How a precision target was pursued.

    Attributes
    ----------
    target
        Requested CI half-width as a share of the mean (0.05 = 5%).
    max_reps
        Cap on replications per policy.
    reps
        Replications per policy it took.
    met
        Whether every headline metric of every policy reached the target.
    worst
        Largest half-width ratio per headline metric over the policies, at the end.
    """

    target: float
    max_reps: int
    reps: int
    met: bool
    worst: dict[str, float]


@dataclass(frozen=True)
class Comparison:
    """Everything :func:`compare` measured.

    Attributes
    ----------
    scenario
        Scenario name.
    policies
        Policies compared, in the order given.
    seed
        Base seed shared by every policy.
    replications
        Replications per policy.
    per_replication
        One row per policy and replication: ``policy``, ``replication``, ``seed`` and every
        metric key (seconds, shares, agent-hours, currency).
    summary
        Long table: ``policy``, ``metric``, ``mean``, ``ci_low``, ``ci_high``, ``n``.
    differences
        Paired differences ``b - a`` (:func:`difference_pair`): ``metric``, ``mean``, ``ci_low``,
        ``ci_high``, ``n``, ``significant``; empty unless exactly two policies are compared.
    intervals
        Per replication and planning interval: ``policy``, ``replication``, ``interval``,
        ``start``, ``end`` and the interval statistics of
        :func:`callsim.analysis.metrics.interval_metrics`.
    interval_summary
        Long table: ``policy``, ``interval``, ``start``, ``metric``, ``mean``, ``ci_low``,
        ``ci_high``, ``n``.
    difference
        ``(b, a)`` of the differences, read ``b - a`` (a the first policy), or ``None``.
    precision
        The precision report when a target was set.
    clock_start
        Clock time of t = 0, seconds since midnight (``horizon.start``): interval ``start``
        values are seconds after it.
    versus_first
        With more than two policies: the paired differences ``b - a`` of every other policy b
        against the first named a, by label (:func:`difference_label`), each shaped like
        ``differences`` (``differences`` itself stays empty: it holds one pair).
    """

    scenario: str
    policies: tuple[str, ...]
    seed: int
    replications: int
    per_replication: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame
    intervals: pd.DataFrame
    interval_summary: pd.DataFrame
    difference: tuple[str, str] | None
    precision: Precision | None = None
    clock_start: float = 0.0
    versus_first: Mapping[str, pd.DataFrame] = field(default_factory=dict)

    def paired(self) -> dict[str, pd.DataFrame]:
        """Every paired-difference table by its label.

        The one pair, or each policy against the first named when there are more than two
        (empty with one policy).
        """
        if self.difference is not None:
            return {difference_label(self.difference): self.differences}
        return dict(self.versus_first)

    def policy_summary(self, policy: str) -> pd.DataFrame:
        """The long summary of one policy."""
        return self.summary[self.summary["policy"] == policy].drop(columns="policy")

    def to_dict(self) -> dict[str, Any]:
        """The ``callsim compare --json`` document (docs/model.md section 8)."""
        doc = compare_document(
            self.scenario,
            self.replications,
            self.seed,
            {p: self.policy_summary(p) for p in self.policies},
            self.differences,
            pair=self.difference,  # None: nothing to pair, no label, no differences
        )
        if self.versus_first:
            doc["differences_vs_first"] = {
                label: nest_metrics(frame, significant=True)
                for label, frame in self.versus_first.items()
            }
        doc["intervals"] = interval_document(self.interval_summary, self.policies)
        if self.precision is not None:
            p = self.precision
            doc["precision"] = {"target": p.target, "max_reps": p.max_reps, "reps": p.reps,
                                "met": p.met, "worst": p.worst}
        return doc


def interval_document(interval_summary: pd.DataFrame, policies: Sequence[str]) -> dict[str, Any]:
    """Per policy, a list of intervals with each statistic as ``{"mean", "ci95"}``.

    Department statistics nest as in the metrics: ``"departments": {D: {metric: ...}}``.
    """
    doc: dict[str, Any] = {}
    for policy in policies:
        rows = interval_summary[interval_summary["policy"] == policy]
        by_interval: dict[tuple[int, float], list[dict[str, Any]]] = {}
        for row in rows.to_dict("records"):  # one conversion, not one per interval
            row["metric"] = interval_key(row["metric"])
            by_interval.setdefault((row["interval"], row["start"]), []).append(row)
        entries = []
        for interval, start in sorted(by_interval):
            entry: dict[str, Any] = {"interval": int(interval), "start": float(start)}
            nested = nest_metrics(by_interval[interval, start])
            entry.update(nested["overall"])
            if nested["departments"]:
                entry["departments"] = nested["departments"]
            entries.append(entry)
        doc[policy] = entries
    return doc


def _worst_ratios(summary: pd.DataFrame) -> dict[str, float]:
    rows = summary[summary["metric"].isin(HEADLINE_METRICS)].copy()
    half = (rows["ci_high"] - rows["ci_low"]) / 2.0
    # A metric estimated as exactly constant (e.g. no abandonment at all) is precise.
    ratio = half_width_ratio(rows["mean"], rows["ci_low"], rows["ci_high"]).where(half != 0, 0.0)
    rows["ratio"] = ratio.fillna(float("inf"))
    return {m: float(rows.loc[rows["metric"] == m, "ratio"].max()) for m in HEADLINE_METRICS}


def compare(
    scenario: Scenario,
    policies: Sequence[str] | None = None,
    reps: int = 10,
    seed: int = 0,
    precision: float | None = None,
    max_reps: int = 200,
    execution: Execution | None = None,
) -> Comparison:
    """Compare transfer policies on the same callers.

    Parameters
    ----------
    scenario
        Validated scenario.
    policies
        Policies to compare (the first is the reference of the paired differences); default:
        the registry's default comparison, ``("cold", "warm")``.
    reps
        Replications per policy (with ``precision``: the first batch, and the batch size).
    seed
        Base seed.
    precision
        Target CI half-width as a share of the mean for :data:`HEADLINE_METRICS` of every
        policy; replications are added in batches of ``reps`` until met or ``max_reps``.
    max_reps
        Cap on replications per policy when ``precision`` is set.
    execution
        Workers, executor, work limit and progress (:class:`Execution`; default: every core).
        The numbers do not depend on it. With ``precision`` the work estimate counts
        ``max_reps``.

    Returns
    -------
    Comparison

    Raises
    ------
    callsim.experiments.work.WorkLimitError
        The work is above ``execution.max_calls``; nothing runs.

    Examples
    --------
    >>> from callsim import load_scenario
    >>> scenario = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=1h"])
    >>> result = compare(scenario, ["cold", "warm"], reps=3, seed=1)
    >>> result.difference, result.replications
    (('warm', 'cold'), 3)
    >>> list(result.differences.columns)
    ['metric', 'mean', 'ci_low', 'ci_high', 'n', 'significant']
    """
    execution = execution or Execution()
    policies = list(dict.fromkeys(policies or registry.default_comparison()))
    if precision is not None and not 0 < precision < 1:
        raise ValueError("precision must be a share of the mean in (0, 1), e.g. 0.05")
    planned = min(reps, max_reps) if precision is not None else reps
    execution.check_work([scenario], (max_reps if precision is not None else reps)
                         * len(policies))
    with execution.runner(most=planned) as runner:
        runs = replicate_on(runner, scenario, policies, range(planned), seed, intervals=True)
        tables, interval_tables = [runs.table], [runs.intervals]
        report = None
        if precision is not None:
            while True:
                summary = summarize(pd.concat(tables), by=["policy"],
                                    metrics=list(HEADLINE_METRICS))
                worst = _worst_ratios(summary)
                met = all(r <= precision for r in worst.values())
                if met or planned >= max_reps:
                    break
                batch = min(reps, max_reps - planned)
                more = replicate_on(runner, scenario, policies, range(planned, planned + batch),
                                    seed, intervals=True)
                tables.append(more.table)
                interval_tables.append(more.intervals)
                planned += batch
            report = Precision(precision, max_reps, planned, met, worst)
    result = _assemble(scenario.name, policies, seed, tables, interval_tables, report)
    return replace(result, clock_start=float(scenario.horizon.start))


def _assemble(
    name: str,
    policies: list[str],
    seed: int,
    tables: list[pd.DataFrame],
    interval_tables: list[pd.DataFrame | None],
    report: Precision | None,
) -> Comparison:
    table = in_run_order(tables, policies)
    metrics = [c for c in table.columns if c not in KEY_COLUMNS]
    summary = summarize(table, by=["policy"], metrics=metrics)
    pair = difference_pair(policies)
    if pair is not None:
        differences = paired_differences(table, pair, metrics=metrics)
    else:
        differences = pd.DataFrame(columns=["metric", "mean", "ci_low", "ci_high", "n",
                                            "significant"])
    versus_first = {
        difference_label(other_pair): paired_differences(table, other_pair, metrics=metrics)
        for other_pair in difference_pairs(policies)
    } if len(policies) > 2 else {}
    intervals = in_run_order([t for t in interval_tables if t is not None], policies,
                             after=["interval"])
    stats = [c for c in intervals.columns if c not in (*KEY_COLUMNS, "interval", "start", "end")]
    interval_summary = summarize(intervals, by=["policy", "interval", "start"], metrics=stats)
    return Comparison(
        scenario=name,
        policies=tuple(policies),
        seed=seed,
        replications=int(table["replication"].nunique()),
        per_replication=table,
        summary=summary,
        differences=differences,
        intervals=intervals,
        interval_summary=interval_summary,
        difference=pair,
        precision=report,
        versus_first=versus_first,
    )
