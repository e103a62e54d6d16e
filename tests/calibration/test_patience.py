"""Kaplan-Meier on a small hand-made sample, against survival values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from callsim.calibration.patience import estimate_patience, kaplan_meier

#: Waits (s) and whether the caller abandoned (True) or was answered (censored).
WAITS = np.array([2.0, 3.0, 3.0, 5.0, 6.0, 8.0, 9.0])
ABANDONED = np.array([True, True, False, True, False, True, False])
#: By hand: S(t) = prod over abandonment times u <= t of (1 - d_u / n_u).
#: u=2: 7 at risk, 1 abandons -> 6/7; u=3: 6 at risk, 1 abandons (1 censored) -> 6/7 * 5/6 = 5/7;
#: u=5: 4 at risk -> 5/7 * 3/4 = 15/28; u=8: 2 at risk (6 censored) -> 15/28 * 1/2 = 15/56.
BY_HAND = {0.0: 1.0, 2.0: 6 / 7, 3.0: 5 / 7, 5.0: 15 / 28, 6.0: 15 / 28, 8.0: 15 / 56,
           9.0: 15 / 56}


def survival_at(curve, t: float) -> float:
    return float(curve["survival"][curve["time"] <= t].iloc[-1])


@pytest.mark.parametrize("t", sorted(BY_HAND))
def test_kaplan_meier_by_hand(t: float) -> None:
    curve = kaplan_meier(WAITS, ABANDONED)
    assert survival_at(curve, t) == pytest.approx(BY_HAND[t], abs=1e-12)
    assert survival_at(curve, t + 0.5) == pytest.approx(BY_HAND[t], abs=1e-12)


def test_grouped_estimate_gives_the_same_curve_and_median() -> None:
    estimate = estimate_patience(WAITS, ABANDONED)
    for t, value in BY_HAND.items():
        assert survival_at(estimate.survival, t) == pytest.approx(value, abs=1e-12)
    assert estimate.median == 8.0  # first time S(t) <= 0.5
    assert estimate.abandoned == 4 and estimate.censored == 3
    assert estimate.naive_mean == pytest.approx((2 + 3 + 5 + 8) / 4)
    assert estimate.family is None  # fewer than MIN_ABANDONED: no parametric choice


def test_bands_contain_the_curve() -> None:
    curve = kaplan_meier(WAITS, ABANDONED)
    assert (curve["ci_low"] <= curve["survival"] + 1e-12).all()
    assert (curve["survival"] <= curve["ci_high"] + 1e-12).all()
