"""Back-test days driven by their own calls: what each day of the records had, replayed.

``backtest --arrivals records`` (and the fit by simulation, :mod:`callsim.calibration.fit`)
judge the model of service, not the forecast and not the roster. Each replayed day takes from
its records what a forecast and a roster fix in advance:

- its **arrivals**: the arrival times and call types of that day's calls (the call-log replay
  of docs/model.md section 4, ``arrivals_file``);
- its **workload level**: a factor on handle time per interval, the day's handled time over
  the time the scenario expects for those calls (its call types' means and ``handle_scale``),
  shrunk towards 1 by how much the interval's calls can tell (:func:`handle_levels`). On the
  Anonymous Bank, 14 February 1999 21:00-22:30 brought 349 calls of 18 s median handle time
  (the scenario expects about 170 s): with their arrivals alone the model, right about every
  other evening, queues them for minutes;
- its **agents on duty** per interval (on-duty spells of that day's calls,
  :mod:`callsim.calibration.staffing`), when the records name agents, in every department
  that no call is transferred to (:func:`replayed_staffing`); otherwise the scenario's
  ``agents``.

What is judged is everything else: the share of agents available, after-call work, the
handle-time distribution around its level, patience and its time of day, priorities and the
queue itself. Replication r of every day uses the streams of replication r, and the D days of
replication r make one simulated D-day mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from callsim.calibration.arrivals import interval_index
from callsim.calibration.records import CallRecords
from callsim.calibration.staffing import agent_homes, estimate_staffing
from callsim.scenario.calllog import CallLog

if TYPE_CHECKING:
    from callsim.scenario.schema import Scenario

__all__ = ["LOWEST_LEVEL", "TRANSLATION_CALLS", "ReplayedDay", "day_scenario", "handle_levels",
           "replay_days", "replayable", "replayed_staffing"]

#: The lowest workload level a replayed interval takes (a factor on handle time).
LOWEST_LEVEL = 0.05
#: Calls an interval needs for its level to stay within one standard error of its own ratio.
TRANSLATION_CALLS = 30


@dataclass(frozen=True)
class ReplayedDay:
    """One day of the records, ready to be simulated with any variant of a scenario.

    Attributes
    ----------
    day
        The date.
    calls
        Its replayable calls (:func:`replayable`).
    level
        Its workload level per interval (a factor on handle time, 1: as the scenario expects).
    agents
        Agents on duty per interval of the departments whose staffing is replayed
        (:func:`replayed_staffing`); the others keep the scenario's.
    """

    day: pd.Timestamp
    calls: pd.DataFrame
    level: np.ndarray
    agents: Mapping[str, tuple[int, ...]]

    def scenario(self, base: Scenario) -> Scenario:
        """``base`` with this day's arrivals, workload level and agents on duty."""
        day = day_scenario(base, self.calls)
        types = {name: ct.model_copy(update={"handle_scale": tuple(
                     float(s) for s in np.asarray(day.handle_scales(name)) * self.level)})
                 for name, ct in day.call_types.items()}
        staffed = day.model_copy(update={"call_types": types})
        agents, names = self.agents, list(staffed.departments)
        return staffed.with_departments(
            lambda i, _: {"agents": agents[names[i]], "roster": None} if names[i] in agents
            else {})


def replayable(records: CallRecords, scenario: Scenario) -> pd.Series:
    """Which calls can be replayed: of a call type the scenario knows, inside its horizon."""
    frame = records.frame
    offset = frame["clock"].to_numpy(dtype=float) - scenario.horizon.start
    known = frame["call_type"].astype(str).isin(list(scenario.call_types)).to_numpy()
    inside = (offset >= 0) & (offset < scenario.horizon.duration)
    return pd.Series(known & inside, index=frame.index)


def replay_days(scenario: Scenario, records: CallRecords) -> list[ReplayedDay]:
    """Every day of ``records`` that has a replayable call, with its level and agents.

    ``records`` name the scenario's departments as queues (a calibrated pool is one
    department). Agents are placed in the department of most of their calls over all the days.
    """
    frame = records.frame
    keep = replayable(records, scenario).to_numpy()
    levels = handle_levels(scenario, frame[keep])
    homes = _named_homes(records)
    staffed = _staffed(scenario, records, homes)
    days = []
    for day, calls in frame[keep].groupby("day"):
        agents = (_agents_on_duty(records, pd.Timestamp(day), scenario, homes, staffed)
                  if staffed else {})
        days.append(ReplayedDay(pd.Timestamp(day), calls, levels.get(pd.Timestamp(day),
                                np.ones(scenario.horizon.n_intervals)), agents))
    return days


def replayed_staffing(scenario: Scenario, records: CallRecords) -> list[str]:
    """The departments whose agents on duty a replayed day takes from its records.

    Those of the scenario that are the home of some agent in the records (the queue of most
    of its calls), but for departments that calls are transferred to: the records show a
    transferred call's first leg only, so the agents who took the second legs seem idle (or
    on a break) while they served them, and their department's spells would count too few
    agents. The others keep the scenario's agents (all of them when no agent is named).
    """
    return _staffed(scenario, records, _named_homes(records))


def _named_homes(records: CallRecords) -> dict[str, str]:
    """Each agent's home (:func:`agent_homes`), none when the records name no agent."""
    if "agent" not in records.present or not records.frame["agent"].notna().any():
        return {}
    return agent_homes(records.frame)


def _staffed(scenario: Scenario, records: CallRecords, homes: dict[str, str]) -> list[str]:
    """:func:`replayed_staffing` given the agents' ``homes``."""
    receiving = set(records.frame["transferred_to"].dropna().astype(str))
    home = set(homes.values())
    return [name for name in scenario.departments if name in home and name not in receiving]


def _agents_on_duty(records: CallRecords, day: pd.Timestamp, scenario: Scenario,
                    homes: dict[str, str], departments: list[str]) -> dict[str, tuple[int, ...]]:
    """The day's agents on duty per department and interval (its spells; all its calls)."""
    one = replace(records, frame=records.frame[records.frame["day"] == day])
    staffing = estimate_staffing(one, scenario.horizon, departments, homes)
    return {name: tuple(staffing.agents(name)) for name in departments}


def handle_levels(scenario: Scenario, calls: pd.DataFrame) -> dict[pd.Timestamp, np.ndarray]:
    """Each day's workload level per interval: handled time over the time expected, shrunk.

    A call answered (and not transferred) with a known handle time ``h`` is expected to take
    ``m``, its call type's mean times its ``handle_scale`` at its arrival. A day's interval has
    the ratio ``f = sum h / sum m`` with sampling variance ``c^2 sum m^2 / (sum m)^2`` (``c^2``
    the squared coefficient of variation of ``h / m`` over all calls). The levels of the
    intervals vary around 1 with variance ``tau^2`` (estimated by the method of moments: the
    calls-weighted mean of ``(f - 1)^2`` less that of the sampling variance, at least 0), so an
    interval's level is ``1 + w (f - 1)`` with ``w = tau^2 / (tau^2 + variance)``: an interval
    of a few calls keeps about 1, one of a hundred calls far from the rest takes most of its
    own ratio (an empirical Bayes estimate). One normal prior fits the many ordinary intervals
    and shrinks a rare one (an event) too far, so an interval of at least
    :data:`TRANSLATION_CALLS` calls is moved no more than one standard error from its own
    ratio (Efron and Morris's limited translation; with fewer calls the ratio of skewed handle
    times is too far from normal for its standard error to bound it). An interval without such
    calls keeps 1.
    """
    window = scenario.horizon
    idx = interval_index(calls["clock"].to_numpy(dtype=float), window)
    handled = calls["handled"].to_numpy(dtype=float)
    use = (calls["answered"].to_numpy(dtype=bool) & ~np.isnan(handled) & (idx >= 0)
           & calls["transferred_to"].isna().to_numpy())
    if not use.any():
        return {}
    names = list(scenario.call_types)
    table = np.array([[scenario.call_types[n].handle_time.expected() * s
                       for s in scenario.handle_scales(n)] for n in names])
    kind = calls["call_type"].astype(str).map({n: i for i, n in enumerate(names)})
    cells = pd.DataFrame({"day": calls["day"].to_numpy()[use], "interval": idx[use],
                          "h": handled[use],
                          "m": table[kind.to_numpy(dtype=int)[use], idx[use]]})
    cells["mm"] = cells["m"] ** 2
    sums = cells.groupby(["day", "interval"])[["h", "m", "mm"]].sum()
    sums["n"] = cells.groupby(["day", "interval"]).size()
    sums = sums[sums["m"] > 0]
    ratio = sums["h"] / sums["m"]
    residual = cells["h"] - ratio.reindex(pd.MultiIndex.from_frame(
        cells[["day", "interval"]])).to_numpy() * cells["m"]
    c2 = float((residual ** 2).sum() / cells["mm"].sum())
    variance = c2 * sums["mm"] / sums["m"] ** 2
    n = sums["n"].to_numpy(dtype=float)
    tau2 = max(0.0, float(np.sum(n * ((ratio - 1) ** 2 - variance)) / n.sum()))
    weight = tau2 / (tau2 + variance) if tau2 > 0 else variance * 0.0
    shrunk = 1 + weight * (ratio - 1)
    se = np.sqrt(variance)
    bounded = np.clip(shrunk, ratio - se, ratio + se)
    level = np.where(sums["n"] >= TRANSLATION_CALLS, bounded, shrunk).clip(LOWEST_LEVEL)
    level = pd.Series(level, index=sums.index)
    out: dict[pd.Timestamp, np.ndarray] = {}
    for (day, i), value in level.items():
        row = out.setdefault(pd.Timestamp(day), np.ones(window.n_intervals))
        row[int(i)] = float(value)
    return out


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
