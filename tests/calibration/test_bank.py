"""The real centre (Anonymous Bank, ../shared/data): calibration on 1-4 and 7 February."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from callsim import calibrate
from callsim.calibration.calibrated import Calibration
from callsim.calibration.writer import fitted
from callsim.report.calibration_pages import calibration_html
from tests.calibration.real import BANK_MAP, FIT_DAYS, bank_export


@pytest.fixture(scope="module")
def bank() -> Calibration:
    return calibrate(bank_export(), days=FIT_DAYS, mapping=BANK_MAP)


def test_resampled_times_are_not_said_to_be_fitted_by_maximum_likelihood() -> None:
    """Regression: the file said "handle time: empirical by maximum likelihood"."""
    assert fitted(SimpleNamespace(family="empirical")) == (  # type: ignore[arg-type]
        "empirical (the observed times resampled: no family fits)")
    assert fitted(SimpleNamespace(family="gamma")) == "gamma by maximum likelihood"  # type: ignore[arg-type]


def test_the_bank_is_one_pool_of_agents(bank: Calibration) -> None:
    """Every service type is answered mostly by agents at home in PS: one department."""
    assert bank.departments == ["ps"]
    assert bank.pools is not None and set(bank.pools.department.values()) == {"ps"}
    assert {ct.resolved_by for ct in bank.scenario().call_types.values()} == {"ps"}
    assert "one pool for queues in, ne, nw, pe, ps, tt" in bank.text


def test_agents_on_duty_and_after_call_work(bank: Calibration) -> None:
    """Spells staff the busy hours with 6-7 agents (24 distinct agents worked those days, in
    shifts; about 125 calls an hour of 3 min each need 6.3 busy agents); after-call work (gaps
    before a call that was already waiting) is about 8 s, its CI positive."""
    agents = bank.staffing.agents("ps")
    assert max(agents) == 7 and sum(a >= 6 for a in agents) >= 10
    acw = bank.after_call_work["ps"]
    assert acw.fit is not None and acw.gaps > 2000
    low, high = acw.fit.mean_ci
    assert 0 < low < acw.fit.mean < high
    assert 6 < acw.fit.mean < 10
    assert "empirical by maximum likelihood" not in bank.text


def test_calls_without_agents_are_warned_about(bank: Calibration) -> None:
    """A few calls arrive after midnight and before 07:00 when nobody is on duty."""
    assert any("0 agents are staffed" in w for w in bank.warnings)
    assert "# WARNING: ps at 00:00" in bank.text


def test_calibration_page_staffing_section_and_handle_caption(bank: Calibration) -> None:
    """Regression: the staffing section was one sentence; the handle-time caption promised a
    density for call types whose times are resampled."""
    page = calibration_html(bank)
    section = page.split('<h2 id="staffing">')[1]
    assert section.count("<p>") >= 3 and section.count("<tr>") > 20
    assert "After-call work in ps" in section and "Warning:" in section
    assert "resampled (empirical" in page


@pytest.mark.slow
def test_bank_out_of_sample_with_replayed_arrivals(tmp_path_factory: pytest.TempPathFactory
                                                   ) -> None:
    """The issue's check, from the export as published: calibrate on 1-4 and 7 February,
    back-test on 8-11 and 14 February with each day's own arrivals. Of the issue's targets for
    the day means of all calls, ASA within 25% of the observed one (36.7 s) holds now;
    abandonment (12.2% observed) is about 2.4 points low and service level about 13 points
    high, and the interval verdict fails: what is left for the simulation-based fit of
    availability (docs/calibration.md). The abandonment gap is asserted to stay below the 5
    points it had before this work (2% simulated against 11%: 9 points)."""
    import json

    from tests.shared import invoke_cli

    export, out = bank_export(), tmp_path_factory.mktemp("bank") / "bank.yaml"
    result = invoke_cli("calibrate", str(export), "--map", str(BANK_MAP), "--days", FIT_DAYS,
                        "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "7,640 calls on 5 day(s)" in result.output
    result = invoke_cli("backtest", str(out), str(export), "--map", str(BANK_MAP), "--days",
                        "sun-thu 1999-02-08..1999-02-14", "--arrivals", "records", "--reps",
                        "10", "--workers", "1", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["days"] == ["1999-02-08", "1999-02-09", "1999-02-10", "1999-02-11",
                                "1999-02-14"]
    every = document["summary"]["all"]
    assert every["offered"]["observed"] == every["offered"]["simulated"]["mean"] == 1465
    abandon = every["abandon_rate"]
    assert abs(abandon["simulated"]["mean"] - abandon["observed"]) < 0.05
    asa = every["asa"]
    assert abs(asa["simulated"]["mean"] / asa["observed"] - 1) < 0.25


@pytest.mark.slow
def test_available_share_fitted_by_simulation(bank: Calibration) -> None:
    """Bisection on the replayed calibration days: the share of agents available whose
    simulated abandonment matches the observed 10.5%. With every agent available the model
    abandons less than observed, with half of them far more, so the share is identified; at
    the fit the simulated abandonment is within its CI plus one rounding step of agents."""
    from callsim.calibration.fit import fit_availability

    fit = fit_availability(bank.scenario(), bank.records, reps=6, seed=0, steps=5)
    assert fit.identified and fit.available is not None
    assert 0.8 < fit.available < 1.0
    full = dict((s, m) for s, m, _ in fit.trials)[1.0]
    assert full < fit.observed  # all agents available: too few abandonments
    assert fit.bracket[0] <= fit.available <= fit.bracket[1]
    assert "available fitted by simulation" in fit.comment()
