"""The real centre (Anonymous Bank, ../shared/data): calibration on 1-4 and 7 February."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from callsim import calibrate
from callsim.calibration.calibrated import Calibration
from callsim.calibration.writer import fitted
from callsim.report.calibration_pages import calibration_html
from tests.calibration.real import BANK_MAP, FIT_DAYS, TEST_DAYS, bank_export

BANK_WEEK = BANK_MAP.parent / "anonymous_bank_1999-02-01_to_07.tsv"


def test_the_projects_week_is_the_export_unchanged() -> None:
    """scenarios/records holds the first week of the export, every row as published and in its
    order: exactly the export's rows whose date is 990201-990207, and the header."""
    week = BANK_WEEK.read_bytes().splitlines(keepends=True)
    export = bank_export().read_bytes().splitlines(keepends=True)
    wanted = [export[0]] + [line for line in export[1:]
                            if b"990201" <= line.split(b"\t")[5] <= b"990207"]
    assert week == wanted and len(week) == 9008


def test_the_projects_week_calibrates_as_the_export(tmp_path: Path) -> None:
    """Without ../shared: the week in the project reads with the committed map."""
    from tests.shared import invoke_cli

    result = invoke_cli("calibrate", str(BANK_WEEK), "--map", str(BANK_MAP), "--days", FIT_DAYS,
                        "--out", str(tmp_path / "bank.yaml"))
    assert result.exit_code == 0, result.output
    assert "7,640 calls on 5 day(s)" in result.output


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


def test_callers_at_lunch_are_less_patient(bank: Calibration) -> None:
    """Time-of-day patience: at 12:00-14:00 callers abandon at 0.33 a minute of waiting, about
    1.8 times the day's rate for their call types (factor 0.56, CI 0.47-0.65, excluding 1); the
    night blocks have too few abandonments and keep 1."""
    by_time = bank.patience_scale
    assert by_time is not None and by_time.identified
    blocks = {bank.window.clock(b.first): b for b in by_time.blocks}
    lunch = blocks["12:00"]
    assert lunch.identified and lunch.high < 1 and 0.45 < lunch.scale < 0.65
    assert 0.30 < lunch.hazard < 0.36
    assert not blocks["06:00"].identified
    assert "patience_scale: [" in bank.text
    scales = bank.scenario().patience_scales("ps")
    assert scales[lunch.first] == scales[lunch.last] == round(lunch.scale, 3)


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
    assert "forward check" not in section  # no fit, no check
    from dataclasses import replace

    from callsim.calibration.forward import ForwardCheck

    day = {"offered": 1528.0, "abandon_rate": 0.105, "asa": 32.7, "service_level": 0.568}
    checked = replace(bank, forward=ForwardCheck(50, 5, day, day, dict.fromkeys(day, 0.0)))
    fitted = calibration_html(checked).split('<h2 id="staffing">')[1]
    assert "forward check: the scenario&#39;s own rates" in fitted.split("<h2")[0]


def _within_targets(summary: dict[str, Any]) -> None:
    """The issue's targets for the day means of all calls, the simulated mean and both ends of
    its 95% CI: abandonment within 2 points, ASA within 25%, service level within 5 points."""
    abandon, asa, level = summary["abandon_rate"], summary["asa"], summary["service_level"]
    for value in (abandon["simulated"]["mean"], *abandon["simulated"]["ci95"]):
        assert abs(value - abandon["observed"]) < 0.02
    for value in (asa["simulated"]["mean"], *asa["simulated"]["ci95"]):
        assert abs(value / asa["observed"] - 1) < 0.25
    for value in (level["simulated"]["mean"], *level["simulated"]["ci95"]):
        assert abs(value - level["observed"]) < 0.05


@pytest.mark.slow
def test_bank_out_of_sample_with_replayed_arrivals(tmp_path_factory: pytest.TempPathFactory
                                                   ) -> None:
    """The issue's check, from the export as published: calibrate on 1-4 and 7 February with
    ``--fit`` (the share of agents available per 2 h block fitted to abandonment, after-call
    work scaled to service level: x1.5), back-test with each day's own calls replayed (its
    arrivals, handle-time level per interval and agents on duty), 40 replications. On the days
    it was fitted to and on 8-11 and 14 February the interval verdict passes (measured 6 / 22
    and 15 / 23 flags / allowed; seeds 1, 2 and 100 out of sample: 18 / 26, 19 / 29, 17 / 24)
    and the day means are within the issue's targets (out of sample 11.1% against 12.2%, 40.9 s
    against 36.7 s, 58.1% against 56.6%; docs/calibration.md gives the figures)."""
    import json

    from tests.shared import invoke_cli

    export, out = bank_export(), tmp_path_factory.mktemp("bank") / "bank.yaml"
    result = invoke_cli("calibrate", str(export), "--map", str(BANK_MAP), "--days", FIT_DAYS,
                        "--out", str(out), "--fit")
    assert result.exit_code == 0, result.output
    assert "7,640 calls on 5 day(s)" in result.output
    text = out.read_text()
    assert "available fitted by simulation per block" in text
    assert "after-call work scaled x1.5" in text
    assert "its mean day is kinder than the calibration days by" in result.output  # forward
    assert "# forward check: the scenario's own rates, 50 simulated days" in text
    assert "not answered first, no priority" in text
    documents = {}
    for days in (FIT_DAYS, TEST_DAYS):
        result = invoke_cli("backtest", str(out), str(export), "--map", str(BANK_MAP),
                            "--days", days, "--arrivals", "records", "--reps", "40", "--json")
        assert result.exit_code == 0, result.output
        documents[days] = json.loads(result.stdout)
    fitted, tested = documents[FIT_DAYS], documents[TEST_DAYS]
    assert tested["days"] == ["1999-02-08", "1999-02-09", "1999-02-10", "1999-02-11",
                              "1999-02-14"]
    every = tested["summary"]["all"]
    assert every["offered"]["observed"] == every["offered"]["simulated"]["mean"] == 1465
    _within_targets(every)
    assert fitted["verdict"]["passes"], fitted["verdict"]["text"]
    assert tested["verdict"]["passes"], tested["verdict"]["text"]
    _within_targets(fitted["summary"]["all"])
    assert "agents on duty of ps" in tested["notes"][-1]


@pytest.mark.slow
def test_available_share_fitted_by_simulation(bank: Calibration) -> None:
    """Parallel bisection per 2 h block on the replayed calibration days (each with its own
    agents on duty and handle-time level): the share of agents available whose simulated
    abandonment matches the observed one in the block. The busy blocks (08:00-20:00, about 90%
    of the calls) are identified, with shares 0.9-0.94 (measured); at 06:00-08:00 and
    20:00-22:00 even every agent abandons a little more than observed (share 1, "at most":
    10.4% against 6.5%, 6.2% against 6.1%); the night blocks without calls are flat (not
    identified, kept at 1)."""
    from callsim.calibration.fit import fit_availability

    fit = fit_availability(bank.scenario(), bank.records, reps=10, seed=0, steps=5, block=4)
    assert fit.identified and fit.available is not None
    assert len(fit.available) == bank.scenario().horizon.n_intervals
    status = {bank.window.clock(b.first): b for b in fit.blocks}
    for clock in ("08:00", "10:00", "12:00", "14:00", "16:00", "18:00"):
        block = status[clock]
        assert block.status == "fitted" and 0.8 < block.share < 1.0
        assert block.low <= block.share <= block.high
        assert block.unfitted < block.simulated  # every agent available: fewer abandon
    assert status["02:00"].status == status["04:00"].status == "flat"
    assert status["02:00"].share == 1.0
    assert status["06:00"].status == status["20:00"].status == "at most"
    assert status["06:00"].share == status["20:00"].share == 1.0
    assert "available fitted by simulation per block" in fit.comment()
    assert "with every agent available" in status["08:00"].line(bank.window, True)
