"""A roster section for the HTML report (``report_html(..., extra_sections=[...])``).

The section lists each roster's cost, paid hours, shifts and proven gap, its shifts, and the
coverage and Gantt figure as inline SVG. ``callsim report`` does not take ``--schedule`` yet;
this is the library part it would call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callsim.report.html import Section, svg_markup
from callsim.report.roster_figures import roster_figure

if TYPE_CHECKING:
    from callsim.planning.roster import ScheduleResult

__all__ = ["roster_section"]


def roster_section(result: ScheduleResult) -> Section:
    """The report section of ``result``'s rosters (template ``roster.html.j2``).

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
                    "figure": figure})
