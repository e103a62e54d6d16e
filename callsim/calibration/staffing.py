"""Agents on duty per department and interval, as far as call records show them.

With agent ids, an interval's staffing is the number of distinct agents of the department busy
with a call (from answer to the end of their handling) at some moment of the interval, averaged
over the days and rounded. An agent idle through a whole interval is not seen, so this is
slightly low at quiet times. Without agent ids it is the most calls handled at once in the
interval, averaged over the days: a lower bound, flagged as such.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from callsim.calibration.arrivals import Window
from callsim.calibration.records import CallRecords

__all__ = ["Staffing", "agents_seen", "busy_spans", "estimate_staffing"]


@dataclass(frozen=True)
class Staffing:
    """Agents per department and interval.

    Attributes
    ----------
    method
        ``agent_ids`` or ``concurrent_calls`` (a lower bound).
    table
        One row per department and interval: ``department``, ``interval``, ``mean``, ``low``,
        ``high`` (over days), ``agents`` (the integer written to the scenario).
    """

    method: str
    table: pd.DataFrame

    @property
    def lower_bound(self) -> bool:
        """True when the figures come from concurrent calls, not from agent ids."""
        return self.method == "concurrent_calls"

    def agents(self, department: str) -> list[int]:
        """Integer agents per interval for one department."""
        rows = self.table[self.table["department"] == department]
        return [int(a) for a in rows["agents"]]


def busy_spans(frame: pd.DataFrame) -> pd.DataFrame:
    """Answered calls as busy spans ``[start, stop]`` (s since midnight) of their first agent."""
    answered = frame[frame["answered"]]
    start = answered["clock"].to_numpy() + np.nan_to_num(answered["waited"].to_numpy())
    stop = start + np.nan_to_num(answered["handled"].to_numpy())
    return pd.DataFrame({"day": answered["day"].to_numpy(), "queue": answered["queue"].to_numpy(),
                         "agent": answered["agent"].to_numpy(), "start": start, "stop": stop})


def agents_seen(busy: pd.DataFrame, window: Window) -> pd.Series:
    """Distinct agents busy in each interval, indexed by ``(queue, day, interval)``."""
    first = np.floor((busy["start"].to_numpy() - window.start) / window.interval).astype(int)
    last = np.floor((busy["stop"].to_numpy() - window.start) / window.interval).astype(int)
    last = np.maximum(first, last)
    spans = last - first + 1
    rows = busy.loc[busy.index.repeat(spans), ["day", "queue", "agent"]].reset_index(drop=True)
    offsets = np.arange(spans.sum()) - np.repeat(np.cumsum(spans) - spans, spans)
    rows["interval"] = np.repeat(first, spans) + offsets
    rows = rows[(rows["interval"] >= 0) & (rows["interval"] < window.n) & rows["agent"].notna()]
    return rows.drop_duplicates().groupby(["queue", "day", "interval"], observed=True).size()


def _by_concurrency(busy: pd.DataFrame, window: Window) -> pd.Series:
    out = {}
    for (queue, day), spans in busy.groupby(["queue", "day"], observed=True):
        times = np.concatenate([spans["start"].to_numpy(), spans["stop"].to_numpy()])
        steps = np.concatenate([np.ones(len(spans)), -np.ones(len(spans))])
        order = np.lexsort((steps, times))  # ends before starts at the same instant
        level = np.cumsum(steps[order])
        idx = np.floor((times[order] - window.start) / window.interval).astype(int)
        peak = pd.Series(level).groupby(idx).max()
        carried = pd.Series(level).groupby(idx).last().shift(1, fill_value=0)
        peak = np.maximum(peak, carried.reindex(peak.index, fill_value=0))
        for i, value in peak.items():
            if 0 <= int(i) < window.n:
                out[(queue, day, int(i))] = value
    index = pd.MultiIndex.from_tuples(list(out), names=["queue", "day", "interval"])
    return pd.Series(list(out.values()), index=index, dtype=float)


def estimate_staffing(records: CallRecords, window: Window, departments: list[str]) -> Staffing:
    """Agents per department and interval (means over the days, and their range)."""
    frame = records.frame
    busy = busy_spans(frame)
    has_ids = "agent" in records.present and busy["agent"].notna().any()
    counts = agents_seen(busy, window) if has_ids else _by_concurrency(busy, window)
    days = records.days
    rows = []
    for department in departments:
        for i in range(window.n):
            values = np.array([float(counts.get((department, day, i), 0.0)) for day in days])
            mean = float(values.mean())
            agents = int(np.floor(mean + 0.5)) if has_ids else int(np.ceil(mean - 1e-9))
            rows.append((department, i, mean, float(values.min()), float(values.max()), agents))
    table = pd.DataFrame(rows, columns=["department", "interval", "mean", "low", "high", "agents"])
    return Staffing("agent_ids" if has_ids else "concurrent_calls", table)
