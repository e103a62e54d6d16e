"""``callsim run`` through typer's CliRunner: the JSON contract (docs/model.md section 8), records
files, ``--set`` overrides and one-line errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from callsim import load_scenario, simulate
from callsim.cli.app import app
from callsim.engine.records import CODE_COLUMNS, TIME_COLUMNS
from callsim.report.exports import labelled_records
from callsim.scenario.catalogue import metric
from tests.shared import REFERENCE as REFERENCE_PATH
from tests.shared import invoke_cli

runner = CliRunner()
REFERENCE = str(REFERENCE_PATH)
NAME = "Billing takes support calls"

#: docs/model.md section 5 metric names per output group.
CALL_METRICS = (
    "calls", "abandon_rate", "drop_rate", "lost_rate", "wait_mean", "wait_p90", "asa",
    "service_level", "resolution_time_mean", "transfers_cold", "transfers_warm",
)  # fmt: skip
DEPARTMENT_METRICS = (
    "occupancy", "handling", "identifying", "holding", "handoff", "agent_hours",
)  # fmt: skip
COST_METRICS = ("staff_cost", "transfer_agent_cost", "lost_call_cost", "total_cost")
RECORD_COLUMNS = [
    "call_id", "call_type", "first_department", "arrival", "arrival_clock", *TIME_COLUMNS[1:],
    *CODE_COLUMNS, "customer", "attempt", "policy", "replication", "seed",
]  # fmt: skip


def run(*args: str):
    return invoke_cli("run", REFERENCE, *args)


def run_json(*args: str) -> dict:
    result = run("--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def one_line_error(result, field: str) -> None:
    """Exit status 2 and a single stderr line naming ``field``, no traceback."""
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert field in lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


@pytest.fixture(scope="module")
def three_reps() -> dict:
    return run_json("--reps", "3", "--seed", "2")


def test_json_document_has_the_contract_keys(three_reps):
    doc = three_reps
    assert set(doc) == {"scenario", "policy", "replications", "seed", "metrics", "metric_info"}
    info = doc["metric_info"]
    assert set(info) >= {*CALL_METRICS} and info["abandon_rate"] == {
        "label": "Abandonment rate", "unit": "share", "higher_is_better": False,
        "kind": "per_call"}
    assert (doc["scenario"], doc["policy"], doc["replications"], doc["seed"]) == (
        NAME,
        "warm",
        3,
        2,
    )
    metrics = doc["metrics"]
    assert set(metrics) == {"overall", "call_types", "departments", "costs"}
    assert set(metrics["call_types"]) == {"billing", "support"}
    assert set(metrics["departments"]) == {"billing", "support"}


def groups(metrics: dict):
    yield metrics["overall"], CALL_METRICS
    for name in ("billing", "support"):
        yield metrics["call_types"][name], CALL_METRICS
        yield metrics["departments"][name], DEPARTMENT_METRICS
    yield metrics["costs"], COST_METRICS


def test_every_section_6_metric_has_a_mean_and_an_interval(three_reps):
    for group, names in groups(three_reps["metrics"]):
        for name in names:
            entry = group[name]
            assert set(entry) == {"mean", "ci95"}, name
            mean, (lo, hi) = entry["mean"], entry["ci95"]
            for value in (mean, lo, hi):
                assert isinstance(value, int | float) and not isinstance(value, bool), name
            assert lo <= mean <= hi, (name, entry)
    overall = three_reps["metrics"]["overall"]
    call_types = three_reps["metrics"]["call_types"]
    assert overall["calls"]["mean"] == pytest.approx(
        call_types["billing"]["calls"]["mean"] + call_types["support"]["calls"]["mean"],
        rel=1e-12,
    )
    costs = three_reps["metrics"]["costs"]
    assert costs["total_cost"]["mean"] == pytest.approx(
        costs["staff_cost"]["mean"] + costs["lost_call_cost"]["mean"], rel=1e-12
    )


def test_the_policy_option_chooses_the_transfer():
    transfers = {}
    for policy in ("cold", "warm"):
        doc = run_json("--policy", policy, "--seed", "3")
        assert doc["policy"] == policy
        overall = doc["metrics"]["overall"]
        transfers[policy] = (overall["transfers_cold"]["mean"], overall["transfers_warm"]["mean"])
    assert transfers["cold"][0] > 0 and transfers["cold"][1] == 0
    assert transfers["warm"][0] == 0 and transfers["warm"][1] > 0


def test_set_overrides_a_scenario_field():
    def billing_hours(*args: str) -> float:
        return run_json("--seed", "4", *args)["metrics"]["departments"]["billing"]["agent_hours"][
            "mean"
        ]

    base, more = billing_hours(), billing_hours("--set", "departments.billing.agents=30")
    assert base >= 12 * 12  # 12 agents over 12 h, plus paid overtime while draining
    assert more >= 30 * 12 > base


def test_bad_override_value_is_one_line_naming_the_field():
    one_line_error(run("--set", "departments.billing.agents=abc"), "departments.billing.agents")


def test_unknown_department_in_a_misroute_is_one_line_naming_the_field():
    result = run("--set", "call_types.support.misroute.sales=0.1")
    one_line_error(result, "call_types.support.misroute.sales")


def test_missing_scenario_file_exits_2(tmp_path):
    missing = tmp_path / "missing.yaml"
    result = runner.invoke(app, ["run", str(missing)])
    one_line_error(result, str(missing))


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_calls_out_writes_one_row_per_call_and_replication(tmp_path, suffix):
    out = tmp_path / f"out{suffix}"
    result = run(
        "--json", "--reps", "2", "--seed", "5", "--policy", "cold", "--calls-out", str(out)
    )
    assert result.exit_code == 0, result.stderr
    frame = (pd.read_parquet(out) if suffix == ".parquet"
             else pd.read_csv(out, float_precision="round_trip"))
    assert list(frame.columns) == RECORD_COLUMNS
    scenario = load_scenario(REFERENCE)
    for r in (0, 1):
        expected = labelled_records(simulate(scenario, policy="cold", seed=5,
                                             replication=r).calls, scenario.horizon.start)
        mine = frame[frame["replication"] == r].reset_index(drop=True)
        assert len(mine) == len(expected)
        assert (mine["policy"] == "cold").all() and (mine["seed"] == 5).all()
        assert mine["call_id"].tolist() == list(range(len(expected)))
        assert mine["arrival"].to_numpy().tolist() == expected["arrival"].tolist()
        assert mine["outcome"].astype(str).tolist() == expected["outcome"].astype(str).tolist()
        if suffix == ".parquet":
            assert mine[list(expected.columns)].equals(expected)
    assert len(frame) == sum(  # and nothing else
        len(simulate(scenario, policy="cold", seed=5, replication=r).calls) for r in (0, 1)
    )


def test_calls_out_with_another_suffix_exits_2_and_writes_nothing(tmp_path):
    result = run("--calls-out", str(tmp_path / "out.txt"))
    one_line_error(result, "out.txt")
    assert list(tmp_path.iterdir()) == []


def test_one_replication_has_no_confidence_interval():
    # statistics.t_interval: one value gives NaN bounds; output.py writes NaN as null.
    doc = run_json("--seed", "6")
    assert doc["replications"] == 1
    for group, names in groups(doc["metrics"]):
        for name in names:
            assert isinstance(group[name]["mean"], int | float), name
            assert group[name]["ci95"] == [None, None], name


def test_table_shows_the_scenario_and_the_metrics():
    result = run("--seed", "7", "--all-metrics")
    assert result.exit_code == 0, result.stderr
    assert NAME in result.stdout
    for name in (*CALL_METRICS, *DEPARTMENT_METRICS, *COST_METRICS):
        label = "of which transfers" if name == "transfer_agent_cost" else metric(name).label
        assert label in result.stdout, name
    assert "billing" in result.stdout and "support" in result.stdout


def test_same_seed_same_json():
    first, second = (
        run("--json", "--reps", "2", "--seed", "8"),
        run("--json", "--reps", "2", "--seed", "8"),
    )
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    other = run("--json", "--reps", "2", "--seed", "9")
    assert other.stdout != first.stdout


def test_one_replication_does_not_claim_a_confidence_interval():
    # Issue 18 item 6: with --reps 1 the header still said "mean ± 95% CI".
    from tests.shared import SCENARIOS, invoke_cli

    result = invoke_cli("run", str(SCENARIOS / "billing_support.yaml"), "--reps", "1",
                        "--workers", "1", "--set", "horizon.duration=1h")
    assert result.exit_code == 0, result.output
    assert "95% CI" not in result.stdout and "one replication" in result.stdout
def test_table_hides_metrics_of_unused_features():
    """Issue 18 item 10: zero-throughout metrics are hidden and named under the table."""
    result = run("--seed", "7")
    assert result.exit_code == 0, result.stderr
    table, _, note = result.stdout.partition("hidden:")
    assert metric("callbacks").label not in table and metric("callbacks").label in note
    assert metric("total_cost").label in table and "--all-metrics shows them" in note
