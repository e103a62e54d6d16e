"""Policies at the cost of their rosters, in words and tables (terminal, ``--out``, HTML).

The answer sentence reuses the report headline's cost clause (:func:`~callsim.report.headline.
cost_phrase`): ``B - A`` of total cost (roster + lost calls) with its 95% CI, A the first
policy named, then what the rosters and the lost calls cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callsim.analysis.statistics import difference_label
from callsim.report.headline import amount, cost_phrase
from callsim.report.sheets import Sheet
from callsim.report.words import human_duration

if TYPE_CHECKING:
    from callsim.planning.roster_comparison import RosterComparison

__all__ = ["comparison_answer", "comparison_sheets"]

_LABELS = {"roster_cost": "Roster cost", "lost_call_cost": "Lost-call cost",
           "total_cost": "Total cost"}


def comparison_answer(comparison: RosterComparison) -> str:
    """The answer in words: each other policy against the first, at the cost of its roster.

    >>> from callsim import load_scenario, schedule
    >>> from callsim.experiments.execution import Execution
    >>> from callsim.planning.roster_comparison import compare_rosters
    >>> sc = load_scenario("tests/planning/roster_compare.yaml")
    >>> c = compare_rosters(schedule(sc, "erlang"), reps=3, execution=Execution(workers=1))
    >>> comparison_answer(c).startswith("Over the 2 h horizon, each policy on its own roster:")
    True
    """
    scenario = comparison.scenario
    unit = f" {scenario.costs.currency}" if scenario.costs.currency else ""
    table = comparison.table.set_index("policy")
    diffs = comparison.differences
    sentences = []
    for b, a in comparison.pairs:
        row = diffs[(diffs["difference"] == difference_label((b, a)))
                    & (diffs["metric"] == "total_cost")].iloc[0]
        clause = cost_phrase(b, a, float(row["mean"]), float(row["ci_low"]),
                             float(row["ci_high"]), human_duration(scenario.horizon.duration),
                             scenario.costs.currency)
        clause = clause.replace(" horizon, ", " horizon, each policy on its own roster: ", 1)
        sentences.append(
            f"{clause}; rosters {amount(table.at[a, 'roster_cost'])}{unit} ({a}) and "
            f"{amount(table.at[b, 'roster_cost'])}{unit} ({b}), lost calls "
            f"{amount(table.at[a, 'lost_call_cost'])} and "
            f"{amount(table.at[b, 'lost_call_cost'])}{unit} on average.")
    return " ".join(sentences)


def comparison_sheets(comparison: RosterComparison) -> list[Sheet]:
    """The ``comparison`` (per policy) and ``differences`` (per pair and cost) tables."""
    headers = {"policy": "Policy", "roster": "Roster"}
    for key, label in _LABELS.items():
        headers.update({key: f"{label} (mean)", f"{key}_low": f"{label}, 95% CI low",
                        f"{key}_high": f"{label}, 95% CI high"})
    money = {k: "#,##0.00" for k in headers if k not in ("policy", "roster")}
    per_policy = Sheet("comparison", comparison.table, headers=headers, formats=money)
    differences = Sheet(
        "differences", comparison.differences.replace({"metric": _LABELS}),
        headers={"difference": "Difference (B - A, A the first policy named)",
                 "metric": "Cost", "mean": "Mean", "ci_low": "95% CI low",
                 "ci_high": "95% CI high", "n": "Paired replications",
                 "significant": "Significant"},
        formats={"mean": "#,##0.00", "ci_low": "#,##0.00", "ci_high": "#,##0.00"},
    )
    return [per_policy, differences]
