"""Back-test days driven by their own arrivals: the records' calls replayed into the scenario.

``backtest --arrivals records`` judges the model of service (staffing, handle times, patience,
after-call work) and not the forecast: each back-test day is simulated with the arrival times
and call types of that day's records (the call-log replay of docs/model.md section 4,
``arrivals_file``); handle times and patience are drawn from the scenario as usual.
Replication r of every day uses the streams of replication r, and the D days of replication r
make one simulated D-day mean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from callsim.calibration.records import CallRecords
from callsim.scenario.calllog import CallLog

if TYPE_CHECKING:
    from callsim.scenario.schema import Scenario

__all__ = ["day_scenario", "replayable"]


def replayable(records: CallRecords, scenario: Scenario) -> pd.Series:
    """Which calls can be replayed: of a call type the scenario knows, inside its horizon."""
    frame = records.frame
    offset = frame["clock"].to_numpy(dtype=float) - scenario.horizon.start
    known = frame["call_type"].astype(str).isin(list(scenario.call_types)).to_numpy()
    inside = (offset >= 0) & (offset < scenario.horizon.duration)
    return pd.Series(known & inside, index=frame.index)


def day_scenario(scenario: Scenario, frame: pd.DataFrame) -> Scenario:
    """``scenario`` with one day's calls (``frame``, replayable ones) as its arrivals."""
    names = list(scenario.call_types)
    time = frame["clock"].to_numpy(dtype=float) - scenario.horizon.start
    kind = frame["call_type"].astype(str).map({n: i for i, n in enumerate(names)})
    order = np.argsort(time, kind="stable")
    nan = np.full(len(time), np.nan)
    log = CallLog(time[order].copy(), kind.to_numpy(dtype=np.int32)[order].copy(), nan.copy(),
                  nan.copy())
    # The replayed day carries its real volume: no busyness factor on top (none is allowed with
    # a call log).
    day = scenario.model_copy(update={"arrivals_file": "<records of one day>",
                                      "arrivals": type(scenario.arrivals)()})
    day._call_log = log  # the replayed calls, as if read from a file (a private attribute)
    return day
