"""Staffing results as tables to write (``callsim staff --out``): CSV, Parquet, JSON or Excel."""

from __future__ import annotations

from callsim.planning.staffing_result import StaffingResult
from callsim.report.sheets import Sheet
from callsim.scenario.catalogue import column_label, metric

__all__ = ["STAFF_HEADERS", "staff_header", "staffing_sheets"]


#: Headers of the staffing tables' own columns (metric keys are labelled by the catalogue).
STAFF_HEADERS = {
    "department": "Department", "clock": "Clock time", "offered_load": "Offered load (Erlangs)",
    "erlang": "Erlang A start (agents)", "agents": "Agents on the phones",
    "rostered": "Rostered agents", "missed": "Target missed", "within_ci": "Target within CI",
    "staff_cost": "Staff cost", "lost_call_cost": "Lost-call cost", "total_cost": "Total cost",
    "total_cost_ci_low": "Total cost, 95% CI low", "total_cost_ci_high": "Total cost, 95% CI high",
    "meets_targets": "Meets every target", "verified_checks": "Verified checks",
    "verified_met": "Checks met", "verified_straddling": "Checks within CI",
    "verified_missed": "Checks missed", "iterations": "Search iterations",
    "runs": "Simulation runs", "target": "Target", "bound": "Bound", "met": "Met",
    "straddles": "Within CI", "verdict": "Verdict",
}
_HOURS = {"agent_hours": "agent-hours", "rostered_hours": "rostered hours"}


def staff_header(column: str) -> str:
    """Header with unit of a staffing column: ``billing: agent-hours (h)``, ``Total cost``.

    >>> staff_header("agent_hours.billing"), staff_header("total_cost_ci_low")
    ('billing: agent-hours (h)', 'Total cost, 95% CI low')
    """
    kind, _, department = column.partition(".")
    if kind in _HOURS and department:
        return f"{department}: {_HOURS[kind]} (h)"
    return STAFF_HEADERS.get(column) or column_label(column)


def staffing_sheets(result: StaffingResult) -> list[Sheet]:
    """The staffing table (policy, department, interval), the cost summary and the checks.

    In Excel every header is a label with its unit (:func:`staff_header`); loads, hours and
    costs get number formats; the checks' bound, mean and CI take each row's metric format
    (seconds for an ASA, % for a service level), never one format for both.
    """
    table, summary_frame, checks_frame = result.table, result.summary, result_checks(result)
    cost = metric("total_cost").excel_format
    staffing = Sheet("staffing", table, headers={c: staff_header(c) for c in table.columns},
                     formats={"offered_load": "0.00", "start": "0", "interval": "0",
                              "erlang": "0", "agents": "0", "rostered": "0"})
    summary = Sheet("summary", summary_frame,
                    headers={c: staff_header(c) for c in summary_frame.columns},
                    formats={c: cost if "cost" in c else '#,##0.0" h"'
                             for c in summary_frame.columns if "cost" in c or "hours" in c})
    checks = Sheet("checks", checks_frame,
                   headers={c: staff_header(c) for c in checks_frame.columns},
                   formats={"interval": "0"},
                   row_formats=[metric(str(m)).excel_format for m in checks_frame["metric"]],
                   value_columns=[c for c in ("bound", "mean", "ci_low", "ci_high")
                                  if c in checks_frame.columns])
    return [staffing, summary, checks]


def result_checks(result: StaffingResult):  # type: ignore[no-untyped-def]
    """Every verified target check of every policy, one table."""
    import pandas as pd

    return pd.concat([f.checks.assign(policy=p) for p, f in result.policies.items()],
                     ignore_index=True)
