"""Agents on duty from their calls (spells), pools of queues that share agents, and warnings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from callsim.calibration.pools import estimate_pools
from callsim.calibration.records import CallRecords
from callsim.calibration.staffing import (
    BREAK,
    Staffing,
    agents_on_duty,
    estimate_staffing,
    on_duty_spells,
)
from callsim.scenario.schema import Horizon

DAY = pd.Timestamp("1999-02-01")


def grid(start: float, n: int) -> Horizon:
    """``n`` half-hour intervals from ``start`` (s since midnight)."""
    return Horizon(duration=n * 1800.0, interval=1800.0, start=start)


def calls(rows: list[tuple[str, str, float, float]]) -> CallRecords:
    """Answered calls ``(queue, agent, answered at (s), handled (s))``, no wait."""
    queue, agent, clock, handled = zip(*rows, strict=True)
    frame = pd.DataFrame({
        "day": DAY, "clock": np.array(clock, dtype=float),
        "queue": pd.Categorical(queue), "call_type": pd.Categorical(queue), "answered": True,
        "waited": 0.0, "handled": np.array(handled, dtype=float),
        "transferred_to": pd.Categorical([None] * len(rows)), "agent": pd.Categorical(agent),
    })
    return CallRecords(frame, frozenset({"agent", "waited", "handled"}))


def test_a_gap_longer_than_a_break_ends_a_spell() -> None:
    busy = pd.DataFrame({"day": DAY, "agent": "a", "start": [0.0, 400.0, 400.0 + 100 + BREAK + 1],
                         "stop": [300.0, 500.0, 2000.0]})
    spells = on_duty_spells(busy)
    assert spells[["start", "stop"]].values.tolist() == [[0.0, 500.0], [1101.0, 2000.0]]


def test_staffing_is_the_time_average_of_agents_on_duty() -> None:
    """An agent on duty for a quarter of an interval counts 0.25, not 1 (seen busy once)."""
    spells = pd.DataFrame({"day": DAY, "agent": ["a", "b"], "start": [0.0, 1350.0],
                           "stop": [3600.0, 1800.0]})
    duty = agents_on_duty(spells, grid(0.0, 2), {"a": "ps", "b": "ps"})
    assert duty[("ps", DAY, 0)] == 1.25
    assert duty[("ps", DAY, 1)] == 1.0


def test_queues_whose_calls_other_queues_agents_answer_share_one_pool() -> None:
    """Agents a, b are at home in ps; they answer most nw calls: nw joins ps's pool. Agent c
    answers only tt: tt is its own department."""
    rows = [("ps", "a", 100.0 * k, 60.0) for k in range(10)]
    rows += [("ps", "b", 100.0 * k + 50, 30.0) for k in range(8)]
    rows += [("nw", "a", 5000.0, 60.0), ("nw", "b", 6000.0, 60.0), ("nw", "d", 7000.0, 60.0)]
    rows += [("tt", "c", 8000.0, 60.0)]
    pools = estimate_pools(calls(rows))
    assert pools.department == {"nw": "ps", "ps": "ps", "tt": "tt"}
    assert pools.shared
    row = pools.table.set_index("queue").loc["nw"]
    assert (row["agents"], row["joined"], round(row["by_own"], 3)) == (3, "ps", 0.333)


def test_one_agent_counts_once_in_its_home_pool() -> None:
    rows = [("ps", "a", 0.0, 600.0), ("nw", "a", 700.0, 600.0)]
    staffing = estimate_staffing(calls(rows), grid(0.0, 1), ["nw", "ps"],
                                 {"a": "ps"})
    assert staffing.agents("ps") == [1] and staffing.agents("nw") == [0]


def test_calls_without_agents_and_agents_without_calls_are_warnings() -> None:
    """Regression: an interval with calls arriving and 0 agents was written without a word."""
    table = pd.DataFrame({"department": "ps", "interval": [0, 1, 2], "mean": [0.0, 2.0, 3.0],
                          "low": 0.0, "high": 3.0, "agents": [0, 2, 3]})
    arrivals = pd.DataFrame({"department": "ps", "interval": [0, 2], "calls": [1.5, 9.0]})
    lines = Staffing("spells", table).zero_with_calls(arrivals, grid(25200.0, 3))
    assert lines == ["ps at 07:00: 1.5 calls a day arrive and 0 agents are staffed",
                     "ps at 07:30: 2 agents staffed and no call arrived"]


def test_a_long_gap_with_nobody_waiting_is_idle_time_on_duty() -> None:
    """Regression: at quiet times an agent idle over 10 min was taken off duty, so spells
    understaffed a simulated centre whose agents never left. A long gap is a break only when
    callers of the agent's department waited 60 caller-seconds or more meanwhile."""
    from callsim.calibration.staffing import EVIDENCE

    busy = pd.DataFrame({"day": DAY, "agent": "a", "queue": "ps", "start": [0.0, 2000.0],
                         "stop": [300.0, 2100.0]})
    quiet = pd.DataFrame({"day": [DAY], "queue": ["ps"], "start": [500.0],
                          "stop": [500.0 + EVIDENCE / 2]})
    busier = quiet.assign(stop=500.0 + EVIDENCE)
    spells = on_duty_spells(busy, waiting=quiet, department={"a": "ps"})
    assert spells[["start", "stop"]].values.tolist() == [[0.0, 2100.0]]
    spells = on_duty_spells(busy, waiting=busier, department={"a": "ps"})
    assert len(spells) == 2


def test_occupancy_is_busy_time_over_time_on_duty() -> None:
    """Regression: occupancy from records divided busy time by the agents *seen busy* in the
    interval, counting an agent who took one call at the end of it as on duty for all of it
    (simulated agents are on duty for whole intervals: the two sides measured different
    things). Agent a works the whole first half hour (busy 1,200 s), b comes on duty at 1,500 s
    (busy 300 s): 1,500 s over 2,100 s on duty, not over 2 x 1,800 s."""
    from callsim.calibration.observed import interval_statistics

    records = calls([("ps", "a", 0.0, 600.0), ("ps", "a", 900.0, 600.0),
                     ("ps", "b", 1500.0, 300.0), ("ps", "a", 1800.0, 300.0),
                     ("ps", "b", 2000.0, 100.0)])
    stats = interval_statistics(records.frame, grid(0.0, 2), 20.0)
    occupancy = stats[(stats["metric"] == "occupancy")].set_index("interval")["value"]
    assert occupancy[0] == pytest.approx(1500.0 / 2100.0)
    assert occupancy[1] == pytest.approx(400.0 / (300.0 + 300.0))


def test_an_interval_with_agents_on_duty_keeps_at_least_one() -> None:
    """Regression: agents on duty for a few minutes of an interval on some days (mean 0.1-0.3)
    were rounded to 0 agents, so the scenario abandoned every call the records show answered
    (the bank at 06:30)."""
    records = calls([("ps", "a", 1700.0, 60.0), ("ps", "a", 1800.0, 600.0)])
    staffing = estimate_staffing(records, grid(0.0, 3), ["ps"])
    assert staffing.table["mean"].round(3).tolist() == [round(100 / 1800, 3), round(1 / 3, 3), 0.0]
    assert staffing.agents("ps") == [1, 1, 0]
