"""Day-to-day busyness (docs/model.md, "What real centres add"): mixed-Poisson days and CRN.

With ``arrivals.busyness.cv`` C each replication draws B ~ Gamma(mean 1, cv C) and multiplies
every rate by it, so a day's count N is mixed Poisson: E[N] = m, Var(N) = m + C^2 m^2, and the
counts of two call types in two intervals share B: Cov = C^2 m_a m_b. The 99% intervals (from
the sample's own fourth moment) must hold these and reject the neighbouring values of C.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from callsim import build_scenario, simulate, t_interval
from callsim.engine.arrivals import draw_callers
from callsim.engine.streams import Streams
from tests.shared import assert_same_simulation, reference

CONFIDENCE = 0.99
Z = 2.5758  # two-sided 99% normal quantile


HANDLE = {"dist": "exponential", "mean": "3min"}


def two_types(cv: float | None) -> object:
    """Type ``a`` arrives in the first hour (60/h), type ``b`` in the second (40/h)."""
    raw = {
        "name": "busy days",
        "horizon": {"duration": "2h", "interval": "1h"},
        "departments": {"desk": {"agents": 5, "wage_per_hour": 30.0}},
        "call_types": {
            "a": {"arrivals_per_hour": [60, 0], "resolved_by": "desk", "handle_time": HANDLE},
            "b": {"arrivals_per_hour": [0, 40], "resolved_by": "desk", "handle_time": HANDLE},
        },
    }
    if cv is not None:
        raw["arrivals"] = {"busyness": {"cv": cv}}
    return build_scenario(raw, "busy.yaml", Path("."))


def daily_counts(cv: float, days: int, seed: int) -> np.ndarray:
    """Calls of type a and type b on each of ``days`` replications, shape ``(days, 2)``."""
    scenario = two_types(cv)
    counts = np.empty((days, 2))
    for r in range(days):
        types = draw_callers(scenario, Streams(seed, r)).call_type
        counts[r] = np.bincount(types, minlength=2)
    return counts


def moment_interval(values: np.ndarray) -> tuple[float, float]:
    """Asymptotic 99% interval of the mean of ``values`` (CLT; for variances and covariances)."""
    half = Z * values.std(ddof=1) / np.sqrt(len(values))
    return values.mean() - half, values.mean() + half


@pytest.mark.slow
def test_daily_counts_are_mixed_poisson():
    cv, mean_a, mean_b = 0.3, 60.0, 40.0
    counts = daily_counts(cv, days=2000, seed=41)
    total = counts.sum(axis=1)
    m = mean_a + mean_b
    _, lo, hi = t_interval(total, CONFIDENCE)
    assert lo <= m <= hi  # E[B] = 1: busyness leaves the mean alone
    # Var(N) = m + cv^2 m^2 (1000 here); Poisson would be 100, cv 0.25 gives 725, cv 0.35 1325.
    lo, hi = moment_interval((total - total.mean()) ** 2 * len(total) / (len(total) - 1))
    assert lo <= m + cv**2 * m**2 <= hi, (lo, hi)
    for wrong in (m, m + 0.25**2 * m**2, m + 0.35**2 * m**2):
        assert not lo <= wrong <= hi, (wrong, lo, hi)
    # One factor for every type and interval: Cov(N_a, N_b) = cv^2 m_a m_b (216), not 0.
    a, b = counts[:, 0] - counts[:, 0].mean(), counts[:, 1] - counts[:, 1].mean()
    lo, hi = moment_interval(a * b)
    assert lo <= cv**2 * mean_a * mean_b <= hi and lo > 0, (lo, hi)


def test_busyness_zero_is_no_busyness():
    assert_same_simulation(reference(), reference("arrivals.busyness.cv=0"), seed=2)


def test_every_policy_of_a_replication_sees_the_same_factor_and_callers():
    scenario = reference("arrivals.busyness.cv=0.4")
    factors = {draw_callers(scenario, Streams(9, r)).busyness for r in range(5)}
    assert len(factors) == 5  # one factor per replication
    cold, warm = simulate(scenario, "cold", seed=9), simulate(scenario, "warm", seed=9)
    for column in ("arrival", "call_type", "first_department"):
        assert cold.calls[column].equals(warm.calls[column]), column


def test_the_factor_moves_no_other_stream():
    # Arrival times are the same unit-rate draws scaled by 1 / B; each type's handle times
    # and patience are the same sequence, as long as both days have calls of the type.
    base = draw_callers(two_types(None), Streams(3, 0))
    busy = draw_callers(two_types(0.5), Streams(3, 0))
    b = busy.busyness
    assert b != 1.0
    first_hour = min(np.sum(base.time < 3600), np.sum(busy.time < 3600))
    assert first_hour > 20
    assert np.allclose(busy.time[:first_hour] * b, base.time[:first_hour])
    n = min(np.sum(base.call_type == 0), np.sum(busy.call_type == 0))
    assert n > 20
    handles = [c.handle[c.call_type == 0][:n] for c in (base, busy)]
    assert np.array_equal(*handles)
