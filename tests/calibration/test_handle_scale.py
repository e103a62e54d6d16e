"""Round trip of time-of-day handle time: callsim simulates a scenario whose calls are shorter
from 11:00 to 13:00 (``handle_scale`` 0.5 there, 1 elsewhere), writes its calls as records,
and ``calibrate`` finds the factor again.

The factors are relative to the day's handle time (each call type's whole-day mean), so the
check is on their ratios: a block's factor over the 09:00 block's must hold the truth (0.5 at
lunch, 1 elsewhere) within the ratio's 95% CI (log scale, the blocks' CIs combined; Bonferroni
over the five ratios). Without ``handle_by_time`` the factors are shown, not applied.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from scipy import stats

from callsim.calibration.estimate import Calibration, calibrate
from callsim.calibration.handle_scale import HandleBlock
from tests.calibration.known import known_raw, records_of

SCALE = [1.0] * 4 + [0.5] * 4 + [1.0] * 4  # 09:00-15:00 in half hours: 0.5 at 11:00-13:00
CHECKS = 5


@pytest.fixture(scope="module")
def calibration(tmp_path_factory: pytest.TempPathFactory) -> Calibration:
    from callsim import build_scenario

    raw = known_raw()
    for department in raw["departments"].values():  # gaps between calls to estimate it from
        department["after_call_work"] = {"dist": "exponential", "mean": 10}
    for call_type in raw["call_types"].values():
        call_type["handle_scale"] = SCALE
    scenario = build_scenario(raw, "<known>", Path("."))
    path = tmp_path_factory.mktemp("records") / "days.csv"
    records_of(scenario, 1, seed=5).to_csv(path, index=False)
    return calibrate(path, interval="30min", handle_by_time=True)


@pytest.fixture(scope="module")
def records_file(calibration: Calibration) -> Path:
    return Path(calibration.records.sources[0])


def _log_se(b: HandleBlock) -> float:
    return math.log(b.high / b.low) / (2 * 1.959963984540054)


def test_the_lunch_hours_are_found_shorter(calibration: Calibration) -> None:
    by_hour = calibration.handle_scale
    assert by_hour is not None and by_hour.identified
    blocks = {calibration.window.clock(b.first): b for b in by_hour.blocks}
    assert sorted(blocks) == ["09:00", "10:00", "11:00", "12:00", "13:00", "14:00"]
    assert all(b.identified for b in blocks.values())
    z = float(stats.norm.ppf(1 - 0.05 / (2 * CHECKS)))
    base = blocks["09:00"]
    for clock in ("10:00", "11:00", "12:00", "13:00", "14:00"):
        b, truth = blocks[clock], 0.5 if clock in ("11:00", "12:00") else 1.0
        se = math.hypot(_log_se(b), _log_se(base))
        assert abs(math.log(b.scale / base.scale) - math.log(truth)) <= z * se, (clock, b)
    assert blocks["11:00"].high < base.low  # the data tell the blocks apart


def test_the_scenario_the_page_and_the_words_carry_the_factors(
        calibration: Calibration) -> None:
    from callsim.report.calibration_pages import calibration_html
    from callsim.report.words import scenario_inputs

    scenario = calibration.scenario()
    scales = scenario.handle_scales("support")
    assert scales == scenario.handle_scales("billing")
    assert scales[4] == scales[5] and scales[4] < 0.75 < scales[0]
    assert "handle_scale: time-of-day factor on handle time per block" in calibration.text
    section = calibration_html(calibration).split('id="handle-scale"')[1].split("<h2")[0]
    assert section.count("<tr>") == 7 and "11:00-12:00" in section
    groups = dict(scenario_inputs(scenario))
    (billing,) = [line for line in groups["Call types"] if line.startswith("billing")]
    assert "handle time times 0." in billing and "by interval of arrival" in billing


def test_without_handle_by_time_the_factors_are_shown_not_applied(
        calibration: Calibration) -> None:
    from dataclasses import replace

    from callsim.calibration.writer import scenario_text

    assert calibration.handle_scale is not None
    shown = replace(calibration, handle_scale=replace(calibration.handle_scale, applied=False))
    text, _ = scenario_text(shown)
    assert "NOT applied (calibrate's `handle_by_time` applies it)" in text
    assert "handle_scale: [" not in text and "divided by its handle_scale" not in text


def test_calibrate_handle_by_time_writes_the_factors(records_file: Path, tmp_path: Path) -> None:
    """The command line's flag (without it: the test above)."""
    from tests.shared import invoke_cli

    out = tmp_path / "scenario.yaml"
    result = invoke_cli("calibrate", str(records_file), "--out", str(out), "--handle-by-time")
    assert result.exit_code == 0, result.output
    assert "handle_scale: time-of-day factor on handle time" in result.output
    assert "handle_scale: [" in out.read_text()
    shown = invoke_cli("calibrate", str(records_file), "--out", str(tmp_path / "default.yaml"))
    assert "NOT applied (calibrate's --handle-by-time applies it)" in shown.output
