"""Arrival counts per call type, day and interval."""

from __future__ import annotations

import numpy as np
import pandas as pd

from callsim.calibration.arrivals import Window, estimate_arrivals
from callsim.calibration.records import CallRecords


def test_many_call_types_times_many_days_do_not_overflow() -> None:
    """Regression: int8 call-type codes x days overflowed past 127 ((types - 1) x days) and
    crashed ``np.bincount`` on a month of a real centre's records."""
    types, days = 6, 30
    day = np.repeat(pd.date_range("1999-02-01", periods=days).to_numpy(), types)
    call_type = np.tile([f"t{k}" for k in range(types)], days)
    frame = pd.DataFrame({"day": day, "clock": 36000.0,
                          "call_type": pd.Categorical(call_type)})
    window = Window(36000.0, 1800.0, 1)
    arrivals = estimate_arrivals(CallRecords(frame, frozenset()), window)
    assert (arrivals.table["calls"] == days).all()
    assert len(arrivals.table) == types
