"""Replayed days: each day's workload level per interval (shrunk) and its agents on duty."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from callsim.calibration.estimate import load_records
from callsim.calibration.replay import (
    TRANSLATION_CALLS,
    handle_levels,
    replay_days,
    replayed_staffing,
)
from tests.calibration.known import HANDLE, known_scenario, records_of

DAYS = [pd.Timestamp("2026-03-02") + pd.Timedelta(days=d) for d in range(5)]
EVENT = (DAYS[4], 3)  # the day and interval whose calls took a fifth of the usual time
SMALL = (DAYS[2], 8)  # an interval of two long calls


def _calls(rng: np.random.Generator) -> pd.DataFrame:
    """Answered billing calls: 40 per interval and day, lognormal around the scenario's mean."""
    mean = HANDLE["billing"][0]
    rows = []
    for day in DAYS:
        for i in range(12):
            n = 2 if (day, i) == SMALL else 40 if (day, i) != EVENT else 120
            factor = 0.2 if (day, i) == EVENT else 5.0 if (day, i) == SMALL else 1.0
            handled = mean * factor * rng.lognormal(-0.125, 0.5, n)  # mean 1, cv about 0.53
            clock = 9 * 3600 + i * 1800 + rng.uniform(0, 1800, n)
            rows.append(pd.DataFrame({"day": day, "clock": clock, "handled": handled}))
    frame = pd.concat(rows, ignore_index=True)
    frame["call_type"] = pd.Categorical(["billing"] * len(frame))
    frame["answered"] = True
    frame["transferred_to"] = pd.Categorical([None] * len(frame))
    return frame


@pytest.fixture(scope="module")
def levels() -> tuple[dict[pd.Timestamp, np.ndarray], pd.DataFrame]:
    calls = _calls(np.random.default_rng(7))
    return handle_levels(known_scenario(), calls), calls


def _ratio(calls: pd.DataFrame, day: pd.Timestamp, interval: int) -> float:
    mine = calls[(calls["day"] == day)
                 & ((calls["clock"] - 9 * 3600) // 1800 == interval)]
    return float(mine["handled"].sum() / (len(mine) * HANDLE["billing"][0]))


def test_an_event_keeps_its_own_level_and_ordinary_intervals_are_shrunk(levels) -> None:  # type: ignore[no-untyped-def]
    """120 calls at a fifth of the usual handle time: the level stays within one standard
    error of the ratio (the pooled cv of handle times around their expected means, 0.53, over
    sqrt(120): 0.048; 20% of margin for the cv's estimate), not near 1; every ordinary
    interval lies between 1 and its own ratio (shrunk, never pushed past it)."""
    found, calls = levels
    day, i = EVENT
    ratio = _ratio(calls, day, i)
    assert 0.15 < ratio < 0.25
    assert abs(found[day][i] - ratio) < 0.53 / np.sqrt(120) * 1.2 and found[day][i] < 0.3
    for d in DAYS:
        for j in range(12):
            if (d, j) in (EVENT, SMALL):
                continue
            r = _ratio(calls, d, j)
            assert min(1.0, r) - 1e-9 <= found[d][j] <= max(1.0, r) + 1e-9
    assert found[DAYS[0]].shape == (known_scenario().horizon.n_intervals,)


def test_an_interval_of_few_calls_stays_near_one(levels) -> None:  # type: ignore[no-untyped-def]
    """Two calls five times as long as usual (fewer than TRANSLATION_CALLS): the ordinary
    intervals' spread (tau^2) is small beside two calls' sampling variance, so the level stays
    much nearer 1 than the ratio."""
    found, calls = levels
    day, i = SMALL
    assert 2 < TRANSLATION_CALLS
    ratio = _ratio(calls, day, i)
    assert ratio > 3
    assert 1 <= found[day][i] < 1 + (ratio - 1) / 2


def test_no_answered_call_gives_no_level() -> None:
    calls = _calls(np.random.default_rng(1)).assign(answered=False)
    assert handle_levels(known_scenario(), calls) == {}


def test_a_replayed_day_has_its_calls_level_and_agents(tmp_path: Path) -> None:
    """The known scenario's own day: its billing agents (10, busy all day) are on duty in every
    interval but the first and last, which they start and leave within; support's keep the
    scenario's 16, since misrouted calls are transferred to support and the records do not show
    those second legs (its spells gave 12-15); its calls are the day's arrivals; the handle
    scale is the scenario's times the day's level."""
    scenario = known_scenario()
    path = tmp_path / "records.csv"
    records_of(scenario, 1, seed=5).to_csv(path, index=False)
    records = load_records(path)
    (day,) = replay_days(scenario, records)
    assert replayed_staffing(scenario, records) == ["billing"] == list(day.agents)
    assert day.agents["billing"][1:-1] == (10,) * 10
    simulated = day.scenario(scenario)
    assert simulated.call_log is not None and len(simulated.call_log) == len(day.calls)
    assert simulated.departments["billing"].agents == day.agents["billing"]
    assert simulated.departments["support"].agents == 16
    for name in scenario.call_types:
        assert np.allclose(simulated.handle_scales(name), day.level)
    assert scenario.departments["billing"].agents == 10  # the base is unchanged


def test_a_department_without_agents_in_the_records_keeps_the_scenarios(tmp_path: Path) -> None:
    """Records of the known scenario's support queue only: billing has no agent of its own in
    them, and a day replayed with 0 billing agents would leave its callers unanswered."""
    scenario = known_scenario()
    frame = records_of(scenario, 1, seed=5)
    path = tmp_path / "support.csv"
    frame[frame["queue"] == "support"].to_csv(path, index=False)
    records = load_records(path)
    assert replayed_staffing(scenario, records) == ["support"]
    (day,) = replay_days(scenario, records)
    simulated = day.scenario(scenario)
    assert simulated.departments["billing"].agents == 10
    assert simulated.departments["support"].agents == day.agents["support"]
