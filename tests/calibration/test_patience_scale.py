"""Round trip of time-of-day patience: callsim simulates a scenario whose callers are less
patient from 11:00 to 13:00 (``patience_scale`` 0.4 there, 1 elsewhere), writes its calls as
records, and ``calibrate`` finds the factor again.

Only ratios of factors are identified (the factors are relative to the day's patience, and the
scenario's patience is then the waits' patience at factor 1), so the checks are on what the
model simulates: a block's mean patience, factor x the calibrated patience's exponential mean,
must hold the truth (180 s x factor) within the block's 95% CI (Bonferroni over the checks),
and the ratio of two blocks' factors must hold 0.4.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from scipy import stats

from callsim.calibration.estimate import Calibration, calibrate
from callsim.calibration.patience_scale import BlockScale
from tests.calibration.known import known_raw, records_of

SCALE = [1.0] * 4 + [0.4] * 4 + [1.0] * 4  # 09:00-15:00 in half hours: 0.4 at 11:00-13:00
CHECKS = 4


@pytest.fixture(scope="module")
def calibration(tmp_path_factory: pytest.TempPathFactory) -> Calibration:
    from callsim import build_scenario

    raw = known_raw()
    raw["departments"]["billing"]["agents"] = 9
    for call_type in raw["call_types"].values():
        call_type["patience_scale"] = SCALE
    scenario = build_scenario(raw, "<known>", Path("."))
    path = tmp_path_factory.mktemp("records") / "days.csv"
    records_of(scenario, 3, seed=5).to_csv(path, index=False)
    return calibrate(path, interval="30min")


def _z() -> float:
    return float(stats.norm.ppf(1 - 0.05 / (2 * CHECKS)) / stats.norm.ppf(0.975))


def test_the_lunch_block_is_found_less_patient(calibration: Calibration) -> None:
    by_time = calibration.patience_scale
    assert by_time is not None and by_time.identified
    blocks = {calibration.window.clock(b.first): b for b in by_time.blocks}
    assert sorted(blocks) == ["09:00", "11:00", "13:00"]
    base = calibration.patience["billing"].fits["exponential"]["mean"]
    z = _z()
    for clock, truth in (("09:00", 1.0), ("11:00", 0.4), ("13:00", 1.0)):
        b = blocks[clock]
        assert b.identified
        low = b.scale * (b.low / b.scale) ** z
        high = b.scale * (b.high / b.scale) ** z
        assert low * base <= 180.0 * truth <= high * base, (clock, b, base)
    lunch, morning = blocks["11:00"], blocks["09:00"]
    assert _ratio_holds(lunch, morning, 0.4, z)
    assert lunch.high < morning.low  # the data tell the blocks apart


def _ratio_holds(a: BlockScale, b: BlockScale, truth: float, z: float) -> bool:
    """log(a / b) has se sqrt(1/O_a + 1/O_b) (Poisson abandonments)."""
    se = math.sqrt(1 / a.abandoned + 1 / b.abandoned)
    return abs(math.log(a.scale / b.scale) - math.log(truth)) <= z * 1.96 * se


def test_the_scenario_file_carries_the_factors(calibration: Calibration) -> None:
    scenario = calibration.scenario()
    scales = scenario.patience_scales("support")
    assert scales == scenario.patience_scales("billing")
    assert len(set(scales[4:8])) == 1 and scales[4] < 0.6 < scales[0]
    assert "patience_scale: time-of-day factor on patience per block" in calibration.text


def test_constant_patience_gives_factors_near_one() -> None:
    """Without time-of-day patience the blocks' CIs hold 1 (the known scenario, 2 days)."""
    import tempfile

    from tests.calibration.known import known_scenario

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "days.csv"
        records_of(known_scenario(), 2, seed=3).to_csv(path, index=False)
        by_time = calibrate(path, interval="30min").patience_scale
    assert by_time is not None
    z = _z()
    for b in by_time.blocks:
        if b.identified:
            assert b.scale * (b.low / b.scale) ** z <= 1 <= b.scale * (b.high / b.scale) ** z


def test_the_calibration_page_shows_the_factors(calibration: Calibration) -> None:
    from callsim.report.calibration_pages import calibration_html

    section = calibration_html(calibration).split('id="patience-scale"')[1].split("<h2")[0]
    assert section.count("<tr>") == 4 and "11:00-13:00" in section


def test_the_scenario_in_words_names_the_factors(calibration: Calibration) -> None:
    from callsim.report.words import scenario_inputs

    groups = dict(scenario_inputs(calibration.scenario()))
    (billing,) = [line for line in groups["Call types"] if line.startswith("billing")]
    assert "patience times 0." in billing and "by interval of arrival" in billing
