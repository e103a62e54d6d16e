"""Excel (and every table format) from the commands: same values as JSON and CSV, labelled
headers, number formats, frozen header row (read back with openpyxl)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from callsim.cli.app import app
from tests.shared import REFERENCE as REFERENCE_PATH

REFERENCE = str(REFERENCE_PATH)
QUICK = ["--seed", "3", "--workers", "1", "--set", "horizon.duration=1h"]
PERCENT, SECONDS, CURRENCY = "0.0%", '0.0" s"', "#,##0.00"

runner = CliRunner()


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def sheet_rows(path: Path, name: str) -> tuple[list[str], list[tuple], openpyxl.Workbook]:
    book = openpyxl.load_workbook(path)
    ws = book[name]
    rows = list(ws.iter_rows(values_only=True))
    assert ws.freeze_panes == "A2", name
    return list(rows[0]), rows[1:], book


def same(cell, value) -> bool:
    """An Excel cell equals a JSON/CSV value (missing numbers are empty cells).

    openpyxl writes numbers with 16 significant digits (Excel shows 15), so floats agree to
    a relative 1e-15, not to the last bit.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return cell is None
    if isinstance(value, float):
        return cell == pytest.approx(value, rel=1e-15, abs=0.0)
    return cell == value


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    args = ["compare", REFERENCE, "--reps", "2", *QUICK]
    cli(*args, "--out", str(folder / "c.xlsx"))
    document = json.loads(cli(*args, "--json", "--out", str(folder / "c.json")))
    return folder, document


def test_compare_workbook_has_a_sheet_per_table(compared):
    folder, _ = compared
    book = openpyxl.load_workbook(folder / "c.xlsx")
    assert book.sheetnames == ["summary", "differences", "intervals", "replications",
                               "scenario inputs"]


def test_compare_summary_equals_json_with_labels_and_formats(compared):
    folder, document = compared
    headers, rows, book = sheet_rows(folder / "c.xlsx", "summary")
    assert headers[:6] == ["Policy", "Metric key", "Metric", "Mean", "95% CI low", "95% CI high"]
    tables = json.loads((folder / "c.json").read_text())
    assert len(rows) == len(tables["summary"])
    for row, record in zip(rows, tables["summary"], strict=True):
        keys = ["policy", "metric", "label", "mean", "ci_low", "ci_high"]
        assert all(same(cell, record[key]) for cell, key in zip(row[:6], keys, strict=True))
    ws = book["summary"]
    formats = {ws.cell(i, 2).value: ws.cell(i, 4).number_format for i in range(2, ws.max_row + 1)}
    assert formats["overall.abandon_rate"] == PERCENT
    assert formats["overall.wait_mean"] == SECONDS
    assert formats["costs.total_cost"] == CURRENCY
    labels = {r[1]: r[2] for r in rows}
    assert labels["overall.abandon_rate"] == "Abandonment rate (%)"
    assert labels["departments.billing.occupancy"] == "billing: Occupancy (%)"
    # ... and the same numbers as the compare --json document
    cold = {r[1]: r[3] for r in rows if r[0] == "cold"}
    assert same(cold["overall.wait_mean"],
                document["policies"]["cold"]["metrics"]["overall"]["wait_mean"]["mean"])


def test_compare_differences_and_intervals(compared):
    folder, document = compared
    headers, rows, _ = sheet_rows(folder / "c.xlsx", "differences")
    assert headers[:3] == ["Difference (B - A)", "Metric key", "Metric"]
    total = next(r for r in rows if r[1] == "costs.total_cost")
    assert total[0] == "warm - cold"
    assert same(total[3], document["differences"]["costs"]["total_cost"]["mean"])
    assert next(r for r in rows if r[1] == "overall.abandon_rate")[2] == "Abandonment rate (pp)"
    headers, rows, book = sheet_rows(folder / "c.xlsx", "intervals")
    assert "Clock time" in headers
    clock = headers.index("Clock time")
    assert [r[clock] for r in rows if r[headers.index("Metric key")] == "wait_mean"][:2] == [
        "08:00", "08:30"]
    _, inputs, _ = sheet_rows(folder / "c.xlsx", "scenario inputs")
    assert ("horizon.duration", 3600.0) in inputs


def test_run_csv_and_excel_hold_the_same_numbers(tmp_path):
    args = ["run", REFERENCE, "--reps", "2", *QUICK]
    cli(*args, "--out", str(tmp_path / "r.xlsx"))
    cli(*args, "--out", str(tmp_path / "r.csv"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "r.csv", "r.replications.csv", "r.scenario_inputs.csv", "r.xlsx"]  # no space
    csv = pd.read_csv(tmp_path / "r.csv")
    headers, rows, book = sheet_rows(tmp_path / "r.xlsx", "summary")
    excel = pd.DataFrame(rows, columns=list(csv.columns))
    pd.testing.assert_frame_equal(excel, csv, check_dtype=False, rtol=1e-15)
    headers, rows, book = sheet_rows(tmp_path / "r.xlsx", "replications")
    assert headers[:4] == ["Policy", "Replication", "Seed", "Calls"]
    ws = book["replications"]
    column = headers.index("Abandonment rate (%)") + 1
    assert ws.cell(2, column).number_format == PERCENT


def test_erlang_workbook(tmp_path):
    out = tmp_path / "e.xlsx"
    document = json.loads(cli("erlang", "--arrivals-per-hour", "120", "--aht", "180",
                              "--agents", "8", "--json", "--out", str(out)))
    headers, rows, book = sheet_rows(out, "erlang")
    assert headers[:2] == ["Agents", "Probability of waiting (%)"]
    assert "Average speed of answer (s)" in headers
    values = document["rows"][0]
    abandon = list(values).index("p_abandon")
    # Erlang C: abandonment does not apply, an empty cell, not 0 (issue 18 item 14)
    assert values["p_abandon"] == 0 and rows[0][abandon] is None
    assert all(same(cell, value) for k, (cell, value) in enumerate(
        zip(rows[0], values.values(), strict=True)) if k != abandon)
    assert book["erlang"].cell(2, 2).number_format == PERCENT
    assert headers[-2:] == ["Offered load (Erlangs)", "Mean wait if delayed (s)"]
    assert book["erlang"].cell(2, len(headers)).number_format == SECONDS
    _, inputs, _ = sheet_rows(out, "inputs")
    assert ("aht_s", 180.0) in inputs


def test_sweep_workbook_holds_results_and_summary(tmp_path):
    args = ["sweep", REFERENCE, "--vary", "departments.billing.agents=11,13", "--reps", "2",
            *QUICK]
    cli(*args, "--out", str(tmp_path / "s.xlsx"))
    cli(*args, "--out", str(tmp_path / "s.parquet"))
    results = pd.read_parquet(tmp_path / "s.parquet")
    headers, rows, book = sheet_rows(tmp_path / "s.xlsx", "results")
    # One naming for the swept field in both sheets (issue 18 item 14)
    assert headers[:5] == ["Point", "billing: agents", "Policy", "Replication", "Seed"]
    assert [c.value for c in book["summary"][1]][:2] == ["Point", "billing: agents"]
    excel = pd.DataFrame(rows, columns=list(results.columns))
    excel = excel.where(excel.notna(), np.nan)  # an empty cell reads as None; the table has NaN
    pd.testing.assert_frame_equal(excel, results, check_dtype=False, rtol=1e-15)
    summary = pd.read_parquet(tmp_path / "s.summary.parquet")
    assert book["summary"].max_row == len(summary) + 1


def test_more_than_two_policies_keep_every_difference(tmp_path):
    """Three policies: the differences sheet holds each one against the first, as the JSON."""
    args = ["compare", REFERENCE, "--reps", "2", *QUICK, "--policy", "cold", "--policy", "warm",
            "--policy", "conditional"]
    cli(*args, "--out", str(tmp_path / "c.xlsx"))
    document = json.loads(cli(*args, "--json"))
    headers, rows, _ = sheet_rows(tmp_path / "c.xlsx", "differences")
    labels = [row[0] for row in rows]
    assert list(dict.fromkeys(labels)) == ["warm - cold", "conditional - cold"]
    totals = {r[0]: r[3] for r in rows if r[1] == "costs.total_cost"}
    assert totals.keys() == document["differences_vs_first"].keys()
    for label, mean in totals.items():
        assert same(mean, document["differences_vs_first"][label]["costs"]["total_cost"]["mean"])


def test_staff_workbook_has_labelled_headers_and_a_format_per_metric(tmp_path):
    """Issue 18 item 14: raw keys as headers, seconds and shares in one 0.000 column."""
    from tests.shared import ROOT

    small = str(ROOT / "tests" / "planning" / "staffing_small.yaml")
    cli("staff", small, "--target", "service_level>=0.8", "--target", "asa<=20s", "--reps", "2",
        "--verify-reps", "2", "--workers", "1", "--policy", "cold", "--out",
        str(tmp_path / "s.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "s.xlsx")
    for ws in book:
        headers = [c.value for c in ws[1]]
        raw = [h for h in headers if "_" in h or "." in h]
        assert raw == [], (ws.title, raw)
    headers, rows, _ = sheet_rows(tmp_path / "s.xlsx", "summary")
    assert "billing: Staffed agent-hours (h)" in headers and "Total cost, 95% CI low" in headers
    headers, rows, book = sheet_rows(tmp_path / "s.xlsx", "checks")
    metric_at, bound_at = headers.index("Metric key"), headers.index("Bound")
    formats = {row[metric_at]: book["checks"].cell(k + 2, bound_at + 1).number_format
               for k, row in enumerate(rows)}
    assert formats == {"service_level": PERCENT, "asa": SECONDS}

