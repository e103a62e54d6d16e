"""A roster section for the HTML report (``report_html(..., extra_sections=[...])``).

The section lists each roster's cost, paid hours, shifts and proven gap, its shifts, the
coverage and Gantt figure as inline SVG, and, given a
:class:`~callsim.planning.roster_comparison.RosterComparison`, the policies at the cost of
their rosters (the answer in words, then the table). ``callsim report --schedule`` adds it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from callsim.report.html import Section, svg_markup
from callsim.report.roster_comparison import comparison_answer
from callsim.report.roster_figures import roster_figure

if TYPE_CHECKING:
    from callsim.planning.roster import ScheduleResult
    from callsim.planning.roster_comparison import RosterComparison

__all__ = ["roster_section"]


def roster_section(result: ScheduleResult, comparison: RosterComparison | None = None
                   ) -> Section:
    """The report section of ``result``'s rosters (template ``roster.html.j2``).

    With ``comparison``, the section opens with the policies at the cost of their rosters.

    Examples
    --------
    >>> from callsim import load_scenario, schedule
    >>> sc = load_scenario("scenarios/textbook_roster.yaml")
    >>> section = roster_section(schedule(sc, "scenarios/textbook_requirements.csv"))
    >>> section.id, section.context["summary"][0]["cost"]
    ('rosters', '6,336')
    """
    summary = [{"roster": r.roster, "cost": f"{r.cost:,.0f}", "paid_hours": f"{r.paid_hours:,.1f}",
                "agents": int(r.agents), "gap": f"{r.gap:.2%}", "status": r.status}
               for r in result.summary.itertuples()]
    shifts = {name: r.shifts.to_dict("records") for name, r in result.rosters.items()}
    figure = svg_markup(roster_figure(result), "roster", "Coverage and shifts")
    return Section("rosters", "Rosters", "roster.html.j2",
                   {"requirements": result.requirements, "summary": summary, "shifts": shifts,
                    "figure": figure, "comparison": _comparison(comparison)})


def _ci(mean: float, low: float, high: float, signed: bool = False) -> str:
    sign = "+" if signed else ""
    return f"{mean:{sign},.0f} ({low:{sign},.0f} to {high:{sign},.0f})"


def _comparison(comparison: RosterComparison | None) -> dict[str, Any] | None:
    """The answer and the rows of the policies-at-roster-cost table (``None``: no table)."""
    if comparison is None:
        return None
    rows = [{"name": r.policy, "roster": r.roster, "roster_cost": f"{r.roster_cost:,.0f}",
             "lost": _ci(r.lost_call_cost, r.lost_call_cost_low, r.lost_call_cost_high),
             "total": _ci(r.total_cost, r.total_cost_low, r.total_cost_high), "mark": ""}
            for r in comparison.table.itertuples()]
    for label, block in comparison.differences.groupby("difference", sort=False):
        cell = {r.metric: r for r in block.itertuples()}
        total = cell["total_cost"]
        rows.append({"name": str(label), "roster": "",
                     "roster_cost": f"{cell['roster_cost'].mean:+,.0f}",
                     "lost": _ci(cell["lost_call_cost"].mean, cell["lost_call_cost"].ci_low,
                                 cell["lost_call_cost"].ci_high, signed=True),
                     "total": _ci(total.mean, total.ci_low, total.ci_high, signed=True),
                     "mark": "*" if total.significant else ""})
    return {"answer": comparison_answer(comparison), "rows": rows,
            "replications": len(comparison.replications)}
