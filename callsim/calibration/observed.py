"""Per-interval statistics of call records, per day: what a backtest compares.

The same function reads real records and simulated ones (written in the record format by
:mod:`callsim.calibration.simulated`), so both sides of a backtest are measured alike. Calls
are assigned to the interval they arrived in, per queue (their first queue) and for ``all``:

- ``offered``: calls that arrived; ``answered``: of them, answered in that queue;
- ``abandon_rate``: abandoned / offered; ``asa``: mean wait of the answered calls (s);
- ``service_level``: answered within the threshold / offered;
- ``occupancy`` (per department, needs agent ids and handled times): the busy time of the
  department's agents (first legs) in the interval over the agent-time on duty in it, from the
  agents' on-duty spells (:func:`~callsim.calibration.staffing.on_duty_spells`, as calibration
  staffs the scenario; each agent counts in its home, the queue of most of its calls). A
  transferred call's second leg is not in the records.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from callsim.analysis.segments import cumulative_time
from callsim.calibration.arrivals import interval_index
from callsim.calibration.staffing import (
    agents_on_duty,
    busy_spans,
    on_duty_spells,
    waiting_spans,
)
from callsim.scenario.schema import Horizon

__all__ = ["BACKTEST_METRICS", "DAY_METRICS", "day_statistics", "interval_statistics"]

#: Whole-day metrics of the backtest's summary.
DAY_METRICS: tuple[str, ...] = ("offered", "abandon_rate", "asa", "service_level")

#: Metrics of the backtest, in display order.
BACKTEST_METRICS: tuple[str, ...] = (
    "offered", "answered", "abandon_rate", "asa", "service_level", "occupancy",
)


def _call_metrics(frame: pd.DataFrame, idx: np.ndarray, threshold: float) -> pd.DataFrame:
    waited = frame["waited"].to_numpy(dtype=float)
    answered = frame["answered"].to_numpy(dtype=bool)
    calls = pd.DataFrame({
        "day": frame["day"].to_numpy(), "interval": idx, "queue": frame["queue"].astype(str),
        "offered": 1.0, "answered": answered.astype(float),
        "abandoned": (~answered).astype(float),
        "wait_answered": np.where(answered, waited, np.nan),
        "in_time": (answered & (waited <= threshold)).astype(float),
    })[idx >= 0]
    every = calls.assign(queue="all")
    grouped = pd.concat([calls, every]).groupby(["day", "interval", "queue"])
    sums = grouped[["offered", "answered", "abandoned", "in_time"]].sum()
    sums["asa"] = grouped["wait_answered"].mean()
    sums["abandon_rate"] = sums["abandoned"] / sums["offered"]
    sums["service_level"] = sums["in_time"] / sums["offered"]
    if frame["waited"].isna().all():
        sums[["asa", "service_level"]] = np.nan
    return sums[["offered", "answered", "abandon_rate", "asa", "service_level"]]


def _occupancy(frame: pd.DataFrame, window: Horizon) -> pd.Series:
    """Busy time over agent-time on duty, per ``(day, interval, department)``.

    Both from the agents' on-duty spells and each agent in its home department (the queue of
    most of its calls): simulated agents, on duty for whole intervals, and real ones, who come
    and go within an interval, are measured alike.
    """
    busy = busy_spans(frame)
    busy = busy[busy["agent"].notna()]
    home = {str(a): str(q) for a, q in busy.groupby("agent", observed=True)["queue"].agg(
        lambda s: s.value_counts().index[0]).items()}
    busy = busy.assign(queue=busy["agent"].astype(str).map(home))
    spells = on_duty_spells(busy, waiting=waiting_spans(frame), department=home)
    duty = agents_on_duty(spells, window, home)
    bounds = window.start + window.interval_bounds()
    rows = {}
    for (queue, day), spans in busy.groupby(["queue", "day"], observed=True):
        work = np.diff(cumulative_time(spans["start"].to_numpy(), spans["stop"].to_numpy(),
                                       bounds))
        for i in range(window.n_intervals):
            agents = float(duty.get((queue, day, i), 0.0))
            if agents > 0:
                rows[(day, i, str(queue))] = work[i] / (agents * window.interval)
    index = pd.MultiIndex.from_tuples(list(rows), names=["day", "interval", "queue"])
    return pd.Series(list(rows.values()), index=index, dtype=float, name="occupancy")


def interval_statistics(
    frame: pd.DataFrame, window: Horizon, threshold: float, occupancy: bool = True
) -> pd.DataFrame:
    """Per day, interval and queue (and ``all``), the backtest metrics of call records.

    Parameters
    ----------
    frame
        A :class:`~callsim.calibration.records.CallRecords` frame.
    window
        The planning intervals (clock times of the scenario).
    threshold
        Service-level threshold (s).
    occupancy
        Also estimate occupancy (needs agent ids).

    Returns
    -------
    pandas.DataFrame
        Long table: ``day``, ``interval``, ``queue``, ``metric``, ``value``; intervals of a
        day without calls have ``offered`` and ``answered`` 0 and no rates.
    """
    idx = interval_index(frame["clock"].to_numpy(dtype=float), window)
    wide = _call_metrics(frame, idx, threshold)
    days = pd.unique(frame["day"])
    queues = sorted(set(frame["queue"].astype(str))) + ["all"]
    full = pd.MultiIndex.from_product([days, range(window.n_intervals), queues],
                                      names=["day", "interval", "queue"])
    wide = wide.reindex(full)
    wide[["offered", "answered"]] = wide[["offered", "answered"]].fillna(0.0)
    if occupancy and frame["agent"].notna().any():
        wide = wide.join(_occupancy(frame, window))
    else:
        wide["occupancy"] = np.nan
    wide.loc[wide.index.get_level_values("queue") == "all", "occupancy"] = np.nan
    long = wide.reset_index().melt(id_vars=["day", "interval", "queue"], var_name="metric",
                                   value_name="value")
    return long.dropna(subset=["value"]).reset_index(drop=True)


def day_statistics(frame: pd.DataFrame, window: Horizon, threshold: float) -> pd.DataFrame:
    """Per day and queue (and ``all``), :data:`DAY_METRICS` over the calls of the window.

    Returns a long table ``day``, ``queue``, ``metric``, ``value`` (``asa``: mean wait of the
    answered calls; the rates over the day's offered calls).
    """
    idx = interval_index(frame["clock"].to_numpy(dtype=float), window)
    wide = _call_metrics(frame, np.where(idx >= 0, 0, -1), threshold)
    waited = frame["waited"].to_numpy(dtype=float)[idx >= 0]
    answered = frame["answered"].to_numpy(dtype=bool)[idx >= 0]
    calls = pd.DataFrame({"day": frame["day"].to_numpy()[idx >= 0],
                          "queue": frame["queue"].astype(str).to_numpy()[idx >= 0],
                          "wait": np.where(answered, waited, np.nan)})
    asa = pd.concat([calls, calls.assign(queue="all")]).groupby(["day", "queue"])["wait"].mean()
    wide = wide.reset_index(level="interval", drop=True)
    wide["asa"] = asa if not frame["waited"].isna().all() else np.nan
    long = wide[list(DAY_METRICS)].reset_index().melt(
        id_vars=["day", "queue"], var_name="metric", value_name="value")
    return long.dropna(subset=["value"]).reset_index(drop=True)
