"""``metrics.percentile`` is ``np.percentile`` bit for bit (it replaces it on the hot path)."""

import math

import numpy as np

from callsim.analysis.metrics import percentile


def test_bit_for_bit_equal_to_numpy_percentile():
    rng = np.random.default_rng(7)
    for trial in range(600):
        n = int(rng.integers(1, 40)) if trial % 2 else int(rng.integers(1, 3000))
        values = [rng.exponential(60, n), np.round(rng.exponential(60, n)) * (rng.random(n) < 0.5),
                  rng.normal(0, 1e6, n), rng.integers(0, 4, n).astype(float)][trial % 4]
        for q in (90, 0, 100, 50, 33.3):
            expected, got = np.percentile(values, q), percentile(values, q)
            assert np.float64(got).tobytes() == np.float64(expected).tobytes(), (n, q)
    assert math.isnan(percentile(np.array([1.0, np.nan, 3.0]), 90))
