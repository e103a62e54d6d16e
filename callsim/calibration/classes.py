"""Caller priority classes: a call type per type and class, so the scenario can rank them.

The scenario gives a priority to a call type (docs/model.md section 4), while records give it to
each call (the bank's priority customers are moved ahead in the queue whatever their service
type). A call of type ``K`` and class ``c > 0`` becomes type ``K_priority{c}``; class 0 keeps
``K``. Arrivals, handle times and patience are then estimated per class, and the scenario writes
``priority: c`` on each type when the records show that class answered first
(:func:`not_answered_first`: not when its callers waited longer than the class below).
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

import numpy as np

from callsim.calibration.records import CallRecords

__all__ = ["class_name", "has_classes", "not_answered_first", "priorities",
           "with_priority_classes"]


def class_name(call_type: str, priority: int) -> str:
    """The call type of a caller of ``priority`` class: ``ps`` or ``ps_priority1``.

    A type already named for its class keeps its name, so splitting records twice (records of
    a calibration passed to ``backtest``) is splitting them once.

    >>> class_name("ps", 0), class_name("ps", 1), class_name("ps_priority1", 1)
    ('ps', 'ps_priority1', 'ps_priority1')
    """
    suffix = f"_priority{priority}"
    return call_type if priority == 0 or call_type.endswith(suffix) else call_type + suffix


def with_priority_classes(records: CallRecords) -> CallRecords:
    """The records with each call type split by priority class (unchanged without classes)."""
    frame = records.frame
    if "priority" not in records.present or not (frame["priority"] > 0).any():
        return records
    frame = frame.copy()
    names = [class_name(str(k), int(c)) for k, c in
             zip(frame["call_type"].astype(str), frame["priority"], strict=True)]
    frame["call_type"] = np.array(names, dtype=object)
    frame["call_type"] = frame["call_type"].astype("category")
    return replace(records, frame=frame)


def priorities(records: CallRecords) -> dict[str, int]:
    """The priority class of each call type (0 without classes)."""
    frame = records.frame
    if "priority" not in records.present:
        return {str(k): 0 for k in frame["call_type"].cat.categories}
    top = frame.groupby("call_type", observed=True)["priority"].max()
    return {str(k): int(v) for k, v in top.items()}


def has_classes(call_types: list[str]) -> bool:
    """Whether call types are named for priority classes (``ps_priority1``).

    >>> has_classes(["ps", "ps_priority1"]), has_classes(["ps", "billing"])
    (True, False)
    """
    return any(re.search(r"_priority[1-9][0-9]*$", k) for k in call_types)


def not_answered_first(records: CallRecords) -> dict[int, str]:
    """Classes the records show *not* answered before the class below, each with why.

    A class is answered first in the model (``priority``); the records contradict that when
    its answered callers waited longer on average than those of the class below, by more
    than the 95% uncertainty of the difference (the standard errors of both means). The
    bank's priority customers waited 51 s on average against 26 s for the others and were
    answered at once 2% of the time against 68% (docs/calibration.md): a scenario that
    answered them first made the others wait longer than they did.
    """
    frame = records.frame
    if "priority" not in records.present:
        return {}
    waits = frame.loc[frame["answered"].to_numpy(dtype=bool), ["priority", "waited"]].dropna()
    stats = waits.groupby("priority")["waited"].agg(["mean", "sem", "size"])
    stats["zero"] = waits.groupby("priority")["waited"].agg(lambda w: float(np.mean(w <= 0)))
    out = {}
    classes = sorted(int(c) for c in stats.index)
    for below, above in zip(classes, classes[1:], strict=False):
        hi, lo = stats.loc[above], stats.loc[below]
        spread = 1.96 * math.hypot(float(np.nan_to_num(hi["sem"])), float(np.nan_to_num(lo["sem"])))
        if hi["mean"] - lo["mean"] > spread:
            out[above] = (f"class {above} callers waited {hi['mean']:.1f} s on average "
                          f"(answered at once {100 * hi['zero']:.0f}%, {int(hi['size']):,} calls) "
                          f"against {lo['mean']:.1f} s ({100 * lo['zero']:.0f}%) for class "
                          f"{below}: not answered first, no priority")
    return out
