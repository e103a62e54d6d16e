"""Common random numbers (docs/model.md section 5, docs/DESIGN.md "Random streams").

The same seed gives the same callers under every policy; streams are per sampling site and per
call type, so changing one call type's handle time leaves every other draw unchanged.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from callsim import simulate
from callsim.engine.arrivals import Callers, draw_callers
from callsim.engine.streams import Streams
from callsim.policies import registry
from tests.shared import reference as scenario

SEED = 11
#: Fields that are empty (or constant) without section 4's options or busyness.
NOT_DRAWN = ("drawn", "in_place", "customers", "redial_u", "redial_delay", "busyness")
#: The engine's caller attributes, then the built-in policies' draws (``drawn.NAME``).
DRAWS = {d.name: d for p in ("cold", "warm") for d in registry.get(p).draws}
CALLER_FIELDS = [f.name for f in fields(Callers) if f.name not in NOT_DRAWN] + [
    f"drawn.{name}" for name in DRAWS
]


def callers(sc, seed: int = SEED, replication: int = 0) -> Callers:
    return draw_callers(sc, Streams(seed, replication), list(DRAWS.values()))


def field_values(callers: Callers, name: str) -> np.ndarray:
    group, _, key = name.partition(".")
    return callers.drawn[key] if group == "drawn" else getattr(callers, name)


def same_field(a: Callers, b: Callers, name: str) -> bool:
    return np.array_equal(field_values(a, name), field_values(b, name))


def test_without_misroutes_cold_and_warm_give_identical_records():
    sc = scenario("call_types.support.misroute.billing=0")
    cold = simulate(sc, policy="cold", seed=SEED)
    warm = simulate(sc, policy="warm", seed=SEED)
    assert len(cold.calls) > 1000
    assert (cold.calls["transfer_kind"] == 0).all()
    assert cold.calls.equals(warm.calls)
    assert cold.shifts.equals(warm.shifts)
    assert cold.end_time == warm.end_time


def test_with_misroutes_both_policies_see_the_same_callers():
    sc = scenario()
    cold = simulate(sc, policy="cold", seed=SEED).calls
    warm = simulate(sc, policy="warm", seed=SEED).calls
    assert (cold["transfer_kind"] == 1).any() and (warm["transfer_kind"] == 2).any()
    for column in ("arrival", "call_type", "first_department"):
        assert cold[column].equals(warm[column]), column
    # ... and the policies do differ in what happens to them.
    assert not cold["end"].equals(warm["end"])


def test_draw_callers_does_not_depend_on_the_policy():
    cold = callers(scenario("transfer.policy=cold"))
    warm = callers(scenario("transfer.policy=warm"))
    assert len(cold) > 1000
    for name in CALLER_FIELDS:
        assert same_field(cold, warm, name), name


@pytest.mark.parametrize(("seed", "replication"), [(SEED, 1), (SEED + 1, 0)])
def test_other_replications_and_seeds_give_other_callers(seed, replication):
    sc = scenario()
    base, other = callers(sc), callers(sc, seed, replication)
    for name in CALLER_FIELDS:
        assert not same_field(base, other, name), name


def test_a_call_types_handle_time_stream_is_its_own():
    base_sc = scenario()
    changed_sc = scenario("call_types.billing.handle_time={dist: exponential, mean: 5min}")
    base, changed = callers(base_sc), callers(changed_sc)
    billing = base.call_type == list(base_sc.call_types).index("billing")
    for name in CALLER_FIELDS:
        if name != "handle":
            assert same_field(base, changed, name), name
    assert np.array_equal(base.handle[~billing], changed.handle[~billing])  # support unchanged
    assert not np.any(base.handle[billing] == changed.handle[billing])


def test_a_call_types_handle_time_leaves_an_independent_department_unchanged():
    # Without misroutes billing and support share nothing: support's records stay identical.
    base_sc = scenario("call_types.support.misroute.billing=0")
    changed_sc = scenario(
        "call_types.support.misroute.billing=0",
        "call_types.billing.handle_time={dist: deterministic, value: 2min}",
    )
    base = simulate(base_sc, seed=SEED)
    changed = simulate(changed_sc, seed=SEED)
    support = base.calls["call_type"] == "support"
    assert base.calls[support].equals(changed.calls[support])
    assert not base.calls[~support]["end"].equals(changed.calls[~support]["end"])
