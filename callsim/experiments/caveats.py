"""Results that are not what they seem: warnings printed beside the numbers (issue 11).

Two situations give numbers that read well but mean less than they appear to:

- ``drain: false`` and calls still in the system when the horizon closes: their waits and
  outcomes are cut off, so waits, abandonment and service level describe only the finished
  calls. Above :data:`UNFINISHED_SHARE` of arrivals this is worth a warning, with the count.
- a horizon too short for its warm-up: after the warm-up, less time is measured than the
  warm-up itself, or than :data:`MIN_SERVICES` mean handle times of the slowest call type, so
  the start-up dominates what is measured.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from callsim.scenario.schema import Scenario

__all__ = ["MIN_SERVICES", "UNFINISHED_SHARE", "horizon_caveats", "result_caveats"]

#: Share of arrivals still in the system at close (``drain: false``) above which to warn.
UNFINISHED_SHARE = 0.01
#: The measured period should hold at least this many mean handle times.
MIN_SERVICES = 10


def horizon_caveats(scenario: Scenario) -> list[str]:
    """Warnings about the horizon of ``scenario`` (empty when there are none)."""
    h = scenario.horizon
    measured = h.duration - h.warmup
    handle = max(ct.handle_time.expected() * max(scenario.handle_scales(k))  # longest factor
                 for k, ct in scenario.call_types.items())
    if h.warmup > 0 and measured < h.warmup:
        return [f"the horizon measures {measured:g} s after a warm-up of {h.warmup:g} s: "
                "less than the warm-up itself; lengthen horizon.duration"]
    if measured < MIN_SERVICES * handle:
        return [f"the horizon measures {measured:g} s after the warm-up, fewer than "
                f"{MIN_SERVICES} mean handle times ({handle:g} s): start-up effects dominate; "
                "lengthen horizon.duration"]
    return []


def result_caveats(table: pd.DataFrame, scenario: Scenario) -> list[str]:
    """Warnings about results: calls unfinished at close, or still waiting when a drain ended.

    Without drain, unfinished calls above the threshold; with ``drain: true``, any call still
    waiting when the drain ended (its queue never emptied).

    ``table`` holds one row per replication (and policy) with ``overall.calls`` and
    ``overall.unfinished_rate``.
    """
    if "overall.unfinished_rate" not in table:
        return []
    share = float(table["overall.unfinished_rate"].mean())
    if scenario.horizon.drain:
        return _never_emptied(table, share)
    if not share > UNFINISHED_SHARE:
        return []
    count = float((table["overall.unfinished_rate"] * table["overall.calls"]).mean())
    return [f"{share:.1%} of calls (about {count:.0f} per replication) were still in the system "
            "when the horizon closed (drain: false): waits and outcomes describe the finished "
            "calls only; set horizon.drain: true or lengthen the horizon"]


def _never_emptied(table: pd.DataFrame, share: float) -> list[str]:
    """Callers still waiting when a drain ended: nobody could answer them.

    ``patience: null`` callers in a queue with no agent on duty, or agents holding for each
    other.
    """
    if not share > 0:
        return []
    count = float((table["overall.unfinished_rate"] * table["overall.calls"]).mean())
    return [f"{share:.1%} of calls (about {count:.0f} per replication) were still waiting when "
            "the drain ended: their queue never emptied (no agent on duty to answer them, and "
            "patience: null callers never abandon); they are unfinished, not abandoned"]
