"""Metrics of the options beyond cold and warm: conditional warm, callbacks, cross-trained agents.

The options are those of docs/model.md section 3 ("Beyond cold and warm").

Counted per call group (``overall`` and each call type) next to the metrics of
:mod:`callsim.analysis.metrics`, which calls :func:`extension_call_metrics`. Every key is present
under every policy (zero where the option does not apply), so runs of different policies compare
key by key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from callsim.analysis.segments import CALLBACK_KINDS, CallArrays, any_of
from callsim.engine.records import Outcome, TransferKind
from callsim.policies import registry
from callsim.policies.protocol import CallGroup
from callsim.scenario import catalogue
from callsim.scenario.catalogue import Metric

#: Codes as plain ints: comparing an array with an enum member costs three times more.
_RESOLVED, _UNREACHED, _IN_PLACE = (
    int(Outcome.RESOLVED), int(Outcome.UNREACHED), int(TransferKind.IN_PLACE))

#: Computes a metric over the calls of one group (``mask``) of one replication.
CallMetricFunction = Callable[[CallArrays, np.ndarray], float]

#: Per-call-group metrics added with :func:`call_metric`, by name, in the order added.
_ADDED: dict[str, CallMetricFunction] = {}


def call_metric(entry: Metric) -> Callable[[CallMetricFunction], CallMetricFunction]:
    """Add a per-call-group metric: its catalogue entry and the function that computes it.

    A decorator: the function takes the call arrays and the group's mask and returns a float;
    ``compute_metrics`` then reports it for ``overall`` and each call type, after the metrics
    of this module, and the catalogue knows its label, unit, direction and aggregation. How
    to add a metric (docs/DESIGN.md): this decorator on one function, its line in
    docs/model.md, its test.

    Examples
    --------
    >>> @call_metric(Metric("short_calls", "Short calls", "count", None, "total",
    ...                     "Calls shorter than a minute, arrival to end."))
    ... def short_calls(c, mask):
    ...     return float(np.count_nonzero(mask & (c.end - c.arrival < 60)))
    >>> catalogue.metric("short_calls").label
    'Short calls'
    >>> remove_call_metric("short_calls")
    """
    def add(function: CallMetricFunction) -> CallMetricFunction:
        catalogue.register(entry)
        _ADDED[entry.name] = function
        return function
    return add


def remove_call_metric(name: str) -> None:
    """Remove a metric added with :func:`call_metric` (for tests); unknown names are ignored."""
    if _ADDED.pop(name, None) is not None:
        catalogue.unregister(name)

#: Outcomes of a lost call: abandoned, dropped, or a callback never reached (docs/model.md
#: section 3: "unreached, a lost call"). The one definition of "lost". Plain ints: an array
#: compared with an enum member converts it every time (about 70 us a run, 5% of the metrics).
LOST_OUTCOMES: tuple[int, ...] = (
    int(Outcome.ABANDONED), int(Outcome.DROPPED), int(Outcome.UNREACHED))

def policy_metric_names() -> tuple[str, ...]:
    """Metrics the registered policies add (``TransferPolicy.metrics``), in registry order."""
    return tuple(m.name for m in registry.added_metrics())


def policy_call_metrics(c: CallArrays, mask: np.ndarray, policy: str) -> dict[str, float]:
    """Every policy's own metrics over the calls in ``mask``: the run's policy's hook, 0 else.

    The policy is asked (``call_metrics``), never named: a policy that adds metrics declares
    them (``TransferPolicy.metrics``), and every run reports them so that runs of different
    policies compare key by key.
    """
    return _policy_metrics(c, [mask], policy)[0]


def _policy_metrics(c: CallArrays, masks: list[np.ndarray], policy: str
                    ) -> list[dict[str, float]]:
    """:func:`policy_call_metrics` of each mask (the registry asked once)."""
    defaults = dict.fromkeys(policy_metric_names(), 0.0)
    hook = (getattr(registry.get(policy), "call_metrics", None)
            if policy in registry.names() else None)
    if hook is None:
        return [dict(defaults) for _ in masks]
    return [{**defaults, **hook(CallGroup(c.kind[m], c.outcome[m], c.stage[m]))}
            for m in masks]


def extension_call_metrics(c: CallArrays, mask: np.ndarray, policy: str) -> dict[str, float]:
    """Section 3's options ("Beyond cold and warm") counted over the calls selected by ``mask``.

    Parameters
    ----------
    c
        Call arrays of one replication.
    mask
        Calls of the group (boolean, one per call).
    policy
        The transfer policy of the run: its own metrics (:func:`policy_call_metrics`) are
        counted under it only.

    Returns
    -------
    dict[str, float]
        The policies' own metrics (``transfers_conditional_warm``,
        ``transfers_conditional_cold``), ``resolved_in_place`` (calls a cross-trained agent
        of a wrong department resolved), ``callbacks`` (callback requests),
        ``callback_delay_mean`` (s, from the request to the customer reached, over reached
        callbacks; NaN without any) and ``unreached_rate`` (share of the group's calls whose
        callback never reached the customer), then the customer metrics.
    """
    return extension_group_metrics(c, mask, np.zeros(mask.shape, np.int64), 0, policy)[0]


def extension_group_metrics(c: CallArrays, counted: np.ndarray, group: np.ndarray,
                            n_groups: int, policy: str) -> list[dict[str, float]]:
    """:func:`extension_call_metrics` of all counted calls and of each group, in one pass.

    ``group`` numbers every call's group (``1..n_groups``; 0: in none of them); the first dict
    is over every ``counted`` call, then one per group, each over the counted calls of the
    group. What every group reads (the flags, the policy's hook) is looked up once.
    """
    masks = [counted, *(counted & (group == k) for k in range(1, n_groups + 1))]
    counts = _group_counts(c, masks)
    out = []
    for g, (own, mask) in enumerate(zip(_policy_metrics(c, masks, policy), masks, strict=True)):
        n_calls, in_place, callbacks, unreached, first, resolved, lost = counts[g]
        out.append({
            **own,
            "resolved_in_place": float(in_place),
            **_callback_metrics(c, mask, callbacks, unreached, n_calls),
            **_customer_counts(n_calls, first, resolved, lost),
            **{name: function(c, mask) for name, function in _ADDED.items()},
        })
    return out


def _group_counts(c: CallArrays, masks: list[np.ndarray]) -> list[list[int]]:
    """Per mask: its calls, then the calls of each flag among them.

    The flags, in order: resolved in place, a callback request, unreached, a customer's first
    call, and first calls that were resolved and whose customer was lost for good.
    """
    flags = _customer_flags(c)
    callback, _, unreached = c.derived("callback_flags", _callback_flags)
    in_place = c.derived("resolved_in_place", lambda c: c.kind == _IN_PLACE)
    first = flags.first
    columns = (in_place, callback, unreached, first, first & flags.resolved, first & flags.lost)
    return [[int(np.count_nonzero(mask)), *(int(np.count_nonzero(mask & f)) for f in columns)]
            for mask in masks]


def lost_for_good(c: CallArrays) -> np.ndarray:
    """Per customer (by number): whether their last call was lost.

    Lost: abandoned, dropped or unreached. Without redials, whether their one call was lost.
    Computed once per ``c`` (shared: do not modify).
    """
    return c.derived("lost_for_good", _lost_for_good)


def _lost_for_good(c: CallArrays) -> np.ndarray:
    lost = any_of(c.outcome, LOST_OUTCOMES)
    if c.attempt.size == 0 or c.attempt.max() == 1:
        out = np.zeros(len(lost), dtype=bool)
        out[c.customer] = lost
        return out
    order = np.lexsort((c.attempt, c.customer))  # each customer's calls, last attempt last
    out = np.zeros(int(c.customer.max()) + 1, dtype=bool)
    out[c.customer[order]] = lost[order]  # later writes (later attempts) win
    return out


def lost_customers(c: CallArrays, counted: np.ndarray) -> int:
    """Customers lost for good, of those whose first call is ``counted`` (after warm-up).

    What ``costs.lost_call_cost`` charges, and what the staffing search counts: without
    redials, the lost calls (abandoned, dropped or unreached, :data:`LOST_OUTCOMES`).
    """
    first = counted & (c.attempt == 1)
    return int(np.count_nonzero(lost_for_good(c)[c.customer[first]]))


def customer_metrics(c: CallArrays, mask: np.ndarray) -> dict[str, float]:
    """Customer metrics of the customers whose first call is in ``mask``.

    ``customers`` (first calls), ``redials`` (later calls in ``mask``), ``calls_per_customer``,
    ``first_contact_resolution`` (share of customers resolved on their first call) and
    ``customer_loss_rate`` (share whose last call was lost).
    """
    flags = _customer_flags(c)
    first = mask if flags.all_first else mask & flags.first
    return _customer_counts(int(np.count_nonzero(mask)), int(np.count_nonzero(first)),
                            int(np.count_nonzero(first & flags.resolved)),
                            int(np.count_nonzero(first & flags.lost)))


def _customer_counts(calls: int, n: int, resolved: int, lost: int) -> dict[str, float]:
    """:func:`customer_metrics` from its counts.

    Calls, first calls, and the first calls resolved and whose customer was lost for good.
    """
    nan = float("nan")
    return {
        "customers": float(n),
        "redials": float(calls - n),
        "calls_per_customer": calls / n if n else nan,
        "first_contact_resolution": float(resolved) / n if n else nan,
        "customer_loss_rate": float(lost) / n if n else nan,
    }


class _CustomerFlags(NamedTuple):
    """Per call: a first call? resolved? its customer lost for good? (once per call arrays)."""

    first: np.ndarray
    all_first: bool
    resolved: np.ndarray
    lost: np.ndarray


def _customer_flags(c: CallArrays) -> _CustomerFlags:
    def make(c: CallArrays) -> _CustomerFlags:
        first = c.attempt == 1
        return _CustomerFlags(first, bool(first.all()), c.outcome == _RESOLVED,
                              lost_for_good(c)[c.customer])
    return c.derived("customer_flags", make)


def _callback_metrics(c: CallArrays, mask: np.ndarray, callbacks: int, unreached: int,
                      n: int) -> dict[str, float]:
    """Callback metrics of the calls in ``mask``.

    ``callbacks`` (requests), ``unreached`` and ``n`` (calls) are counted already.
    """
    callback, any_callback, _ = c.derived("callback_flags", _callback_flags)
    delay_mean = float("nan")
    if any_callback:  # most runs have none: nothing to select
        reached = mask & callback & ~np.isnan(c.answer_after_transfer)
        delay = c.answer_after_transfer[reached] - c.hold_end[reached]
        delay_mean = float(delay.mean()) if delay.size else float("nan")
    return {
        "callbacks": float(callbacks),
        "callback_delay_mean": delay_mean,
        "unreached_rate": float(unreached) / n if n else float("nan"),
    }


def _callback_flags(c: CallArrays) -> tuple[np.ndarray, bool, np.ndarray]:
    """Per call: a callback request? whether any; never reached? (once per call arrays)."""
    callback = any_of(c.kind, CALLBACK_KINDS)
    return callback, bool(callback.any()), c.outcome == _UNREACHED


#: Per-call-group metrics of the options beyond cold and warm (counts of calls), the metrics
#: policies add first (``transfers_conditional_warm`` and ``_cold``, from ``conditional``),
#: then those added with :func:`call_metric` above this line.
EXTENSION_CALL_METRICS: tuple[str, ...] = (
    *policy_metric_names(),
    "resolved_in_place",
    "callbacks",
    "callback_delay_mean",
    "unreached_rate",
    "customers",
    "redials",
    "calls_per_customer",
    "first_contact_resolution",
    "customer_loss_rate",
    *_ADDED,  # metrics added with call_metric in this module (above)
)
