"""``callsim breakeven``: JSON contract, re-staffing, durations in grids, bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.shared import ROOT, invoke_cli

SMALL = str(ROOT / "tests" / "planning" / "staffing_small.yaml")
KNOWN = str(ROOT / "tests" / "planning" / "breakeven_known.yaml")


def test_breakeven_json_contract(tmp_path):
    result = invoke_cli("breakeven", KNOWN, "--vary", "transfer.warm.handoff_time.value=0:100",
                        "--metric", "call_types.support.resolution_time_mean", "--reps", "2",
                        "--workers", "1", "--grid", "3", "--steps", "2", "--json",
                        "--plot", str(tmp_path / "breakeven.svg"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "breakeven.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    # 3 grid values x 2 policies x 2 replications; no bisection: with 2 replications an end of
    # the bracket already has a paired CI including 0, so the evidence is as good as it gets
    assert "breakeven runs: 12/12 (100%)" in result.stderr
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
    (["--vary", "departments.billing.agents=30:40", "--policies", "cold,tepid"],
     "unknown policy 'tepid'"),
    (["--vary", "departments.billing.agents=30:40", "--policies", "warm"],
     "give exactly two policies"),
    (["--vary", "departments.billing.agents=30:40", "--target", "sla>=1"],
     "unknown metric 'sla'"),
    (["--vary", "departments.billing.agents=30:40", "--plot", "x.gif"], "--plot must end in"),
    (["--vary", "departments.billing.agents=30:40", "--max-calls", "10"],
     "above the limit of 10 calls"),
    # the real problem, not "=0.0" (issue 19 item 19)
    (["--vary", "departments.billing.agents=0:1e9"], "must be <= 100000"),
    (["--vary", "transfer.warm.handoff_time.mean=10s:4 fortnights"], "not a number, a duration"),
])
def test_breakeven_bad_input_one_line_exit_2(args, expected):
    result = invoke_cli("breakeven", KNOWN, *args, "--reps", "2", "--workers", "1")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.output


def test_breakeven_restaffed_json():
    result = invoke_cli("breakeven", SMALL, "--vary", "call_types.support.misroute.billing=0.1:0.4",
                        "--target", "service_level>=0.8", "--constant", "--reps", "2",
                        "--workers", "1", "--grid", "2", "--steps", "0", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["restaffed"] is True and doc["metric"] == "costs.total_cost"
    assert [p["value"] for p in doc["points"]] == [0.1, 0.4]
    if doc["crossing"] is None:
        assert doc["range"] is None and doc["better_below"] is None


def test_breakeven_and_sweep_take_durations_as_set_does(tmp_path):
    # Issue 18 item 5: "expected FIELD=LO:HI" for 10s:4min; "invalid duration '30s:2min:3'".
    result = invoke_cli("breakeven", SMALL, "--vary", "transfer.warm.handoff_time.mean=10s:4min",
                        "--metric", "lost_rate", "--reps", "2", "--grid", "2", "--steps", "0",
                        "--workers", "1", "--json")
    assert result.exit_code == 0, result.output
    assert [p["value"] for p in json.loads(result.stdout)["points"]] == [10.0, 240.0]
    swept = invoke_cli("sweep", SMALL, "--vary", "transfer.warm.handoff_time.mean=30s:2min:3",
                       "--reps", "2", "--workers", "1", "--out", str(tmp_path / "s.csv"))
    assert swept.exit_code == 0, swept.output
    table = pd.read_csv(tmp_path / "s.csv")
    assert sorted(set(table["transfer.warm.handoff_time.mean"])) == [30.0, 75.0, 120.0]
