"""The metric catalogue: one home for what every metric is called, its unit and its direction.

Tables, figures, sweep plots, Excel sheets, HTML reports, the JSON documents, staffing
targets and break-even read a metric's label, unit, format, direction and aggregation from
here instead of keeping their own copies; which policy a difference favours is decided by
:meth:`Metric.preferred` alone. Metrics are looked up by their bare name (the last part of a
flat key such as ``departments.billing.occupancy``).

It lives in the scenario layer, the lowest one that names metrics: a scenario's ``targets:``
are validated against it when the file loads, and transfer policies (a layer below analysis)
declare their own metrics with it (``TransferPolicy.metrics``), which the registry adds here
with :func:`register`. An unknown name still gets a readable label, with no unit.

Examples
--------
>>> m = metric("abandon_rate")
>>> m.axis_label(), m.axis_label(difference=True)
('Abandonment rate (%)', 'Abandonment rate (pp)')
>>> m.format(0.0432), metric("wait_mean").format(12.345), metric("total_cost").format(1234.5)
('4.3%', '12.3 s', '1,234.50')
>>> metric("asa").higher_is_better, metric("service_level").higher_is_better
(False, True)
>>> metric("departments.billing.occupancy").name
'occupancy'
>>> metric("first_contact_resolution").preferred(0.05)  # B - A = +5 points: B is better
'b'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

#: What a metric measures, which sets its display scale, unit and bounds.
Unit = Literal["share", "seconds", "currency", "count", "hours", "ratio"]
#: How a metric aggregates: over calls, over time (agent or queue time), or as a total.
Kind = Literal["per_call", "time_weighted", "total"]

_SCALE: dict[str, float] = {"share": 100.0}
_DISPLAY: dict[str, tuple[str, str]] = {
    # unit: (unit suffix, unit suffix of a difference)
    "share": ("%", "pp"),
    "seconds": ("s", "s"),
    "currency": ("per horizon", "per horizon"),
    "count": ("", ""),
    "hours": ("h", "h"),
    "ratio": ("", ""),
}
_BOUNDS: dict[str, tuple[float, float]] = {
    "share": (0.0, 1.0),
    "seconds": (0.0, math.inf),
    "currency": (0.0, math.inf),
    "count": (0.0, math.inf),
    "hours": (0.0, math.inf),
    "ratio": (0.0, math.inf),
}
#: openpyxl number formats by unit (values are written unscaled: shares as fractions).
_EXCEL: dict[str, str] = {
    "share": "0.0%",
    "seconds": '0.0" s"',
    "currency": "#,##0.00",
    "count": "#,##0.0",
    "hours": '#,##0.0" h"',
    "ratio": "0.000",
}


@dataclass(frozen=True)
class Metric:
    """One metric of the catalogue.

    Attributes
    ----------
    name
        Bare metric name, as in the JSON contract (``abandon_rate``).
    label
        Human label without unit (``Abandonment rate``).
    unit
        What it measures (:data:`Unit`): shares are stored as fractions and shown in %.
    higher_is_better
        ``True``/``False``, or ``None`` when neither is better (a count of calls).
    kind
        ``per_call`` (over calls), ``time_weighted`` (over agent or queue time) or ``total``.
    description
        One sentence for docs, tooltips and report glossaries.
    """

    name: str
    label: str
    unit: Unit
    higher_is_better: bool | None
    kind: Kind
    description: str = ""

    @property
    def scale(self) -> float:
        """Factor from the stored value to the displayed one (100 for shares)."""
        return _SCALE.get(self.unit, 1.0)

    def unit_label(self, difference: bool = False) -> str:
        """Displayed unit: ``%`` (``pp`` for a difference), ``s``, ``h``, ``per horizon``..."""
        return _DISPLAY[self.unit][1 if difference else 0]

    def axis_label(self, difference: bool = False) -> str:
        """Label with unit for an axis or a table header: ``Mean wait (s)``."""
        unit = self.unit_label(difference)
        return f"{self.label} ({unit})" if unit else self.label

    @property
    def bounds(self) -> tuple[float, float]:
        """The range a value (not a difference) can take, for clipping confidence bands."""
        return _BOUNDS[self.unit]

    @property
    def excel_format(self) -> str:
        """The openpyxl number format for the unscaled value."""
        return _EXCEL[self.unit]

    def format(self, value: float, difference: bool = False, unit: bool = True) -> str:
        """The value as text in its display unit (``4.3%``, ``12.3 s``, ``1,234.50``).

        With ``unit=False`` only the number (``4.3``, ``12.3``): for a table whose row or
        column label already names the unit (:meth:`axis_label`).
        """
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "n/a"
        sign = "+" if difference and value > 0 else ""
        scaled = value * self.scale
        digits = {"currency": 2, "ratio": 3}.get(self.unit, 1)
        number = f"{sign}{scaled:,.{digits}f}"
        if not unit or self.unit in ("currency", "count", "ratio"):
            return number
        return f"{number}{self.unit_label(difference)}" if self.unit == "share" else (
            f"{number} {self.unit_label(difference)}")

    def lower_is_better(self, assume: bool = False) -> bool | None:
        """Whether lower values are better; ``assume`` for a metric with no direction.

        Figures and break-even must name a side, so they read a metric with no direction
        (occupancy, counts) as lower-is-better (``assume=True``); tables leave it unmarked.
        """
        if self.higher_is_better is None:
            return True if assume else None
        return not self.higher_is_better

    def preferred(self, difference: float, assume_lower: bool = False) -> Literal["a", "b"] | None:
        """Which policy a paired difference ``B - A`` of this metric favours.

        The one place that decides "which policy is better": ``"b"`` when B's value is the
        better one, ``"a"`` when A's is, ``None`` for a zero or NaN difference or a metric with
        no direction (unless ``assume_lower``, see :meth:`lower_is_better`). Significance is
        the caller's to check.

        >>> metric("service_level").preferred(0.02), metric("asa").preferred(0.02)
        ('b', 'a')
        >>> metric("occupancy").preferred(0.02), metric("occupancy").preferred(0.02, True)
        (None, 'a')
        """
        lower = self.lower_is_better(assume_lower)
        if lower is None or not difference or math.isnan(difference):
            return None
        return "a" if (difference > 0) == lower else "b"


def _m(name: str, label: str, unit: Unit, better: bool | None, kind: Kind,
       description: str) -> Metric:
    return Metric(name, label, unit, better, kind, description)


_CATALOGUE: dict[str, Metric] = {
    m.name: m
    for m in (
        # per call type and overall
        _m("calls", "Calls", "count", None, "total", "Calls that arrived (after warm-up)."),
        _m("abandon_rate", "Abandonment rate", "share", False, "per_call",
           "Share of calls whose caller hung up while waiting (any stage)."),
        _m("abandon_rate_first_queue", "Abandonment in first queue", "share", False, "per_call",
           "Share of calls abandoned in the first department's queue."),
        _m("abandon_rate_after_transfer", "Abandonment after transfer", "share", False,
           "per_call", "Share of calls abandoned in the resolving queue after a transfer."),
        _m("abandon_rate_on_hold", "Abandonment on hold", "share", False, "per_call",
           "Share of calls abandoned while held by their first agent (warm)."),
        _m("drop_rate", "Drop rate", "share", False, "per_call",
           "Share of calls lost by a failed cold transfer."),
        _m("lost_rate", "Lost-call rate", "share", False, "per_call",
           "Share of calls abandoned, dropped or never reached by a callback."),
        _m("unfinished_rate", "Unfinished at close", "share", False, "per_call",
           "Share of calls still in the system when the run stopped (drain: false)."),
        _m("wait_mean", "Mean wait", "seconds", False, "per_call",
           "Time spent waiting in any queue (warm hold included), per arriving call."),
        _m("wait_p90", "90th percentile wait", "seconds", False, "per_call",
           "90% of calls waited at most this long in all."),
        _m("asa", "Average speed of answer", "seconds", False, "per_call",
           "Mean time to the first answer, over answered calls."),
        _m("service_level", "Service level", "share", True, "per_call",
           "Share of calls answered by the first agent within the threshold."),
        _m("resolution_time_mean", "Mean time to resolution", "seconds", False, "per_call",
           "From arrival to the end of service, over resolved calls."),
        _m("transfers_cold", "Cold transfers", "count", None, "total",
           "Misrouted calls transferred cold (dropped ones included)."),
        _m("transfers_warm", "Warm transfers", "count", None, "total",
           "Misrouted calls transferred warm (holds turned cold included)."),
        _m("transfers_hold_timeout", "Warm holds turned cold", "count", None, "total",
           "Warm holds that reached max_hold and turned cold."),
        _m("resolved_in_place", "Resolved in place", "count", None, "total",
           "Misrouted calls a cross-trained agent of the wrong department resolved."),
        _m("callbacks", "Callback requests", "count", None, "total",
           "Customers who hung up with a callback request (policy or warm hold turned)."),
        _m("callback_delay_mean", "Mean callback delay", "seconds", False, "per_call",
           "From the callback request to the customer reached, over reached callbacks."),
        _m("unreached_rate", "Unreached callbacks", "share", False, "per_call",
           "Share of calls whose callback never reached the customer (lost)."),
        _m("customers", "Customers", "count", None, "total",
           "Customers (first calls) who arrived after warm-up."),
        _m("redials", "Redials", "count", None, "total",
           "Calls made again by customers after a lost call."),
        _m("calls_per_customer", "Calls per customer", "ratio", None, "per_call",
           "Calls (first calls and redials) per customer."),
        _m("first_contact_resolution", "First-contact resolution", "share", True, "per_call",
           "Share of customers resolved on their first call."),
        _m("customer_loss_rate", "Customer loss rate", "share", False, "per_call",
           "Share of customers whose last call was lost (lost for good)."),
        # per department
        _m("occupancy", "Occupancy", "share", None, "time_weighted",
           "Busy agent time over staffed agent time."),
        _m("handling", "Handling", "hours", None, "time_weighted",
           "Agent-hours spent handling calls."),
        _m("identifying", "Identifying", "hours", None, "time_weighted",
           "Agent-hours spent identifying misrouted calls."),
        _m("holding", "Holding", "hours", None, "time_weighted",
           "Agent-hours spent holding warm transfers."),
        _m("handoff", "Handoff", "hours", None, "time_weighted",
           "Agent-hours spent briefing in warm handoffs (both agents)."),
        _m("calling_back", "Calling back", "hours", None, "time_weighted",
           "Agent-hours spent dialling callbacks (reached or not)."),
        _m("after_call_work", "After-call work", "hours", None, "time_weighted",
           "Agent-hours spent on after-call work (wrap-up) after calls."),
        _m("agent_hours", "Staffed agent-hours", "hours", None, "total",
           "Agent-hours on duty."),
        _m("busy_hours", "Busy agent-hours", "hours", None, "total",
           "Agent-hours busy with any call."),
        # department queues (every caller who joins the queue)
        _m("offered", "Offered to queue", "count", None, "total",
           "Callers who joined the department's queue."),
        _m("answered", "Answered calls", "count", None, "total",
           "Calls answered in the queue they reached first (call records, backtest)."),
        _m("queue_length", "Mean queue length", "count", False, "time_weighted",
           "Time-average number of callers waiting (per interval; Erlang formulas)."),
        # Erlang C / Erlang A formulas (callsim erlang)
        _m("p_wait", "Probability of waiting", "share", False, "per_call",
           "Share of callers who wait at all (Erlang C / Erlang A)."),
        _m("p_abandon", "Probability of abandoning", "share", False, "per_call",
           "Share of callers who abandon (Erlang A)."),
        # costs
        _m("staff_cost", "Staff cost", "currency", False, "total",
           "Staffed agent-hours times wage."),
        _m("transfer_agent_cost", "Transfer agent cost", "currency", False, "total",
           "Part of staff cost: agent time on misrouted calls (identify, hold, handoff) "
           "times wage, not added to the total again."),
        _m("lost_call_cost", "Lost-call cost", "currency", False, "total",
           "Lost calls (or customers lost for good) times the lost-call cost."),
        _m("total_cost", "Total cost", "currency", False, "total",
           "Staff cost plus lost-call cost."),
    )
}


_BUILT_IN = frozenset(_CATALOGUE)


def register(new: Metric) -> None:
    """Add a metric (from a plug-in); a name already catalogued must be described identically.

    Raises
    ------
    ValueError
        If another description of the same name is already registered.
    """
    old = _CATALOGUE.get(new.name)
    if old is not None and old != new:
        raise ValueError(f"metric {new.name!r} is already catalogued differently")
    _CATALOGUE[new.name] = new


def unregister(name: str) -> None:
    """Remove a metric added with :func:`register` (for tests); built-in ones stay.

    Examples
    --------
    >>> register(Metric("kept_promises", "Kept promises", "share", True, "per_call"))
    >>> metric("kept_promises").unit, unregister("kept_promises"), metric("kept_promises").unit
    ('share', None, 'count')
    """
    if name not in _BUILT_IN:
        _CATALOGUE.pop(name, None)


def metric(key: str) -> Metric:
    """The catalogue entry of a bare metric name or a flat key (its last part).

    An unknown name gets a label made from the name, unit ``count`` and no direction.
    """
    name = key.rpartition(".")[2]
    found = _CATALOGUE.get(name)
    if found is not None:
        return found
    label = name.replace("_", " ")
    return Metric(name, label[:1].upper() + label[1:], "count", None, "total")


def catalogued() -> tuple[Metric, ...]:
    """Every catalogued metric, in catalogue order."""
    return tuple(_CATALOGUE.values())


#: Columns that identify a row of a per-replication table (never metrics).
KEY_COLUMNS: tuple[str, ...] = ("policy", "replication", "seed")
#: The column numbering the points of a sweep.
POINT_COLUMN = "point"
#: Headers of the columns of output tables that are not metrics.
COLUMN_LABELS: dict[str, str] = {
    "policy": "Policy",
    "replication": "Replication",
    "seed": "Seed",
    "point": "Point",
    "metric": "Metric key",
    "label": "Metric",
    "mean": "Mean",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "n": "Replications",
    "significant": "Significant (95%)",
    "interval": "Interval",
    "start": "Start (s)",
    "end": "End (s)",
    "clock": "Clock time",
    "agents": "Agents",
    "field": "Scenario field",
    "value": "Value",
    "difference": "Difference (B - A)",
    "department": "Department",
}
_GROUP_NAMES = ("call_types", "departments")


def key_label(key: str, difference: bool = False) -> str:
    """Label with unit of a flat metric key, naming its call type or department.

    Examples
    --------
    >>> key_label("overall.abandon_rate"), key_label("departments.billing.occupancy")
    ('Abandonment rate (%)', 'billing: Occupancy (%)')
    >>> key_label("costs.total_cost", difference=True)
    'Total cost (per horizon)'
    """
    group, _, rest = key.partition(".")
    found = metric(key)
    if group in _GROUP_NAMES and "." in rest:
        return f"{rest.rpartition('.')[0]}: {found.axis_label(difference)}"
    return found.axis_label(difference)


def column_label(column: str) -> str:
    """Header of any output column: a metric key's label, or a known column's, or the name.

    Examples
    --------
    >>> column_label("ci_low"), column_label("overall.wait_mean")
    ('95% CI low', 'Mean wait (s)')
    >>> column_label("horizon.duration")  # not a metric: the name itself
    'horizon.duration'
    """
    if column in COLUMN_LABELS:
        return COLUMN_LABELS[column]
    group = column.partition(".")[0]
    if group in ("overall", "costs", *_GROUP_NAMES):
        return key_label(column)
    return column
