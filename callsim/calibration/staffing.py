"""Agents on duty per department and interval, as far as call records show them.

With agent ids, an agent is on duty from the start of a call to the end of its last call before
a break (an on-duty **spell**): a gap longer than :data:`BREAK` during which callers of its
department waited :data:`EVIDENCE` caller-seconds or more (a long gap with nobody waiting is
idle time on duty). An interval's staffing is the time-average number of agents of the
department in a spell during the interval (an agent on duty for half of it counts 0.5),
averaged over the days and rounded, at least one where agents were on duty. "Seen busy at
some moment of the interval" counted an agent who took one call in the last minute as present
for the whole interval. Each agent
counts in one department: the pool of its home queue (:mod:`callsim.calibration.pools`).
Without agent ids it is the most calls handled at once in the interval, averaged over the
days: a lower bound, flagged as such.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from callsim.analysis.segments import cumulative_time
from callsim.calibration.records import CallRecords
from callsim.scenario.schema import Horizon

__all__ = ["BREAK", "EVIDENCE", "Staffing", "agent_homes", "agents_seen", "busy_spans",
           "estimate_staffing", "on_duty_spells", "waiting_spans"]

#: A gap between an agent's calls longer than this (s) may be a break (see EVIDENCE). On the
#: bank's records 99% of the gaps after which the next caller was already waiting (the agent
#: was not free) are under 1 min, while gaps in general run to hours (docs/calibration.md).
BREAK = 600.0
#: Caller-seconds waited in its department during a long gap that make it a break (an agent on
#: duty would have answered them).
EVIDENCE = 60.0


@dataclass(frozen=True)
class Staffing:
    """Agents per department and interval.

    Attributes
    ----------
    method
        ``spells`` (agent ids) or ``concurrent_calls`` (a lower bound).
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

    def zero_with_calls(self, calls: pd.DataFrame, window: Horizon) -> list[str]:
        """Intervals with calls and 0 agents, or agents and no call: one warning line each.

        ``calls`` has columns ``department``, ``interval`` and ``calls`` (mean per day).
        """
        merged = self.table.merge(calls, on=["department", "interval"], how="left")
        merged["calls"] = merged["calls"].fillna(0)
        lines = []
        for r in merged.itertuples():
            if r.agents == 0 and r.calls > 0:
                lines.append(f"{r.department} at {window.clock(int(r.interval))}: "
                             f"{r.calls:.2g} calls a day arrive and 0 agents are staffed")
            elif r.agents > 0 and r.calls == 0:
                lines.append(f"{r.department} at {window.clock(int(r.interval))}: {r.agents} "
                             "agents staffed and no call arrived")
        return lines

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


def agents_seen(busy: pd.DataFrame, window: Horizon) -> pd.Series:
    """Distinct agents busy in each interval, indexed by ``(queue, day, interval)``."""
    first = np.floor((busy["start"].to_numpy() - window.start) / window.interval).astype(int)
    last = np.floor((busy["stop"].to_numpy() - window.start) / window.interval).astype(int)
    last = np.maximum(first, last)
    spans = last - first + 1
    rows = busy.loc[busy.index.repeat(spans), ["day", "queue", "agent"]].reset_index(drop=True)
    offsets = np.arange(spans.sum()) - np.repeat(np.cumsum(spans) - spans, spans)
    rows["interval"] = np.repeat(first, spans) + offsets
    inside = (rows["interval"] >= 0) & (rows["interval"] < window.n_intervals)
    rows = rows[inside & rows["agent"].notna()]
    return rows.drop_duplicates().groupby(["queue", "day", "interval"], observed=True).size()


def _by_concurrency(busy: pd.DataFrame, window: Horizon) -> pd.Series:
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
            if 0 <= int(i) < window.n_intervals:
                out[(queue, day, int(i))] = value
    index = pd.MultiIndex.from_tuples(list(out), names=["queue", "day", "interval"])
    return pd.Series(list(out.values()), index=index, dtype=float)


def agent_homes(frame: pd.DataFrame) -> dict[str, str]:
    """Each agent's home: the queue of most of the calls it answered (ties: the first in order).

    ``frame`` is a records frame (:class:`~callsim.calibration.records.CallRecords`).
    """
    served = frame[frame["answered"].to_numpy(dtype=bool) & frame["agent"].notna().to_numpy()]
    if served.empty:
        return {}
    counts = pd.crosstab(served["agent"].astype(str), served["queue"].astype(str))
    return {str(a): str(q) for a, q in counts.idxmax(axis=1).items()}


def waiting_spans(frame: pd.DataFrame) -> pd.DataFrame:
    """Queued callers as spans ``[start, stop]`` (s since midnight) of waiting, per queue."""
    waited = frame["waited"].to_numpy(dtype=float)
    queued = np.nan_to_num(waited) > 0
    start = frame["clock"].to_numpy(dtype=float)[queued]
    return pd.DataFrame({"day": frame["day"].to_numpy()[queued],
                         "queue": frame["queue"].astype(str).to_numpy()[queued],
                         "start": start, "stop": start + waited[queued]})


def _waited_between(waiting: pd.DataFrame, day: np.ndarray, department: np.ndarray,
                    start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Caller-seconds waited in each ``department`` on each ``day`` between start and stop."""
    out = np.zeros(len(start))
    keys = pd.Series(list(zip(day, department, strict=True)))
    for (d, q), spans in waiting.groupby(["day", "queue"]):
        mine = (keys == (d, q)).to_numpy()
        if mine.any():
            at = cumulative_time(spans["start"].to_numpy(), spans["stop"].to_numpy(),
                                 np.concatenate([start[mine], stop[mine]]))
            out[mine] = at[mine.sum():] - at[:mine.sum()]
    return out


def on_duty_spells(busy: pd.DataFrame, gap: float = BREAK, waiting: pd.DataFrame | None = None,
                   department: dict[str, str] | None = None) -> pd.DataFrame:
    """Each agent's on-duty spells per day: ``day``, ``agent``, ``start``, ``stop`` (s).

    A spell runs from the start of a call to the end of the last call before a gap > ``gap``
    during which callers of the agent's department waited :data:`EVIDENCE` caller-seconds or
    more (``waiting``, :func:`waiting_spans`): an agent on duty would have answered them. A
    long gap with nobody waiting is idle time on duty. Without ``waiting`` every gap > ``gap``
    ends a spell.
    """
    calls = busy[busy["agent"].notna()].sort_values(["day", "agent", "start"])
    if calls.empty:
        return pd.DataFrame(columns=["day", "agent", "start", "stop"])
    key = calls["day"].astype(str) + "|" + calls["agent"].astype(str)
    stop = calls.groupby(key, sort=False)["stop"].cummax()
    before = stop.groupby(key, sort=False).shift(1)
    long = (calls["start"] - before > gap).to_numpy()
    if waiting is not None and long.any():
        where = calls["agent"].astype(str).map(department or {}).fillna(
            calls["queue"].astype(str)).to_numpy()
        evidence = _waited_between(waiting, calls["day"].to_numpy()[long], where[long],
                                   before.to_numpy()[long], calls["start"].to_numpy()[long])
        long[long] = evidence >= EVIDENCE
    new = before.isna().to_numpy() | long
    spell = np.cumsum(new)
    frame = pd.DataFrame({"day": calls["day"].to_numpy(), "agent": calls["agent"].to_numpy(),
                          "spell": spell, "start": calls["start"].to_numpy(),
                          "stop": stop.to_numpy()})
    grouped = frame.groupby("spell")
    return pd.DataFrame({"day": grouped["day"].first(), "agent": grouped["agent"].first(),
                         "start": grouped["start"].min(), "stop": grouped["stop"].max()}
                        ).reset_index(drop=True)


def agents_on_duty(spells: pd.DataFrame, window: Horizon,
                   department: dict[str, str]) -> pd.Series:
    """Time-average agents in a spell per ``(department, day, interval)``."""
    out: dict[tuple[str, pd.Timestamp, int], float] = {}
    edges = window.start + window.interval_bounds()
    for r in spells.itertuples():
        overlap = np.clip(np.minimum(edges[1:], r.stop) - np.maximum(edges[:-1], r.start),
                          0.0, None) / window.interval
        where = department.get(str(r.agent))
        if where is None:
            continue
        for i in np.flatnonzero(overlap):
            key = (where, r.day, int(i))
            out[key] = out.get(key, 0.0) + float(overlap[i])
    index = pd.MultiIndex.from_tuples(list(out), names=["queue", "day", "interval"])
    return pd.Series(list(out.values()), index=index, dtype=float)


def _whole_agents(mean: float, spells: bool) -> int:
    """The agents written for a mean over days: rounded (spells) or up (a lower bound).

    An interval where agents were on duty on some day (``mean`` > 0) keeps at least one: 0
    would leave its callers unanswered while the records show them answered (the bank's few
    calls after midnight and before 07:00, mean 0.1-0.3 agents, rounded to 0, were all
    abandoned in the back-test: 4 of its flags).
    """
    if not spells:
        return int(np.ceil(mean - 1e-9))
    return max(int(np.floor(mean + 0.5)), 1) if mean > 0 else 0


def estimate_staffing(records: CallRecords, window: Horizon, departments: list[str],
                      agent_department: dict[str, str] | None = None) -> Staffing:
    """Agents per department and interval (means over the days, and their range).

    ``agent_department`` places each agent in one department (default: the queue of most of
    its calls).
    """
    frame = records.frame
    busy = busy_spans(frame)
    has_ids = "agent" in records.present and busy["agent"].notna().any()
    if has_ids:
        if agent_department is None:
            agent_department = agent_homes(frame)
        spells = on_duty_spells(busy, waiting=waiting_spans(frame), department=agent_department)
        counts = agents_on_duty(spells, window, agent_department)
    else:
        counts = _by_concurrency(busy, window)
    days = records.days
    rows = []
    for department in departments:
        for i in range(window.n_intervals):
            values = np.array([float(counts.get((department, day, i), 0.0)) for day in days])
            mean = float(values.mean())
            agents = _whole_agents(mean, has_ids)
            rows.append((department, i, mean, float(values.min()), float(values.max()), agents))
    table = pd.DataFrame(rows, columns=["department", "interval", "mean", "low", "high", "agents"])
    return Staffing("spells" if has_ids else "concurrent_calls", table)
