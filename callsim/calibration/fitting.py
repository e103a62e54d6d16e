"""Duration distributions fitted to observed times by maximum likelihood (scipy.stats).

Exponential, lognormal and gamma are fitted with the location fixed at 0 and ranked by AIC.
The best one is used when it fits: Kolmogorov-Smirnov p-value at least 0.01, or a distance D
of at most 0.02 (on large samples every model is rejected by the test, while a distance that
small does not matter to a simulation). Otherwise the durations are resampled
(``empirical``, 200 quantiles). Times of 0 s (whole-second exports) count as 0.5 s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import special, stats

__all__ = ["FAMILIES", "DurationFit", "fit_durations"]

FAMILIES: tuple[str, ...] = ("exponential", "lognormal", "gamma")
_Z = 1.959963984540054
MIN_SAMPLE = 2
KS_P = 0.01
KS_DISTANCE = 0.02
EMPIRICAL_POINTS = 200


@dataclass(frozen=True)
class DurationFit:
    """The chosen model of a set of durations (seconds), with what it rests on.

    Attributes
    ----------
    family
        ``exponential``, ``lognormal``, ``gamma`` or ``empirical``.
    n
        Sample size.
    mean, sd
        Mean and standard deviation of the chosen model (s).
    mean_ci
        95% confidence interval of the mean (s).
    params
        Family parameters: ``mu``, ``sigma`` (lognormal, log-seconds), ``shape``, ``scale``
        (gamma), with 95% CIs in ``params_ci``.
    aic
        AIC of each fitted family.
    ks
        ``(D, p-value)`` of the chosen parametric family (p is approximate: the parameters
        were estimated from the same data).
    distribution
        The scenario-file distribution (``{"dist": ..., ...}``), times in seconds.
    """

    family: str
    n: int
    mean: float
    sd: float
    mean_ci: tuple[float, float]
    params: dict[str, float] = field(default_factory=dict)
    params_ci: dict[str, tuple[float, float]] = field(default_factory=dict)
    aic: dict[str, float] = field(default_factory=dict)
    ks: tuple[float, float] = (float("nan"), float("nan"))
    distribution: dict[str, Any] = field(default_factory=dict)

    @property
    def fits(self) -> bool:
        """Whether a parametric family was good enough (else the fit is empirical)."""
        return self.family != "empirical"


def _exponential(x: np.ndarray) -> tuple[stats.rv_continuous, dict[str, Any]]:
    _, scale = stats.expon.fit(x, floc=0)
    n = x.size
    return stats.expon(scale=scale), {
        "k": 1, "mean": scale, "sd": scale,
        "mean_ci": (scale * math.exp(-_Z / math.sqrt(n)), scale * math.exp(_Z / math.sqrt(n))),
        "params": {}, "params_ci": {},
        "distribution": {"dist": "exponential", "mean": scale},
    }


def _lognormal(x: np.ndarray) -> tuple[stats.rv_continuous, dict[str, Any]]:
    sigma, _, scale = stats.lognorm.fit(x, floc=0)
    mu, n = math.log(scale), x.size
    mean = math.exp(mu + sigma**2 / 2)
    sd = mean * math.sqrt(math.expm1(sigma**2))
    se_mean = mean * sigma * math.sqrt((1 + sigma**2 / 2) / n)  # delta method
    se_mu, se_sigma = sigma / math.sqrt(n), sigma / math.sqrt(2 * n)
    return stats.lognorm(sigma, scale=scale), {
        "k": 2, "mean": mean, "sd": sd, "mean_ci": (mean - _Z * se_mean, mean + _Z * se_mean),
        "params": {"mu": mu, "sigma": sigma},
        "params_ci": {"mu": (mu - _Z * se_mu, mu + _Z * se_mu),
                      "sigma": (sigma - _Z * se_sigma, sigma + _Z * se_sigma)},
        "distribution": {"dist": "lognormal", "mean": mean, "sd": sd},
    }


def _gamma(x: np.ndarray) -> tuple[stats.rv_continuous, dict[str, Any]]:
    shape, _, scale = stats.gamma.fit(x, floc=0)
    n = x.size
    mean, sd = shape * scale, math.sqrt(shape) * scale
    # The gamma MLE of the mean is the sample mean: its standard error is sd / sqrt(n).
    # Shape: asymptotic variance 1 / (n (trigamma(shape) - 1 / shape)).
    se_shape = 1 / math.sqrt(n * (float(special.polygamma(1, shape)) - 1 / shape))
    return stats.gamma(shape, scale=scale), {
        "k": 2, "mean": mean, "sd": sd,
        "mean_ci": (mean - _Z * sd / math.sqrt(n), mean + _Z * sd / math.sqrt(n)),
        "params": {"shape": shape, "scale": scale},
        "params_ci": {"shape": (shape - _Z * se_shape, shape + _Z * se_shape)},
        "distribution": {"dist": "gamma", "mean": mean, "sd": sd},
    }


_FITTERS = {"exponential": _exponential, "lognormal": _lognormal, "gamma": _gamma}


def fit_durations(values: np.ndarray) -> DurationFit | None:
    """Fit every family to ``values`` (s), pick by AIC, fall back to empirical.

    Returns
    -------
    DurationFit or None
        None with fewer than two usable (finite, non-negative) values.
    """
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x) & (x >= 0)]
    if x.size < MIN_SAMPLE:
        return None
    x = np.where(x > 0, x, 0.5)
    if np.ptp(x) == 0:
        value = float(x[0])
        return DurationFit("empirical", x.size, value, 0.0, (value, value),
                           distribution={"dist": "deterministic", "value": value})
    fitted = {name: fitter(x) for name, fitter in _FITTERS.items()}
    aic = {name: 2 * info["k"] - 2 * float(np.sum(model.logpdf(x)))
           for name, (model, info) in fitted.items()}
    best = min(aic, key=lambda name: aic[name])
    model, info = fitted[best]
    ks = stats.kstest(x, model.cdf)
    ks_pair = (float(ks.statistic), float(ks.pvalue))
    if ks_pair[1] >= KS_P or ks_pair[0] <= KS_DISTANCE:
        return DurationFit(best, x.size, info["mean"], info["sd"], info["mean_ci"],
                           info["params"], info["params_ci"], aic, ks_pair, info["distribution"])
    return _empirical(x, aic, ks_pair)


def _empirical(x: np.ndarray, aic: dict[str, float], ks: tuple[float, float]) -> DurationFit:
    quantiles = np.quantile(x, (np.arange(EMPIRICAL_POINTS) + 0.5) / EMPIRICAL_POINTS)
    mean, sd = float(x.mean()), float(x.std(ddof=1))
    half = _Z * sd / math.sqrt(x.size)
    values = [round(float(q), 1) for q in quantiles]
    return DurationFit("empirical", x.size, mean, sd, (mean - half, mean + half), aic=aic, ks=ks,
                       distribution={"dist": "empirical", "values": values})
