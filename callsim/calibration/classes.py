"""Caller priority classes: a call type per type and class, so the scenario can rank them.

The scenario gives a priority to a call type (docs/model.md section 4), while records give it to
each call (the bank's priority customers are moved ahead in the queue whatever their service
type). A call of type ``K`` and class ``c > 0`` becomes type ``K_priority{c}``; class 0 keeps
``K``. Arrivals, handle times and patience are then estimated per class, and the scenario writes
``priority: c`` on each type.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from callsim.calibration.records import CallRecords

__all__ = ["class_name", "priorities", "with_priority_classes"]


def class_name(call_type: str, priority: int) -> str:
    """The call type of a caller of ``priority`` class: ``ps`` or ``ps_priority1``."""
    return call_type if priority == 0 else f"{call_type}_priority{priority}"


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
