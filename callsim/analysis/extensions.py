"""Metrics of MODEL.md section 4's options: conditional warm, callbacks, cross-trained agents.

Counted per call group (``overall`` and each call type) next to the metrics of
:mod:`callsim.analysis.metrics`, which calls :func:`extension_call_metrics`. Every key is present
under every policy (zero where the option does not apply), so runs of different policies compare
key by key.
"""

from __future__ import annotations

import numpy as np

from callsim.analysis.segments import CALLBACK_KINDS, CallArrays, any_of
from callsim.engine.records import Outcome, TransferKind

#: Outcomes of a lost call: abandoned, dropped, or a callback never reached.
LOST_OUTCOMES: tuple[int, ...] = (Outcome.ABANDONED, Outcome.DROPPED, Outcome.UNREACHED)

#: Per-call-group metrics of section 4's options (counts of calls).
EXTENSION_CALL_METRICS: tuple[str, ...] = (
    "transfers_conditional_warm",
    "transfers_conditional_cold",
    "resolved_in_place",
    "callbacks",
    "callback_delay_mean",
    "unreached_rate",
    "customers",
    "redials",
    "calls_per_customer",
    "first_contact_resolution",
    "customer_loss_rate",
)

#: The policy whose transfers count as conditional decisions.
CONDITIONAL = "conditional"


def extension_call_metrics(c: CallArrays, mask: np.ndarray, policy: str) -> dict[str, float]:
    """Section 4 counts over the calls selected by ``mask``.

    Parameters
    ----------
    c
        Call arrays of one replication.
    mask
        Calls of the group (boolean, one per call).
    policy
        The transfer policy of the run: conditional decisions are counted under
        ``conditional`` only (warm holds later turned cold at ``max_hold`` count as warm).

    Returns
    -------
    dict[str, float]
        ``transfers_conditional_warm``, ``transfers_conditional_cold`` and
        ``resolved_in_place`` (calls a cross-trained agent of a wrong department resolved),
        ``callbacks`` (callback requests), ``callback_delay_mean`` (s, from the request to the
        customer reached, over reached callbacks; NaN without any) and ``unreached_rate``
        (share of the group's calls whose callback never reached the customer).
    """
    kind = c.kind[mask]
    conditional = policy == CONDITIONAL
    warm = (kind == TransferKind.WARM) | (kind == TransferKind.WARM_TO_COLD)
    return {
        "transfers_conditional_warm": float(np.count_nonzero(warm)) if conditional else 0.0,
        "transfers_conditional_cold": (
            float(np.count_nonzero(kind == TransferKind.COLD)) if conditional else 0.0
        ),
        "resolved_in_place": float(np.count_nonzero(kind == TransferKind.IN_PLACE)),
        **_callback_metrics(c, mask),
        **customer_metrics(c, mask),
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


def customer_metrics(c: CallArrays, mask: np.ndarray) -> dict[str, float]:
    """Customer metrics of the customers whose first call is in ``mask``.

    ``customers`` (first calls), ``redials`` (later calls in ``mask``), ``calls_per_customer``,
    ``first_contact_resolution`` (share of customers resolved on their first call) and
    ``customer_loss_rate`` (share whose last call was lost).
    """
    first = mask & (c.attempt == 1)
    n = int(np.count_nonzero(first))
    calls = int(np.count_nonzero(mask))
    nan = float("nan")
    lost = lost_for_good(c)[c.customer[first]]
    return {
        "customers": float(n),
        "redials": float(calls - n),
        "calls_per_customer": calls / n if n else nan,
        "first_contact_resolution": (
            float(np.count_nonzero(c.outcome[first] == Outcome.RESOLVED)) / n if n else nan
        ),
        "customer_loss_rate": float(np.count_nonzero(lost)) / n if n else nan,
    }


def _callback_metrics(c: CallArrays, mask: np.ndarray) -> dict[str, float]:
    requested = mask & any_of(c.kind, CALLBACK_KINDS)
    reached = requested & ~np.isnan(c.answer_after_transfer)
    n = int(np.count_nonzero(mask))
    delay = c.answer_after_transfer[reached] - c.hold_end[reached]
    return {
        "callbacks": float(np.count_nonzero(requested)),
        "callback_delay_mean": float(delay.mean()) if delay.size else float("nan"),
        "unreached_rate": (
            float(np.count_nonzero(mask & (c.outcome == Outcome.UNREACHED))) / n
            if n else float("nan")
        ),
    }
