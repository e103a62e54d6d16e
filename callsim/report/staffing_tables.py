"""Staffing results as tables to write (``callsim staff --out``): CSV, Parquet, JSON or Excel."""

from __future__ import annotations

from callsim.planning.staffing_result import StaffingResult
from callsim.report.sheets import Sheet
from callsim.scenario.catalogue import metric

__all__ = ["staffing_sheets"]


def staffing_sheets(result: StaffingResult) -> list[Sheet]:
    """The staffing table (policy, department, interval), the cost summary and the checks.

    In Excel the staffing table has labelled headers; loads, hours and costs get number
    formats; shares in the checks sheet are shown in %.
    """
    staffing = Sheet(
        "staffing", result.table,
        headers={"clock": "Clock time", "offered_load": "Offered load (Erlangs)",
                 "erlang": "Erlang A start", "agents": "Agents on the phones",
                 "rostered": "Rostered agents", "missed": "Target missed",
                 "within_ci": "Target within CI"},
        formats={"offered_load": "0.00", "start": "0"},
    )
    summary = Sheet("summary", result.summary,
                    formats={c: metric("total_cost").excel_format
                             for c in result.summary.columns if "cost" in c})
    checks = Sheet("checks", result_checks(result),
                   formats={"bound": "0.000", "mean": "0.000", "ci_low": "0.000",
                            "ci_high": "0.000"})
    return [staffing, summary, checks]


def result_checks(result: StaffingResult):  # type: ignore[no-untyped-def]
    """Every verified target check of every policy, one table."""
    import pandas as pd

    return pd.concat([f.checks.assign(policy=p) for p, f in result.policies.items()],
                     ignore_index=True)
