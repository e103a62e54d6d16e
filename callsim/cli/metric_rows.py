"""Which metric rows a terminal table shows, under which heading, and the answer above it.

A scenario that uses no callbacks, redials or conditional transfers still reports their
metrics, all zero: :func:`unused_metrics` finds the metrics that are zero (or undefined) in
every row of every policy, which tables hide unless ``--all-metrics`` is given. The rest is
grouped per call (overall, then per call type), per department, and costs, where transfer
agent cost is shown indented under staff cost because it is part of it (docs/model.md,
"Costs").

>>> section_label("overall.asa"), section_label("call_types.billing.asa")
('per call: overall', 'per call: call type billing')
>>> section_label("departments.support.occupancy"), row_label("costs.transfer_agent_cost")
('per department: support', '    of which transfers')
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from callsim.scenario import catalogue

if TYPE_CHECKING:
    import pandas as pd

#: Cost rows that are part of the row above them, not added to the total.
PART_OF_ABOVE = {"transfer_agent_cost": "of which transfers"}
#: Metrics that only repeat others when a feature is unused: without redials every customer
#: calls once, so customers = calls and calls per customer = 1.
REDUNDANT_WITHOUT = {"redials": ("customers", "calls_per_customer")}


def _split(key: str) -> tuple[str, str | None, str]:
    from callsim.analysis.documents import split_key

    return split_key(key)


def unused_metrics(frames: Iterable[pd.DataFrame]) -> list[str]:
    """Bare metric names whose mean is 0 or undefined in every row of every frame.

    Parameters
    ----------
    frames
        Summaries indexed by flat metric key, with a ``mean`` column (one per policy).

    Returns
    -------
    list[str]
        The names, in the order their first key appears, then the metrics that only repeat
        others when those are unused (:data:`REDUNDANT_WITHOUT`).
    """
    used: dict[str, bool] = {}
    for frame in frames:
        for key, mean in frame["mean"].items():
            name = _split(str(key))[2]
            nonzero = mean is not None and not math.isnan(float(mean)) and float(mean) != 0.0
            used[name] = used.get(name, False) or nonzero
    unused = [name for name, is_used in used.items() if not is_used]
    extra = [name for feature in unused for name in REDUNDANT_WITHOUT.get(feature, ())
             if name in used and name not in unused]
    return unused + extra


def shown_keys(keys: Iterable[str], hidden: Iterable[str]) -> list[str]:
    """The keys whose metric is not hidden, in their order."""
    skip = set(hidden)
    return [key for key in keys if _split(key)[2] not in skip]


def section_label(key: str, cost_words: str = "") -> str:
    """Heading of the section a flat metric key belongs to (per call, per department, costs).

    ``cost_words`` says what amounts are counted in (``EUR per 12 h horizon``, from
    :func:`callsim.report.headline.cost_unit`); it follows ``costs``.

    >>> section_label("costs.total_cost", "EUR per day")
    'costs (EUR per day)'
    """
    group, name, _ = _split(key)
    if group == "overall":
        return "per call: overall"
    if group == "call_types":
        return f"per call: call type {name}"
    if group == "departments":
        return f"per department: {name}"
    return f"{group} ({cost_words})" if cost_words else str(group)


def row_label(key: str) -> str:
    """Label of a row: the catalogue's, indented, or "of which ..." for a part of the row above."""
    name = _split(key)[2]
    if name in PART_OF_ABOVE:
        return f"    {PART_OF_ABOVE[name]}"
    return f"  {catalogue.metric(name).label}"


def hidden_note(hidden: list[str]) -> str:
    """The line under a table that names the hidden metrics ("" when none is hidden)."""
    if not hidden:
        return ""
    labels = ", ".join(catalogue.metric(name).label for name in hidden)
    return (f"hidden: {len(hidden)} metrics that are zero throughout (features this scenario "
            f"does not use) or repeat others: {labels}; --all-metrics shows them")
