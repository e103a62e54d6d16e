"""Service targets: ``[DEPT:]METRIC(>=|<=)VALUE`` (docs/model.md section 4, `targets`).

A target bounds one department queue metric (``service_level``, ``abandon_rate``, ``asa``,
``wait_mean``) or a department's ``occupancy``; without ``DEPT:`` it applies to every
department. Shares are fractions (``0.8``) or percentages (``80%``); times are seconds or
durations (``30s``, ``0.5min``). Each metric has the direction that more agents move it
towards: ``>=`` for a metric the catalogue marks higher-is-better (``service_level``), ``<=``
for the others (more agents lower waits, abandonment and occupancy), so a staffing search can
always reach it. Units and directions are the catalogue's (:mod:`callsim.scenario.catalogue`).

The grammar lives in the scenario layer so that a scenario's ``targets:`` list is checked when
the file is loaded, like every other field.

>>> t = parse_target("billing:asa<=30s")
>>> t.department, t.metric, t.op, t.value
('billing', 'asa', '<=', 30.0)
>>> parse_target("service_level>=80%").value
0.8
>>> parse_target("service_level>=0.8").holds(0.79)
False
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from callsim.scenario.catalogue import metric as catalogue_metric
from callsim.scenario.durations import parse_duration
from callsim.scenario.limits import MAX_SECONDS

__all__ = ["TARGET_METRICS", "Target", "TargetError", "parse_target", "target_op"]

#: Metrics a target may bound: the department queue metrics and a department's occupancy.
TARGET_METRICS: tuple[str, ...] = ("service_level", "abandon_rate", "asa", "wait_mean",
                                   "occupancy")
_PATTERN = re.compile(
    r"^\s*(?:(?P<dept>[A-Za-z0-9_-]+)\s*:)?\s*(?P<metric>[A-Za-z_]+)\s*"
    r"(?P<op>>=|<=)\s*(?P<value>\S.*?)\s*$"
)


class TargetError(ValueError):
    """A target that does not follow the grammar; the message is one line."""


@dataclass(frozen=True)
class Target:
    """One service target.

    Attributes
    ----------
    department
        The department it applies to, or ``None`` for every department.
    metric
        One of :data:`TARGET_METRICS`.
    op
        ``">="`` or ``"<="``.
    value
        The bound: a share in [0, 1] or seconds.
    text
        The target as written.
    """

    department: str | None
    metric: str
    op: str
    value: float
    text: str

    def holds(self, estimate: float) -> bool:
        """Whether an estimate meets the target (a NaN estimate, nobody offered, meets it)."""
        if estimate != estimate:  # NaN
            return True
        return estimate >= self.value if self.op == ">=" else estimate <= self.value

    def applies_to(self, department: str) -> bool:
        """Whether the target constrains ``department``."""
        return self.department is None or self.department == department

    def label(self, department: str) -> str:
        """The target for one department, as text: ``billing:service_level>=0.8``."""
        return f"{department}:{self.metric}{self.op}{self.value:g}"


def target_op(metric: str) -> str:
    """The comparison more agents move ``metric`` towards (from its catalogue direction).

    >>> target_op("service_level"), target_op("asa"), target_op("occupancy")
    ('>=', '<=', '<=')
    """
    return ">=" if catalogue_metric(metric).higher_is_better else "<="


def _value(metric: str, text: str) -> float:
    if catalogue_metric(metric).unit == "share":
        try:
            value = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            raise TargetError(f"{metric} needs a share such as 0.8 or 80%, got {text!r}") from None
        if not 0.0 <= value <= 1.0:
            raise TargetError(f"{metric} is a share: the value must be in [0, 1], got {text!r}")
        return value
    try:
        value = parse_duration(text)
    except (ValueError, TypeError):
        raise TargetError(f"{metric} needs a time such as 30 or 30s, got {text!r}") from None
    if value < 0:
        raise TargetError(f"{metric} must be a time >= 0, got {text!r}")
    if not value <= MAX_SECONDS:  # also NaN and infinity: a target no scenario can hold
        raise TargetError(f"{metric} must be a time of at most {MAX_SECONDS:.0e} s (the "
                          f"longest duration a scenario takes), got {text!r}")
    return value


def parse_target(text: str) -> Target:
    """Parse ``[DEPT:]METRIC(>=|<=)VALUE``.

    Raises
    ------
    TargetError
        One line saying what is wrong: the shape, an unknown metric, a direction that more
        agents cannot reach, or a value out of range.
    """
    match = _PATTERN.match(str(text))
    if match is None:
        raise TargetError(f"{text!r}: expected [DEPT:]METRIC>=VALUE or [DEPT:]METRIC<=VALUE, "
                          "e.g. service_level>=0.8 or billing:asa<=30s")
    metric, op = match["metric"], match["op"]
    if metric not in TARGET_METRICS:
        raise TargetError(f"{text!r}: unknown metric {metric!r} (choose from "
                          f"{', '.join(TARGET_METRICS)})")
    if op != target_op(metric):
        raise TargetError(f"{text!r}: {metric} targets use {target_op(metric)} "
                          "(more agents move it that way)")
    try:
        value = _value(metric, match["value"])
    except TargetError as exc:
        raise TargetError(f"{text!r}: {exc}") from None
    return Target(match["dept"], metric, op, value, str(text).strip())
