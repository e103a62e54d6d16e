"""The forward check: a scenario's own days against records (calibrate --fit prints it)."""

from __future__ import annotations

import math
from pathlib import Path

from callsim.calibration.estimate import load_records
from callsim.calibration.forward import METRICS, ForwardCheck, forward_check
from tests.calibration.known import known_scenario, records_of

RECORD_DAYS, SIMULATED_DAYS = 5, 20


def test_a_scenario_against_its_own_records_is_within_its_interval(tmp_path: Path) -> None:
    """Five days of the known scenario's own records: every day mean lies where the simulated
    mean's spread allows. The difference of a 20-day and a 5-day mean of days with the same
    spread has sd sqrt(1/20 + 1/5) sd, sqrt(5) times the 20-day mean's: the bound is the CI's
    half-width times sqrt(5) (a t quantile on each side)."""
    scenario = known_scenario()
    path = tmp_path / "records.csv"
    records_of(scenario, RECORD_DAYS, seed=11).to_csv(path, index=False)
    check = forward_check(scenario, load_records(path), seed=4, days=SIMULATED_DAYS)
    assert check.days == SIMULATED_DAYS and check.record_days == RECORD_DAYS
    for metric in METRICS:
        gap = abs(check.simulated[metric] - check.observed[metric])
        assert gap <= check.half[metric] * math.sqrt(1 + SIMULATED_DAYS / RECORD_DAYS), metric


def test_the_comment_says_the_margin_and_which_way() -> None:
    observed = {"offered": 1528.0, "abandon_rate": 0.105, "asa": 32.7, "service_level": 0.568}
    kinder = {"offered": 1545.0, "abandon_rate": 0.086, "asa": 27.2, "service_level": 0.666}
    half = {"offered": 80.0, "abandon_rate": 0.01, "asa": 3.0, "service_level": 0.028}
    text = ForwardCheck(50, 5, observed, kinder, half).comment()
    assert "service level 66.6% (95% CI 63.8%-69.4%; observed 56.8%)" in text
    assert "kinder than the calibration days by 9.8 points" in text
    harsher = ForwardCheck(50, 5, kinder, observed, half)
    assert "harsher than the calibration days by 9.8 points" in harsher.comment()
    close = dict(observed, service_level=0.58)
    within = ForwardCheck(50, 5, observed, close, half).comment()
    assert "matches the calibration days' service level within its 95% CI (1.2 points apart)" \
        in within and "margin" not in within


def test_the_check_simulates_the_scenario_as_fitted(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Regression: the check once ran on the scenario text written before the fit, so it
    simulated every agent available and after-call work unscaled (the bank's first week: 66.6%
    service level where the fitted scenario gives 62.7%)."""
    from callsim import calibrate
    from callsim.calibration import fit, forward
    from callsim.calibration.fit import AvailabilityFit
    from tests.shared import SCENARIOS

    seen = []

    def fitted(scenario, records, **_):  # type: ignore[no-untyped-def]
        share = (0.5,) * scenario.horizon.n_intervals
        return AvailabilityFit(share, "abandon_rate", (), scenario.horizon)

    def check(scenario, records, seed, execution):  # type: ignore[no-untyped-def]
        seen.append(scenario)
        day = dict.fromkeys(METRICS, 0.0)
        return ForwardCheck(1, 1, day, day, day)

    monkeypatch.setattr(fit, "fit_jointly", fitted)
    monkeypatch.setattr(forward, "forward_check", check)
    lines = (SCENARIOS / "records" / "acd_week.csv").read_text().splitlines(keepends=True)
    (tmp_path / "morning.csv").write_text("".join(lines[:201]))
    result = calibrate(tmp_path / "morning.csv", mapping=SCENARIOS / "records" / "acd_map.yaml",
                       fit=True)
    (scenario,) = seen
    assert {d.available for d in scenario.departments.values()} == {
        (0.5,) * scenario.horizon.n_intervals}
    assert "forward check" in result.text
