"""The engine runs ``departments.D.roster`` exactly: shifts and breaks at any moment.

Aligned shifts without breaks are the per-interval ``agents`` form, call for call; a break
mid-interval takes an idle agent off for exactly its span (agent-seconds from the shift
records); an agent on a call when the break comes finishes it first; a bad roster is one line.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from callsim.policies.simulation import simulate
from callsim.scenario.errors import ScenarioError
from callsim.scenario.loading import build_scenario
from tests.shared import REFERENCE, reference

SHORT = ["horizon.duration=2h", "horizon.interval=30min", "horizon.start=00:00"]


def _roster_scenario(billing: list[dict[str, Any]], support: list[dict[str, Any]],
                     extra: list[str] | None = None) -> Any:
    import yaml

    sets = [*SHORT, *(extra or []),
            f"departments.billing.roster={yaml.safe_dump(billing, default_flow_style=True)}",
            f"departments.support.roster={yaml.safe_dump(support, default_flow_style=True)}"]
    return reference(*sets)


def _on_duty_seconds(result: Any, dept: str) -> float:
    s = result.shifts
    s = s[s["department"] == dept]
    return float((s["end"] - s["start"]).sum())


def test_aligned_shifts_are_the_per_interval_agents_form() -> None:
    per_interval = reference(*SHORT, "departments.billing.agents=[10, 12, 12, 9]",
                                  "departments.support.agents=[14, 14, 16, 16]")
    rostered = _roster_scenario(
        [{"start": "00:00", "end": "02:00", "count": 9}, {"start": "00:00", "end": "00:30",
                                                          "count": 1},
         {"start": "00:30", "end": "01:30", "count": 3}],
        [{"start": "00:00", "end": "02:00", "count": 14}, {"start": "01:00", "end": "02:00",
                                                           "count": 2}])
    for policy in ("cold", "warm"):
        a, b = simulate(per_interval, policy, seed=5), simulate(rostered, policy, seed=5)
        pd.testing.assert_frame_equal(a.calls, b.calls)
        pd.testing.assert_frame_equal(a.shifts, b.shifts)


def test_a_break_mid_interval_takes_its_span_exactly() -> None:
    # almost no calls: every agent is idle when its break comes
    quiet = ["call_types.billing.arrivals_per_hour=0.01",
             "call_types.support.arrivals_per_hour=0.01"]
    brk = {"start": "00:40:30", "end": "00:53:10"}
    sc = _roster_scenario([{"start": "00:10", "end": "01:50", "count": 3, "breaks": [brk]}],
                          [{"start": "00:00", "end": "02:00", "count": 1}], quiet)
    result = simulate(sc, "cold", seed=1)
    assert _on_duty_seconds(result, "billing") == pytest.approx(3 * (100 * 60 - 12 * 60 - 40))
    billing = result.shifts[result.shifts["department"] == "billing"]
    assert set(billing["start"]) == {600.0, 3190.0}
    assert set(billing["end"]) == {2430.0, 6600.0}


def test_busy_agents_finish_their_call_before_the_break() -> None:
    busy = ["call_types.billing.arrivals_per_hour=400"]
    brk = {"start": "00:40", "end": "00:50"}
    sc = _roster_scenario([{"start": "00:00", "end": "02:00", "count": 4, "breaks": [brk]}],
                          [{"start": "00:00", "end": "02:00", "count": 16}], busy)
    result = simulate(sc, "cold", seed=2)
    billing = result.shifts[result.shifts["department"] == "billing"]
    left = billing[(billing["end"] >= 2400) & (billing["end"] < 3000)]["end"]
    assert len(left) and (left > 2400).all()  # each left as its call ended, not before
    # back at the break's end (the break shortened): one new spell per agent who left
    assert (billing["start"] == 3000).sum() == len(left)
    assert (billing["start"].between(1, 2999)).sum() == 0
    calls = result.calls
    on_call = calls[(calls["answer"] < 2400) & (calls["end"] > 2400)
                    & (calls["first_department"] == "billing")]
    assert len(on_call)  # the case is built: someone was on a call when the break came


@pytest.mark.parametrize(("entry", "field", "words"), [
    ({"start": "01:00", "end": "03:00", "count": 1}, "roster.0.end", "ends after the horizon"),
    ({"start": "00:00", "end": "01:00", "count": 1,
      "breaks": [{"start": "00:50", "end": "01:10"}]}, "roster.0.breaks.0", "not inside"),
    ({"start": "00:00", "end": "01:00", "count": -1}, "roster.0.count", ""),
    ({"start": "00:00", "end": "01:00", "count": 1, "lunch": 1}, "roster.0.lunch", ""),
])
def test_bad_roster_entries_are_one_line(entry: dict[str, Any], field: str, words: str) -> None:
    from callsim.scenario.loading import read_scenario_file

    raw = read_scenario_file(REFERENCE)
    raw["horizon"]["duration"] = "2h"
    raw["horizon"]["start"] = "00:00"
    raw["departments"]["billing"]["roster"] = [entry]
    with pytest.raises(ScenarioError) as info:
        build_scenario(raw, "roster.yaml", REFERENCE.parent)
    message = str(info.value)
    assert f"departments.billing.{field}" in message and words in message
