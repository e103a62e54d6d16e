"""The one search for the fewest agents: bisection, the same answer as a walk, fast refusals."""

from __future__ import annotations

import math

import pytest

from callsim.analysis.erlang import agents_for_service_level, erlang_a, erlang_c, fewest_agents
from callsim.analysis.offered_load import _figures, _value, fewest_for_target
from callsim.scenario.targets import parse_target

CASES = [(200 / 3600, 180.0, 0.0), (200 / 3600, 180.0, 1 / 600), (30 / 3600, 300.0, 1 / 120),
         (900 / 3600, 240.0, 0.0)]
TARGETS = ["service_level>=0.8", "abandon_rate<=0.03", "asa<=15s", "wait_mean<=40s",
           "occupancy<=0.85"]


def walk(rate: float, service: float, theta: float, text: str) -> int:
    """The fewest agents by trying 1, 2, 3, ... (the definition)."""
    target = parse_target(text)
    n = math.floor(rate * service) + 1 if theta <= 0 else 1
    while True:
        value = _value(_figures(rate, service, theta, n, 20.0), target.metric)
        if target.holds(value) and not math.isnan(value):
            return n
        n += 1


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("text", TARGETS)
def test_bisection_finds_what_a_walk_finds(case: tuple[float, float, float], text: str) -> None:
    assert fewest_for_target(*case, parse_target(text), 20.0) == walk(*case, text)


def test_a_target_no_staffing_meets_is_refused_after_few_evaluations() -> None:
    calls: list[int] = []

    def never(n: int) -> bool:
        calls.append(n)
        return False

    with pytest.raises(ValueError, match="no staffing up to 10000 agents meets occupancy<=0"):
        fewest_agents(never, 0, 10_000, "occupancy<=0")
    assert len(calls) <= 2 * math.ceil(math.log2(10_000))
    with pytest.raises(ValueError, match="occupancy<=0"):
        fewest_for_target(200 / 3600, 180.0, 1 / 600, parse_target("occupancy<=0"), 20.0)


def test_erlang_command_search_is_the_same_search() -> None:
    n = agents_for_service_level(200 / 3600, 180.0, 0.8)
    assert erlang_c(200 / 3600, 180.0, n).service_level >= 0.8 > erlang_c(200 / 3600, 180.0,
                                                                             n - 1).service_level
    assert n == fewest_for_target(200 / 3600, 180.0, 0.0, parse_target("service_level>=0.8"), 20)
    m = agents_for_service_level(200 / 3600, 180.0, 0.8, mean_patience=600.0)
    assert erlang_a(200 / 3600, 180.0, 600.0, m).service_level >= 0.8
