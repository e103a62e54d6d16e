"""The Erlang start of the staffing search with after-call work and availability (model.md
section 9): busy time is talk + after-call work, and the staffed agents are enough that
``agents x available`` take calls."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from callsim import build_scenario
from callsim.analysis.erlang import agents_for_service_level
from callsim.analysis.offered_load import department_loads, erlang_staffing, staffed_for
from callsim.scenario.targets import parse_target

TARGET = [parse_target("service_level>=0.8")]


def desk(talk: float, **department: object):
    """One department, 200 calls an hour of exponential talk ``talk`` s, no abandonment."""
    raw = {"name": "desk", "horizon": {"duration": "10h", "interval": "10h"},
           "departments": {"desk": {"agents": 1, "wage_per_hour": 30, **department}},
           "call_types": {"calls": {"arrivals_per_hour": 200, "resolved_by": "desk",
                                    "handle_time": {"dist": "exponential", "mean": talk}}}}
    return build_scenario(raw, "<test>", Path("."))


def test_after_call_work_is_busy_time_in_the_erlang_start() -> None:
    """160 s of talk and 20 s of after-call work staff as 180 s of talk: 14 agents (Erlang C,
    the published case); without the after-call work 160 s need 12."""
    wrapped = desk(160, after_call_work={"dist": "deterministic", "value": 20})
    assert department_loads(wrapped, "cold")["desk"].mean_service[0] == pytest.approx(180.0)
    start, _ = erlang_staffing(wrapped, "cold", TARGET)
    assert start["desk"].tolist() == [14]
    assert agents_for_service_level(200 / 3600, 180, 0.8, 20) == 14
    assert erlang_staffing(desk(160), "cold", TARGET)[0]["desk"].tolist() == [12]
    assert agents_for_service_level(200 / 3600, 160, 0.8, 20) == 12


def test_availability_divides_the_erlang_start() -> None:
    """14 agents must take calls; with 80% available 17 are staffed (17 x 0.8 = 13.6, rounded
    half up to 14, as the simulation serves; 16 x 0.8 = 12.8 gives 13)."""
    scenario = desk(180, available=0.8)
    start, _ = erlang_staffing(scenario, "cold", TARGET)
    assert start["desk"].tolist() == [17]
    staffed = build_scenario({**scenario.model_dump(mode="json", exclude_none=True),
                              "departments": {"desk": {"agents": 17, "wage_per_hour": 30,
                                                       "available": 0.8}}}, "<test>", Path("."))
    assert staffed.agents_taking_calls("desk") == (14,)


@pytest.mark.parametrize("share", [0.8, 0.85, 0.5, 0.333, 1.0])
def test_staffed_for_inverts_the_simulations_rounding(share: float) -> None:
    """The fewest staffed agents whose share taking calls (rounded half up) is at least n."""
    need = np.arange(0, 40)
    staffed = staffed_for(need, share)
    taking = np.floor(staffed * share + 0.5 + 1e-9)
    fewer = np.floor((staffed - 1) * share + 0.5 + 1e-9)
    assert (taking >= need).all() and ((fewer < need) | (need == 0)).all()
