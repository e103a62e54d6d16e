"""``callsim staff`` and ``callsim breakeven``: JSON contracts, written scenarios, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callsim import load_scenario
from callsim.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
SMALL = str(ROOT / "tests" / "experiments" / "staffing_small.yaml")
KNOWN = str(ROOT / "tests" / "experiments" / "breakeven_known.yaml")
runner = CliRunner()
QUICK = ["--reps", "2", "--verify-reps", "2", "--seed", "4"]


@pytest.fixture(scope="module")
def staffed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("staff")
    result = runner.invoke(app, ["staff", SMALL, "--target", "service_level>=0.8",
                                 "--target", "billing:asa<=30s", *QUICK, "--json",
                                 "--write-scenario", str(folder),
                                 "--out", str(folder / "staffing.xlsx"),
                                 "--plot", str(folder / "staffing.png")])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), folder


def test_staff_json_contract(staffed):
    doc, _ = staffed
    assert {"scenario", "targets", "scope", "replications", "seed", "policies",
            "differences"} <= set(doc)
    assert doc["targets"] == ["service_level>=0.8", "billing:asa<=30s"]
    assert doc["scope"] == "interval" and doc["replications"] == 2 and doc["seed"] == 4
    assert set(doc["policies"]) == {"cold", "warm"}
    for found in doc["policies"].values():
        assert {"staffing", "agent_hours", "staff_cost", "total_cost", "metrics",
                "meets_targets", "iterations", "runs"} <= set(found)
        assert {d: len(v) for d, v in found["staffing"].items()} == {"billing": 2, "support": 2}
        assert set(found["total_cost"]) == {"mean", "ci95"}
        queue = found["metrics"]["departments"]["billing"]
        assert {"service_level", "abandon_rate", "asa", "wait_mean", "offered"} <= set(queue)
        assert set(queue["asa"]) == {"mean", "ci95"}
        assert isinstance(found["meets_targets"], bool) and found["runs"] > 0
    assert set(doc["differences"]) >= {"staff_cost", "total_cost"}
    assert set(doc["differences"]["total_cost"]) == {"mean", "ci95"}


def test_written_scenarios_load_and_run(staffed):
    doc, folder = staffed
    assert (folder / "staffing.xlsx").stat().st_size > 0
    assert (folder / "staffing.png").stat().st_size > 0
    for policy in ("cold", "warm"):
        path = folder / f"staffing_small.{policy}.yaml"
        scenario = load_scenario(path)
        assert scenario.transfer.policy == policy
        assert {d: list(scenario.staffing(d)) for d in scenario.departments} == \
            doc["policies"][policy]["staffing"]
        result = runner.invoke(app, ["run", str(path), "--json", "--workers", "1"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["policy"] == policy


@pytest.mark.parametrize(("args", "expected"), [
    (["--target", "sla>=0.8"], "unknown metric 'sla'"),
    (["--target", "service_level<=0.8"], "service_level targets use >="),
    (["--target", "sales:asa<=30s"], "no department named 'sales'"),
    ([], "no target"),
    (["--target", "asa<=30s", "--min-agents", "billing=x"], "--min-agents billing=x"),
    (["--target", "asa<=30s", "--max-agents", "sales=3"], "no department named 'sales'"),
    (["--target", "asa<=30s", "--policy", "bogus"], "unknown policy 'bogus'"),
    (["--target", "asa<=30s", "--scope", "day"], "--scope"),
    (["--target", "asa<=30s", "--out", "out.txt"], "--out must end in"),
])
def test_staff_bad_input_one_line_exit_2(args, expected):
    result = runner.invoke(app, ["staff", SMALL, *args, *QUICK])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.output


def test_breakeven_json_contract():
    result = runner.invoke(app, ["breakeven", KNOWN, "--vary",
                                 "transfer.warm.handoff_time.value=0:100", "--metric",
                                 "call_types.support.resolution_time_mean", "--reps", "2",
                                 "--grid", "3", "--steps", "2", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {"field", "metric", "crossing", "range", "better_below", "points"} <= set(doc)
    assert doc["better_below"] in ("warm", "cold")
    assert doc["range"][0] <= doc["crossing"] <= doc["range"][1]
    for point in doc["points"]:
        assert set(point["difference"]) == {"mean", "ci95"}


@pytest.mark.parametrize(("args", "expected"), [
    (["--vary", "nonsense"], "expected FIELD=LO:HI"),
    (["--vary", "departments.sales.agents=1:3"], "no department named 'sales'"),
    (["--vary", "transfer.warm.bogus=1:3"], "transfer.warm.bogus"),
    (["--vary", "departments.billing.agents=30:40", "--metric", "happiness"],
     "unknown metric"),
])
def test_breakeven_bad_input_one_line_exit_2(args, expected):
    result = runner.invoke(app, ["breakeven", KNOWN, *args, "--reps", "2"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.output
