"""Confidence intervals across replications and paired policy differences.

Replications are independent and identically distributed, so every metric gets a Student-t
interval on its replication mean. Policies run with common random numbers (same seed, same
callers), so their difference is estimated per replication and the interval is taken on those
paired differences, which is usually much narrower than comparing two independent intervals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import pandas as pd

from callsim.scenario.catalogue import KEY_COLUMNS

#: Columns of the long summary tables, after the grouping columns.
SUMMARY_COLUMNS: tuple[str, ...] = ("metric", "mean", "ci_low", "ci_high", "n")



#: The quantile of a two-sided 95% interval, as :func:`t_half_width` computes it.
P95 = 0.5 + 0.95 / 2.0


def t_quantile(df: Any, p: float) -> Any:
    """Student-t quantile ``p`` with ``df`` degrees of freedom: ``scipy.special.stdtrit``.

    Bit for bit ``stdtrit(df, p)`` (``scipy.stats.t.ppf``). The quantiles of 95% intervals
    (``p`` = :data:`P95`) with 1 to 2,000 whole degrees of freedom are read from the table
    ``t975.txt`` that ``tools/t_quantiles.py`` wrote with ``stdtrit``: importing
    ``scipy.special`` takes a sixth of a second, more than the summaries of a ``compare``;
    other quantiles import it and ask it.

    >>> float(t_quantile(2, P95)) == float(t_quantile(2.0, P95))
    True
    """
    df = np.asarray(df)
    if p == P95 and df.size and df.dtype.kind in "iu":
        table = _t975()
        if 1 <= df.min() and df.max() <= table.size:
            return table[df - 1]
    from scipy.special import stdtrit  # here, not at the top: see above

    return stdtrit(df, p)


@cache
def _t975() -> np.ndarray:
    """The table of :func:`t_quantile`: the quantile :data:`P95` for df 1, 2, ... (one a line)."""
    text = files("callsim.analysis").joinpath("t975.txt").read_text()
    return np.array([float(line) for line in text.split()])


def t_half_width(sd: Any, n: Any, confidence: float = 0.95, *, new: Any = None) -> Any:
    """Half-width of the Student-t interval of a mean of ``n`` values with deviation ``sd``.

    The one formula for every confidence interval and prediction band in callsim: replication
    summaries, calibrated arrival rates and back-test bands.

    Parameters
    ----------
    sd
        Sample standard deviation (ddof=1), a number or an array.
    n
        Number of values behind it (broadcast with ``sd``); fewer than two use one degree of
        freedom (callers mark such intervals undefined).
    confidence
        Two-sided level, in (0, 1).
    new
        Without it, the interval of the mean of the ``n`` values. With it, the prediction band
        for the mean of ``new`` future values from the same distribution:
        ``t * sd * sqrt(1/new + 1/n)``.

    Returns
    -------
    float or numpy.ndarray
        The half-width, in the unit of ``sd``.

    Examples
    --------
    >>> round(float(t_half_width(1.0, 3)), 4)
    2.4841
    >>> round(float(t_half_width(1.0, 3, new=1)), 4)
    4.9683
    """
    quantile = t_quantile(np.maximum(np.asarray(n) - 1, 1), 0.5 + confidence / 2.0)
    if new is None:
        return quantile * sd / np.sqrt(n)
    return quantile * sd * np.sqrt(1 / new + 1 / n)


def t_interval(values: Iterable[float], confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval of independent replication values.

    Parameters
    ----------
    values
        One value per replication (any unit); NaN values are dropped.
    confidence
        Two-sided confidence level, in (0, 1).

    Returns
    -------
    tuple[float, float, float]
        ``(mean, low, high)`` in the unit of ``values``. With no value all three are NaN; with
        one value ``low`` and ``high`` are NaN.

    Examples
    --------
    >>> mean, lo, hi = t_interval([1.0, 2.0, 3.0])
    >>> mean, round(lo, 4), round(hi, 4)
    (2.0, -0.4841, 4.4841)
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    x = np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=float)
    x = x[~np.isnan(x)]
    n = x.size
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(x.mean())
    if n < 2:
        return mean, float("nan"), float("nan")
    if np.isinf(x).any():
        return mean, float("nan"), float("nan")
    half = float(t_half_width(x.std(ddof=1), n, confidence))
    return mean, mean - half, mean + half


def half_width_ratio(mean: Any, ci_low: Any, ci_high: Any) -> Any:
    """Relative precision: CI half-width divided by ``|mean|``.

    Works element-wise on scalars, arrays or Series. A zero or NaN mean, or an undefined
    interval, gives NaN (or ``inf`` when the half-width is positive and the mean is zero).

    Examples
    --------
    >>> half_width_ratio(10.0, 9.0, 11.0)
    0.1
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (np.asarray(ci_high, dtype=float) - np.asarray(ci_low, dtype=float)) / 2.0
        ratio = ratio / np.abs(np.asarray(mean, dtype=float))
    if isinstance(mean, pd.Series):
        return pd.Series(ratio, index=mean.index)
    return float(ratio) if np.ndim(ratio) == 0 else ratio


def _metric_columns(frame: pd.DataFrame, exclude: Iterable[str]) -> list[str]:
    skip = set(exclude) | set(KEY_COLUMNS)
    return [
        col
        for col in frame.columns
        if col not in skip and pd.api.types.is_numeric_dtype(frame[col])
        and not pd.api.types.is_bool_dtype(frame[col])
    ]


def _rows(
    frame: pd.DataFrame, by: Sequence[str], metrics: Sequence[str], confidence: float
) -> pd.DataFrame:
    """Mean and t-interval of every metric in every group, vectorised over both.

    Same numbers as :func:`t_interval` per group and metric (NaN dropped; fewer than two
    values or any infinite value give an undefined interval), in the long layout of
    :func:`summarize`: groups in order of first appearance, metrics in the given order.
    """
    by, metrics = list(by), list(metrics)
    raw = frame[metrics].astype(float)
    is_inf = np.isinf(raw)
    # One group without ``by``: a Series key (an array key costs pandas a failed column look-up
    # and the error message that goes with it, a millisecond a call).
    keys = [frame[c] for c in by] if by else [pd.Series(0, index=frame.index)]

    def groups(values: pd.DataFrame) -> Any:  # pandas is untyped here (no stubs)
        return values.groupby(keys, sort=False, observed=True, dropna=False)

    n = groups(raw).count()  # NaN dropped, infinities counted
    mean_values = groups(raw).mean().to_numpy()
    var = groups(raw.mask(is_inf, np.nan)).var(ddof=1).to_numpy()
    n_values = n.to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        half = t_half_width(np.sqrt(var), n_values, confidence)
    undefined = (n_values < 2) | groups(is_inf).any().to_numpy()
    half = np.where(undefined, np.nan, half)
    long = pd.DataFrame({
        "metric": np.tile(metrics, len(n)),
        "mean": mean_values.ravel(),
        "ci_low": (mean_values - half).ravel(),
        "ci_high": (mean_values + half).ravel(),
        "n": n_values.ravel().astype(int),
    })
    if by:
        index = n.index.to_frame(index=False)
        index.columns = by
        long = pd.concat([index.loc[index.index.repeat(len(metrics))].reset_index(drop=True),
                          long], axis=1)
    return long


def summarize(
    per_rep: pd.DataFrame,
    by: Sequence[str] = (),
    metrics: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Mean and t confidence interval of each metric over replications (long format).

    Parameters
    ----------
    per_rep
        One row per replication (and per group), one column per metric.
    by
        Grouping columns (e.g. ``["policy"]``); each group is summarised separately.
    metrics
        Metric columns to summarise; default: every numeric column that is not a grouping
        column, ``seed`` or ``replication``.
    confidence
        Two-sided confidence level.

    Returns
    -------
    pandas.DataFrame
        Columns ``by...``, ``metric``, ``mean``, ``ci_low``, ``ci_high``, ``n`` (replications with
        a value), one row per group and metric, in the units of the metric.

    Examples
    --------
    >>> import pandas as pd
    >>> per_rep = pd.DataFrame({"policy": ["warm"] * 3 + ["cold"] * 3,
    ...                         "replication": [0, 1, 2] * 2,
    ...                         "wait_mean": [30.0, 34.0, 32.0, 41.0, 45.0, 40.0]})
    >>> summarize(per_rep, by=["policy"]).round(2)
      policy     metric  mean  ci_low  ci_high  n
    0   warm  wait_mean  32.0   27.03    36.97  3
    1   cold  wait_mean  42.0   35.43    48.57  3
    """
    by = list(by)
    metrics = list(metrics) if metrics is not None else _metric_columns(per_rep, by)
    return _rows(per_rep, by, metrics, confidence)[[*by, *SUMMARY_COLUMNS]]


#: A paired difference ``(b, a)``, read ``b - a``: ``a`` is the first policy named (the
#: reference, e.g. ``cold`` of ``--policies cold,warm``). The one convention of the package.
Pair = tuple[str, str]


def difference_pair(policies: Sequence[str]) -> Pair | None:
    """The paired difference ``(b, a)``, read ``b - a``, of two policies: a is the first named.

    >>> difference_pair(["cold", "warm"])
    ('warm', 'cold')
    >>> difference_pair(["warm"]) is None
    True
    """
    if len(policies) != 2:
        return None
    return policies[1], policies[0]


def difference_pairs(policies: Sequence[str]) -> list[Pair]:
    """The paired differences ``(b, a)`` of every other policy b against the first named a.

    >>> difference_pairs(["cold", "warm", "conditional"])
    [('warm', 'cold'), ('conditional', 'cold')]
    >>> difference_pairs(["cold", "warm"]) == [difference_pair(["cold", "warm"])]
    True
    """
    return [(other, policies[0]) for other in policies[1:]]


def difference_label(pair: Pair) -> str:
    """The name of a paired difference, ``"b - a"`` (its ``policy`` value in sweep summaries).

    >>> difference_label(("warm", "cold"))
    'warm - cold'
    """
    return f"{pair[0]} - {pair[1]}"


def paired_differences(
    per_rep: pd.DataFrame,
    pair: Pair | None = None,
    policy_col: str = "policy",
    rep_col: str = "replication",
    by: Sequence[str] = (),
    metrics: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Paired differences ``b - a`` of each metric, matched by replication, with t intervals.

    Parameters
    ----------
    per_rep
        One row per policy and replication (and per group), one column per metric.
    pair
        ``(b, a)``, read ``b - a`` (:data:`Pair`); default: the table's two policies, the
        first one in the table as ``a`` (:func:`difference_pair`).
    policy_col
        Column holding the policy name.
    rep_col
        Column matching the replications (same seed stream) of both policies.
    by
        Extra grouping columns (e.g. sweep parameters); pairs are matched within each group.
    metrics
        Metric columns; default: every numeric column except keys, ``seed`` and ``replication``.
    confidence
        Two-sided confidence level.

    Returns
    -------
    pandas.DataFrame
        Columns ``by...``, ``metric``, ``mean``, ``ci_low``, ``ci_high``, ``n`` (pairs with both
        values), ``significant`` (:func:`significant`: the interval excludes 0 and the
        difference is not negligible; False when the interval is undefined).
        Replications present for only one policy are left out.

    Raises
    ------
    ValueError
        No ``pair`` and the table does not hold exactly two policies; duplicate rows.

    Examples
    --------
    Warm minus cold, replication by replication (same callers in both, so the interval is
    narrower than the one of two separate means):

    >>> import pandas as pd
    >>> per_rep = pd.DataFrame({"policy": ["cold"] * 3 + ["warm"] * 3,
    ...                         "replication": [0, 1, 2] * 2,
    ...                         "wait_mean": [41.0, 45.0, 40.0, 30.0, 34.0, 32.0]})
    >>> paired_differences(per_rep).round(2)  # cold first: warm - cold
          metric  mean  ci_low  ci_high  n  significant
    0  wait_mean -10.0   -14.3     -5.7  3         True
    """
    if pair is None:
        pair = difference_pair(list(pd.unique(per_rep[policy_col])))
        if pair is None:
            raise ValueError("paired differences need a pair or a table of exactly two policies")
    b, a = pair
    by = list(by)
    keys = [*by, rep_col]
    if metrics is None:
        metrics = _metric_columns(per_rep, [*keys, policy_col])
    metrics = list(metrics)
    left = per_rep.loc[per_rep[policy_col] == b, keys + metrics]
    right = per_rep.loc[per_rep[policy_col] == a, keys + metrics]
    for side, name in ((left, b), (right, a)):
        if side.duplicated(keys).any():
            raise ValueError(f"policy {name!r} has duplicate rows for {keys}")
    paired = left.merge(right, on=keys, suffixes=("__a", "__b"))  # __a: b's values, __b: a's
    # Every metric at once, as float blocks: the same subtraction element by element.
    of_b = paired[[f"{metric}__a" for metric in metrics]].to_numpy(dtype=float)
    of_a = paired[[f"{metric}__b" for metric in metrics]].to_numpy(dtype=float)
    columns = pd.DataFrame(of_b - of_a, columns=metrics, index=paired.index)
    levels = pd.DataFrame((np.abs(of_b) + np.abs(of_a)) / 2, columns=metrics, index=paired.index)
    diff = pd.concat([paired[keys], columns], axis=1)
    out = _rows(diff, by, metrics, confidence)[[*by, *SUMMARY_COLUMNS]]
    level = _rows(pd.concat([paired[keys], levels], axis=1),
                  by, metrics, confidence)["mean"].to_numpy()
    out["significant"] = significant(out["mean"].to_numpy(), out["ci_low"].to_numpy(),
                                     out["ci_high"].to_numpy(), level)
    return out


#: A paired difference smaller than this share of the level it is a difference of is no
#: difference: rounding noise, or crumbs such as a few seconds of drain overtime in a day.
NEGLIGIBLE = 1e-4


def significant(mean: np.ndarray, low: np.ndarray, high: np.ndarray, level: np.ndarray
                ) -> np.ndarray:
    """Whether paired differences are significant: the one place that decides it.

    A difference is significant when its 95% CI excludes 0 and the difference is not
    negligible: ``|mean|`` above :data:`NEGLIGIBLE` times the mean level of the two values.
    A zero difference of zero width, an undefined CI (one replication) or a difference of
    0.16 on a cost of 10,780 is not significant.

    >>> significant(np.array([0.0, 1e-13, 0.16, 3.2, 0.5]), np.array([0.0, 1e-13, 0.1, 2.5, 0.2]),
    ...             np.array([0.0, 1e-13, 0.2, 3.9, 0.8]),
    ...             np.array([144.2, 144.2, 10780.0, 93.0, np.nan])).tolist()
    [False, False, False, True, True]
    """
    with np.errstate(invalid="ignore"):
        excludes = (low > 0) | (high < 0)
        material = ~(np.abs(mean) <= NEGLIGIBLE * np.abs(level))
    return np.asarray(excludes & material & (np.abs(mean) > 0), dtype=bool)
