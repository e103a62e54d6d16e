"""Backtest: a scenario against its own simulated records passes; against records with 30%
more afternoon arrivals it flags those intervals and fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from callsim.calibration.backtest import Backtest, backtest
from tests.calibration.known import (
    BILLING_RATES,
    SUPPORT_RATES,
    known_raw,
    known_scenario,
    records_of,
)

REPS = 20
DAYS = 5
AFTERNOON = range(6, 12)  # 12:00 to 15:00


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Backtest:
    path = tmp_path_factory.mktemp("own") / "records.csv"
    records_of(known_scenario(), DAYS, seed=3).to_csv(path, index=False)
    return backtest(known_scenario(), path, reps=REPS, seed=99)


@pytest.fixture(scope="module")
def busier(tmp_path_factory: pytest.TempPathFactory) -> Backtest:
    def more(rates: list[int]) -> list[float]:
        return [r * (1.3 if i in AFTERNOON else 1.0) for i, r in enumerate(rates)]

    raw = known_raw()
    raw["call_types"]["billing"]["arrivals_per_hour"] = more(BILLING_RATES)
    raw["call_types"]["support"]["arrivals_per_hour"] = more(SUPPORT_RATES)
    from callsim import build_scenario

    path = tmp_path_factory.mktemp("busier") / "records.parquet"
    records_of(build_scenario(raw, "<busier>", Path(".")), DAYS, seed=3).to_parquet(path)
    return backtest(known_scenario(), path, reps=REPS, seed=99)


def test_own_records_pass(own: Backtest) -> None:
    assert own.passed, own.verdict
    assert own.verdict.startswith("The scenario reproduces the records")
    assert set(own.table["metric"]) == {"offered", "answered", "abandon_rate", "asa",
                                        "service_level", "occupancy"}
    assert set(own.table["queue"]) == {"all", "billing", "support"}
    assert (own.table["ci_low"] <= own.table["sim_mean"]).all()
    assert (own.table["band_low"] <= own.table["ci_low"] + 1e-9).all()


def test_afternoon_surge_is_flagged(busier: Backtest) -> None:
    assert not busier.passed
    assert "does not reproduce" in busier.verdict
    offered = busier.table[(busier.table["metric"] == "offered")
                           & (busier.table["queue"] == "all")].set_index("interval")
    assert offered.loc[list(AFTERNOON), "outside"].all()
    assert (offered.loc[list(AFTERNOON), "observed"] > offered.loc[list(AFTERNOON),
                                                                    "band_high"]).all()
    morning = [i for i in range(12) if i not in AFTERNOON]
    assert offered.loc[morning, "outside"].sum() <= 1
