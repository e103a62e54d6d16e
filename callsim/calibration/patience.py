"""Patience from censored waits: Kaplan-Meier and censored parametric fits (lifelines).

A caller who abandoned waited exactly their patience; a caller who was answered would have
waited at least as long as they did (right-censored). The naive mean of the abandoned callers'
waits ignores the patient callers who were answered and underestimates patience, badly when
most callers are answered (Brown et al. 2005). Kaplan-Meier estimates the survival curve
P(patience > t); exponential and lognormal are fitted by censored maximum likelihood and ranked
by AIC. Waits are grouped to 0.1 s (exports are whole seconds) and weighted by their count,
which keeps a million calls fast; a wait of 0 s counts as 0.05 s.

The scenario takes the Kaplan-Meier curve itself inside the data, with an exponential tail past
the longest observed wait (its rate: abandonments over exposure after the time 80% of the
abandonments had happened), written as 200 quantiles (``empirical``). A parametric family fitted
to heavily censored waits extrapolates far past them (on the bank a lognormal of mean 4,028 s and
sd 30,767 s where the longest wait was 908 s); the curve does not, and the tail follows the
hazard seen at the longest waits.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from lifelines import KaplanMeierFitter

__all__ = ["KM_TAIL", "MIN_ABANDONED", "PatienceEstimate", "estimate_patience", "kaplan_meier",
           "km_with_tail"]

#: Fewer abandonments than this: the patience is not estimated (a marked default instead).
MIN_ABANDONED = 10
_RESOLUTION = 0.1
_Z = 1.959963984540054
#: The name of the model the scenario takes (Kaplan-Meier inside the data, exponential tail).
KM_TAIL = "kaplan-meier + exponential tail"
_QUANTILES = 200
_TAIL_FROM = 0.8  # the tail rate is fitted after this share of the abandonments


@dataclass(frozen=True)
class PatienceEstimate:
    """Patience of one call type from its callers' first-queue waits.

    Attributes
    ----------
    n, abandoned
        Callers with a known wait; of them, abandoned (exact patience). The rest are censored.
    naive_mean
        Mean wait of the abandoned callers (s): biased low, shown for comparison.
    survival
        Kaplan-Meier curve: ``time`` (s), ``survival``, ``ci_low``, ``ci_high``.
    median
        Kaplan-Meier median patience (s), ``inf`` when the curve never falls to 0.5.
    fits
        Per family: ``mean`` and ``mean_ci`` (s), ``aic``, and ``mu``, ``sigma`` (lognormal).
    family
        :data:`KM_TAIL`, or ``None`` when fewer than :data:`MIN_ABANDONED` callers abandoned
        (then only the exponential is fitted, as a marked default).
    distribution
        The scenario-file distribution of that family, or ``None``.
    tail_mean, longest
        The exponential tail's mean past the longest wait, and that wait (s).
    """

    n: int
    abandoned: int
    naive_mean: float
    survival: pd.DataFrame
    median: float
    fits: dict[str, dict[str, Any]] = field(default_factory=dict)
    family: str | None = None
    distribution: dict[str, Any] | None = None
    tail_mean: float = float("nan")
    longest: float = float("nan")

    @property
    def censored(self) -> int:
        """Callers answered before their patience ran out."""
        return self.n - self.abandoned


def _grouped(waits: np.ndarray, abandoned: np.ndarray) -> pd.DataFrame:
    times = np.maximum(np.round(waits / _RESOLUTION) * _RESOLUTION, _RESOLUTION / 2)
    frame = pd.DataFrame({"time": times, "event": abandoned})
    return frame.groupby(["time", "event"], sort=True).size().reset_index(name="weight")


def kaplan_meier(waits: np.ndarray, abandoned: np.ndarray) -> pd.DataFrame:
    """Kaplan-Meier survival of patience with 95% (exponential Greenwood) bands.

    Parameters
    ----------
    waits
        Waits in the first queue (s).
    abandoned
        True where the caller abandoned (an exact patience), False where answered (censored).

    Returns
    -------
    pandas.DataFrame
        ``time`` (s), ``survival``, ``ci_low``, ``ci_high``, one row per distinct time.
    """
    from lifelines import KaplanMeierFitter

    fitter = KaplanMeierFitter().fit(np.asarray(waits, dtype=float),
                                     np.asarray(abandoned, dtype=bool))
    return _curve(fitter)


def _curve(fitter: KaplanMeierFitter) -> pd.DataFrame:
    band = fitter.confidence_interval_survival_function_
    return pd.DataFrame({
        "time": fitter.survival_function_.index.to_numpy(dtype=float),
        "survival": fitter.survival_function_.iloc[:, 0].to_numpy(),
        "ci_low": band.iloc[:, 0].to_numpy(),
        "ci_high": band.iloc[:, 1].to_numpy(),
    })


def estimate_patience(waits: np.ndarray, abandoned: np.ndarray) -> PatienceEstimate:
    """Kaplan-Meier curve and censored exponential and lognormal fits of patience.

    Parameters
    ----------
    waits
        First-queue waits (s); NaN are ignored.
    abandoned
        True for callers who abandoned (exact), False for answered ones (censored).
    """
    waits = np.asarray(waits, dtype=float)
    abandoned = np.asarray(abandoned, dtype=bool)
    known = np.isfinite(waits)
    waits, abandoned = waits[known], abandoned[known]
    n_abandoned = int(abandoned.sum())
    naive = float(waits[abandoned].mean()) if n_abandoned else float("nan")
    if waits.size == 0:
        return PatienceEstimate(0, 0, naive, pd.DataFrame(), float("nan"))
    from lifelines import KaplanMeierFitter

    grouped = _grouped(waits, abandoned)
    km = KaplanMeierFitter().fit(grouped["time"], grouped["event"], weights=grouped["weight"])
    survival, median = _curve(km), float(km.median_survival_time_)
    if n_abandoned == 0:
        return PatienceEstimate(waits.size, n_abandoned, naive, survival, median)
    if n_abandoned < MIN_ABANDONED:
        fits = _parametric(grouped, lognormal=False)
        return PatienceEstimate(waits.size, n_abandoned, naive, survival, median, fits)
    fits = _parametric(grouped)
    values, tail_mean = km_with_tail(survival, grouped)
    dist: dict[str, Any] = {"dist": "empirical", "values": [float(v) for v in values]}
    return PatienceEstimate(waits.size, n_abandoned, naive, survival, median, fits, KM_TAIL, dist,
                            tail_mean, float(grouped["time"].max()))


def km_with_tail(survival: pd.DataFrame, grouped: pd.DataFrame) -> tuple[np.ndarray, float]:
    """200 quantiles of patience: Kaplan-Meier inside the data, an exponential tail past it.

    Returns the quantiles (s) and the tail's mean (s).
    """
    events = grouped[grouped["event"].astype(bool)]
    times = np.repeat(events["time"].to_numpy(), events["weight"].to_numpy())
    start = float(np.quantile(times, _TAIL_FROM))
    later = grouped[grouped["time"] > start]
    exposure = float(((later["time"] - start) * later["weight"]).sum())
    count = float((later["event"] * later["weight"]).sum())
    if count < 5 or exposure <= 0:  # too few late abandonments: the rate of all the data
        exposure = float((grouped["time"] * grouped["weight"]).sum())
        count = float((grouped["event"] * grouped["weight"]).sum())
    tail_mean = exposure / count
    p = (np.arange(_QUANTILES) + 0.5) / _QUANTILES
    time = survival["time"].to_numpy()
    cdf = 1.0 - survival["survival"].to_numpy()
    inside = p <= cdf[-1]
    values = np.empty(_QUANTILES)
    values[inside] = time[np.minimum(np.searchsorted(cdf, p[inside], side="left"), len(time) - 1)]
    left = max(1.0 - cdf[-1], 1e-12)
    values[~inside] = time[-1] + tail_mean * np.log(left / (1.0 - p[~inside]))
    return values, tail_mean


def _log_interval(value: float, se: float) -> tuple[float, float]:
    """95% interval of a positive estimate on the log scale (delta method): never negative."""
    spread = math.exp(_Z * se / value)
    return value / spread, value * spread


def _parametric(grouped: pd.DataFrame, lognormal: bool = True) -> dict[str, dict[str, Any]]:
    """Censored MLE of the exponential (and lognormal) families; means in seconds."""
    from lifelines import ExponentialFitter, LogNormalFitter

    args = (grouped["time"], grouped["event"])
    weights = grouped["weight"]
    # The exponential MLE is closed-form (exposure / events): a start there converges at once.
    exposure = float((grouped["time"] * weights).sum() / (grouped["event"] * weights).sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expo = ExponentialFitter().fit(*args, weights=weights,
                                       initial_point=np.array([exposure]))
        logn = (LogNormalFitter().fit(*args, weights=weights,
                                      initial_point=np.array([math.log(exposure), 1.0]))
                if lognormal else None)
    summary = expo.summary
    scale = float(expo.lambda_)
    out: dict[str, dict[str, Any]] = {
        "exponential": {
            "mean": scale, "sd": scale, "aic": float(expo.AIC_),
            "mean_ci": _log_interval(scale, float(summary.loc["lambda_", "se(coef)"])),
        }
    }
    if logn is None:
        return out
    mu, sigma = float(logn.mu_), float(logn.sigma_)
    se_mu = float(logn.summary.loc["mu_", "se(coef)"])
    se_sigma = float(logn.summary.loc["sigma_", "se(coef)"])
    mean = math.exp(mu + sigma**2 / 2)
    # log(mean) = mu + sigma^2 / 2: delta method on the log scale (no covariance), so the
    # interval is never negative.
    se_log = math.sqrt(se_mu**2 + (sigma * se_sigma) ** 2)
    out["lognormal"] = {
        "mean": mean, "sd": mean * math.sqrt(math.expm1(sigma**2)), "aic": float(logn.AIC_),
        "mean_ci": _log_interval(mean, mean * se_log), "mu": mu, "sigma": sigma,
    }
    return out
