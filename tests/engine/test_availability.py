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


def test_staffed_agents_are_paid_whether_or_not_they_take_calls():
    """One definition of paid agents: 10 staffed with 80% available serve as 8 and cost 10 (the
    2 not taking calls are paid all day); with shrinkage on top, the rostered agents are paid.
    The same run otherwise, so the staff costs differ by exactly those agents' hours."""
    from callsim.analysis.metrics import compute_metrics

    def cost(*sets: str) -> float:
        scenario = reference(*sets)
        return compute_metrics(simulate(scenario, "cold", seed=12), scenario)["costs.staff_cost"]

    eight = cost("departments.billing.agents=8")
    wage, hours = 28.0, 12.0
    ten = "departments.billing.agents=10", "departments.billing.available=0.8"
    assert cost(*ten) == pytest.approx(eight + 2 * hours * wage, rel=1e-12)
    rostered = cost(*ten, "departments.billing.shrinkage=0.2")  # ceil(10 / 0.8) = 13 paid
    assert rostered == pytest.approx(eight + 5 * hours * wage, rel=1e-12)
