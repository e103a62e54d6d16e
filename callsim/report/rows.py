"""Table rows of a comparison for the HTML report: formatted means, CIs and paired differences.

Labels, units and formats come from the metric catalogue
(:mod:`callsim.scenario.catalogue`); a difference is marked ``better`` or ``worse`` (for the
first policy of the pair, e.g. warm) when its 95% CI excludes 0 and the metric has a direction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from callsim.scenario.catalogue import metric

if TYPE_CHECKING:
    import pandas as pd

    from callsim.experiments.comparison import Comparison

__all__ = [
    "CALL_METRICS",
    "DEPARTMENT_METRICS",
    "OVERALL_METRICS",
    "Cell",
    "Row",
    "department_names",
    "metric_rows",
]

#: Overall metrics in the key-metrics table, in order.
OVERALL_METRICS: tuple[str, ...] = (
    "calls", "abandon_rate", "lost_rate", "wait_mean", "wait_p90", "asa", "service_level",
    "resolution_time_mean", "transfers_cold", "transfers_warm",
)
#: Per call type metrics in the key-metrics table.
CALL_METRICS: tuple[str, ...] = ("abandon_rate", "lost_rate", "wait_mean", "service_level")
#: Department metrics, queue metrics first; others a department carries follow in name order.
DEPARTMENT_METRICS: tuple[str, ...] = (
    "offered", "service_level", "abandon_rate", "asa", "wait_mean", "queue_length", "occupancy",
    "agent_hours", "busy_hours", "handling", "identifying", "holding", "handoff", "calling_back",
    "staff_cost",
)


@dataclass(frozen=True)
class Cell:
    """One formatted estimate: the mean and its 95% CI as text."""

    mean: str
    ci: str
    tone: str = ""  # "better", "worse" or "" (differences only)


@dataclass(frozen=True)
class Row:
    """One metric: its label with unit, a cell per policy, and each paired difference."""

    key: str
    label: str
    values: tuple[Cell, ...]
    differences: tuple[Cell | None, ...]


def _cell(key: str, mean: float, low: float, high: float, difference: bool = False,
          significant: bool = False) -> Cell:
    m = metric(key)
    if math.isnan(low) or math.isnan(high):
        ci = "no CI (one replication)"
    else:
        ci = f"{m.format(low, difference)} to {m.format(high, difference)}"
    side = m.preferred(mean) if difference and significant else None
    tone = {"b": "better", "a": "worse", None: ""}[side]
    return Cell(m.format(mean, difference), ci, tone)


def _difference_cell(key: str, diffs: pd.DataFrame) -> Cell | None:
    if key not in diffs.index:
        return None
    d = diffs.loc[key]
    return _cell(key, d["mean"], d["ci_low"], d["ci_high"], difference=True,
                 significant=bool(d["significant"]))


def metric_rows(comparison: Comparison, keys: Iterable[str]) -> list[Row]:
    """Rows for the flat metric ``keys`` the comparison has (others are skipped).

    Parameters
    ----------
    comparison
        Result of :func:`callsim.experiments.comparison.compare`.
    keys
        Flat metric keys such as ``overall.wait_mean``.

    Returns
    -------
    list of Row
        Values formatted in display units (shares in %, differences in percentage points).
    """
    summary = comparison.summary.set_index(["metric", "policy"])
    pairs = [frame.set_index("metric") for frame in comparison.paired().values()]
    rows = []
    for key in keys:
        if (key, comparison.policies[0]) not in summary.index:
            continue
        values = []
        for policy in comparison.policies:
            r = summary.loc[(key, policy)]
            values.append(_cell(key, r["mean"], r["ci_low"], r["ci_high"]))
        differences = tuple(_difference_cell(key, diffs) for diffs in pairs)
        rows.append(Row(key, metric(key).axis_label(), tuple(values), differences))
    return rows


def department_names(comparison: Comparison) -> list[str]:
    """Departments with metrics in the comparison, in the scenario's order."""
    names: dict[str, None] = {}
    for key in comparison.summary["metric"]:
        if key.startswith("departments."):
            names[key.removeprefix("departments.").rpartition(".")[0]] = None
    return list(names)


def department_keys(comparison: Comparison, department: str) -> Sequence[str]:
    """The department's metric keys: :data:`DEPARTMENT_METRICS` order, then any others."""
    prefix = f"departments.{department}."
    present = {k.removeprefix(prefix) for k in comparison.summary["metric"]
               if k.startswith(prefix) and "." not in k.removeprefix(prefix)}
    ordered = [m for m in DEPARTMENT_METRICS if m in present]
    ordered += sorted(present - set(ordered))
    return [prefix + m for m in ordered]
