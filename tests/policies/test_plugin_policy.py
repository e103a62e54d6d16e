"""A transfer policy defined and registered in this module, and nowhere else, works end to end.

"Cold, but the first agent waits a fixed time (10 s by default) before transferring": its name,
its options section (``transfer.wait_then_cold.wait``) and its hooks live here. Registered at run
time, it is accepted by scenario validation, ``simulate``, ``compare`` (paired differences
named after it), sweeps and their summaries, and the ``run``, ``compare`` and ``sweep`` commands,
with no other file edited.
"""

from __future__ import annotations

import json
from typing import ClassVar

import pandas as pd
import pytest
import yaml
from pydantic import BaseModel, ConfigDict

from callsim import ScenarioError, build_scenario, compare, replicate
from callsim.engine.records import Outcome, TransferKind
from callsim.experiments.execution import Execution
from callsim.experiments.grid import Grid
from callsim.experiments.sweep_selection import difference_of
from callsim.experiments.sweeps import summarize_sweep, sweep
from callsim.policies import registry
from callsim.policies.cold import ColdTransfer
from callsim.policies.protocol import options_of
from callsim.scenario.durations import Seconds
from callsim.scenario.loading import load_scenario
from tests.engine.timeline import BASE, row, run_log
from tests.shared import invoke_cli

#: Replications in this process (the numbers are the same on any executor).
SERIAL = Execution(workers=1)

NAME = "wait_then_cold"


class WaitOptions(BaseModel):
    """``transfer.wait_then_cold``: seconds the first agent waits before the cold transfer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    wait: Seconds = 10.0


class WaitThenCold(ColdTransfer):
    """Cold transfer, started ``wait`` seconds after identification (the agent stays busy)."""

    name: ClassVar[str] = NAME
    options: ClassVar[type[BaseModel] | None] = WaitOptions
    compare_position: ClassVar[int | None] = None

    def __init__(self, center, scenario) -> None:
        super().__init__(center, scenario)
        self.wait = options_of(scenario, NAME, WaitOptions).wait

    def transfer(self, dept, agent, call) -> None:
        self.center.after(self.wait, call, self._transfer_now)

    def _transfer_now(self, event) -> None:
        call = event.value
        center = self.center
        super().transfer(center.first_department(call), center.first_agent(call), call)


@pytest.fixture(autouse=True)
def plugin():
    registry.register(WaitThenCold)
    yield WaitThenCold
    registry.unregister(NAME)


def scenario(**transfer):
    raw = {**BASE, "call_types": {**BASE["call_types"]}}
    raw["call_types"]["misrouted"] = {**raw["call_types"]["misrouted"], "arrivals_per_hour": 20}
    raw["call_types"]["billing"] = {**raw["call_types"]["billing"], "arrivals_per_hour": 20}
    raw["horizon"] = {"duration": 7200, "interval": 3600}
    raw["transfer"] = {**BASE["transfer"], **transfer}
    return build_scenario(raw, source="plugin.yaml", base_dir=".")


def test_the_registry_lists_it_but_does_not_compare_it_by_default():
    assert NAME in registry.names()
    assert registry.default_comparison() == ("cold", "warm")


def test_scenario_validation_takes_its_name_and_options():
    sc = scenario(policy=NAME, wait_then_cold={"wait": "30s"})
    assert sc.transfer.policy == NAME and sc.transfer.options(NAME) == WaitOptions(wait=30)
    assert scenario().transfer.options(NAME) == WaitOptions()  # defaults when left out
    with pytest.raises(ScenarioError) as bad:
        scenario(wait_then_cold={"wait": -1})
    assert str(bad.value) == "plugin.yaml: transfer.wait_then_cold.wait: must be >= 0"
    with pytest.raises(ScenarioError, match="transfer.policy: must be 'callback', 'cold', "
                       "'conditional', "
                       "'wait_then_cold' or 'warm'"):
        scenario(policy="blind")


def test_the_report_describes_its_options_without_a_line_of_report_code():
    from callsim.report.words import scenario_inputs

    sc = scenario(wait_then_cold={"wait": "30s"})
    transfers = dict(scenario_inputs(sc, ["cold", NAME]))["Transfers"]
    assert "Wait_then_cold transfers: wait: 30 s." in transfers
    assert not any(line.startswith("Warm transfers") for line in transfers)  # not compared
    everyone = dict(scenario_inputs(sc))["Transfers"]
    assert any(line.startswith("Warm transfers: handoff time") for line in everyone)


def test_after_unregistering_it_is_unknown():
    registry.unregister(NAME)
    with pytest.raises(ValueError, match="unknown policy 'wait_then_cold'"):
        registry.get(NAME)
    with pytest.raises(ScenarioError, match="transfer.wait_then_cold: extra field not permitted"):
        scenario(wait_then_cold={"wait": 1})


def test_exact_timeline(tmp_path):
    # Misrouted caller at 0: billing answers at 0, identifies until 10, waits until 20, then the
    # cold transfer frees billing's agent; support (idle) answers at 20: 100 + 5 s -> 125.
    # A billing caller at 5 waits for billing's agent until 20 -> ends 70.
    r = run_log(tmp_path, [(0, "misrouted"), (5, "billing")], policy=NAME)
    call = row(r, 0)
    times = (call["answer"], call["transfer"], call["answer_after_transfer"], call["end"])
    assert times == (0, 10, 20, 125)
    assert call["transfer_kind"] == TransferKind.COLD and call["outcome"] == Outcome.RESOLVED
    assert (row(r, 1)["answer"], row(r, 1)["end"]) == (20, 70)
    assert r.policy == NAME


def test_no_wait_coincides_with_cold(tmp_path):
    calls = [(0, "misrouted"), (3, "misrouted"), (5, "billing"), (8, "support"), (9, "misrouted")]
    cold = run_log(tmp_path, calls, policy="cold")
    waited = run_log(tmp_path, calls, {"transfer.wait_then_cold.wait": 0}, policy=NAME)
    assert waited.calls.equals(cold.calls) and waited.shifts.equals(cold.shifts)


def test_compare_and_sweep_summary_name_the_difference_after_it():
    sc = scenario()
    result = compare(sc, ["cold", NAME], reps=3, seed=2, execution=SERIAL)
    assert result.difference == (NAME, "cold")
    doc = result.to_dict()
    assert doc["difference"] == f"{NAME} - cold"
    # Billing's agent is busy 10 s longer per misrouted call: billing's callers wait longer.
    wait = doc["differences"]["call_types"]["billing"]["wait_mean"]
    assert wait["mean"] > 0
    rows = replicate(sc, ["cold", NAME], reps=2, seed=2, execution=SERIAL).table.assign(point=0)
    summary = summarize_sweep(rows, ["point"], ["cold", NAME], ["overall.wait_mean"])
    assert f"{NAME} - cold" in set(summary["policy"])
    assert difference_of(rows) == (NAME, "cold")


def scenario_file(tmp_path):
    """:func:`scenario`'s document as a YAML file (the CLI and sweeps read files)."""
    raw = {**BASE, "call_types": {**BASE["call_types"]}}
    for kind in ("misrouted", "billing"):
        raw["call_types"][kind] = {**raw["call_types"][kind], "arrivals_per_hour": 20}
    raw["horizon"] = {"duration": 7200, "interval": 3600}
    path = tmp_path / "plugin.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_sweep_runs_it_at_every_point(tmp_path):
    grid = Grid.from_specs(["departments.billing.agents=1,2"])
    rows = sweep(load_scenario(scenario_file(tmp_path)), grid, ["cold", NAME], reps=2, seed=3,
                 execution=SERIAL, out=tmp_path / "results.parquet")
    assert set(rows["policy"]) == {"cold", NAME} and len(rows) == 2 * 2 * 2
    summary = pd.read_parquet(tmp_path / "results.summary.parquet")
    assert f"{NAME} - cold" in set(summary["policy"])


def test_the_commands_accept_it(tmp_path):
    path = str(scenario_file(tmp_path))
    ran = invoke_cli("run", path, "--policy", NAME, "--seed", "1", "--json")
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["policy"] == NAME
    compared = invoke_cli("compare", path, "--policies", f"cold,{NAME}", "--reps", "2",
                          "--workers", "1", "--json")
    assert compared.exit_code == 0, compared.output
    assert json.loads(compared.stdout)["difference"] == f"{NAME} - cold"
    swept = invoke_cli("sweep", path, "--vary", "departments.billing.agents=1,2", "--policies",
                       f"cold,{NAME}", "--reps", "2", "--workers", "1", "--out",
                       str(tmp_path / "sweep.csv"))
    assert swept.exit_code == 0, swept.output
    assert NAME in set(pd.read_csv(tmp_path / "sweep.csv")["policy"])
