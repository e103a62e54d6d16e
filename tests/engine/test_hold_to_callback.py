"""A warm hold that turns into a callback leaves the queue line for good.

Regression: the caller stayed in the resolving department's line (removal is lazy); once the
callback was dialled the call was "in service", which the line took for a live caller, so a
freed agent either served it a second time or settled it as abandoned after the transfer while
the callback went on to resolve it (found by the invariant properties of test_invariants.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from callsim import build_scenario, simulate
from callsim.engine.records import Outcome, Stage, TransferKind

EXP1 = {"dist": "exponential", "mean": 1.0}


def scenario_raw(first_agents: Any, duration: float) -> dict[str, Any]:
    """Misrouted callers held warm for at most 1 s, then called back (conditional policy)."""
    handle = {"dist": "exponential", "mean": 30.0}
    return {
        "name": "hold then callback",
        "horizon": {"duration": duration, "interval": 300, "drain": False},
        "departments": {"d0": {"agents": 2, "wage_per_hour": 0.0},
                        "d1": {"agents": first_agents, "wage_per_hour": 0.0}},
        "call_types": {
            "k0": {"arrivals_per_hour": 240.0, "resolved_by": "d0", "handle_time": handle,
                   "patience": None},
            "k1": {"arrivals_per_hour": 240.0, "resolved_by": "d0", "handle_time": handle,
                   "patience": {"dist": "exponential", "mean": 5.0}, "misroute": {"d1": 1.0}}},
        "transfer": {
            "policy": "conditional", "identify_time": EXP1,
            "warm": {"handoff_time": EXP1, "max_hold": 1.0, "on_max_hold": "callback"},
            "conditional": {"warm_when": "queue_at_most", "max_queue": 0},
            "callback": {"note_time": EXP1, "connect_time": EXP1, "first": True}},
        "costs": {"lost_call": 0.0},
    }


@pytest.mark.parametrize(("first_agents", "duration"), [(1, 300), ([2, 0], 301)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_called_back_caller_is_served_once(first_agents: Any, duration: float,
                                             seed: int) -> None:
    raw = scenario_raw(first_agents, duration)
    result = simulate(build_scenario(raw, source="<test>", base_dir=Path(".")), seed=seed)
    calls = result.calls
    called_back = calls["transfer_kind"].to_numpy() == TransferKind.HOLD_TO_CALLBACK
    assert called_back.any()  # the case the test is about happens
    outcome, stage = calls["outcome"].to_numpy(), calls["abandon_stage"].to_numpy()
    assert np.array_equal(stage != Stage.NONE, outcome == Outcome.ABANDONED)
    chain = calls[["arrival", "answer", "transfer", "hold_end", "end"]].to_numpy(np.float64)
    for row in chain:
        present = row[~np.isnan(row)]
        assert np.all(np.diff(present) >= 0), row
    second, end = calls["answer_after_transfer"].to_numpy(), calls["end"].to_numpy()
    both = ~np.isnan(second) & ~np.isnan(end)
    assert np.all(end[both] >= second[both])
