"""How to add a transfer policy (docs/DESIGN.md), done in this module alone, with the hooks.

"Hold, no briefing": the first agent stays on the line until a resolving agent answers (as
warm), then leaves at once; the caller re-explains (as cold). It holds the first agent and
adds a metric of its own (``holds_without_briefing``) through the protocol's optional hooks,
``misrouted_load`` and ``metrics`` / ``call_metrics``: the staffing search's Erlang start,
``compute_metrics``, the catalogue and ``compare`` pick them up, and no other file is edited.
(The three files of a real policy: ``callsim/policies/NAME.py``, its test, docs/model.md.)
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pytest
from pydantic import BaseModel

from callsim import compare, compute_metrics, simulate
from callsim.analysis.offered_load import department_loads, erlang_staffing, first_agent_holds
from callsim.engine.draws import Draw
from callsim.engine.records import Outcome, TransferKind
from callsim.experiments.execution import Execution
from callsim.policies import registry
from callsim.policies.cold import REEXPLAIN, cold_options
from callsim.policies.protocol import CallGroup, MisroutedLoad
from callsim.scenario.catalogue import Metric, catalogued, metric
from callsim.scenario.loading import load_scenario
from callsim.scenario.targets import parse_target
from tests.shared import REFERENCE

NAME = "hold_no_brief"
METRIC = "holds_without_briefing"


class HoldNoBrief:
    """The first agent holds until a resolving agent answers, then leaves; the caller
    re-explains."""

    name: ClassVar[str] = NAME
    options: ClassVar[type[BaseModel] | None] = None
    draws: ClassVar[tuple[Draw, ...]] = (REEXPLAIN,)
    compare_position: ClassVar[int | None] = None
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric(METRIC, "Holds without briefing", "count", None, "total",
               "Misrouted calls whose first agent held until the resolving agent answered."),)

    @classmethod
    def misrouted_load(cls, scenario) -> MisroutedLoad:
        return MisroutedLoad(holds=True, second_agent=cold_options(scenario).reexplain_time
                             .expected(), patience_factor=None)

    @classmethod
    def call_metrics(cls, group: CallGroup) -> dict[str, float]:
        return {METRIC: float(np.count_nonzero(group.kind == TransferKind.WARM))}

    def __init__(self, center, scenario) -> None:
        self.center = center
        self.reexplain = center.callers.drawn["reexplain"]
        self.handle = center.callers.handle

    def transfer(self, dept, agent, call) -> None:
        center = self.center
        center.mark_transfer(call, TransferKind.WARM)
        target = center.resolving_department(call)
        resolving_agent = center.take_idle_agent(target)
        if resolving_agent >= 0:
            self._take_over(resolving_agent, call, holding=False)
        else:
            center.hold(call, target, False)

    def answer_transferred(self, dept, agent, call, holding) -> None:
        self._take_over(agent, call, holding)

    def _take_over(self, agent: int, call: int, holding: bool) -> None:
        center = self.center
        if holding:
            center.end_hold(call)
        center.connect(call, agent)
        center.release_first_agent(call)
        center.resolve_after(call, self.handle.item(call) + self.reexplain.item(call))


@pytest.fixture(autouse=True)
def plugin():
    registry.register(HoldNoBrief)
    yield HoldNoBrief
    registry.unregister(NAME)


def scenario(policy: str = NAME):
    return load_scenario(REFERENCE, ["horizon.duration=2h", f"transfer.policy={policy}"])


def test_it_runs_and_reports_its_own_metric_zero_under_other_policies() -> None:
    sc = scenario()
    mine = compute_metrics(simulate(sc, policy=NAME, seed=1), sc)
    cold = compute_metrics(simulate(sc, policy="cold", seed=1), sc)
    assert mine[f"overall.{METRIC}"] > 0
    assert mine[f"overall.{METRIC}"] == mine["overall.transfers_warm"]
    assert cold[f"overall.{METRIC}"] == 0 and f"call_types.support.{METRIC}" in cold
    assert mine["overall.calls"] == cold["overall.calls"]  # the same callers
    assert mine["overall.drop_rate"] == 0


def test_the_catalogue_knows_its_metric_until_it_is_unregistered() -> None:
    assert metric(METRIC).label == "Holds without briefing"
    assert METRIC in {m.name for m in catalogued()}
    registry.unregister(NAME)
    assert METRIC not in {m.name for m in catalogued()}


def test_the_staffing_start_asks_the_policy() -> None:
    sc = scenario()
    assert first_agent_holds(NAME, sc) and not first_agent_holds("cold", sc)
    hold = {d: np.full(sc.horizon.n_intervals, 60.0) for d in sc.departments}
    mine, cold = department_loads(sc, NAME, hold), department_loads(sc, "cold", hold)
    # billing's agents hold misrouted support callers: more work per join than under cold
    assert (mine["billing"].mean_service > cold["billing"].mean_service).all()
    staffing, _ = erlang_staffing(sc, NAME, [parse_target("service_level>=0.8")])
    assert all((agents > 0).all() for agents in staffing.values())


def test_compare_pairs_it_with_cold() -> None:
    result = compare(scenario("cold"), ["cold", NAME], reps=2, seed=3,
                     execution=Execution(workers=1))
    doc = result.to_dict()
    assert doc["difference"] == f"{NAME} - cold"
    assert doc["differences"]["overall"][METRIC]["mean"] > 0
    outcomes = simulate(scenario(), policy=NAME, seed=3).calls["outcome"]
    assert set(outcomes.unique()) <= {Outcome.RESOLVED, Outcome.ABANDONED}
