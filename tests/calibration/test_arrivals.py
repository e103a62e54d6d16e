"""Arrival counts per call type, day and interval."""

from __future__ import annotations

import numpy as np
import pandas as pd

from callsim.calibration.arrivals import estimate_arrivals
from callsim.calibration.records import CallRecords
from callsim.scenario.schema import Horizon


def test_many_call_types_times_many_days_do_not_overflow() -> None:
    """Regression: int8 call-type codes x days overflowed past 127 ((types - 1) x days) and
    crashed ``np.bincount`` on a month of a real centre's records."""
    types, days = 6, 30
    day = np.repeat(pd.date_range("1999-02-01", periods=days).to_numpy(), types)
    call_type = np.tile([f"t{k}" for k in range(types)], days)
    frame = pd.DataFrame({"day": day, "clock": 36000.0,
                          "call_type": pd.Categorical(call_type)})
    window = Horizon(duration=1800.0, interval=1800.0, start=36000.0)
    arrivals = estimate_arrivals(CallRecords(frame, frozenset()), window)
    assert (arrivals.table["calls"] == days).all()
    assert len(arrivals.table) == types


def test_busyness_cv_recovered_from_mixed_poisson_counts() -> None:
    """Counts Poisson(m x B) with one gamma factor B a day (cv 0.3): the estimate's 95% CI holds
    0.3; Poisson counts (cv 0) give a CI from 0."""
    from callsim.calibration.arrivals import busyness

    rng = np.random.default_rng(7)
    means = np.linspace(20, 80, 24)
    factor = rng.gamma(1 / 0.3**2, 0.3**2, size=(60, 1))
    est = busyness(rng.poisson(means * factor).astype(float))
    assert est.ci_low < 0.3 < est.ci_high and abs(est.cv - 0.3) < 0.08
    plain = busyness(rng.poisson(np.tile(means, (60, 1))).astype(float))
    assert plain.ci_low == 0.0 and plain.cv < 0.05
