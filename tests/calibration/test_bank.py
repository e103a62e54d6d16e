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
