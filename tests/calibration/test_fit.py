"""The simulation-based fit's helpers (the fit itself runs on the bank: test_bank.py)."""

from __future__ import annotations

import pytest

from callsim.calibration.fit import scaled


def test_scaled_multiplies_every_duration_and_nothing_else() -> None:
    assert scaled({"dist": "gamma", "mean": 8.0, "sd": 4.0}, 3) == {
        "dist": "gamma", "mean": 24.0, "sd": 12.0}
    assert scaled({"dist": "empirical", "values": [1.0, 2.5]}, 2) == {
        "dist": "empirical", "values": [2.0, 5.0]}
    assert scaled({"dist": "uniform", "low": 1.0, "high": 3.0}, 0.5) == {
        "dist": "uniform", "low": 0.5, "high": 1.5}
    assert scaled({"dist": "deterministic", "value": 4.0}, 1.0) == {
        "dist": "deterministic", "value": 4.0}


def test_scaled_leaves_its_argument_alone() -> None:
    given = {"dist": "exponential", "mean": 8.0}
    scaled(given, 2)
    assert given == {"dist": "exponential", "mean": 8.0}
    assert scaled(given, 2)["mean"] == pytest.approx(16.0)
