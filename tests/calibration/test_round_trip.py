"""Round trip: simulate a scenario with known parameters, write its call records, calibrate them,
and find the truth inside the confidence intervals of the estimates.

The records go through a CSV file, so the file format is part of the trip. The module makes
about a dozen interval checks, so each one is held at a family-wise 95% level (Bonferroni over
``CHECKS``) rather than 95% each, which would fail one run in two by chance alone; the
per-interval arrival rates allow the misses 95% intervals make by chance (a binomial bound at
0.999). Every interval must also be narrow enough for its check to mean something.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scipy import stats

from callsim.calibration.estimate import Calibration, calibrate
from tests.calibration.known import (
    BILLING_RATES,
    HANDLE,
    MISROUTE,
    PATIENCE,
    SUPPORT_RATES,
    known_scenario,
    lognormal_params,
    records_of,
)

DAYS = 5
#: Interval checks in this module (handle times 6, patience 2, misroute 1, censoring 1).
CHECKS = 10


@pytest.fixture(scope="module")
def calibration(tmp_path_factory: pytest.TempPathFactory) -> Calibration:
    path = tmp_path_factory.mktemp("records") / "week.csv"
    records_of(known_scenario(), DAYS, seed=11).to_csv(path, index=False)
    return calibrate(path, interval="30min")


def test_horizon_and_calibrated_scenario_loads(calibration: Calibration) -> None:
    scenario = calibration.scenario()
    assert scenario.horizon.start == 9 * 3600
    assert scenario.horizon.duration == 6 * 3600
    assert scenario.horizon.n_intervals == 12
    assert scenario.call_types["support"].resolved_by == "support"
    assert scenario.transfer.policy == "cold"


def test_rates_per_interval_within_their_confidence_intervals(calibration: Calibration) -> None:
    truth = {"billing": BILLING_RATES, "support": SUPPORT_RATES}
    misses, checks = 0, 0
    for call_type, rates in truth.items():
        table = calibration.arrivals.rates(call_type)
        assert len(table) == len(rates)
        for row, rate in zip(table.itertuples(), rates, strict=True):
            checks += 1
            misses += not row.ci_low <= rate <= row.ci_high
            assert (row.ci_high - row.ci_low) / 2 < 0.35 * rate  # informative intervals
    assert misses <= stats.binom.ppf(0.999, checks, 0.05)


def within(truth: float, estimate: float, ci: tuple[float, float], checks: int) -> bool:
    """``truth`` inside the estimate's interval widened from 95% to a family-wise 95% over
    ``checks`` checks (Bonferroni), so that several checks do not fail by chance alone."""
    z = stats.norm.ppf(1 - 0.05 / (2 * checks)) / stats.norm.ppf(0.975)
    return estimate - z * (estimate - ci[0]) <= truth <= estimate + z * (ci[1] - estimate)


def test_lognormal_handle_time_parameters(calibration: Calibration) -> None:
    for call_type, (mean, sd) in HANDLE.items():
        fit = calibration.handle_times[(call_type, call_type)]
        assert fit.family == "lognormal"
        mu, sigma = lognormal_params(mean, sd)
        assert within(mu, fit.params["mu"], fit.params_ci["mu"], checks=CHECKS)
        assert within(sigma, fit.params["sigma"], fit.params_ci["sigma"], checks=CHECKS)
        assert within(mean, fit.mean, fit.mean_ci, checks=CHECKS)
        assert fit.params_ci["sigma"][1] - fit.params_ci["sigma"][0] < 0.1 * sigma


def test_exponential_patience_from_censored_waits(calibration: Calibration) -> None:
    for call_type, mean in PATIENCE.items():
        estimate = calibration.patience[call_type]
        fit = estimate.fits["exponential"]
        assert within(mean, fit["mean"], fit["mean_ci"], checks=CHECKS)
        assert fit["mean_ci"][1] - fit["mean_ci"][0] < 0.6 * mean


def test_misroute_share(calibration: Calibration) -> None:
    (share,) = [m for m in calibration.routing.misroutes if m.call_type == "support"]
    assert share.department == "billing"
    assert within(MISROUTE, share.share, share.ci, checks=CHECKS)
    assert share.ci[1] - share.ci[0] < 0.05
    billing = [m for m in calibration.routing.misroutes if m.call_type == "billing"]
    assert billing == []  # billing callers are never misrouted


def test_scenario_file_comments_every_estimate(calibration: Calibration, tmp_path: Path) -> None:
    path = calibration.write(tmp_path / "calibrated.yaml")
    text = path.read_text()
    assert "n = " in text and "95% CI" in text
    assert "DEFAULT: not in the records: loaded cost per agent-hour" in text
    assert "over-dispersion" in text


def test_heavy_censoring_biases_the_naive_mean_not_the_censored_estimate(
    tmp_path: Path,
) -> None:
    """Patient callers (10 min on average) and ample staff: almost every caller is answered,
    so the few abandonments are the impatient ones."""
    raw_changes = {
        "departments": {"billing": {"agents": 9, "wage_per_hour": 28.0},
                        "support": {"agents": 1, "wage_per_hour": 35.0}},
        "call_types": {"billing": {
            "arrivals_per_hour": 120, "resolved_by": "billing",
            "handle_time": {"dist": "exponential", "mean": 240},
            "patience": {"dist": "exponential", "mean": 600},
        }},
    }
    scenario = known_scenario(**raw_changes)
    path = tmp_path / "censored.csv"
    records_of(scenario, 4, seed=5).to_csv(path, index=False)
    estimate = calibrate(path).patience["billing"]
    assert estimate.censored > 5 * estimate.abandoned  # heavy censoring
    fit = estimate.fits["exponential"]
    assert within(600, fit["mean"], fit["mean_ci"], checks=CHECKS)
    assert fit["mean_ci"][1] - fit["mean_ci"][0] < 600
    assert estimate.naive_mean < 0.3 * 600  # the naive mean is badly biased low
    assert estimate.naive_mean < fit["mean_ci"][0]
