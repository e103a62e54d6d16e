"""Every command checks all of its outputs before any work and writes them all or nothing
(issue 19 items 6 and 7).

In each case the last file of the command's output set is blocked (a folder where a side
file, a companion figure or a written scenario goes, or a read-only folder): the command must
refuse in one line naming that file, before simulating anything, and leave no file of the set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shared import REFERENCE, ROOT, SCENARIOS, assert_one_line_error, invoke_cli

SMALL = str(ROOT / "tests" / "planning" / "staffing_small.yaml")
KNOWN = str(ROOT / "tests" / "planning" / "breakeven_known.yaml")
RECORDS = str(SCENARIOS / "records" / "acd_week.csv")
MAPPING = str(SCENARIOS / "records" / "acd_map.yaml")
ROSTER = str(SCENARIOS / "textbook_roster.yaml")
NEEDS = str(SCENARIOS / "textbook_requirements.csv")
QUICK = ["--workers", "1", "--seed", "1"]

#: command line (``{d}`` is the run's folder) -> (files of its set, the blocked one, option)
CASES = {
    "staff --out": (["staff", SMALL, "--target", "asa<=30s", "--reps", "2", "--verify-reps", "2",
                     "--out", "{d}/s.csv", *QUICK],
                    ["s.csv", "s.summary.csv"], "s.checks.csv", "--out"),
    "staff --write-scenario": (["staff", SMALL, "--target", "asa<=30s", "--reps", "2",
                                "--verify-reps", "2", "--out", "{d}/s.xlsx", "--plot",
                                "{d}/s.svg", "--write-scenario", "{d}/sc", *QUICK],
                               ["s.xlsx", "s.svg", "sc/staffing_small.cold.yaml"],
                               "sc/staffing_small.warm.yaml", "--write-scenario"),
    "compare": (["compare", SMALL, "--reps", "2", "--out", "{d}/c.csv", "--plot", "{d}/c.png",
                 *QUICK], ["c.csv", "c.differences.csv", "c.png"], "c_intervals.png", "--plot"),
    "compare side file": (["compare", SMALL, "--reps", "2", "--out", "{d}/c.parquet", *QUICK],
                          ["c.parquet", "c.intervals.parquet"], "c.differences.parquet",
                          "--out"),
    "run": (["run", SMALL, "--reps", "2", "--out", "{d}/r.csv", "--calls-out", "{d}/calls.csv",
             *QUICK], ["r.csv", "calls.csv"], "r.replications.csv", "--out"),
    "sweep": (["sweep", SMALL, "--vary", "departments.billing.agents=3:4", "--reps", "2",
               "--out", "{d}/w.csv", *QUICK], ["w.csv"], "w.summary.csv", "--out"),
    "breakeven": (["breakeven", KNOWN, "--vary", "departments.billing.agents=30:34", "--reps",
                   "2", "--plot", "{d}/b.svg", *QUICK], [], "b.svg", "--plot"),
    "report": (["report", SMALL, "--reps", "2", "--out", "{d}/report.html", *QUICK], [],
               "report.html", "--out"),
    "erlang": (["erlang", "--arrivals-per-hour", "100", "--aht", "3min", "--agents", "6",
                "--out", "{d}/e.csv"], ["e.csv"], "e.inputs.csv", "--out"),
    "schedule": (["schedule", ROSTER, "--requirements", NEEDS, "--out", "{d}/r.csv",
                  "--write-scenario", "{d}/sc", *QUICK],
                 ["r.csv", "r.coverage.csv", "r.summary.csv"],
                 "sc/textbook_roster.requirements.yaml", "--write-scenario"),
    "calibrate": (["calibrate", RECORDS, "--map", MAPPING, "--out", "{d}/cal.yaml", "--report",
                   "{d}/cal.html"], ["cal.yaml"], "cal.html", "--report"),
    "backtest": (["backtest", str(REFERENCE), RECORDS, "--map", MAPPING, "--reps", "3",
                  "--out", "{d}/bt.csv", *QUICK], ["bt.csv"], "bt.verdict.csv", "--out"),
    "plot": (["plot", "{d}/missing.parquet", "--metric", "overall.abandon_rate", "--x",
              "departments.billing.agents", "--out", "{d}/p.png"], [], "p.png", "--out"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_blocked_file_of_the_set_is_refused_before_any_work(tmp_path: Path, case: str) -> None:
    args, others, blocked, option = CASES[case]
    (tmp_path / blocked).mkdir(parents=True)  # a folder where the set's last file goes
    result = invoke_cli(*[a.replace("{d}", str(tmp_path)) for a in args])
    assert_one_line_error(result, f"{tmp_path / blocked}: {option}", "is a folder, not a file")
    assert "wrote" not in result.output
    assert [name for name in others if (tmp_path / name).exists()] == []
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == []  # nor a temporary file


def test_a_written_scenario_folder_under_a_file_or_read_only(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    args = ["staff", SMALL, "--target", "asa<=30s", "--reps", "2", "--verify-reps", "2",
            "--out", str(tmp_path / "s.csv"), *QUICK]
    result = invoke_cli(*args, "--write-scenario", str(tmp_path / "afile" / "sub"))
    assert_one_line_error(result, "--write-scenario", "afile is a file, not a folder")
    result = invoke_cli(*args, "--write-scenario", "/sys/sub")  # read-only, even for root
    assert_one_line_error(result, "/sys/sub: --write-scenario", "not writable")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_the_whole_set_is_written_together(tmp_path: Path) -> None:
    result = invoke_cli("staff", SMALL, "--target", "asa<=30s", "--reps", "2", "--verify-reps",
                        "2", "--out", str(tmp_path / "s.csv"), "--write-scenario",
                        str(tmp_path / "sc"), *QUICK)
    assert result.exit_code == 0, result.output
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "s.checks.csv", "s.csv", "s.summary.csv", "sc", "sc/staffing_small.cold.yaml",
        "sc/staffing_small.warm.yaml"]
