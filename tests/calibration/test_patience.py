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


def test_confidence_intervals_are_never_negative() -> None:
    """Regression: two abandonments among 38 callers gave an exponential mean CI from -231 s;
    the lognormal's delta-method interval went negative too. Both are on the log scale now."""
    from callsim.calibration.patience import estimate_patience

    rng = np.random.default_rng(3)
    waits = rng.exponential(30, 38)
    abandoned = np.zeros(38, dtype=bool)
    abandoned[:2] = True
    few = estimate_patience(waits, abandoned)
    low, high = few.fits["exponential"]["mean_ci"]
    assert 0 < low < few.fits["exponential"]["mean"] < high
    waits = rng.exponential(60, 400)
    abandoned = rng.random(400) < 0.05
    some = estimate_patience(waits, abandoned)
    for fit in some.fits.values():
        assert 0 < fit["mean_ci"][0] < fit["mean"] < fit["mean_ci"][1]


def test_patience_model_does_not_extrapolate_far_past_the_data() -> None:
    """Heavily censored waits: the model is the Kaplan-Meier curve inside the data and an
    exponential tail past the longest wait, whose rate is the one observed there; its quantiles
    follow the curve, and for exponential patience (mean 600 s) the tail's mean is near 600 s."""
    from callsim.calibration.patience import KM_TAIL, estimate_patience

    rng = np.random.default_rng(11)
    patience = rng.exponential(600, 20000)
    wait = rng.exponential(60, 20000)
    waits, abandoned = np.minimum(patience, wait), patience < wait
    est = estimate_patience(waits, abandoned)
    assert est.family == KM_TAIL and est.distribution is not None
    values = np.asarray(est.distribution["values"])
    curve = est.survival
    inside = values <= est.longest
    # each quantile inside the data is the first time the Kaplan-Meier CDF reaches its p
    p = ((np.arange(200) + 0.5) / 200)[inside]
    cdf = 1 - curve["survival"].to_numpy()
    step = np.searchsorted(curve["time"].to_numpy(), values[inside])
    assert np.all(cdf[step] >= p - 1e-12)
    assert np.all(np.where(step > 0, cdf[np.maximum(step - 1, 0)], -1) < p)
    assert 450 < est.tail_mean < 800
