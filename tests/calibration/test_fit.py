"""The simulation-based fit's helpers (the fit itself runs on the bank: test_bank.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from callsim.calibration.fit import scaled
from tests.shared import SCENARIOS

RECORDS = SCENARIOS / "records"


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


def test_the_fit_gives_the_same_numbers_on_one_worker_and_on_two(tmp_path: Path) -> None:
    """The fit's trials run on the batch runner: every task carries its seeds, so the fitted
    shares, their ranges and the simulated metrics do not depend on the workers (the example
    export's first 600 calls: 08:00 to about 10:30 of one day)."""
    from callsim import calibrate
    from callsim.calibration.fit import fit_availability
    from callsim.experiments.execution import Execution

    lines = (RECORDS / "acd_week.csv").read_text().splitlines(keepends=True)
    (tmp_path / "morning.csv").write_text("".join(lines[:601]))
    day = calibrate(tmp_path / "morning.csv", mapping=RECORDS / "acd_map.yaml")
    fits = [fit_availability(day.scenario(), day.records, reps=2, seed=3, steps=1, block=2,
                             execution=Execution(workers=workers)) for workers in (1, 2)]
    assert fits[0] == fits[1]
    assert len(fits[0].blocks) == 3 and all(b.simulated == b.simulated for b in fits[0].blocks)
