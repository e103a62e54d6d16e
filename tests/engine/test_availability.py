"""Availability (docs/model.md, "What real centres add"): staffing x available, rounded half up."""

from __future__ import annotations

import pytest

from callsim import simulate
from tests.shared import assert_same_simulation, reference

N = 24  # intervals of the reference scenario


def test_ten_agents_eighty_percent_available_run_exactly_as_eight():
    assert_same_simulation(reference("departments.billing.agents=8"),
                           reference("departments.billing.agents=10",
                                     "departments.billing.available=0.8"), seed=12)


def test_per_interval_shares_round_half_up():
    shares = [0.8, 0.85, 0.84, 0.5] * (N // 4)  # 10 x: 8, 8.5 -> 9, 8.4 -> 8, 5
    available = reference("departments.support.agents=10",
                          f"departments.support.available={shares}")
    assert available.agents_taking_calls("support") == (8, 9, 8, 5) * (N // 4)
    assert available.staffing("support") == (10,) * N  # what the analyst staffed stays
    explicit = reference(f"departments.support.agents={[8, 9, 8, 5] * (N // 4)}")
    assert_same_simulation(explicit, available, seed=13)


def test_fewer_agents_take_calls_than_are_staffed():
    result = simulate(reference("departments.billing.available=0.5"), "cold", seed=14)
    shifts = result.shifts[result.shifts["department"] == "billing"]
    assert shifts["agent"].nunique() == 6  # 12 staffed, 6 on the phones


@pytest.mark.parametrize("share", [1, 1.0])
def test_fully_available_is_the_default(share):
    assert_same_simulation(reference(), reference(f"departments.billing.available={share}"), 15)
