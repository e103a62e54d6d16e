"""Policies at the cost of their rosters from the command line: ``schedule`` with two policies
(JSON contract, answer first, --out), ``breakeven --schedule`` and ``report --schedule``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest

from tests.shared import ROOT, SCENARIOS, assert_one_line_error, invoke_cli

COMPARE = str(ROOT / "tests" / "planning" / "roster_compare.yaml")
SMALL = str(ROOT / "tests" / "planning" / "staffing_small.yaml")
TEXTBOOK = str(SCENARIOS / "textbook_roster.yaml")
FAST = ["--requirements", "erlang", "--verify-reps", "3", "--seed", "4", "--workers", "1"]
VARY = ["--vary", "transfer.cold.reexplain_time.mean=10s:10min"]


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    folder = tmp_path_factory.mktemp("compare")
    result = invoke_cli("schedule", COMPARE, *FAST, "--json", "--out",
                        str(folder / "roster.xlsx"))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), folder


def test_json_comparison_contract(scheduled: tuple[dict, Path]) -> None:
    doc, _ = scheduled
    assert list(doc["rosters"]) == ["cold", "warm"]
    comparison = doc["comparison"]
    assert comparison["difference"] == "warm - cold"
    assert (comparison["replications"], comparison["first_replication"], comparison["seed"]
            ) == (3, 20, 4)
    policies = comparison["policies"]
    for name in ("cold", "warm"):
        entry = policies[name]
        assert entry["roster"] == name
        assert entry["roster_cost"] == doc["rosters"][name]["cost"]
        assert entry["total_cost"]["mean"] == pytest.approx(
            entry["roster_cost"] + entry["lost_call_cost"]["mean"])
        assert len(entry["lost_call_cost"]["ci95"]) == 2
    diff = comparison["differences"]["warm - cold"]
    assert set(diff) == {"roster_cost", "lost_call_cost", "total_cost", "better"}
    assert diff["total_cost"]["mean"] == pytest.approx(
        policies["warm"]["total_cost"]["mean"] - policies["cold"]["total_cost"]["mean"])
    assert diff["roster_cost"]["mean"] == pytest.approx(
        policies["warm"]["roster_cost"] - policies["cold"]["roster_cost"])
    assert set(diff["total_cost"]) == {"mean", "ci95", "significant"}
    assert diff["better"] in (None, "cold", "warm")


def test_out_holds_the_comparison(scheduled: tuple[dict, Path]) -> None:
    _, folder = scheduled
    book = openpyxl.load_workbook(folder / "roster.xlsx")
    assert book.sheetnames == ["shifts", "coverage", "summary", "comparison", "differences"]
    assert {"Policy", "Roster", "Total cost (mean)"} <= {c.value for c in book["comparison"][1]}
    assert [r[0].value for r in book["differences"].iter_rows(min_row=2)] == ["warm - cold"] * 3


def test_terminal_gives_the_answer_first_then_the_table() -> None:
    result = invoke_cli("schedule", COMPARE, *FAST)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines[0].startswith("Over the 2 h horizon, each policy on its own roster: ")
    out = result.stdout
    assert out.index("on average.") < out.index("Policies at the cost of their rosters")
    table = out.index("Policies at the cost")
    assert table < out.index("│ warm - cold", table) < out.index("cold: shifts")


def test_one_policy_is_not_compared() -> None:
    result = invoke_cli("schedule", COMPARE, *FAST, "--policy", "cold", "--json")
    assert result.exit_code == 0, result.output
    assert "comparison" not in json.loads(result.stdout)


def test_breakeven_schedule_on_a_tiny_grid() -> None:
    result = invoke_cli("breakeven", COMPARE, *VARY, "--schedule", "--requirements", "erlang",
                        "--reps", "3", "--grid", "2", "--steps", "1", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "re-rostered" in result.stdout and "warm - cold" in result.stdout


@pytest.mark.parametrize(("extra", "words"), [
    (["--requirements", "x.csv"], ["--requirements x.csv", "erlang or staff"]),
    (["--metric", "wait_mean"], ["--metric wait_mean", "total cost"]),
    (["--constant"], ["--constant"]),
    (["--policy", "cold,warm,callback"], ["exactly two policies"]),
])
def test_breakeven_schedule_bad_input(extra: list[str], words: list[str]) -> None:
    result = invoke_cli("breakeven", COMPARE, *VARY, "--schedule", *extra)
    assert_one_line_error(result, *words)


def test_requirements_without_schedule_is_one_line() -> None:
    result = invoke_cli("breakeven", COMPARE, *VARY, "--requirements", "erlang")
    assert_one_line_error(result, "--requirements erlang", "--schedule")


def test_report_schedule_renders_the_roster_section(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = invoke_cli("report", COMPARE, "--schedule", "--requirements", "erlang", "--reps",
                        "2", "--workers", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text()
    section = page[page.index('<section id="rosters">'):]
    section = section[:section.index("</section>")]
    assert "each policy on its own roster" in section
    assert re.search(r"<td>warm - cold</td><td></td><td>\+\d", section)
    assert "cold: shifts" in section and "warm: shifts" in section and "<svg" in section
    assert "--schedule --requirements erlang" in page  # the footer reproduces it


def test_report_schedule_bad_input_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = invoke_cli("report", SMALL, "--schedule", "--requirements", "erlang", "--target",
                        "service_level>=0.8", "--out", str(out))
    assert_one_line_error(result, "staffing_small.yaml", "no shifts")
    assert not out.exists()
