"""``callsim schedule``: the JSON contract, written scenarios, tables, figure and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from callsim import load_scenario
from tests.shared import ROOT, SCENARIOS, assert_one_line_error, invoke_cli

TEXTBOOK = str(SCENARIOS / "textbook_roster.yaml")
NEEDS = str(SCENARIOS / "textbook_requirements.csv")
SMALL = str(ROOT / "tests" / "planning" / "staffing_small.yaml")
HOURLY = [0, 0, 0, 0, 0, 0, 1, 4, 8, 9, 10, 9, 8, 16, 10, 10, 6, 7, 8, 8, 6, 6, 5, 4]


@pytest.fixture(scope="module")
def textbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    folder = tmp_path_factory.mktemp("schedule")
    result = invoke_cli("schedule", TEXTBOOK, "--requirements", NEEDS, "--json",
                        "--write-scenario", str(folder), "--out", str(folder / "roster.xlsx"),
                        "--plot", str(folder / "roster.png"))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), folder


def test_textbook_json_contract(textbook: tuple[dict, Path]) -> None:
    doc, _ = textbook
    assert doc["requirements"] == NEEDS and list(doc["rosters"]) == ["requirements"]
    roster = doc["rosters"]["requirements"]
    assert roster["cost"] == 6336 and roster["gap"] == 0 and roster["paid_hours"] == 168
    assert {"cost", "paid_hours", "gap", "shifts", "coverage"} <= set(roster)
    for shift in roster["shifts"]:
        assert set(shift) == {"department", "shift", "start", "end", "breaks", "count"}
        assert shift["breaks"] == [] and shift["department"] == "agents"
    assert sum(s["count"] for s in roster["shifts"]) == 28
    assert [c["required"] for c in roster["coverage"]] == HOURLY
    for c in roster["coverage"]:
        assert set(c) == {"department", "start", "required", "scheduled"}
        assert c["scheduled"] >= c["required"]
    assert roster["coverage"][13] == {"department": "agents", "start": "13:00",
                                      "required": 16, "scheduled": 16}


def test_written_scenario_validates_and_holds_the_coverage(textbook: tuple[dict, Path]) -> None:
    doc, folder = textbook
    path = folder / "textbook_roster.requirements.yaml"
    result = invoke_cli("validate", str(path))
    assert result.exit_code == 0, result.output
    scheduled = [c["scheduled"] for c in doc["rosters"]["requirements"]["coverage"]]
    scenario = load_scenario(path)
    assert list(scenario.staffing("agents")) == scheduled
    assert scenario.shifts == load_scenario(TEXTBOOK).shifts


def test_tables_and_figure(textbook: tuple[dict, Path]) -> None:
    _, folder = textbook
    book = openpyxl.load_workbook(folder / "roster.xlsx")
    assert book.sheetnames == ["shifts", "coverage", "summary"]
    headers = [c.value for c in book["shifts"][1]]
    assert {"Shift type", "Start", "End", "Breaks", "Agents"} <= set(headers)
    assert (folder / "roster.png").read_bytes()[:4] == b"\x89PNG"


def test_table_output_names_every_shift() -> None:
    result = invoke_cli("schedule", TEXTBOOK, "--requirements", NEEDS)
    assert result.exit_code == 0, result.output
    for name in ("early", "day08", "day10", "day12", "late16", "late18", "13:00", "6,336"):
        assert name in result.stdout


def test_staff_requirement_is_the_default() -> None:
    shifts = [f"shifts.{d}={{departments: {d}, length: 1h, earliest: '08:00', latest: "
              f"'09:00'}}" for d in ("billing", "support")]
    args = ["--set", shifts[0], "--set", shifts[1], "--target", "service_level>=0.8",
            "--reps", "2", "--verify-reps", "2", "--workers", "1", "--policy", "cold"]
    result = invoke_cli("schedule", SMALL, *args, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["requirements"] == "staff" and list(doc["rosters"]) == ["cold"]
    staffed = invoke_cli("staff", SMALL, *args[4:], "--json")
    agents = json.loads(staffed.stdout)["policies"]["cold"]["staffing"]
    coverage = doc["rosters"]["cold"]["coverage"]
    assert [c["required"] for c in coverage] == agents["billing"] + agents["support"]
    assert [c["scheduled"] for c in coverage] == [c["required"] for c in coverage]


@pytest.mark.parametrize(("args", "words"), [
    (["--set", "shifts.early.breaks=[{length: 30min, earliest: 5h, latest: 6h}]"],
     ["--set shifts.early.breaks=", "shifts.early.breaks.0", "does not fit"]),
    (["--set", "shifts.late18.earliest='19:00'"],  # the option is named, not the file
     ["--set shifts.late18.earliest='19:00'", "allows no start"]),
    (["--set", "shifts.early.departments=sales"],
     ["shifts.early.departments", "no department named 'sales'"]),
    (["--set", "shifts.early.earliest='07:00'"], ["textbook_roster.yaml", "06:00"]),
    (["--set", "shifts.day08.max_count=0", "--set", "shifts.day10.max_count=0",
      "--set", "shifts.day12.max_count=0", "--set", "shifts.late14.max_count=1"],
     ["textbook_roster.yaml", "no roster covers"]),
    (["--requirements", "missing.csv"], ["missing.csv", "file not found"]),
    (["--requirements", "scenarios"], ["scenarios: is a folder"]),
    (["--requirements", ""], ["textbook_roster.yaml", "--requirements"]),
    (["--policy", "nosuch", "--requirements", "erlang"], ["unknown policy 'nosuch'"]),
    (["--out", "roster.txt"], ["roster.txt"]),
])
def test_bad_input_is_one_line_exit_2(args: list[str], words: list[str]) -> None:
    if "--requirements" not in args:
        args = [*args, "--requirements", NEEDS]
    assert_one_line_error(invoke_cli("schedule", TEXTBOOK, *args), *words)


@pytest.mark.parametrize(("rows", "words"), [
    ("start,department,agents\n07:15,agents,3\n", ["row 2", "not the start of a planning"]),
    ("start,department,agents\n07:00,sales,3\n", ["row 2", "no department named 'sales'"]),
    ("start,department,agents\n07:00,agents,-1\n", ["row 2", "agents '-1'"]),
    ("start,department,agents\n07:00,agents,3\n07:00,agents,4\n", ["row 3", "second row"]),
    ("start,dept,agents\n07:00,agents,3\n", ["missing column 'department'"]),
])
def test_bad_requirement_files_name_file_and_row(tmp_path: Path, rows: str,
                                                 words: list[str]) -> None:
    path = tmp_path / "need.csv"
    path.write_text(rows)
    result = invoke_cli("schedule", TEXTBOOK, "--requirements", str(path))
    assert_one_line_error(result, "need.csv", *words)


def test_no_shifts_is_one_line() -> None:
    result = invoke_cli("schedule", SMALL, "--requirements", "erlang", "--target",
                        "service_level>=0.8")
    assert_one_line_error(result, "staffing_small.yaml", "no shifts")
