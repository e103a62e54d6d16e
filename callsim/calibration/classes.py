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
