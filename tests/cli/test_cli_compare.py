"""``callsim compare`` through typer's CliRunner: the JSON contract, errors, precision, table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from callsim.scenario.catalogue import metric
from tests.shared import REFERENCE as REFERENCE_PATH
from tests.shared import invoke_cli

REFERENCE = str(REFERENCE_PATH)
QUICK = ["--seed", "1", "--workers", "1", "--set", "horizon.duration=2h"]

# docs/model.md section 5 (names are part of the contract).
CALL_METRICS = ("calls", "abandon_rate", "drop_rate", "lost_rate", "wait_mean", "wait_p90", "asa",
                "service_level", "resolution_time_mean", "transfers_cold", "transfers_warm")
DEPT_METRICS = ("occupancy", "handling", "identifying", "holding", "handoff", "agent_hours")
COST_METRICS = ("staff_cost", "transfer_agent_cost", "lost_call_cost", "total_cost")
NAMES = ("billing", "support")  # the call types and departments of the reference scenario
INTERVAL_KEYS = {"interval", "start", "calls", "wait_mean", "abandon_rate", "asa",
                 "service_level", "departments"}
#: Per department, nested as in ``metrics`` (``"departments": {D: {metric: ...}}``).
INTERVAL_DEPT_KEYS = {"occupancy", "queue_length", "offered", "service_level", "abandon_rate",
                      "asa", "wait_mean"}


def invoke(*args: str):
    return invoke_cli("compare", *args)


def check_entry(entry: dict, difference: bool) -> None:
    assert set(entry) == ({"mean", "ci95", "significant"} if difference else {"mean", "ci95"})
    assert isinstance(entry["mean"], float)
    assert isinstance(entry["ci95"], list) and len(entry["ci95"]) == 2
    if difference:
        assert isinstance(entry["significant"], bool)


def check_metrics(metrics: dict, difference: bool = False) -> None:
    assert set(metrics) == {"overall", "call_types", "departments", "costs"}
    assert set(metrics["call_types"]) == set(NAMES) == set(metrics["departments"])
    groups = [(metrics["overall"], CALL_METRICS), (metrics["costs"], COST_METRICS)]
    groups += [(metrics["call_types"][n], CALL_METRICS) for n in NAMES]
    groups += [(metrics["departments"][n], DEPT_METRICS) for n in NAMES]
    for group, names in groups:
        for name in names:
            assert name in group, name
            check_entry(group[name], difference)


@pytest.fixture(scope="module")
def doc() -> dict:
    result = invoke(REFERENCE, "--reps", "3", *QUICK, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_top_level(doc):
    assert {"scenario", "replications", "seed", "policies", "differences",
            "metric_info"} <= set(doc)
    assert doc["metric_info"]["wait_mean"]["unit"] == "seconds"
    assert doc["scenario"] == "Billing takes support calls"
    assert doc["replications"] == 3 and doc["seed"] == 1
    assert list(doc["policies"]) == ["cold", "warm"]
    assert doc["difference"] == "warm - cold"
    assert "precision" not in doc


@pytest.mark.parametrize("policy", ["cold", "warm"])
def test_json_policy_documents(doc, policy):
    run = doc["policies"][policy]
    assert set(run) == {"scenario", "policy", "replications", "seed", "metrics"}
    assert run["scenario"] == doc["scenario"] and run["policy"] == policy
    assert run["replications"] == 3 and run["seed"] == 1
    check_metrics(run["metrics"])
    transfers = run["metrics"]["overall"]["transfers_warm" if policy == "cold" else
                                          "transfers_cold"]
    assert transfers["mean"] == 0.0  # each policy transfers only its own way


def test_json_differences(doc):
    diffs = doc["differences"]
    check_metrics(diffs, difference=True)
    # Same callers under both policies: the call counts do not differ at all.
    assert diffs["overall"]["calls"] == {"mean": 0.0, "ci95": [0.0, 0.0], "significant": False}
    cold, warm = (doc["policies"][p]["metrics"]["overall"]["wait_mean"]["mean"]
                  for p in ("cold", "warm"))
    assert diffs["overall"]["wait_mean"]["mean"] == pytest.approx(warm - cold, rel=1e-9)


def test_json_intervals(doc):
    intervals = doc["intervals"]
    assert list(intervals) == ["cold", "warm"]
    for entries in intervals.values():
        assert [e["interval"] for e in entries] == [0, 1, 2, 3]  # 2 h of 30 min intervals
        assert [e["start"] for e in entries] == [0.0, 1800.0, 3600.0, 5400.0]
        for entry in entries:
            assert set(entry) == INTERVAL_KEYS
            for key in INTERVAL_KEYS - {"interval", "start", "departments"}:
                check_entry(entry[key], difference=False)
            assert list(entry["departments"]) == list(NAMES)
            for department in entry["departments"].values():
                assert set(department) == INTERVAL_DEPT_KEYS
                for value in department.values():
                    check_entry(value, difference=False)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([REFERENCE, "--policies", "cold,bogus"], "bogus"),
        ([REFERENCE, "--plot", "out.pdf"], "out.pdf"),
        ([REFERENCE, "--precision", "2"], "--precision"),
        ([REFERENCE, "--set", "nonsense"], "nonsense"),
        ([REFERENCE, "--set", "departments.billing.agents=-3"], "departments.billing.agents"),
        (["no/such/scenario.yaml"], "file not found"),
    ],
    ids=["policy", "plot-suffix", "precision", "set-syntax", "set-invalid", "missing-file"],
)
def test_errors_exit_2_with_one_line(args, expected):
    result = invoke(*args, "--reps", "2", "--workers", "1")
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)  # no other exception escaped
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert not Path("out.pdf").exists()


def test_precision_line_and_json():
    args = [REFERENCE, "--reps", "3", *QUICK, "--precision", "0.5", "--max-reps", "6"]
    table = invoke(*args)
    assert table.exit_code == 0, table.output
    assert "precision 50.0%: " in table.stdout
    assert "replications per policy" in table.stdout
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    precision = doc["precision"]
    assert set(precision) == {"target", "max_reps", "reps", "met", "worst"}
    assert precision["target"] == 0.5 and precision["max_reps"] == 6
    assert precision["reps"] in (3, 6) and precision["reps"] <= precision["max_reps"]
    assert doc["replications"] == precision["reps"]
    assert isinstance(precision["met"], bool)
    state = "met" if precision["met"] else "not met (cap 6)"
    assert f"precision 50.0%: {state} after {precision['reps']} replications" in table.stdout


def test_table_output():
    result = invoke(REFERENCE, "--reps", "2", *QUICK, "--all-metrics")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "warm - cold" in out and "sig." in out
    assert "cold" in out and "warm" in out
    for name in (*CALL_METRICS, *DEPT_METRICS, *COST_METRICS):
        label = "of which transfers" if name == "transfer_agent_cost" else metric(name).label
        assert label in out, name
    assert "per call: call type billing" in out and "per department: support" in out
    assert "2 paired replications, seed 1" in out
    assert "precision" not in out
    assert "hidden:" not in out and metric("redials").label in out


def test_table_starts_with_the_answer_and_hides_unused_features():
    """Issue 18 item 10: the answer first; metrics of unused features hidden, and named."""
    result = invoke(REFERENCE, "--reps", "3", *QUICK)
    assert result.exit_code == 0, result.output
    out = result.stdout
    first = out.splitlines()[0]
    assert first.startswith("Over the 2 h horizon, warm") and "cold transfers" in first
    table = out[out.index("┏"):out.index("hidden:")]
    for name in ("callbacks", "redials", "resolved_in_place", "calls_per_customer"):
        assert f" {metric(name).label} " not in table, name
        assert metric(name).label in " ".join(out[out.index("hidden:"):].split()), name
    assert "Conditional transfers" not in table
    assert "--all-metrics shows them" in out
    sections = [line.split("│")[1].strip() for line in out.splitlines()
                if line.startswith("│ per ") or line.startswith("│ costs")]
    assert sections == ["per call: overall", "per call: call type billing",
                        "per call: call type support", "per department: billing",
                        "per department: support", "costs (per 2 h horizon)"]
    costs = out[out.index("│ costs"):]
    assert costs.index("Staff cost") < costs.index("of which transfers") < costs.index(
        "Lost-call cost") < costs.index("Total cost")
