"""Sweeps and plots with the policies beyond cold and warm, and with more than two policies.

Paired differences are taken against the first policy named, as ``compare`` does.
"""

from __future__ import annotations

import pandas as pd
import pytest

from callsim.experiments.execution import Execution
from callsim.experiments.grid import Grid
from callsim.experiments.sweep_selection import select_policies, sweep_summary
from callsim.experiments.sweeps import sweep
from callsim.scenario.loading import load_scenario
from tests.shared import REFERENCE, invoke_cli

#: Replications in this process (the numbers are the same on any executor).
SERIAL = Execution(workers=1)
#: The reference scenario, validated once (every sweep point is its document with overrides).
BASE = load_scenario(REFERENCE)

POLICIES = ["cold", "conditional", "callback"]
AGENTS = "departments.support.agents"


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> tuple[pd.DataFrame, pd.DataFrame, object]:
    out = tmp_path_factory.mktemp("sweep") / "results.parquet"
    rows = sweep(BASE, Grid.from_specs([f"{AGENTS}=14,16"]), POLICIES, reps=3, seed=4,
                 execution=SERIAL, out=out, overrides=["horizon.duration=2h",
                                                "transfer.conditional.warm_when=agent_free"])
    return rows, pd.read_parquet(out.with_name("results.summary.parquet")), out


def test_every_policy_runs_at_every_point(swept):
    rows, _, _ = swept
    assert list(pd.unique(rows["policy"])) == POLICIES and len(rows) == 2 * 3 * 3
    assert (rows["overall.callbacks"][rows["policy"] == "callback"] > 0).all()
    conditional = rows[rows["policy"] == "conditional"]
    assert (conditional["overall.transfers_conditional_warm"]
            + conditional["overall.transfers_conditional_cold"]
            == conditional["overall.transfers_cold"] + conditional["overall.transfers_warm"]).all()


def test_summary_has_differences_against_the_first_policy(swept):
    _, summary, _ = swept
    assert set(summary["policy"]) == {*POLICIES, "conditional - cold", "callback - cold"}
    diff = summary[(summary["policy"] == "callback - cold")
                   & (summary["metric"] == "overall.callbacks")]
    assert len(diff) == 2 and (diff["mean"] > 0).all()


def test_plot_summary_marks_significance_of_every_difference(swept):
    rows, _, _ = swept
    summary = sweep_summary(rows, [AGENTS], "overall.wait_mean")
    labels = {"conditional - cold", "callback - cold"}
    assert labels <= set(summary["policy"])
    assert summary.loc[summary["policy"].isin(labels), "significant"].notna().all()
    assert summary.loc[summary["policy"].isin(POLICIES), "significant"].isna().all()


def test_select_policies_orders_a_first(swept):
    rows, _, _ = swept
    chosen = select_policies(rows, ["callback", "cold"])
    assert list(pd.unique(chosen["policy"])) == ["callback", "cold"]
    with pytest.raises(ValueError, match="no results of policy 'warm'"):
        select_policies(rows, ["warm"])


def test_plot_command_draws_a_chosen_pair_and_needs_one_with_three(swept, tmp_path):
    _, _, out = swept
    three = invoke_cli("plot", str(out), "--x", AGENTS, "--metric", "wait_mean", "--diff")
    assert three.exit_code == 2 and "--policies A,B" in three.stderr
    figure = tmp_path / "diff.png"
    two = invoke_cli("plot", str(out), "--x", AGENTS, "--metric", "wait_mean", "--diff",
                     "--policies", "cold,callback", "--out", str(figure))
    assert two.exit_code == 0, two.output
    assert figure.stat().st_size > 0
    lines = invoke_cli("plot", str(out), "--x", AGENTS, "--metric", "callbacks", "--out",
                       str(tmp_path / "all.svg"))
    assert lines.exit_code == 0, lines.output
