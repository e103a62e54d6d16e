"""Faster stand-ins for NumPy calls on the metrics' hot path give NumPy's results bit for bit."""

import math

import numpy as np

from callsim.analysis.metrics import percentile
from callsim.analysis.queues import floor_divide


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


def test_floor_divide_equals_numpy_floor_division():
    rng = np.random.default_rng(8)
    for step in (1800.0, 900.0, 0.1, 7.3, 1e-3):
        on = np.arange(200) * step  # whole quotients, and values a hair on either side
        values = np.concatenate([rng.random(2000) * 1e5, on, np.nextafter(on, -1.0),
                                 np.nextafter(on, np.inf), on * (1 + 1e-16)])
        assert floor_divide(values, step).tobytes() == (values // step).tobytes(), step
