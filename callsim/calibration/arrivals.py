"""Arrival rates per planning interval and call type, from call records over several days.

The day window (first to last interval with a call) becomes the scenario's horizon. Each day
contributes one count per interval; the rate is the mean count over the days per hour, its 95%
confidence interval is a Student-t interval over the days (it widens with day-to-day spread,
as it should), or a Poisson interval with a single day. Over-dispersion is the pooled ratio of
the day-to-day variance to the mean: 1 for Poisson arrivals, above 1 when daily volumes vary
(Brown et al. 2005), with the chi-square test of that ratio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from callsim.analysis.statistics import t_half_width
from callsim.calibration.records import CallRecords
from callsim.scenario.schema import Horizon

__all__ = ["ArrivalEstimate", "Busyness", "Dispersion", "busyness", "covering",
           "estimate_arrivals", "interval_index"]

_HOUR = 3600.0


def covering(clock: np.ndarray, interval: float) -> Horizon:
    """The smallest day window of whole intervals (aligned on midnight) holding every time.

    Calibration's interval grid is the scenario's own type: a :class:`Horizon` whose ``start``
    is the clock time of its first interval (a multiple of ``interval``).

    Examples
    --------
    >>> w = covering(np.array([8.2 * 3600, 9.9 * 3600]), 1800.0)
    >>> w.clock(0), w.n_intervals, w.clock(w.n_intervals)
    ('08:00', 4, '10:00')
    """
    first = math.floor(float(np.min(clock)) / interval)
    last = math.floor(float(np.max(clock)) / interval)
    return Horizon(duration=(last - first + 1) * interval, interval=interval,
                   start=first * interval)


def interval_index(clock: np.ndarray, window: Horizon) -> np.ndarray:
    """Interval of each clock time (s since midnight); -1 outside the window."""
    idx = np.floor((clock - window.start) / window.interval).astype(np.int64)
    return np.where((idx >= 0) & (idx < window.n_intervals), idx, -1)


@dataclass(frozen=True)
class Dispersion:
    """Day-to-day variance over mean of interval counts, pooled over intervals.

    ``index`` is 1 for Poisson arrivals; ``p_value`` tests that (chi-square with ``df``).
    NaN with fewer than two days.
    """

    index: float
    p_value: float
    df: int


@dataclass(frozen=True)
class Busyness:
    """Day-to-day busyness: the coefficient of variation of a daily factor on every rate.

    A mixed Poisson count with mean m has variance m + cv^2 m^2 (docs/model.md section 4), so
    cv^2 = sum(var - m) / sum(m^2) over the intervals (all call types together, pooled;
    0 when the counts vary no more than Poisson). ``ci_low``, ``ci_high``: 95% CI (see
    :func:`busyness`). NaN with fewer than two days.
    """

    cv: float
    ci_low: float
    ci_high: float
    days: int


def busyness(counts: np.ndarray) -> Busyness:
    """Busyness cv from counts (days x intervals, all call types summed).

    The CI treats the summed day-to-day variance as (D - 1) degrees of freedom (one busyness
    factor a day, D days): wide with a week of records, as it should be.
    """
    n_days = counts.shape[0]
    mean = counts.mean(axis=0)
    if n_days < 2 or not mean.any():
        return Busyness(float("nan"), float("nan"), float("nan"), n_days)
    variance = float(counts.var(axis=0, ddof=1).sum())
    total, squares = float(mean.sum()), float((mean**2).sum())
    df = n_days - 1

    def cv(v: float) -> float:
        return math.sqrt(max(v - total, 0.0) / squares)

    return Busyness(cv(variance), cv(variance * df / stats.chi2.ppf(0.975, df)),
                    cv(variance * df / stats.chi2.ppf(0.025, df)), n_days)


@dataclass(frozen=True)
class ArrivalEstimate:
    """Arrival rates of every call type per interval.

    Attributes
    ----------
    window
        The planning intervals.
    days
        Number of days the counts are averaged over.
    table
        One row per call type and interval: ``call_type``, ``interval``, ``clock``, ``calls``
        (total over the days), ``mean`` and ``sd`` (calls per interval per day), ``rate``,
        ``ci_low``, ``ci_high`` (calls per hour).
    dispersion
        :class:`Dispersion` per call type.
    busyness
        :class:`Busyness` of all call types together (one factor a day multiplies them all).
    """

    window: Horizon
    days: int
    table: pd.DataFrame
    dispersion: dict[str, Dispersion]
    busyness: Busyness | None = None

    def rates(self, call_type: str) -> pd.DataFrame:
        """The rows of one call type, in interval order."""
        return self.table[self.table["call_type"] == call_type].reset_index(drop=True)


def estimate_arrivals(records: CallRecords, window: Horizon) -> ArrivalEstimate:
    """Rates per call type and interval (calls per hour) with 95% CIs over days.

    Calls outside ``window`` are not counted.
    """
    frame = records.frame
    idx = interval_index(frame["clock"].to_numpy(), window)
    day_codes, days = pd.factorize(frame["day"], sort=True)
    types = frame["call_type"].cat.categories
    # int64: the categorical codes are int8, and code x days x intervals overflows them.
    type_codes = frame["call_type"].cat.codes.to_numpy().astype(np.int64)
    inside = idx >= 0
    n_days, n_types = len(days), len(types)
    flat = (type_codes[inside] * n_days + day_codes[inside].astype(np.int64)) * window.n_intervals \
        + idx[inside]
    counts = np.bincount(flat, minlength=n_types * n_days * window.n_intervals).reshape(
        n_types, n_days, window.n_intervals).astype(float)
    rows, dispersion = [], {}
    hours = window.interval / _HOUR
    for k, name in enumerate(types):
        mean = counts[k].mean(axis=0)
        sd = counts[k].std(axis=0, ddof=1) if n_days > 1 else np.full(window.n_intervals, np.nan)
        low, high = _rate_interval(mean, sd, n_days)
        for i in range(window.n_intervals):
            rows.append((str(name), i, window.clock(i), counts[k, :, i].sum(), mean[i], sd[i],
                         mean[i] / hours, low[i] / hours, high[i] / hours))
        dispersion[str(name)] = _dispersion(counts[k])
    table = pd.DataFrame(rows, columns=["call_type", "interval", "clock", "calls", "mean", "sd",
                                        "rate", "ci_low", "ci_high"])
    return ArrivalEstimate(window, n_days, table, dispersion, busyness(counts.sum(axis=0)))


def _rate_interval(mean: np.ndarray, sd: np.ndarray, n_days: int) -> tuple[np.ndarray, np.ndarray]:
    """95% CI of the mean count per interval: t over days, or exact Poisson with one day."""
    if n_days > 1:
        half = t_half_width(sd, n_days)
        return np.maximum(mean - half, 0.0), mean + half
    total = mean * n_days
    low = np.where(total > 0, stats.chi2.ppf(0.025, 2 * total) / 2, 0.0)
    high = stats.chi2.ppf(0.975, 2 * total + 2) / 2
    return low / n_days, high / n_days


def _dispersion(counts: np.ndarray) -> Dispersion:
    """Pooled variance/mean of counts (days x intervals) and its chi-square test."""
    n_days = counts.shape[0]
    mean = counts.mean(axis=0)
    used = mean > 0
    df = int(used.sum()) * (n_days - 1)
    if n_days < 2 or df == 0:
        return Dispersion(float("nan"), float("nan"), 0)
    statistic = float((((counts[:, used] - mean[used]) ** 2) / mean[used]).sum())
    return Dispersion(statistic / df, float(stats.chi2.sf(statistic, df)), df)
