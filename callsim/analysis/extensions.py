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
#: section 3: "unreached, a lost call"). The one definition of "lost".
LOST_OUTCOMES: tuple[int, ...] = (Outcome.ABANDONED, Outcome.DROPPED, Outcome.UNREACHED)

def policy_metric_names() -> tuple[str, ...]:
    """Metrics the registered policies add (``TransferPolicy.metrics``), in registry order."""
    return tuple(m.name for m in registry.added_metrics())


def policy_call_metrics(c: CallArrays, mask: np.ndarray, policy: str) -> dict[str, float]:
    """Every policy's own metrics over the calls in ``mask``: the run's policy's hook, 0 else.

    The policy is asked (``call_metrics``), never named: a policy that adds metrics declares
    them (``TransferPolicy.metrics``), and every run reports them so that runs of different
    policies compare key by key.
    """
    out = dict.fromkeys(policy_metric_names(), 0.0)
    if policy in registry.names():
        hook = getattr(registry.get(policy), "call_metrics", None)
        if hook is not None:
            out.update(hook(CallGroup(c.kind[mask], c.outcome[mask], c.stage[mask])))
    return out


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
    in_place = c.derived("resolved_in_place", lambda c: c.kind == _IN_PLACE)
    return {
        **policy_call_metrics(c, mask, policy),
        "resolved_in_place": float(np.count_nonzero(mask & in_place)),
        **_callback_metrics(c, mask),
        **customer_metrics(c, mask),
        **{name: function(c, mask) for name, function in _ADDED.items()},
    }


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
    n = int(np.count_nonzero(first))
    calls = int(np.count_nonzero(mask))
    nan = float("nan")
    return {
        "customers": float(n),
        "redials": float(calls - n),
        "calls_per_customer": calls / n if n else nan,
        "first_contact_resolution": (
            float(np.count_nonzero(first & flags.resolved)) / n if n else nan
        ),
        "customer_loss_rate": float(np.count_nonzero(first & flags.lost)) / n if n else nan,
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


def _callback_metrics(c: CallArrays, mask: np.ndarray) -> dict[str, float]:
    callback, any_callback, unreached = c.derived("callback_flags", _callback_flags)
    n = int(np.count_nonzero(mask))
    callbacks, delay_mean = 0.0, float("nan")
    if any_callback:  # most runs have none: nothing to select
        requested = mask & callback
        reached = requested & ~np.isnan(c.answer_after_transfer)
        delay = c.answer_after_transfer[reached] - c.hold_end[reached]
        callbacks = float(np.count_nonzero(requested))
        delay_mean = float(delay.mean()) if delay.size else float("nan")
    return {
        "callbacks": callbacks,
        "callback_delay_mean": delay_mean,
        "unreached_rate": float(np.count_nonzero(mask & unreached)) / n if n else float("nan"),
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
