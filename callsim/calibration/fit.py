"""Calibration by simulation: the share of agents available that reproduces the records.

Records do not show when agents on duty were free to take calls (docs/model.md section 4). This fits
one ``available`` share per department (the same in every interval) so that the simulated
day-mean abandonment of all calls matches the observed one, on the calibration days with their
own arrivals replayed (:mod:`callsim.calibration.replay`). Each candidate runs the same
replications with the same seeds (common random numbers), so the simulated abandonment moves
with the share only, and the search is a bisection on a monotone function: fewer agents
available, more abandonment. The result carries the simulated abandonment at the bounds, so a
share the data cannot identify (abandonment below the observed one even with every agent, or
above it with the lowest share) is reported as such, not returned as a fit.

A first, partial step of the issue's simulation-based fit: one share per department, one target
metric; per-interval shares and after-call work scaling are not fitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from callsim.calibration.arrivals import Window
from callsim.calibration.observed import day_statistics
from callsim.calibration.records import CallRecords
from callsim.calibration.replay import day_scenario, replayable
from callsim.calibration.simulated import simulated_frame
from callsim.experiments.execution import Execution

if TYPE_CHECKING:
    from callsim.scenario.schema import Scenario

__all__ = ["AvailabilityFit", "fit_availability", "with_available"]

#: The fit's replications run in this process (each trial is a few short replayed days).
SERIAL = Execution(workers=1)


@dataclass(frozen=True)
class AvailabilityFit:
    """The fitted share of agents available (one per department, all intervals).

    Attributes
    ----------
    available
        The share, or ``None`` when the data cannot identify it (see ``identified``).
    observed
        Observed day-mean abandonment of all calls.
    trials
        ``(share, simulated day-mean abandonment, 95% CI half-width)`` of every share tried.
    identified
        False when the observed abandonment lies outside what the shares can produce.
    bracket
        The last shares below and above the observed abandonment: the data cannot tell shares
        inside it apart (staffing x share is rounded to whole agents).
    """

    available: float | None
    observed: float
    trials: tuple[tuple[float, float, float], ...]
    identified: bool
    bracket: tuple[float, float] = (float("nan"), float("nan"))

    def comment(self) -> str:
        """One line for the scenario file."""
        tried = ", ".join(f"{s:.3f}: {100 * m:.1f}%" for s, m, _ in sorted(self.trials))
        if not self.identified:
            return (f"available: not identified (observed abandonment {100 * self.observed:.1f}%"
                    f" outside the simulated range; shares tried: {tried})")
        return (f"available fitted by simulation to the observed abandonment "
                f"{100 * self.observed:.1f}% (replayed calibration days, common random "
                f"numbers): shares {self.bracket[0]:.3f}-{self.bracket[1]:.3f} fit alike; "
                f"tried {tried}")


def _abandonment(scenario: Scenario, days: list[tuple[pd.Timestamp, pd.DataFrame]],
                 window: Window, reps: int, seed: int) -> tuple[float, float]:
    """Simulated day-mean abandonment of all calls over replayed days, and its CI half-width."""
    threshold = float(scenario.service_level_threshold)
    per_rep = []
    frames = [simulated_frame(day_scenario(scenario, calls), reps, seed, SERIAL, day)
              for day, calls in days]
    frame = pd.concat(frames, ignore_index=True)
    for _, mine in frame.groupby("replication"):
        stats = day_statistics(mine, window, threshold)
        rows = stats[(stats["queue"] == "all") & (stats["metric"] == "abandon_rate")]
        per_rep.append(float(rows["value"].mean()))
    values = np.asarray(per_rep)
    return float(values.mean()), float(1.96 * values.std(ddof=1) / np.sqrt(len(values)))


def with_available(scenario: Scenario, share: float) -> Scenario:
    """``scenario`` with every department's ``available`` share set to ``share``."""
    return _with_share(scenario, share)


def _with_share(scenario: Scenario, share: float) -> Scenario:
    departments = {k: d.model_copy(update={"available": share})
                   for k, d in scenario.departments.items()}
    return scenario.model_copy(update={"departments": departments})


def fit_availability(scenario: Scenario, records: CallRecords, reps: int = 10, seed: int = 0,
                     lowest: float = 0.5, steps: int = 6) -> AvailabilityFit:
    """Bisect the share of agents available in ``[lowest, 1]`` to the observed abandonment.

    ``records`` are the calibration days (their queues named as the scenario's departments).
    """
    window = Window(scenario.horizon.start, scenario.horizon.interval,
                    scenario.horizon.n_intervals)
    observed = float(day_statistics(records.frame, window, 0.0).query(
        "queue == 'all' and metric == 'abandon_rate'")["value"].mean())
    keep = replayable(records, scenario).to_numpy()
    days = list(records.frame[keep].groupby("day"))
    trials = []

    def trial(share: float) -> float:
        mean, half = _abandonment(_with_share(scenario, share), days, window, reps, seed)
        trials.append((share, mean, half))
        return mean

    if trial(1.0) >= observed or trial(lowest) <= observed:
        return AvailabilityFit(None, observed, tuple(trials), False)
    low, high = lowest, 1.0  # abandonment(low) > observed > abandonment(high)
    for _ in range(steps):
        middle = (low + high) / 2
        low, high = (middle, high) if trial(middle) > observed else (low, middle)
    return AvailabilityFit(round((low + high) / 2, 4), observed, tuple(trials), True,
                           (low, high))
