"""Rosters as tables to write (``callsim schedule --out``): CSV, Parquet, JSON or Excel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from callsim.report.sheets import Sheet

if TYPE_CHECKING:
    from callsim.planning.roster import ScheduleResult

__all__ = ["roster_sheets"]


def roster_sheets(result: ScheduleResult) -> list[Sheet]:
    """The shifts of every roster, its coverage per interval and a summary per roster.

    Clock times are text (``HH:MM``); ``break_times`` (pairs of seconds) is left out of the
    files, which hold ``breaks`` as ``HH:MM-HH:MM; ...``.
    """
    shifts = Sheet(
        "shifts", result.shifts.drop(columns=["break_times"]),
        headers={"roster": "Roster", "department": "Department(s)", "shift": "Shift type",
                 "start": "Start", "end": "End", "breaks": "Breaks", "count": "Agents",
                 "start_time": "Start (s from horizon start)",
                 "end_time": "End (s from horizon start)", "cost": "Cost",
                 "paid_hours": "Paid hours"},
        formats={"cost": "#,##0.00", "paid_hours": "0.00"},
    )
    coverage = Sheet(
        "coverage", result.coverage,
        headers={"roster": "Roster", "department": "Department", "interval": "Interval",
                 "start": "Start", "start_time": "Start (s from horizon start)",
                 "required": "Agents required", "scheduled": "Agents scheduled",
                 "surplus": "Surplus"},
    )
    summary = Sheet(
        "summary", result.summary,
        headers={"roster": "Roster", "cost": "Cost", "paid_hours": "Paid hours",
                 "agents": "Agents rostered (one shift each)", "gap": "Proven gap",
                 "bound": "Lower bound on cost",
                 "status": "Solver status", "solve_seconds": "Solver time (s)"},
        formats={"cost": "#,##0.00", "bound": "#,##0.00", "gap": "0.00%",
                 "paid_hours": "0.00", "solve_seconds": "0.000"},
    )
    return [shifts, coverage, summary]
