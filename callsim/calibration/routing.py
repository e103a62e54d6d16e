"""Who resolves each call type, how often the IVR misroutes it, and how transfers were made.

- The resolving department of a call type is the queue that answered most of its calls without
  transferring them.
- A misroute share is the share of a call type's calls that reached another department first.
  With a ``call_type`` column every call counts (abandoned ones too); without one, a call's type
  is only known when it was answered, so the share is taken among answered calls (from the
  transfer columns).
- The transfer policy is the kind most transfers were (``cold`` or ``warm``). The identify time
  is the first agent's time on cold-transferred calls (on warm ones it also holds the wait).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from callsim.calibration.fitting import DurationFit, fit_durations
from callsim.calibration.records import CallRecords

__all__ = ["MIN_IDENTIFY", "Misroute", "Routing", "estimate_routing"]

#: Fewer cold transfers than this: the identify time is a marked default.
MIN_IDENTIFY = 30


@dataclass(frozen=True)
class Misroute:
    """The share of ``call_type`` calls the IVR sent to ``department`` first.

    ``n`` calls of the type (the denominator), ``count`` of them sent there, 95% Wilson CI.
    """

    call_type: str
    department: str
    share: float
    ci: tuple[float, float]
    count: int
    n: int


@dataclass(frozen=True)
class Routing:
    """Routing and transfer facts of the records.

    Attributes
    ----------
    resolved_by
        Resolving department of each call type.
    misroutes
        Misroute shares (empty when no call reached a wrong department, or nothing tells).
    known
        Whether the records can show misroutes at all (a ``call_type`` or ``transferred_to``
        column).
    among_answered
        True when shares are taken among answered calls (no ``call_type`` column).
    transfer_counts
        Transfers by kind (``cold``, ``warm``, ``unknown``).
    identify
        Fit of the first agent's time on cold transfers, or None.
    """

    resolved_by: dict[str, str]
    misroutes: list[Misroute]
    known: bool
    among_answered: bool
    transfer_counts: dict[str, int]
    identify: DurationFit | None


def _resolvers(frame: pd.DataFrame) -> dict[str, str]:
    kept = frame[frame["answered"] & frame["transferred_to"].isna()]
    out = {}
    for call_type in frame["call_type"].cat.categories:
        for source in (kept[kept["call_type"] == call_type]["queue"],
                       frame[frame["call_type"] == call_type]["transferred_to"].dropna(),
                       frame[frame["call_type"] == call_type]["queue"]):
            counts = source.astype(str).value_counts()
            if len(counts):
                out[str(call_type)] = str(counts.index[0])
                break
    return out


def _wilson(count: int, n: int) -> tuple[float, float]:
    ci = stats.binomtest(count, n).proportion_ci(confidence_level=0.95, method="wilson")
    return float(ci.low), float(ci.high)


def estimate_routing(records: CallRecords) -> Routing:
    """Resolving departments, misroute shares, transfer kinds and identify time."""
    frame = records.frame
    resolved_by = _resolvers(frame)
    has_type = "call_type" in records.present
    known = has_type or "transferred_to" in records.present
    base = frame if has_type else frame[frame["answered"]]
    misroutes = []
    if known:
        pairs = base.groupby(["call_type", "queue"], observed=True).size()
        totals = base.groupby("call_type", observed=True).size()
        for (call_type, queue), count in pairs.items():
            if resolved_by.get(str(call_type)) == str(queue) or count == 0:
                continue
            n = int(totals[call_type])
            misroutes.append(Misroute(str(call_type), str(queue), count / n,
                                      _wilson(int(count), n), int(count), n))
    kinds = frame["transfer_kind"].astype(object).where(frame["transfer_kind"].notna(), "unknown")
    kinds = kinds[frame["transferred_to"].notna()]
    counts = {str(k): int(v) for k, v in kinds.value_counts().items()}
    cold = frame[frame["transfer_kind"] == "cold"]["handled"].to_numpy(dtype=float)
    cold = cold[np.isfinite(cold)]
    identify = fit_durations(cold) if cold.size >= MIN_IDENTIFY else None
    return Routing(resolved_by, misroutes, known, not has_type, counts, identify)
