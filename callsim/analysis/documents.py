"""JSON documents of docs/model.md section 8.

Summary tables (long format, from :func:`callsim.analysis.statistics.summarize` or
:func:`callsim.analysis.statistics.paired_differences`) carry flat metric keys such as
``overall.wait_mean`` or ``departments.billing.occupancy``; the builders here nest them into
``{"overall": {...}, "call_types": {NAME: {...}}, "departments": {NAME: {...}}, "costs": {...}}``
with ``{"mean": x, "ci95": [lo, hi]}`` per metric. NaN and infinities become JSON ``null``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

import pandas as pd

from callsim.analysis.statistics import Pair, difference_label
from callsim.scenario.catalogue import metric

#: Top-level metric groups; the named ones have one sub-object per call type or department.
GROUPS: tuple[str, ...] = ("overall", "call_types", "departments", "costs")
NAMED_GROUPS: frozenset[str] = frozenset({"call_types", "departments"})

Rows: TypeAlias = pd.DataFrame | Iterable[Mapping[str, Any]]


def _number(value: Any) -> float | None:
    """A finite float, or None for NaN, infinities and missing values."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def split_key(key: str) -> tuple[str, str | None, str]:
    """Split a flat metric key into ``(group, name, metric)``.

    ``name`` is None for ``overall`` and ``costs``. Call type and department names may contain
    dots: the metric is always the last part.

    Examples
    --------
    >>> split_key("departments.billing.occupancy")
    ('departments', 'billing', 'occupancy')
    >>> split_key("overall.asa")
    ('overall', None, 'asa')
    """
    group, _, rest = key.partition(".")
    if group not in GROUPS or not rest:
        raise ValueError(f"not a metric key: {key!r}")
    if group in NAMED_GROUPS:
        name, _, metric = rest.rpartition(".")
        if not name:
            raise ValueError(f"metric key {key!r} lacks a {group} name")
        return group, name, metric
    return group, None, rest


def interval_key(statistic: str) -> str:
    """The flat metric key of an interval statistic (a department's is one already).

    Examples
    --------
    >>> interval_key("departments.billing.occupancy"), interval_key("wait_mean")
    ('departments.billing.occupancy', 'overall.wait_mean')
    """
    return statistic if statistic.startswith("departments.") else f"overall.{statistic}"


def _records(rows: Rows) -> list[Mapping[str, Any]]:
    if isinstance(rows, pd.DataFrame):
        records: list[Mapping[str, Any]] = rows.to_dict("records")
        return records
    return list(rows)


def nest_metrics(rows: Rows, significant: bool = False) -> dict[str, Any]:
    """Nest summary rows by their flat ``metric`` key.

    Parameters
    ----------
    rows
        Rows with ``metric``, ``mean``, ``ci_low``, ``ci_high`` (and ``significant`` when
        ``significant`` is true); other columns are ignored.
    significant
        Also emit each row's ``significant`` flag (paired differences).

    Returns
    -------
    dict
        ``{"overall": {m: entry}, "call_types": {name: {m: entry}}, "departments": {...},
        "costs": {...}}`` with ``entry = {"mean": x, "ci95": [lo, hi]}``; values are floats or
        None.
    """
    nested: dict[str, Any] = {group: {} for group in GROUPS}
    for row in _records(rows):
        group, name, metric = split_key(str(row["metric"]))
        entry: dict[str, Any] = {
            "mean": _number(row["mean"]),
            "ci95": [_number(row["ci_low"]), _number(row["ci_high"])],
        }
        if significant:
            flag = row.get("significant")
            entry["significant"] = _number(flag) is not None and bool(flag)
        target = nested[group] if name is None else nested[group].setdefault(name, {})
        target[metric] = entry
    return nested


def metric_info(rows: Rows) -> dict[str, dict[str, Any]]:
    """What the metrics of summary rows are, from the catalogue, by bare metric name.

    Each entry: ``label``, ``unit`` (``share``, ``seconds``, ``currency``, ``count``,
    ``hours`` or ``ratio``; shares are fractions), ``higher_is_better`` (or ``None``) and
    ``kind`` (``per_call``, ``time_weighted`` or ``total``).

    Examples
    --------
    >>> metric_info([{"metric": "overall.asa"}])
    {'asa': {'label': 'Average speed of answer', 'unit': 'seconds', 'higher_is_better': False, \
'kind': 'per_call'}}
    """
    names = dict.fromkeys(split_key(str(row["metric"]))[2] for row in _records(rows))
    return {
        name: {"label": m.label, "unit": m.unit, "higher_is_better": m.higher_is_better,
               "kind": m.kind}
        for name, m in ((name, metric(name)) for name in names)
    }


def run_document(
    scenario_name: str, policy: str, replications: int, seed: int, summary_rows: Rows
) -> dict[str, Any]:
    """The ``callsim run --json`` document of one policy.

    Parameters
    ----------
    scenario_name
        Scenario ``name``.
    policy
        Transfer policy of the run.
    replications
        Number of replications.
    seed
        Base seed.
    summary_rows
        Long summary (``metric``, ``mean``, ``ci_low``, ``ci_high``) of this policy; metric
        values in their own units (s, agent-hours, currency, shares).

    Returns
    -------
    dict
        ``{"scenario", "policy", "replications", "seed", "metrics", "metric_info"}``
        (:func:`metric_info`).
    """
    rows = _records(summary_rows)
    return {
        "scenario": scenario_name,
        "policy": policy,
        "replications": int(replications),
        "seed": int(seed),
        "metrics": nest_metrics(rows),
        "metric_info": metric_info(rows),
    }


def compare_document(
    scenario_name: str,
    replications: int,
    seed: int,
    per_policy_summaries: Mapping[str, Rows],
    differences: Rows,
    pair: Pair | None = None,
) -> dict[str, Any]:
    """The ``callsim compare --json`` document.

    Parameters
    ----------
    scenario_name
        Scenario ``name``.
    replications
        Number of replications per policy.
    seed
        Base seed shared by all policies (common random numbers).
    per_policy_summaries
        Long summary rows per policy name.
    differences
        Paired differences (``metric``, ``mean``, ``ci_low``, ``ci_high``, ``significant``).
    pair
        The paired difference ``(b, a)`` of ``differences``, recorded as
        ``"difference": "b - a"`` (:func:`~callsim.analysis.statistics.difference_label`);
        ``None``: no pair, no ``difference`` key and no differences.

    Returns
    -------
    dict
        ``{"scenario", "replications", "seed", "policies": {policy: run document},
        "difference", "differences", "metric_info"}``; each difference entry has ``mean``,
        ``ci95`` and ``significant``.
    """
    policies = {
        policy: run_document(scenario_name, policy, replications, seed, rows)
        for policy, rows in per_policy_summaries.items()
    }
    info: dict[str, Any] = {}
    for document in policies.values():
        info.update(document.pop("metric_info"))
    return {
        "scenario": scenario_name,
        "replications": int(replications),
        "seed": int(seed),
        "policies": policies,
        **({"difference": difference_label(pair)} if pair else {}),
        "differences": nest_metrics(differences, significant=True) if pair else {},
        "metric_info": info,
    }


def to_json(doc: Mapping[str, Any]) -> str:
    """Serialise a document as strict JSON (indent 2; NaN must already be None)."""
    return json.dumps(doc, indent=2, allow_nan=False)
