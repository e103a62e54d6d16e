"""Agent numbers beyond int16: the scenario limit allows 100,000 agents per department, and the
loader fuzz test found a department of 32,769 agents overflowing the int16 agent columns."""

from __future__ import annotations

import numpy as np

from callsim import simulate
from tests.shared import reference


def test_agent_numbers_above_32767_are_recorded() -> None:
    scenario = reference("departments.support.agents=32769", "horizon.duration=10min",
                         "horizon.interval=10min")
    result = simulate(scenario, seed=1)
    agents = result.calls["agent"].to_numpy()
    assert result.calls["agent"].dtype == np.int32
    assert agents.max() > np.iinfo(np.int16).max  # the busiest numbers are the highest ones
    first_support = (result.calls["first_department"] == "support").to_numpy()
    answered = ~np.isnan(result.calls["answer"].to_numpy())
    assert (agents[first_support & answered] >= 0).all()  # no wrapped-around numbers
