"""``callsim schedule --simulate``/``--confidence`` and written scenarios that run the roster."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from callsim import load_scenario
from tests.shared import ROOT, assert_one_line_error, invoke_cli

SMALL = str(ROOT / "tests" / "planning" / "roster_small.yaml")


def test_written_scenario_runs_and_reproduces_the_coverage(tmp_path: Path) -> None:
    result = invoke_cli("schedule", SMALL, "--requirements", "erlang", "--policy", "cold",
                        "--write-scenario", str(tmp_path), "--json")
    assert result.exit_code == 0, result.output
    coverage = json.loads(result.stdout)["rosters"]["cold"]["coverage"]
    path = tmp_path / "roster_small.cold.yaml"
    ran = invoke_cli("run", str(path), "--reps", "1", "--workers", "1", "--json")
    assert ran.exit_code == 0, ran.output
    written = load_scenario(path)
    times, levels = written.staffing_steps()
    h = written.horizon
    interval = np.searchsorted(h.interval_bounds(), times, side="right") - 1
    for d, name in enumerate(written.departments):
        lowest = [min(lv[d] for lv, j in zip(levels, interval, strict=True) if j == t)
                  for t in range(h.n_intervals)]
        assert lowest == [c["scheduled"] for c in coverage if c["department"] == name]
    assert all(dep.roster for dep in written.departments.values())


def test_simulate_says_what_the_two_step_roster_missed() -> None:
    result = invoke_cli("schedule", SMALL, "--requirements", "erlang", "--policy", "cold",
                        "--simulate", "--reps", "3", "--verify-reps", "3", "--max-removals",
                        "0", "--workers", "1")
    assert result.exit_code == 0, result.output
    for words in ("two-step roster: cost", "programme(s) re-solved", "simulated days"):
        assert words in result.stdout
    assert "schedule --simulate: search round 1" in result.stderr


def test_bad_confidence_is_one_line() -> None:
    result = invoke_cli("schedule", SMALL, "--requirements", "erlang", "--confidence", "1.5")
    assert_one_line_error(result, "--confidence", "1.5")
