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


def test_replayed_arrivals_judge_the_service_not_the_forecast(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The busier afternoon records replayed into the known scenario (right service, wrong
    rates): ``arrivals='records'`` drives each day with its own calls, so offered calls match
    exactly and the verdict passes where the scenario's rates fail (busier fixture)."""
    def more(rates: list[int]) -> list[float]:
        return [r * (1.3 if i in AFTERNOON else 1.0) for i, r in enumerate(rates)]

    raw = known_raw()
    raw["call_types"]["billing"]["arrivals_per_hour"] = more(BILLING_RATES)
    raw["call_types"]["support"]["arrivals_per_hour"] = more(SUPPORT_RATES)
    from callsim import build_scenario

    path = tmp_path_factory.mktemp("replay") / "records.csv"
    records_of(build_scenario(raw, "<busier>", Path(".")), DAYS, seed=3).to_csv(path, index=False)
    replayed = backtest(known_scenario(), path, reps=REPS, seed=99, arrivals="records")
    assert replayed.passed, replayed.verdict
    offered = replayed.summary.set_index(["queue", "metric"]).loc[("all", "offered")]
    assert offered["sim_mean"] == offered["observed"]
    document = replayed.to_json()
    assert document["verdict"]["passes"] is True and document["arrivals"] == "records"
    assert document["days"] == [f"2026-03-0{d}" for d in range(2, 7)]
    for queue in ("all", "billing", "support"):
        for name in ("abandon_rate", "asa", "service_level", "offered"):
            cell = document["summary"][queue][name]
            low, high = cell["simulated"]["ci95"]
            assert low <= cell["simulated"]["mean"] <= high and cell["observed"] is not None


def test_one_queue_counts_each_flag_once_and_bands_never_collapse_to_zero(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Regressions: with one queue, ``all`` repeated every value of the queue and each flag was
    counted twice; an interval where no simulated caller abandoned had the band "0.0% to 0.0%",
    so one real abandonment was a flag."""
    raw = known_raw()
    raw["departments"] = {"billing": {"agents": 30, "wage_per_hour": 28.0}}
    raw["call_types"] = {"billing": raw["call_types"]["billing"]}
    from callsim import build_scenario

    scenario = build_scenario(raw, "<one queue>", Path("."))
    path = tmp_path_factory.mktemp("one") / "records.csv"
    records_of(scenario, DAYS, seed=3).to_csv(path, index=False)
    result = backtest(scenario, path, reps=REPS, seed=99)
    assert set(result.table["queue"]) == {"billing"}
    assert set(result.summary["queue"]) == {"all", "billing"}
    rates = result.table[result.table["metric"] == "abandon_rate"]
    assert (rates["sim_mean"] == 0).any()  # ample staff: no simulated caller abandons there
    assert (rates["band_high"] > 0).all()


def test_each_day_type_gets_its_own_verdict(tmp_path_factory: pytest.TempPathFactory) -> None:
    """``days='mon-tue,wed-thu'``: one verdict over the four days and one per day type; plain
    dates are one day type."""
    path = tmp_path_factory.mktemp("types") / "records.csv"
    records_of(known_scenario(), 4, seed=5).to_csv(path, index=False)  # Monday 2 to Thursday 5
    result = backtest(known_scenario(), path, reps=6, seed=1, days="mon-tue,wed-thu")
    assert result.dates == ("2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05")
    assert [(spec, dates) for spec, _, _, _, dates in result.day_types] == [
        ("mon-tue", ("2026-03-02", "2026-03-03")), ("wed-thu", ("2026-03-04", "2026-03-05"))]
    types = result.to_json()["day_types"]
    assert [t["days"] for t in types] == ["mon-tue", "wed-thu"]
    assert all(isinstance(t["passes"], bool) and t["flags"] >= 0 for t in types)
    dated = backtest(known_scenario(), path, reps=3, seed=1, days="2026-03-02,2026-03-04")
    assert dated.day_types == () and dated.days == 2


def test_records_the_horizon_mostly_misses_are_refused(tmp_path: Path) -> None:
    """Issue 18 item 7 / issue 19 item 14: records outside the scenario's horizon gave a verdict
    (exit 0, a note that thousands of calls fall outside; "0 of 0 interval values" for a file
    with one such record). Nothing to judge is no verdict: a one-line refusal."""
    import pandas as pd

    from callsim.calibration.errors import RecordsError

    records = records_of(known_scenario(), 1, seed=3)
    late = records.copy()
    late["arrived"] = pd.to_datetime(late["arrived"]).dt.normalize() + pd.Timedelta(hours=23)
    for rows, name in ((late.head(1), "one.csv"), (late, "late.csv")):
        rows.to_csv(tmp_path / name, index=False)
        with pytest.raises(RecordsError, match="outside the scenario's horizon") as info:
            backtest(known_scenario(), tmp_path / name, reps=3, seed=99)
        assert len(info.value.problems) == 1 and "horizon.start" in info.value.problems[0]


def test_replaying_records_of_no_known_call_type_is_refused(tmp_path: Path) -> None:
    """Found by the long command fuzz: ``--arrivals records`` with no call of a type the scenario
    has ended in pandas' "No objects to concatenate" (a traceback). One line instead."""
    from callsim.calibration.errors import RecordsError

    records = records_of(known_scenario(), 1, seed=3).assign(call_type="sales")
    records.to_csv(tmp_path / "sales.csv", index=False)
    with pytest.raises(RecordsError, match="no call to replay") as info:
        backtest(known_scenario(), tmp_path / "sales.csv", reps=3, seed=99, arrivals="records")
    assert info.value.problems == ["records: no call to replay (`arrivals` records): none is of "
                                   "a call type the scenario has (billing, support) inside its "
                                   "horizon"]


def test_too_few_replications_for_a_verdict_are_refused(tmp_path: Path) -> None:
    """Issue 19 item 13 / issue 18 item 7: ``--reps 2`` always failed ("up to 0" flags). The
    minimum comes from the verdict rule: with one replication fewer, no null draw can flag."""
    import numpy as np

    from callsim.calibration.backtest import MIN_REPS, _null_flags, fewest_reps
    from tests.shared import assert_one_line_error, invoke_cli

    assert MIN_REPS == fewest_reps(1) == fewest_reps(30) == 3
    values = np.random.default_rng(1).normal(size=(200, MIN_REPS))
    assert _null_flags(values[:, :MIN_REPS - 1], 1, 0).max() == 0  # decided in advance
    assert _null_flags(values, 1, 0).max() > 0
    with pytest.raises(ValueError, match="at least 3 replications"):
        backtest(known_scenario(), tmp_path / "never-read.csv", reps=2)
    scenario = tmp_path / "known.yaml"
    import yaml

    scenario.write_text(yaml.safe_dump(known_raw()))
    result = invoke_cli("backtest", str(scenario), str(tmp_path / "never-read.csv"),
                        "--reps", "2")
    assert_one_line_error(result, "--reps 2: a verdict needs at least 3 replications")


def test_a_record_nothing_can_be_compared_with_is_no_verdict(tmp_path: Path) -> None:
    """Issue 19 item 14: a one-record file whose queue the one-queue scenario does not have
    compared nothing and read "0 of 0 interval values (nan%)"."""
    from callsim import build_scenario
    from callsim.calibration.errors import RecordsError

    raw = known_raw()
    raw["departments"] = {"billing": {"agents": 30, "wage_per_hour": 28.0}}
    raw["call_types"] = {"billing": raw["call_types"]["billing"]}
    scenario = build_scenario(raw, "<one queue>", Path("."))
    path = tmp_path / "one.csv"
    path.write_text("arrived,queue,outcome,waited,handled\n"
                    "2026-03-02 09:05:00,sales,answered,10,543\n")
    with pytest.raises(RecordsError, match="no interval value to compare") as info:
        backtest(scenario, path, reps=3, seed=1)
    assert len(info.value.problems) == 1
