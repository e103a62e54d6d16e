"""A scenario's inputs in plain words, for people who do not read YAML.

Every field is described; fields this module has no special wording for (options added by a
plug-in or a later version) are still listed, as ``name: value`` in words. Times are shown in
the largest unit that keeps them readable (``45 s``, ``6 min``, ``1.5 h``).

>>> human_duration(45), human_duration(360), human_duration(5400), human_duration(0.25)
('45 s', '6 min', '1.5 h', '0.25 s')
>>> from callsim import load_scenario
>>> s = load_scenario("scenarios/billing_support.yaml")
>>> describe_distribution(s.call_types["support"].handle_time)
'lognormal, mean 6 min, sd 5 min'
>>> [group for group, _ in scenario_inputs(s)]
['Horizon', 'Departments', 'Call types', 'Transfers', 'Costs']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from callsim.scenario.durations import format_clock
from callsim.scenario.schema import CallType, Department, Scenario

__all__ = ["describe_distribution", "human_duration", "scenario_inputs"]

#: Fields holding a probability or a share: shown in %.
_SHARE_WORDS = ("probability", "share", "shrinkage", "available")
#: Fields holding a duration in seconds.
_TIME_WORDS = ("time", "hold", "delay", "wait", "warmup", "duration", "interval", "threshold")


def _number(value: float) -> str:
    """``6``, ``1.5``, ``0.25``: no trailing zeros."""
    return f"{value:.6g}" if value != int(value) else f"{int(value)}"


def human_duration(seconds: float) -> str:
    """A duration in its most readable unit: seconds below 2 min, minutes below 2 h, hours."""
    if seconds >= 7200 or (seconds >= 3600 and seconds % 1800 == 0):
        return f"{_number(round(seconds / 3600, 2))} h"
    if seconds >= 120 or (seconds >= 60 and seconds % 30 == 0):
        return f"{_number(round(seconds / 60, 2))} min"
    return f"{_number(round(seconds, 3))} s"


def percent(share: float) -> str:
    """``0.2`` -> ``20%``, ``0.025`` -> ``2.5%``."""
    return f"{_number(round(100 * share, 3))}%"


def describe_distribution(dist: BaseModel) -> str:
    """``exponential, mean 45 s``; ``empirical, 120 observed values, mean 3.2 min``."""
    data = dist.model_dump()
    kind = str(data.pop("dist", type(dist).__name__.lower()))
    if kind == "deterministic":
        return f"always {human_duration(float(data['value']))}"
    if kind == "empirical":
        values = data.get("values") or ()
        source = f" from {data['file']}" if data.get("file") else ""
        mean = sum(values) / len(values) if values else 0.0
        return f"empirical, {len(values)} observed values{source}, mean {human_duration(mean)}"
    parts = [f"{key} {human_duration(float(v))}" for key, v in data.items()
             if isinstance(v, int | float)]
    return ", ".join([kind, *parts])


def _field_words(name: str, value: Any) -> str:
    """Any scenario value in words, guided by its field name."""
    label = name.replace("_", " ")
    if value is None:
        return f"{label}: none"
    if isinstance(value, bool):
        return f"{label}: {'yes' if value else 'no'}"
    if isinstance(value, BaseModel) and "dist" in type(value).model_fields:
        return f"{label}: {describe_distribution(value)}"
    if isinstance(value, BaseModel):
        inner = "; ".join(_field_words(k, getattr(value, k)) for k in type(value).model_fields)
        return f"{label}: {inner}"
    if isinstance(value, int | float) and any(w in name for w in _SHARE_WORDS):
        return f"{label}: {percent(float(value))}"
    if isinstance(value, int | float) and any(w in name for w in _TIME_WORDS):
        return f"{label}: {human_duration(float(value))}"
    if isinstance(value, float):
        return f"{label}: {_number(value)}"
    if isinstance(value, dict):
        inner = ", ".join(f"{k} {v}" for k, v in value.items())
        return f"{label}: {inner or 'none'}"
    return f"{label}: {value}"


def _per_interval(values: Sequence[float], unit: str) -> str:
    """``12 agents`` for a constant level, ``8 to 14 agents by interval (mean 11.2)`` else."""
    low, high = min(values), max(values)
    if low == high:
        return f"{_number(low)} {unit}"
    mean = sum(values) / len(values)
    return f"{_number(low)} to {_number(high)} {unit} by interval (mean {mean:.1f})"


def _horizon(scenario: Scenario) -> list[str]:
    h = scenario.horizon
    lines = [f"{human_duration(h.duration)} from {format_clock(h.start)}, in {h.n_intervals} "
             f"planning interval{'' if h.n_intervals == 1 else 's'} of "
             f"{human_duration(h.interval)}.",
             f"Service level counts calls answered within "
             f"{human_duration(scenario.service_level_threshold)}."]
    lines.append(f"Calls arriving in the first {human_duration(h.warmup)} are left out of the "
                 "statistics (warm-up)." if h.warmup else "No warm-up: every call counts.")
    lines.append("Calls still in the system at the end are completed (drain)." if h.drain else
                 "Calls still in the system at the end are left unfinished (no drain).")
    return lines


def _department(name: str, department: Department, scenario: Scenario) -> str:
    agents = _per_interval(scenario.staffing(name), "agents")
    text = f"{name}: {agents}, {department.wage_per_hour:,.2f} per agent-hour"
    known = {"agents", "wage_per_hour"}
    extra = [_field_words(k, getattr(department, k)) for k in type(department).model_fields
             if k not in known]
    return "; ".join([text, *extra]) + "."


def _call_type(name: str, call_type: CallType, scenario: Scenario) -> str:
    if scenario.arrivals_file is not None:
        arrivals = f"replayed from {scenario.arrivals_file}"
    else:
        arrivals = _per_interval(scenario.arrival_rates(name), "calls per hour")
    patience = (describe_distribution(call_type.patience) if call_type.patience is not None
                else "unlimited (callers never hang up)")
    parts = [f"{name}: {arrivals}, resolved by {call_type.resolved_by}",
             f"handle time {describe_distribution(call_type.handle_time)}",
             f"patience {patience}"]
    misroutes = [f"{percent(share)} to {dept}" for dept, share in call_type.misroute.items()
                 if share > 0]
    if misroutes:
        parts.append(f"the phone menu sends {' and '.join(misroutes)} by mistake")
    parts += [_scale_words(what, scales) for what, scales in
              (("patience", scenario.patience_scales(name)),
               ("handle time", scenario.handle_scales(name)))
              if any(f != 1 for f in scales)]
    known = {"arrivals_per_hour", "resolved_by", "handle_time", "patience", "misroute",
             "patience_scale", "handle_scale"}
    parts += [_field_words(k, getattr(call_type, k)) for k in type(call_type).model_fields
              if k not in known]
    return "; ".join(parts) + "."


def _scale_words(what: str, scales: tuple[float, ...]) -> str:
    """``patience_scale`` or ``handle_scale`` in words: its range and mean over the intervals."""
    mean = sum(scales) / len(scales)
    return (f"{what} times {_number(min(scales))} to {_number(max(scales))} by interval of "
            f"arrival (mean {mean:.2f})")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _transfers(scenario: Scenario, policies: Sequence[str] | None) -> list[str]:
    """The shared transfer fields, then each policy's own options section, read generically.

    Options come from the scenario's validated ``transfer`` section (every registered policy
    with options has one), so a new policy's options are described without a line here.
    """
    transfer = scenario.transfer
    lines = [_sentence(_field_words(k, getattr(transfer, k))) for k in type(transfer).model_fields
             if k != "policy"]
    sections = transfer.model_extra or {}
    for name in (sections if policies is None else policies):
        options = sections.get(name)
        if isinstance(options, BaseModel):
            words = "; ".join(_field_words(k, getattr(options, k))
                              for k in type(options).model_fields)
            lines.append(f"{name.capitalize()} transfers: {words}.")
    return lines


def _arrivals(scenario: Scenario) -> list[str]:
    """Options of the ``arrivals`` section that are set (busyness), in words."""
    arrivals = scenario.arrivals
    return [_sentence(_field_words(k, getattr(arrivals, k))) for k in type(arrivals).model_fields
            if getattr(arrivals, k) is not None]


def scenario_inputs(scenario: Scenario, policies: Sequence[str] | None = None,
                    ) -> list[tuple[str, list[str]]]:
    """The scenario in plain words: ``(group title, sentences)`` per group, in file order.

    Parameters
    ----------
    scenario
        A validated scenario.
    policies
        Transfer policies whose options to describe (those compared); default every policy
        the scenario has an options section for.

    Returns
    -------
    list of (str, list of str)
        Horizon, Departments, Call types, Transfers, Arrivals (only when set) and Costs.
    """
    costs = scenario.costs
    cost_lines = [f"Each lost call (abandoned or dropped) costs {costs.lost_call:,.2f}."]
    cost_lines += [f"{_field_words(k, getattr(costs, k))}." for k in type(costs).model_fields
                   if k != "lost_call"]
    return [
        ("Horizon", _horizon(scenario)),
        ("Departments", [_department(n, d, scenario) for n, d in scenario.departments.items()]),
        ("Call types", [_call_type(n, c, scenario) for n, c in scenario.call_types.items()]),
        ("Transfers", _transfers(scenario, policies)),
        *([("Arrivals", _arrivals(scenario))] if _arrivals(scenario) else []),
        ("Costs", cost_lines),
    ]
