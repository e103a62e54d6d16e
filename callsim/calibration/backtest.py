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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from callsim.analysis.catalogue import metric
from callsim.analysis.statistics import t_half_width
from callsim.calibration.arrivals import Window
from callsim.calibration.days import select_days
from callsim.calibration.estimate import RecordsInput, load_records
from callsim.calibration.mapping import ColumnMap
from callsim.calibration.observed import BACKTEST_METRICS, interval_statistics
from callsim.calibration.records import CallRecords, records_frame
from callsim.calibration.simulated import simulated_records
from callsim.experiments.execution import Execution
from callsim.experiments.replications import replicate

if TYPE_CHECKING:
    from callsim.scenario.schema import Scenario

__all__ = ["Backtest", "backtest"]

_FIRST_DAY = pd.Timestamp("2000-01-03")


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

    @property
    def outside(self) -> pd.DataFrame:
        """The flagged rows."""
        return self.table[self.table["outside"]].reset_index(drop=True)


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


def _records_window(scenario: Scenario) -> Window:
    horizon = scenario.horizon
    return Window(horizon.start, horizon.interval, horizon.n_intervals)


def _simulated(scenario: Scenario, window: Window, reps: int, seed: int,
               execution: Execution | None) -> pd.DataFrame:
    runs = replicate(scenario, [scenario.transfer.policy], reps=reps, seed=seed,
                     keep_calls=True, execution=execution)
    assert runs.calls is not None
    frames = []
    for r, calls in runs.calls.groupby("replication"):
        day = _FIRST_DAY + pd.Timedelta(days=int(r))
        frames.append(simulated_records(calls, scenario, day))
    raw = pd.concat(frames, ignore_index=True)
    frame = records_frame(raw, ColumnMap(), "<simulated>")
    return interval_statistics(frame, window, float(scenario.service_level_threshold))


_NULL_DRAWS = 400


def _null_flags(values: np.ndarray, days: int, seed: int) -> np.ndarray:
    """Flag counts when ``days`` simulated days play the records (cells x days values)."""
    n = values.shape[1]
    d = max(1, min(days, n // 2))
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


def _band(sim: pd.DataFrame, days: int) -> pd.DataFrame:
    keys = ["interval", "queue", "metric"]
    grouped = sim.groupby(keys)["value"]
    out = pd.DataFrame({"sim_mean": grouped.mean(), "sd": grouped.std(ddof=1),
                        "n": grouped.size()})
    half = t_half_width(out["sd"], out["n"])
    out["ci_low"], out["ci_high"] = out["sim_mean"] - half, out["sim_mean"] + half
    spread = t_half_width(out["sd"], out["n"], new=days)
    out["band_low"], out["band_high"] = out["sim_mean"] - spread, out["sim_mean"] + spread
    return out.drop(columns=["sd", "n"]).reset_index()


def backtest(
    scenario: Scenario,
    records: RecordsInput,
    reps: int = 30,
    seed: int = 0,
    days: str | Sequence[str] = "all",
    mapping: ColumnMap | str | os.PathLike[str] | None = None,
    execution: Execution | None = None,
) -> Backtest:
    """Simulate ``scenario`` and compare it with call records, interval by interval.

    Parameters
    ----------
    scenario
        A validated scenario (its ``horizon.start`` places the intervals on the clock).
    records
        Records files or :class:`~callsim.calibration.records.CallRecords`.
    reps
        Replications (simulated days), at least 2.
    seed
        Base seed.
    days
        Days of the records to use: ``all``, ``weekdays`` or dates.
    mapping
        Mapping file or :class:`ColumnMap` for an export's column names and codes.
    execution
        Workers, executor, work limit and progress of the replications
        (:class:`~callsim.experiments.execution.Execution`; default: every core).

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
    if reps < 2:
        raise ValueError("a backtest needs at least 2 replications")
    chosen = in_departments(select_days(load_records(records, mapping), days), scenario)
    window = _records_window(scenario)
    threshold = float(scenario.service_level_threshold)
    observed = interval_statistics(chosen.frame, window, threshold)
    n_days = len(chosen.days)
    obs = observed.groupby(["interval", "queue", "metric"])["value"].agg(["mean", "size"])
    obs = obs.rename(columns={"mean": "observed", "size": "days"}).reset_index()
    simulated = _simulated(scenario, window, reps, seed, execution)
    simulated = simulated[simulated["queue"].isin(["all", *scenario.departments])]
    sim = _band(simulated, n_days)
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
    table = table[columns].reset_index(drop=True)
    checks = int(np.isfinite(table["band_low"]).sum())
    flagged = int(table["outside"].sum())
    cells = table[["interval", "queue", "metric"]]
    values = simulated.pivot_table(index=["interval", "queue", "metric"], columns="day",
                                   values="value", aggfunc="first")
    values = values.reindex(pd.MultiIndex.from_frame(cells)).to_numpy(dtype=float)
    allowed = int(np.quantile(_null_flags(values, n_days, seed), 0.99)) if checks else 0
    notes = _notes(chosen.frame, window, scenario)
    return Backtest(scenario.name, table, n_days, reps, seed, checks, flagged, allowed, notes)


def _notes(frame: pd.DataFrame, window: Window, scenario: Scenario) -> tuple[str, ...]:
    notes = []
    clock = frame["clock"].to_numpy(dtype=float)
    outside = int(np.count_nonzero((clock < window.start) |
                                   (clock >= window.start + window.duration)))
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
