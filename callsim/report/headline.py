"""The report's answer in one sentence: which policy costs less, by how much, how sure we are.

The sentence is built from the comparison's paired difference of ``costs.total_cost`` (``b -
a``, e.g. warm - cold) and its 95% CI, adds the largest significant change in a call type's
abandonment, in percentage points, and the other side of that trade-off: what it costs the other
call types (their significant changes in abandonment and service level that go the other way,
e.g. billing's own callers when warm transfers hold billing agents). Amounts are in the
scenario's currency over the whole horizon (one replication), rounded to whole units from 10 up.

>>> cost_phrase("warm", "cold", 212.4, 180.2, 245.0, "12 h")
'Over the 12 h horizon, warm transfers cost 212 more than cold transfers (95% CI 180 to 245)'
>>> cost_phrase("warm", "cold", -212.4, -245.0, -180.2, "12 h")
'Over the 12 h horizon, warm transfers cost 212 less than cold transfers (95% CI 180 to 245)'
>>> cost_phrase("warm", "cold", 12.0, -30.4, 54.0, "12 h")  # doctest: +NORMALIZE_WHITESPACE
'Over the 12 h horizon, warm and cold transfers cost about the same: warm - cold is +12 (95% CI
-30 to +54, which includes 0)'
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from callsim.report.words import human_duration
from callsim.scenario.catalogue import metric

if TYPE_CHECKING:
    from callsim.experiments.comparison import Comparison
    from callsim.scenario.schema import Scenario

__all__ = ["abandonment_phrase", "amount", "cost_phrase", "cost_unit", "headline", "policy_label",
           "tradeoff_phrase"]

COST_KEY = "costs.total_cost"


def policy_label(policy: str) -> str:
    """How a policy is named in sentences: ``warm transfers``."""
    return f"{policy} transfers"


def amount(value: float, signed: bool = False) -> str:
    """A currency amount: whole units from 10 up, cents below (``1,234``, ``7.50``)."""
    text = f"{abs(value):,.0f}" if abs(value) >= 10 else f"{abs(value):,.2f}"
    if not signed or not text.strip("0.,"):
        return text
    return f"{'-' if value < 0 else '+'}{text}"


def cost_unit(scenario: Scenario) -> str:
    """What cost amounts are counted in, in words: ``EUR per 12 h horizon``, ``per day``.

    A replication covers the whole horizon, so costs are per horizon (``per day`` for a 24 h
    one), in the scenario's ``costs.currency`` when it names one.
    """
    seconds = scenario.horizon.duration
    period = "day" if seconds == 86400 else f"{human_duration(seconds)} horizon"
    currency = scenario.costs.currency
    return f"{currency} per {period}" if currency else f"per {period}"


def cost_phrase(b: str, a: str, mean: float, low: float, high: float, period: str,
                currency: str | None = None) -> str:
    """The cost clause of the headline: ``b - a`` = ``mean``, CI ``[low, high]``.

    ``a`` is the first policy named, as in every pair of :mod:`callsim.analysis.statistics`;
    amounts are followed by ``currency`` when given.

    >>> cost_phrase("warm", "cold", 212.4, 180.2, 245.0, "12 h", "EUR")[23:]
    'warm transfers cost 212 EUR more than cold transfers (95% CI 180 to 245 EUR)'
    """
    start = f"Over the {period} horizon, "
    unit = f" {currency}" if currency else ""
    return _cost_clause(b, a, mean, low, high, start, unit)


def _cost_clause(b: str, a: str, mean: float, low: float, high: float, start: str,
                 unit: str) -> str:
    if math.isnan(low) or math.isnan(high):
        way = "more" if mean > 0 else "less"
        return (f"{start}{policy_label(b)} cost {amount(mean)}{unit} {way} than {policy_label(a)} "
                "(one replication: no confidence interval)")
    if low > 0:
        return (f"{start}{policy_label(b)} cost {amount(mean)}{unit} more than {policy_label(a)} "
                f"(95% CI {amount(low)} to {amount(high)}{unit})")
    if high < 0:
        return (f"{start}{policy_label(b)} cost {amount(-mean)}{unit} less than {policy_label(a)} "
                f"(95% CI {amount(-high)} to {amount(-low)}{unit})")
    return (f"{start}{b} and {policy_label(a)} cost about the same: {b} - {a} is "
            f"{amount(mean, signed=True)}{unit} (95% CI {amount(low, signed=True)} to "
            f"{amount(high, signed=True)}{unit}, which includes 0)")


def abandonment_phrase(differences: pd.DataFrame) -> str:
    """The abandonment clause: the call type whose abandonment changes most, significantly."""
    rows = differences[differences["metric"].str.startswith("call_types.")
                       & differences["metric"].str.endswith(".abandon_rate")
                       & differences["significant"].astype(bool)]
    if rows.empty:
        return "no call type's abandonment changes significantly"
    row = rows.loc[rows["mean"].abs().idxmax()]
    name = str(row["metric"]).removeprefix("call_types.").removesuffix(".abandon_rate")
    verb = "raise" if row["mean"] > 0 else "cut"
    low, high = sorted((abs(100 * row["ci_low"]), abs(100 * row["ci_high"])))
    return (f"{verb} {name} callers' abandonment by {abs(100 * row['mean']):.1f} points "
            f"(95% CI {low:.1f} to {high:.1f})")


#: The per-call-type metrics a trade-off is told in: (metric, words).
TRADEOFF_METRICS = (("abandon_rate", "abandonment"), ("service_level", "service level"))


def _change(words: str, difference: float) -> str:
    """``abandonment rises 0.3 points``: a share difference (B - A) in points, in words."""
    return f"{words} {'rises' if difference > 0 else 'falls'} {abs(100 * difference):.1f} points"


def tradeoff_phrase(differences: pd.DataFrame) -> str:
    """The other side of the answer: what the policy ahead costs other callers.

    The gain is the call type whose abandonment changes most, significantly (as in
    :func:`abandonment_phrase`); the price is every other call type's significant change in
    :data:`TRADEOFF_METRICS` that favours the other policy (:meth:`Metric.preferred`), told
    as ``B - A`` in points. Empty when no call type's abandonment changes significantly.
    """
    significant = differences[differences["significant"].astype(bool)
                              & differences["metric"].str.startswith("call_types.")]
    gains = significant[significant["metric"].str.endswith(".abandon_rate")]
    if gains.empty:
        return ""
    gain = gains.loc[gains["mean"].abs().idxmax()]
    ahead = metric("abandon_rate").preferred(float(gain["mean"]))
    prices: dict[str, list[str]] = {}
    for row in significant.itertuples():
        name, _, bare = str(row.metric).removeprefix("call_types.").rpartition(".")
        words = dict(TRADEOFF_METRICS).get(bare)
        mean = float(row.mean)
        if words and row.metric != gain["metric"] and metric(bare).preferred(mean) != ahead:
            prices.setdefault(name, []).append(_change(words, mean))
    if not prices:
        return "no call type's abandonment or service level gets significantly worse"
    return "in exchange, " + "; ".join(f"{name} callers' {' and '.join(changes)}"
                                       for name, changes in prices.items())


def _single_policy(comparison: Comparison, period: str, currency: str | None) -> str:
    summary = comparison.summary[comparison.summary["metric"] == COST_KEY]
    best = summary.loc[summary["mean"].idxmin()]
    unit = f" {currency}" if currency else ""
    ci = (f" (95% CI {amount(best['ci_low'])} to {amount(best['ci_high'])}{unit})"
          if not math.isnan(best["ci_low"]) else "")
    if len(comparison.policies) == 1:
        return f"Over the {period} horizon, {policy_label(str(best['policy']))} cost " \
               f"{amount(best['mean'])}{unit}{ci}."
    names = ", ".join(comparison.policies[:-1]) + f" and {comparison.policies[-1]}"
    return (f"Of {names} transfers, {policy_label(str(best['policy']))} cost least over the "
            f"{period} horizon: {amount(best['mean'])}{unit}{ci}.")


def headline(comparison: Comparison, scenario: Scenario) -> str:
    """The answer in one sentence.

    Parameters
    ----------
    comparison
        Result of :func:`callsim.experiments.comparison.compare`.
    scenario
        The scenario compared (for the length of its horizon).

    Returns
    -------
    str
        With two policies: the paired cost difference and its 95% CI, whether it excludes 0,
        the largest significant change in a call type's abandonment and what it costs the
        other call types (:func:`tradeoff_phrase`). With one policy or
        more than two (no paired difference): the cheapest policy's cost and CI.
    """
    period = human_duration(scenario.horizon.duration)
    diffs = comparison.differences
    if comparison.difference is None or COST_KEY not in set(diffs["metric"]):
        return _single_policy(comparison, period, scenario.costs.currency)
    b, a = comparison.difference  # read b - a
    row = diffs[diffs["metric"] == COST_KEY].iloc[0]
    cost = cost_phrase(b, a, float(row["mean"]), float(row["ci_low"]), float(row["ci_high"]),
                       period, scenario.costs.currency)
    tradeoff = tradeoff_phrase(diffs)
    return f"{cost}, and {abandonment_phrase(diffs)}" + (f"; {tradeoff}." if tradeoff else ".")
