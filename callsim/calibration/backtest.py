"""``backtest()``: whether a scenario reproduces the call records, interval by interval.

The scenario is simulated ``reps`` times; each replication is written as call records of one
day and measured with the same :func:`~callsim.calibration.observed.interval_statistics` as the
real records. For each interval, queue and metric the observed value is the mean over the
records' D days; the simulated side gives the mean over replications with its 95% CI, and the
95% band where the mean of D simulated days would fall (a prediction interval: mean +- t x sd x
sqrt(1/D + 1/reps)). An observed value outside its band is flagged.

Even a perfect scenario has about 5% of values outside, and the values are correlated (offered
and answered calls move together; so do a queue and ``all``), so the count of flags is compared
with its own distribution under the scenario: many times, D of the simulated days play the
records and are checked against bands made from the other days. The scenario passes when its
flags are no more than the 99th percentile of those counts.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from callsim.analysis.statistics import t_half_width
from callsim.calibration.classes import has_classes, with_priority_classes
from callsim.calibration.days import select_days
from callsim.calibration.errors import RecordsError
from callsim.calibration.estimate import RecordsInput, load_records
from callsim.calibration.mapping import ColumnMap
from callsim.calibration.observed import BACKTEST_METRICS, day_statistics, interval_statistics
from callsim.calibration.records import CallRecords
from callsim.calibration.replay import replay_days, replayed_staffing
from callsim.calibration.simulated import simulated_frame
from callsim.experiments.execution import Execution
from callsim.scenario.catalogue import metric
from callsim.scenario.schema import Horizon

if TYPE_CHECKING:
    from callsim.scenario.schema import Scenario

__all__ = ["MIN_REPS", "Backtest", "backtest", "fewest_reps"]


@dataclass(frozen=True)
class Backtest:
    """The comparison of a scenario with call records.

    Attributes
    ----------
    scenario
        The scenario's name.
    table
        One row per interval, queue (a department or ``all``) and metric: ``interval``,
        ``clock``, ``queue``, ``metric``, ``observed`` (mean over the days), ``days`` (days with
        a value), ``sim_mean``, ``ci_low``, ``ci_high`` (95% CI of the simulated mean),
        ``band_low``, ``band_high`` (95% band for the observed value), ``outside`` (bool).
    days, reps, seed
        Days of records, replications simulated, base seed.
    checks, flagged, allowed
        Values compared, values outside their band, and the most flags chance explains (the
        99th percentile of the flags of simulated days checked in the same way).
    notes
        What was left out (calls outside the horizon, queues the scenario does not know).
    summary
        Whole-day means: one row per queue (and ``all``) and metric of
        :data:`~callsim.calibration.observed.DAY_METRICS`: ``observed`` (mean over the days),
        ``sim_mean``, ``ci_low``, ``ci_high`` (95% CI of the simulated mean).
    dates
        The back-test days.
    arrivals
        ``scenario`` (the scenario's rates: judges the forecast and the service) or ``records``
        (each day's own arrivals replayed: judges the service).
    day_types
        With several day types in ``--days`` (``sun-thu,fri``): per type, ``(days spec,
        passed, flags, allowed, dates)``, each judged on its own days.
    """

    scenario: str
    table: pd.DataFrame
    days: int
    reps: int
    seed: int
    checks: int
    flagged: int
    allowed: int
    notes: tuple[str, ...] = field(default_factory=tuple)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    dates: tuple[str, ...] = ()
    arrivals: str = "scenario"
    day_types: tuple[tuple[str, bool, int, int, tuple[str, ...]], ...] = ()

    @property
    def passed(self) -> bool:
        """Whether no more values lie outside their bands than chance explains."""
        return self.flagged <= self.allowed

    @property
    def verdict(self) -> str:
        """One sentence for a manager."""
        share = self.flagged / self.checks if self.checks else float("nan")
        head = (f"{self.flagged} of {self.checks} interval values ({100 * share:.1f}%) lie "
                "outside the simulated 95% bands")
        if self.passed:
            return (f"The scenario reproduces the records: {head}, no more than chance "
                    f"explains (up to {self.allowed}).")
        worst = self.outside.groupby("metric").size().sort_values(ascending=False)
        where = ", ".join(f"{m} ({n})" for m, n in worst.head(3).items())
        return (f"The scenario does not reproduce the records: {head}, more than chance "
                f"explains (up to {self.allowed}); most in {where}.")

    def to_json(self) -> dict[str, Any]:
        """The verdict, the days and the whole-day means, for ``backtest --json``."""
        summary: dict[str, dict[str, Any]] = {}
        for r in self.summary.itertuples():
            summary.setdefault(str(r.queue), {})[str(r.metric)] = {
                "observed": _number(r.observed),
                "simulated": {"mean": _number(r.sim_mean),
                              "ci95": [_number(r.ci_low), _number(r.ci_high)]}}
        return {"scenario": self.scenario, "arrivals": self.arrivals,
                "verdict": {"passes": self.passed, "flags": self.flagged,
                            "allowed": self.allowed, "checks": self.checks,
                            "text": self.verdict},
                "days": list(self.dates), "reps": self.reps, "seed": self.seed,
                "day_types": [{"days": spec, "passes": ok, "flags": flags, "allowed": allowed,
                               "dates": list(dates)}
                              for spec, ok, flags, allowed, dates in self.day_types],
                "notes": list(self.notes), "summary": summary}

    @property
    def outside(self) -> pd.DataFrame:
        """The flagged rows."""
        return self.table[self.table["outside"]].reset_index(drop=True)


def _number(value: float) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def in_departments(records: CallRecords, scenario: Scenario) -> CallRecords:
    """Count each queue that is no department but a call type in its resolving department.

    A calibrated pool of several queues is one department of the scenario.
    """
    frame = records.frame
    queues = set(frame["queue"].astype(str))
    moved = {q: scenario.call_types[q].resolved_by for q in queues
             if q not in scenario.departments and q in scenario.call_types}
    if not moved:
        return records
    frame = frame.copy()
    frame["queue"] = frame["queue"].astype(str).map(lambda q: moved.get(q, q)).astype("category")
    return replace(records, frame=frame)


def _as_scenario(records: CallRecords, scenario: Scenario) -> CallRecords:
    """The records as the scenario names them: departments, and classes when it has them."""
    records = in_departments(records, scenario)
    if has_classes(list(scenario.call_types)):
        records = with_priority_classes(records)
    return records


def _records_window(scenario: Scenario) -> Horizon:
    horizon = scenario.horizon
    return Horizon(duration=horizon.n_intervals * horizon.interval, interval=horizon.interval,
                   start=horizon.start)


def _simulated(scenario: Scenario, window: Horizon, reps: int, seed: int,
               execution: Execution | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Interval and whole-day statistics of ``reps`` simulated days (``day`` = replication)."""
    frame = simulated_frame(scenario, reps, seed, execution)
    threshold = float(scenario.service_level_threshold)
    return (interval_statistics(frame, window, threshold),
            day_statistics(frame, window, threshold))


def _replayed(scenario: Scenario, records: CallRecords, window: Horizon, reps: int, seed: int,
              execution: Execution | None
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each back-test day simulated with its own arrivals (interval and whole-day statistics).

    Replication r of the D days is one simulated D-day mean (``day`` = replication).
    """
    replayed = replay_days(scenario, records)
    if not replayed:  # nothing to replay is no verdict (pandas: "No objects to concatenate")
        raise RecordsError(["records: no call to replay (`arrivals` records): none is of a call "
                            f"type the scenario has ({', '.join(scenario.call_types)}) inside "
                            "its horizon"])
    frames = [simulated_frame(d.scenario(scenario), reps, seed, execution, d.day) for d in replayed]
    frame = pd.concat(frames, ignore_index=True)
    threshold = float(scenario.service_level_threshold)
    cells, days = ["interval", "queue", "metric"], ["queue", "metric"]
    stats, whole = [], []
    for r, mine in frame.groupby("replication"):
        stats.append(interval_statistics(mine, window, threshold).groupby(cells)["value"]
                     .mean().reset_index().assign(day=r))
        whole.append(day_statistics(mine, window, threshold).groupby(days)["value"]
                     .mean().reset_index().assign(day=r))
    return pd.concat(stats, ignore_index=True), pd.concat(whole, ignore_index=True)


_NULL_DRAWS = 400


def _held_out(n: int, days: int) -> int:
    """Replications each null draw holds out to play the records' ``days`` (of ``n``)."""
    return max(1, min(days, n // 2))


def fewest_reps(days: int = 1) -> int:
    """The fewest replications with which the verdict rule can judge ``days`` record days.

    The flags allowed are those of simulated days playing the records (:func:`_null_flags`):
    each draw holds out :func:`_held_out` replications and needs a standard deviation of the
    rest, so two left over. With fewer, no null draw can flag anything, every flag of the
    records is "more than chance explains (up to 0)" and the verdict is decided in advance.

    Examples
    --------
    >>> fewest_reps(1), fewest_reps(5)
    (3, 3)
    """
    return next(n for n in range(2, 1_000) if n - _held_out(n, days) >= 2)


#: The fewest replications a back-test verdict needs (the same for any number of days).
MIN_REPS = fewest_reps()


def _null_flags(values: np.ndarray, days: int, seed: int) -> np.ndarray:
    """Flag counts when ``days`` simulated days play the records (cells x days values)."""
    n = values.shape[1]
    d = _held_out(n, days)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xBAC7,)))
    counts = np.empty(_NULL_DRAWS, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for b in range(_NULL_DRAWS):
            pick = np.zeros(n, dtype=bool)
            pick[rng.choice(n, d, replace=False)] = True
            observed = np.nanmean(values[:, pick], axis=1)
            rest = values[:, ~pick]
            k = np.sum(~np.isnan(rest), axis=1)
            mean, sd = np.nanmean(rest, axis=1), np.nanstd(rest, axis=1, ddof=1)
            spread = t_half_width(sd, k, new=d)
            outside = (np.abs(observed - mean) > spread + 1e-9) & np.isfinite(spread)
            counts[b] = int(np.count_nonzero(outside & ~np.isnan(observed)))
    return counts


#: Shares whose band is at least the binomial spread of the calls offered (see _band).
_SHARES = ("abandon_rate", "service_level")


def _band(sim: pd.DataFrame, days: int, calls_per_unit: int = 1) -> pd.DataFrame:
    """Mean, 95% CI and the band of a mean of ``days`` units per cell.

    A share's sd over the units is at least the binomial sd of the unit's offered calls n at
    p = the simulated share kept 0.5 / n from 0 and 1: when every replication gives 0
    abandonments the band is not "0.0% to 0.0%" (a real day with one abandonment is no
    proof of a wrong scenario). ``calls_per_unit``: days in one unit (replayed D-day means).
    """
    keys = ["interval", "queue", "metric"]
    grouped = sim.groupby(keys)["value"]
    out = pd.DataFrame({"sim_mean": grouped.mean(), "sd": grouped.std(ddof=1),
                        "n": grouped.size()})
    offered = out.xs("offered", level="metric")["sim_mean"] * calls_per_unit
    shares = out.index.get_level_values("metric").isin(_SHARES)
    calls = offered.reindex(out.index.droplevel("metric")).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.clip(out["sim_mean"].to_numpy(), 0.5 / calls, 1 - 0.5 / calls)
        floor = np.sqrt(p * (1 - p) / calls)
    floor = np.where(shares & (calls > 0), floor, 0.0)
    out["sd"] = np.fmax(out["sd"].to_numpy(), floor)
    half = t_half_width(out["sd"], out["n"])
    out["ci_low"], out["ci_high"] = out["sim_mean"] - half, out["sim_mean"] + half
    spread = t_half_width(out["sd"], out["n"], new=days)
    out["band_low"], out["band_high"] = out["sim_mean"] - spread, out["sim_mean"] + spread
    return out.drop(columns=["sd", "n"]).reset_index()


def _summary(observed: pd.DataFrame, simulated: pd.DataFrame) -> pd.DataFrame:
    """Whole-day means: observed over the days, simulated over the units with a 95% CI."""
    obs = observed.groupby(["queue", "metric"])["value"].mean().rename("observed")
    grouped = simulated.groupby(["queue", "metric"])["value"]
    out = pd.DataFrame({"sim_mean": grouped.mean(), "sd": grouped.std(ddof=1),
                        "n": grouped.size()}).join(obs, how="inner")
    half = t_half_width(out["sd"], out["n"])
    out["ci_low"], out["ci_high"] = out["sim_mean"] - half, out["sim_mean"] + half
    return out[["observed", "sim_mean", "ci_low", "ci_high"]].reset_index()


def _compare(observed: pd.DataFrame, simulated: pd.DataFrame, unit: int, calls_per_unit: int,
             window: Horizon) -> pd.DataFrame:
    """Observed interval means against the simulated bands, one row per cell."""
    obs = observed.groupby(["interval", "queue", "metric"])["value"].agg(["mean", "size"])
    obs = obs.rename(columns={"mean": "observed", "size": "days"}).reset_index()
    sim = _band(simulated, unit, calls_per_unit)
    table = obs.merge(sim, on=["interval", "queue", "metric"], how="inner")
    bounds = table["metric"].map(lambda m: metric(m).bounds)
    for column in ("ci_low", "ci_high", "band_low", "band_high"):  # a rate stays in [0, 1]
        table[column] = table[column].clip(bounds.str[0], bounds.str[1])
    table["outside"] = (table["observed"] < table["band_low"] - 1e-9) | (
        table["observed"] > table["band_high"] + 1e-9)
    table["clock"] = [window.clock(int(i)) for i in table["interval"]]
    order = {m: i for i, m in enumerate(BACKTEST_METRICS)}
    table = table.sort_values(["metric", "queue", "interval"],
                              key=lambda s: s.map(order) if s.name == "metric" else s)
    columns = ["interval", "clock", "queue", "metric", "observed", "days", "sim_mean", "ci_low",
               "ci_high", "band_low", "band_high", "outside"]
    return table[columns].reset_index(drop=True)


def _allowed(table: pd.DataFrame, simulated: pd.DataFrame, unit: int, seed: int) -> int:
    """The 99th percentile of the flags of simulated units playing the records."""
    if not np.isfinite(table["band_low"]).any():
        return 0
    cells = table[["interval", "queue", "metric"]]
    values = simulated.pivot_table(index=["interval", "queue", "metric"], columns="day",
                                   values="value", aggfunc="first")
    values = values.reindex(pd.MultiIndex.from_frame(cells)).to_numpy(dtype=float)
    return int(np.quantile(_null_flags(values, unit, seed), 0.99))


def _one_queue(frame: pd.DataFrame) -> pd.DataFrame:
    """Interval values without ``all`` when one queue holds every call (no flag counted twice)."""
    if len(set(frame["queue"]) - {"all"}) == 1:
        return frame[frame["queue"] != "all"]
    return frame


def backtest(
    scenario: Scenario,
    records: RecordsInput,
    reps: int = 30,
    seed: int = 0,
    days: str | Sequence[str] = "all",
    mapping: ColumnMap | str | os.PathLike[str] | None = None,
    execution: Execution | None = None,
    arrivals: str = "scenario",
) -> Backtest:
    """Simulate ``scenario`` and compare it with call records, interval by interval.

    Parameters
    ----------
    scenario
        A validated scenario (its ``horizon.start`` places the intervals on the clock).
    records
        Records files or :class:`~callsim.calibration.records.CallRecords`.
    reps
        Replications (simulated days), at least :data:`MIN_REPS` (3).
    seed
        Base seed.
    days
        Days of the records to use (:mod:`callsim.calibration.days`): ``all``, ``sun-thu``,
        dates, ranges; days the scenario was not calibrated on test it out of sample. Items
        separated by commas that are not plain dates are day types (``sun-thu,fri``): each
        also gets its own verdict (``day_types``).
    mapping
        Mapping file or :class:`ColumnMap` for an export's column names and codes.
    execution
        Workers, executor, work limit and progress of the replications
        (:class:`~callsim.experiments.execution.Execution`; default: every core).
    arrivals
        ``scenario``: the scenario's rates (judges the forecast and the service); ``records``:
        each back-test day driven by its own arrivals, replayed from the records (judges the
        service; :mod:`callsim.calibration.replay`), ``reps`` replications of every day.

    Raises
    ------
    RecordsError
        Bad records, mapping or days.

    Examples
    --------
    >>> from callsim import calibrate
    >>> c = calibrate("scenarios/records/acd_week.csv", days="2026-03-02",
    ...               mapping="scenarios/records/acd_map.yaml")
    >>> b = backtest(c.scenario(), c.records, reps=3, seed=1)
    >>> b.verdict.startswith("The scenario"), sorted(set(b.table["queue"]))
    (True, ['all', 'billing', 'support'])
    """
    if reps < MIN_REPS:
        raise ValueError(f"reps={reps}: a verdict needs at least {MIN_REPS} replications (the "
                         "flags chance allows are counted on replications held out)")
    if arrivals not in ("scenario", "records"):
        raise ValueError(f"arrivals must be 'scenario' or 'records', not {arrivals!r}")
    loaded = load_records(records, mapping)
    spec = days if isinstance(days, str) else ",".join(days)
    types = [item.strip() for item in spec.split(",") if item.strip()]
    if len(types) > 1 and not all(_date_only(t) for t in types):
        parts = [backtest(scenario, loaded, reps, seed, t, None, execution, arrivals)
                 for t in types]
        together = _one_backtest(scenario, loaded, reps, seed, spec, execution, arrivals)
        return replace(together, day_types=tuple(
            (t, p.passed, p.flagged, p.allowed, p.dates) for t, p in zip(types, parts,
                                                                          strict=True)))
    return _one_backtest(scenario, loaded, reps, seed, spec, execution, arrivals)


def _date_only(item: str) -> bool:
    """Whether a ``--days`` item names single dates only (then it is no day type of its own)."""
    return all(part[:1].isdigit() and ".." not in part for part in item.split())


def _one_backtest(scenario: Scenario, loaded: CallRecords, reps: int, seed: int, days: str,
                  execution: Execution | None, arrivals: str) -> Backtest:
    """The back-test of the days ``days`` chooses, all together."""
    chosen = _as_scenario(select_days(loaded, days), scenario)
    window = _records_window(scenario)
    _check_overlap(chosen.frame, window, days)
    threshold = float(scenario.service_level_threshold)
    n_days = len(chosen.days)
    if arrivals == "records":
        simulated, sim_days = _replayed(scenario, chosen, window, reps, seed, execution)
        unit, calls_per_unit = 1, n_days
    else:
        simulated, sim_days = _simulated(scenario, window, reps, seed, execution)
        unit, calls_per_unit = n_days, 1
    known = ["all", *scenario.departments]
    simulated = _one_queue(simulated[simulated["queue"].isin(known)])
    observed = _one_queue(interval_statistics(chosen.frame, window, threshold))
    table = _compare(observed, simulated, unit, calls_per_unit, window)
    checks = int(np.isfinite(table["band_low"]).sum())
    if checks == 0:  # "0 of 0 interval values (nan%)" is no verdict
        raise RecordsError([f"records, days {days}: no interval value to compare (no interval "
                            "with calls inside the scenario's horizon and a simulated band); "
                            "nothing to judge"])
    allowed = _allowed(table, simulated, unit, seed)
    summary = _summary(day_statistics(chosen.frame, window, threshold),
                       sim_days[sim_days["queue"].isin(known)])
    notes = (*loaded.notes, *_notes(chosen.frame, window, scenario),
             *((_replay_note(scenario, chosen),) if arrivals == "records" else ()))
    dates = tuple(f"{d:%Y-%m-%d}" for d in chosen.days)
    return Backtest(scenario.name, table, n_days, reps, seed, checks, int(table["outside"].sum()),
                    allowed, notes, summary, dates, arrivals)


def _replay_note(scenario: Scenario, records: CallRecords) -> str:
    """What each replayed day took from its records (:mod:`callsim.calibration.replay`)."""
    staffed = replayed_staffing(scenario, records)
    kept = [d for d in scenario.departments if d not in staffed]
    agents = f"agents on duty of {', '.join(staffed)}" if staffed else "no agents on duty"
    why = ("the records name no agent" if not staffed else
           "no agent of theirs in the records, or calls transferred to them, whose second "
           "legs the records do not show")
    return ("replayed from the records: each day's arrivals, its handle-time level per "
            f"interval and {agents}" + (f" ({', '.join(kept)}: the scenario's agents; {why})"
                                        if kept else ""))


def _outside(frame: pd.DataFrame, window: Horizon) -> int:
    """Calls that arrived outside the scenario's horizon (clock times)."""
    clock = frame["clock"].to_numpy(dtype=float)
    return int(np.count_nonzero((clock < window.start) |
                                (clock >= window.start + window.duration)))


def _check_overlap(frame: pd.DataFrame, window: Horizon, days: str) -> None:
    """Refuse records that the scenario's horizon mostly misses: no verdict could stand."""
    outside = _outside(frame, window)
    if len(frame) and 2 * outside > len(frame):
        span = f"{window.clock(0)}-{window.clock(window.n_intervals)}"
        raise RecordsError([f"records, days {days}: {outside:,} of {len(frame):,} calls arrived "
                            f"outside the scenario's horizon ({span}); set horizon.start and "
                            "horizon.duration to cover the records' day"])


def _notes(frame: pd.DataFrame, window: Horizon, scenario: Scenario) -> tuple[str, ...]:
    notes = []
    outside = _outside(frame, window)
    if outside:
        notes.append(f"{outside:,} calls arrived outside the scenario's horizon and are left out")
    unknown = sorted(set(frame["queue"].astype(str)) - set(scenario.departments))
    if unknown:
        notes.append(f"queues not in the scenario (counted under 'all' only): "
                     f"{', '.join(unknown)}")
    if frame["agent"].isna().all():
        notes.append("no agent ids in the records: occupancy is not compared")
    if frame["waited"].isna().all():
        notes.append("no waits in the records: ASA and service level are not compared")
    return tuple(notes)
