"""``callsim calibrate`` and ``callsim backtest`` on the example ACD export of scenarios/records."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from callsim import load_scenario
from callsim.cli.app import app
from tests.shared import ROOT

RECORDS = str(ROOT / "scenarios" / "records" / "acd_week.csv")
MAPPING = str(ROOT / "scenarios" / "records" / "acd_map.yaml")
runner = CliRunner()


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    result = runner.invoke(app, ["calibrate", RECORDS, "--map", MAPPING, "--days", "weekdays",
                                 "--out", str(folder / "s.yaml"),
                                 "--report", str(folder / "calibration.html")])
    assert result.exit_code == 0, result.output
    assert "12,537 calls on 5 day(s)" in result.output
    return folder / "s.yaml"


def test_calibrated_example_runs_and_recovers_the_truth(calibrated: Path) -> None:
    scenario = load_scenario(calibrated)
    truth = load_scenario(ROOT / "scenarios" / "records" / "truth.yaml")
    assert scenario.horizon.start == truth.horizon.start
    assert scenario.horizon.n_intervals == truth.horizon.n_intervals
    assert scenario.transfer.policy == "cold"
    assert scenario.call_types["support"].misroute["billing"] == pytest.approx(0.2, abs=0.01)
    page = (calibrated.parent / "calibration.html").read_text()
    assert page.count("<svg") == 3 and "<script" not in page
    result = runner.invoke(app, ["run", str(calibrated), "--reps", "2", "--workers", "1",
                                 "--json"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("suffix", [".xlsx", ".html"])
def test_backtest_writes_its_verdict(calibrated: Path, suffix: str) -> None:
    out = calibrated.parent / f"backtest{suffix}"
    result = runner.invoke(app, ["backtest", str(calibrated), RECORDS, "--map", MAPPING,
                                 "--days", "weekdays", "--reps", "4", "--workers", "1",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "The scenario" in result.output
    if suffix == ".xlsx":
        book = openpyxl.load_workbook(out)
        assert book.sheetnames == ["backtest", "verdict"]
        assert book["verdict"]["A2"].value.startswith("The scenario")
    else:
        page = out.read_text()
        assert "<svg" in page and "Backtest" in page


def test_backtest_bad_records_exit_2(calibrated: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("arrived,queue,outcome\n2026-03-02 09:00,billing,maybe\n")
    result = runner.invoke(app, ["backtest", str(calibrated), str(bad), "--reps", "3"])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"{bad} row 2: column 'outcome': expected answered or abandoned (translate codes under "
        "values: in --map) ('maybe')"]
    result = runner.invoke(app, ["backtest", str(calibrated), RECORDS, "--out", "x.txt"])
    assert result.exit_code == 2 and "--out" in result.stderr


def test_calibrate_takes_the_execution_options(tmp_path: Path) -> None:
    """``calibrate --fit`` runs on the batch runner: the shared options are checked before any
    work (an unknown executor: one line, exit 2, nothing written)."""
    out = tmp_path / "s.yaml"
    result = runner.invoke(app, ["calibrate", RECORDS, "--map", MAPPING, "--out", str(out),
                                 "--fit", "--executor", "threads", "--workers", "2"])
    assert result.exit_code == 2
    assert "--executor: unknown executor 'threads'" in result.output
    assert not out.exists()
