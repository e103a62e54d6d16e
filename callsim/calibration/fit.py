"""Calibration by simulation: the share of agents available that reproduces the records.

Records do not show when agents on duty were free to take calls (docs/model.md section 4). This
fits the ``available`` share of every department per block of intervals (``block`` intervals,
e.g. 4 half hours = 2 h; ``None``: one share for the whole day) so that a simulated metric of
all calls in the block (``abandon_rate``, ``service_level`` or ``asa``, pooled over the block's
calls of every day) matches the observed one, on the calibration days with their own arrivals
replayed, with their handle-time level per interval and their agents on duty
(:mod:`callsim.calibration.replay`).

Every candidate runs the same replications with the same seeds (common random numbers), so the
simulated metric moves with the shares only. The blocks are bisected together: each step sets
every block to the middle of its bracket and runs one simulation, and each block keeps the half
where the observed metric lies (fewer agents available: more abandonment, longer waits, lower
service level); the share is the end of the last bracket whose simulated metric was nearest
the observed one (staffing x share is rounded to whole agents, so the bracket's middle, never
simulated, may be an agent more or less than either end). Each block's result says whether the
data identify its share: ``fitted``, ``at most`` (even every agent does worse than observed: the
share is 1), ``at least`` (even the lowest share does better: the share is the lowest) or
``flat`` (the metric does not tell the bounds apart within their uncertainty, e.g. a night block
with a handful of calls: it keeps 1).
Its uncertainty is the range of shares tried whose simulated metric lies within the combined 95%
uncertainty of the observed (binomial, or the wait's standard error) and simulated (over
replications) metric.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from callsim.calibration.arrivals import interval_index
from callsim.calibration.block_factors import clock_span
from callsim.calibration.records import CallRecords
from callsim.calibration.replay import ReplayedDay, replay_days
from callsim.engine.records import Outcome
from callsim.experiments.execution import BatchRunner, Execution, Run, Unit

if TYPE_CHECKING:
    from callsim.engine.records import SimulationResult
    from callsim.scenario.schema import Department, Horizon, Scenario

__all__ = ["AvailabilityFit", "BlockShare", "fit_availability", "fit_jointly", "scaled",
           "with_after_call_work"]

#: Days simulated per trial: each of the D calibration days is replicated ceil(50 / D) times
#: (10 with a week of five days, 5 with two weeks), so the precision of a trial, and its cost,
#: stay about the same whatever the number of days.
SIMULATED_DAYS = 50
#: After-call work scales the joint fit tries, in order, until service level falls below observed
#: (or no longer falls: the next scale's effect is then within the fit's noise).
SCALES: tuple[float, ...] = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0)
#: Metrics the fit can match, and +1 when more agents available raise them, -1 when they lower.
METRICS: dict[str, int] = {"abandon_rate": -1, "service_level": 1, "asa": -1}


@dataclass(frozen=True)
class BlockShare:
    """The fitted share of one block of intervals (``first`` to ``last`` inclusive)."""

    first: int
    last: int
    share: float
    status: str
    observed: float
    simulated: float
    low: float
    high: float
    unfitted: float = float("nan")

    def line(self, window: Horizon, percent: bool) -> str:
        """One line: clock range, share and its range, observed and simulated metric.

        ``unfitted`` (the metric simulated with every agent available) says how far the fit
        moved the block.
        """
        scale, unit = (100.0, "%") if percent else (1.0, " s")
        span = ("whole day" if self.first == 0 and self.last == window.n_intervals - 1
                else clock_span(window, self.first, self.last))
        seen = ("no calls" if np.isnan(self.observed) else
                f"observed {scale * self.observed:.1f}{unit}, simulated "
                f"{scale * self.simulated:.1f}{unit}"
                + ("" if np.isnan(self.unfitted) else
                   f", {scale * self.unfitted:.1f}{unit} with every agent available"))
        return (f"{span} {self.share:.3f} ({self.status}, {self.low:.3f}-{self.high:.3f}; "
                f"{seen})")


@dataclass(frozen=True)
class AvailabilityFit:
    """The fitted share of agents available per block of intervals (every department alike).

    Attributes
    ----------
    available
        The share of each interval, or ``None`` when no block is identified.
    metric
        The metric matched (``abandon_rate``, ``service_level`` or ``asa``).
    blocks
        Each block's share, status, uncertainty and observed/simulated metric.
    window
        The intervals (for clock times).
    """

    available: tuple[float, ...] | None
    metric: str
    blocks: tuple[BlockShare, ...]
    window: Horizon
    service_level: tuple[float, float] = (float("nan"), float("nan"))
    scale: float = 1.0
    scales: tuple[tuple[float, float], ...] = ()

    @property
    def identified(self) -> bool:
        """Whether at least one block's share is identified by the data."""
        return self.available is not None

    def comment(self) -> str:
        """Lines for the scenario file (one per block)."""
        percent = self.metric != "asa"
        head = (f"available fitted by simulation per block to the observed {self.metric} of all"
                " calls (replayed calibration days: their arrivals, handle-time level and "
                "agents on duty; common random numbers); share (status, 95% range):")
        lines = [head] + [b.line(self.window, percent) for b in self.blocks]
        observed, simulated = self.service_level
        lines.append(f"service level of all calls: observed {100 * observed:.1f}%, simulated "
                     f"{100 * simulated:.1f}%")
        if self.scales:
            tried = ", ".join(f"x{k:g}: {100 * v:.1f}%" for k, v in self.scales)
            lines.append(f"after-call work scaled x{self.scale:g} (joint fit: the scale whose "
                         f"simulated service level is nearest the observed one; tried {tried})")
        return "\n".join(lines)


def _values(frame: pd.DataFrame, metric: str, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Per call: the metric's value and whether the call counts (ASA: answered calls only)."""
    answered = frame["answered"].to_numpy(dtype=bool)
    waited = frame["waited"].to_numpy(dtype=float)
    if metric == "abandon_rate":
        return (~answered).astype(float), np.ones(len(frame), dtype=bool)
    if metric == "service_level":
        return (answered & (waited <= threshold)).astype(float), np.ones(len(frame), dtype=bool)
    return np.where(answered, waited, 0.0), answered


def _per_block(frame: pd.DataFrame, metric: str, threshold: float, window: Horizon,
               block: np.ndarray) -> pd.DataFrame:
    """Per block (and replication if any): mean, sd and count of the metric's values."""
    idx = interval_index(frame["clock"].to_numpy(dtype=float), window)
    value, counts = _values(frame, metric, threshold)
    keep = (idx >= 0) & counts
    table = pd.DataFrame({"block": block[idx[keep]], "value": value[keep]})
    if "replication" in frame:
        table["replication"] = frame["replication"].to_numpy()[keep]
    keys = ["block", "replication"] if "replication" in table else ["block"]
    return table.groupby(keys)["value"].agg(["mean", "std", "count"])


def waits(result: SimulationResult, scenario: Scenario, run: Run) -> np.ndarray:
    """What the fit keeps of a simulated day (the measure its tasks run in the workers).

    One row per call a phone system would have logged (as
    :func:`~callsim.calibration.simulated.simulated_records`): its clock time of arrival (s
    since midnight), whether it was answered (1) and its wait in its first queue (s).
    """
    calls = result.calls
    arrival = calls["arrival"].to_numpy(dtype=float)
    answer = calls["answer"].to_numpy(dtype=float)
    answered = ~np.isnan(answer)
    logged = answered | (calls["outcome"].to_numpy() != Outcome.UNFINISHED)
    waited = np.where(answered, answer, calls["end"].to_numpy(dtype=float)) - arrival
    table = np.column_stack([arrival + scenario.horizon.start, answered, waited])
    kept: np.ndarray = table[logged]
    return kept


def _waits_frame(answers: list[list[np.ndarray]]) -> pd.DataFrame:
    """The measures of every day (unit) and replication as one table of calls."""
    parts = [np.column_stack([table, np.full(len(table), r)])
             for per_day in answers for r, table in enumerate(per_day)]
    data = np.concatenate(parts) if parts else np.empty((0, 4))
    frame = pd.DataFrame(data, columns=["clock", "answered", "waited", "replication"])
    return frame.astype({"answered": bool, "replication": np.int64})


class _Trials:
    """Simulations of the replayed days under candidate shares, per block.

    Every trial is one batch of the runner: one unit per day, ``reps`` replications each.
    ``days`` are :func:`~callsim.calibration.replay.replay_days` of ``scenario`` (they do not
    depend on its after-call work, so one list serves every scale of the joint fit).
    """

    def __init__(self, scenario: Scenario, days: list[ReplayedDay], metric: str,
                 block: np.ndarray, reps: int | None, seed: int, runner: BatchRunner) -> None:
        self.scenario, self.metric, self.block = scenario, metric, block
        self.seed, self.runner = seed, runner
        self.window = scenario.horizon
        self.threshold = float(scenario.service_level_threshold)
        self.days = days
        self.reps = reps or -(-SIMULATED_DAYS // max(1, len(self.days)))
        self.tried: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.frame = _waits_frame([])

    def service_level(self, frame: pd.DataFrame) -> float:
        """Service level of all calls in the window, pooled over days (and replications)."""
        idx = interval_index(frame["clock"].to_numpy(dtype=float), self.window)
        value, _ = _values(frame, "service_level", self.threshold)
        return float(value[idx >= 0].mean())

    def observed(self, records: CallRecords) -> tuple[np.ndarray, np.ndarray]:
        """Observed metric per block and its 95% half-width (0 where the block has no call)."""
        stats = _per_block(records.frame, self.metric, self.threshold, self.window, self.block)
        stats = stats.reindex(range(int(self.block.max()) + 1))
        sd = np.sqrt(stats["mean"] * (1 - stats["mean"])) if self.metric != "asa" else stats["std"]
        half = 1.96 * sd / np.sqrt(stats["count"])
        return stats["mean"].to_numpy(dtype=float), half.to_numpy(dtype=float)

    def run(self, shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Simulated metric per block (mean over replications) and its 95% half-width."""
        scenario = self.scenario.with_departments(
            {"available": tuple(float(s) for s in shares[self.block])})
        units = [Unit(day.scenario(scenario), (scenario.transfer.policy,), self.seed,
                      tuple(range(self.reps))) for day in self.days]
        self.runner.execution.check_work([u.scenario for u in units], self.reps)
        frame = self.frame = _waits_frame(self.runner.run(units, waits))
        stats = _per_block(frame, self.metric, self.threshold, self.window, self.block)
        per_rep = stats["mean"].unstack("replication").reindex(range(int(self.block.max()) + 1))
        mean = per_rep.mean(axis=1).to_numpy(dtype=float)
        half = (1.96 * per_rep.std(axis=1, ddof=1) / np.sqrt(per_rep.count(axis=1))).to_numpy()
        self.tried.append((shares.copy(), mean, np.nan_to_num(half)))
        return mean, np.nan_to_num(half)


def _blocks(n: int, block: int | None) -> np.ndarray:
    """Each interval's block number."""
    return np.arange(n) // (block or n)


def _ranges(trials: _Trials, observed: np.ndarray, obs_half: np.ndarray
            ) -> tuple[np.ndarray, np.ndarray]:
    """Per block, the lowest and highest share tried consistent with the observed metric."""
    shares = np.array([s for s, _, _ in trials.tried])
    means = np.array([m for _, m, _ in trials.tried])
    halves = np.array([h for _, _, h in trials.tried])
    near = np.abs(means - observed) <= np.sqrt(obs_half ** 2 + halves ** 2)
    low = np.where(near, shares, np.inf).min(axis=0)
    high = np.where(near, shares, -np.inf).max(axis=0)
    return low, high


def fit_availability(scenario: Scenario, records: CallRecords, reps: int | None = None,
                     seed: int = 0, lowest: float = 0.5, steps: int = 6, block: int | None = 4,
                     metric: str = "abandon_rate", execution: Execution | None = None
                     ) -> AvailabilityFit:
    """Bisect the share of agents available per block in ``[lowest, 1]`` to the observed metric.

    ``records`` are the calibration days (their queues named as the scenario's departments);
    each day is replicated ``reps`` times (default: ceil(50 / days)); the simulations run on
    ``execution`` (default: every core), with the same numbers whatever the workers.
    """
    with (execution or Execution()).runner() as runner:
        trials = _Trials(scenario, replay_days(scenario, records), metric,
                         _blocks(scenario.horizon.n_intervals, block), reps, seed, runner)
        return _bisect(trials, records, lowest, steps)


def _bisect(trials: _Trials, records: CallRecords, lowest: float, steps: int
            ) -> AvailabilityFit:
    """The fit of :func:`fit_availability` on its trials."""
    blocks, metric = trials.block, trials.metric
    observed, obs_half = trials.observed(records)
    n, sign = int(blocks.max()) + 1, METRICS[metric]
    top, top_half = trials.run(np.ones(n))
    bottom, bottom_half = trials.run(np.full(n, lowest))
    low, high = np.full(n, lowest), np.ones(n)
    at_low, at_high = bottom.copy(), top.copy()
    for _ in range(steps):
        middle = (low + high) / 2
        mean, _ = trials.run(middle)
        short = sign * (mean - observed) < 0  # worse than observed: more agents needed
        low, high = np.where(short, middle, low), np.where(short, high, middle)
        at_low, at_high = np.where(short, mean, at_low), np.where(short, at_high, mean)
    status = np.where(sign * (top - observed) < 0, "at most", "fitted").astype(object)
    status[sign * (bottom - observed) > 0] = "at least"
    flat = np.abs(top - bottom) <= np.sqrt(top_half ** 2 + bottom_half ** 2 + obs_half ** 2)
    status[flat | np.isnan(observed) | np.isnan(top) | np.isnan(bottom)] = "flat"
    # The end of the last bracket whose simulated metric was nearest the observed one: its
    # middle was never simulated and may lie across a step of whole agents.
    nearest = np.where(np.abs(at_low - observed) < np.abs(at_high - observed), low, high)
    share = np.where(status == "fitted", np.round(nearest, 4),
                     np.where(status == "at least", lowest, 1.0))
    final, _ = trials.run(share)
    range_low, range_high = _ranges(trials, observed, obs_half)
    spans = [np.flatnonzero(blocks == b) for b in range(n)]
    rows = tuple(BlockShare(int(spans[b][0]), int(spans[b][-1]), float(share[b]), str(status[b]),
                            float(observed[b]), float(final[b]),
                            float(min(range_low[b], share[b])), float(max(range_high[b], share[b])),
                            float(top[b]))
                 for b in range(n))
    available = tuple(float(s) for s in share[blocks]) if (status == "fitted").any() else None
    level = (trials.service_level(records.frame), trials.service_level(trials.frame))
    return AvailabilityFit(available, metric, rows, trials.window, level)


def scaled(dist: dict[str, Any], factor: float) -> dict[str, Any]:
    """A duration distribution's fields with every duration multiplied by ``factor``."""
    out = dict(dist)
    for key in ("mean", "sd", "value", "low", "high"):
        if isinstance(out.get(key), int | float):
            out[key] = out[key] * factor
    if isinstance(out.get("values"), list | tuple):
        out["values"] = [v * factor for v in out["values"]]
    return out


def with_after_call_work(scenario: Scenario, factor: float) -> Scenario:
    """``scenario`` with every department's after-call work scaled by ``factor``."""
    def scale(_: int, department: Department) -> dict[str, Any]:
        work = department.after_call_work
        if work is None:
            return {}
        fields = scaled(work.model_dump(exclude_none=True), factor)
        return {"after_call_work": type(work).model_validate(fields)}

    return scenario.with_departments(scale)


def fit_jointly(scenario: Scenario, records: CallRecords, reps: int | None = None,
                seed: int = 0, block: int | None = 4, scales: tuple[float, ...] = SCALES,
                execution: Execution | None = None) -> AvailabilityFit:
    """Shares per block fitted to abandonment, and an after-call work scale to service level.

    After-call work is scaled by each of ``scales`` in turn until the simulated service level of
    all calls falls to the observed one, or no longer falls (each scale's shares are fitted
    anew, so past some scale its effect is within the fit's noise); the scale whose service
    level is nearest the observed one is kept (fewer agents available each slower keep the mean
    wait but answer fewer calls at once and cut the long waits short). Every simulation runs on
    one runner of ``execution`` (default: every core).
    """
    fits: list[tuple[float, AvailabilityFit]] = []
    blocks = _blocks(scenario.horizon.n_intervals, block)
    days = replay_days(scenario, records)
    with (execution or Execution()).runner() as runner:
        for factor in scales:
            trials = _Trials(with_after_call_work(scenario, factor), days, "abandon_rate",
                             blocks, reps, seed, runner)
            fit = _bisect(trials, records, 0.5, 6)
            observed, simulated = fit.service_level
            rising = bool(fits) and simulated >= fits[-1][1].service_level[1]
            fits.append((factor, fit))
            if simulated <= observed or rising or not any(d.after_call_work for d in
                                                           scenario.departments.values()):
                break
    factor, best = min(fits, key=lambda f: abs(f[1].service_level[1] - f[1].service_level[0]))
    tried = tuple((k, f.service_level[1]) for k, f in fits)
    return replace(best, scale=factor, scales=tried)
