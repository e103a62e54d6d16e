"""Choosing what to show of a sweep's results: swept fields, metric columns, rows and summaries.

Input: the sweep results table (:func:`callsim.experiments.sweeps.sweep`), one row per (point,
policy, replication): ``point``, the swept fields (columns named by dotted path, before
``policy``), ``policy``, ``replication``, ``seed``, flat metric columns. Figures
(:mod:`callsim.report.sweep_figures`) and notebooks draw what these functions select; nothing
here draws.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from callsim.analysis.metric_names import find_metric
from callsim.analysis.statistics import difference_label, difference_pair, difference_pairs
from callsim.experiments.sweeps import summarize_sweep

__all__ = ["ROW_KEYS", "difference_of", "few", "metric_columns", "resolve_metric",
           "select_policies", "select_rows", "swept_params", "sweep_summary"]

#: Columns of the results table that are neither swept fields nor metrics.
ROW_KEYS: frozenset[str] = frozenset({"point", "policy", "replication", "seed"})


def difference_of(rows: pd.DataFrame) -> tuple[str, str] | None:
    """The paired difference ``(b, a)``, read ``b - a``, of a results table.

    The table's two policies, the first one run as ``a``; ``None`` unless it has exactly two.

    >>> difference_of(pd.DataFrame({"policy": ["cold", "warm", "cold"]}))
    ('warm', 'cold')
    """
    return difference_pair(list(pd.unique(rows["policy"])))


def swept_params(rows: pd.DataFrame) -> list[str]:
    """Swept scenario fields of a results table: the columns before ``policy`` but ``point``."""
    columns = list(rows.columns)
    if not {"policy", "replication"} <= set(columns):
        raise ValueError("results need 'policy' and 'replication' columns (one row per "
                         "replication; a summary table will not do)")
    return [c for c in columns[: columns.index("policy")] if c not in ROW_KEYS]


def metric_columns(rows: pd.DataFrame) -> list[str]:
    """Numeric columns of a results table that are neither keys nor swept fields."""
    skip = ROW_KEYS | set(swept_params(rows))
    return [c for c in rows.columns if c not in skip
            and pd.api.types.is_numeric_dtype(rows[c]) and not pd.api.types.is_bool_dtype(rows[c])]


def few(names: Sequence[Any] | pd.Index, shown: int = 6) -> str:
    """``a, b, c, ... (N more)``: a short list for an error message."""
    names = list(names)
    text = ", ".join(str(n) for n in names[:shown]) or "none"
    return text + (f", ... ({len(names) - shown} more)" if len(names) > shown else "")


def resolve_metric(rows: pd.DataFrame, name: str) -> str:
    """The metric column meant by ``name``: a full key, or a bare name meaning ``overall``.

    Examples
    --------
    >>> rows = pd.DataFrame(columns=["policy", "replication", "overall.asa"], dtype=float)
    >>> resolve_metric(rows, "asa")
    'overall.asa'
    """
    metrics = metric_columns(rows)
    key = find_metric(name, metrics)
    if key is not None:
        return key
    raise ValueError(f"unknown metric {name!r}; available: {few(metrics)}")


def _matches(column: pd.Series, name: str, value: Any) -> pd.Series:
    """Rows of ``column`` equal to ``value`` (numbers compared as floats, the rest as text)."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"`at` {name}: {value!r} is not a number") from None
        return pd.Series(np.isclose(column.to_numpy(dtype=float), number, rtol=1e-9, atol=1e-12),
                         index=column.index)
    return column.astype(str).str.lower() == str(value).lower()


def select_rows(
    rows: pd.DataFrame, axes: Sequence[str], at: Mapping[str, Any] | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The rows to draw: those at the fixed values ``at``, checked to vary only along ``axes``.

    Parameters
    ----------
    rows
        The sweep results table.
    axes
        Swept fields drawn on the axes (one or two).
    at
        ``{field: value}`` fixing other swept fields (values may be strings, as typed).

    Returns
    -------
    tuple of (pandas.DataFrame, dict)
        The selected rows, and every other swept field with its (single) value.

    Raises
    ------
    ValueError
        One line: unknown field, value not in the results, or a field left varying.
    """
    params = swept_params(rows)
    for name in [*axes, *(at or {})]:
        if name not in params:
            raise ValueError(f"unknown swept parameter {name!r}; swept: {few(params)}")
    if len(set(axes)) != len(axes):
        raise ValueError(f"x and y must be different parameters, both are {axes[0]!r}")
    for name, value in (at or {}).items():
        if name in axes:
            raise ValueError(f"`at`: {name} is on an axis; fix only the other parameters")
        mask = _matches(rows[name], name, value)
        if not mask.any():
            values = sorted(rows[name].dropna().unique().tolist())
            raise ValueError(f"`at`: no results with {name}={value}; values: {few(values)}")
        rows = rows[mask]
    if rows.empty:
        raise ValueError("the results table has no rows")
    others = [p for p in params if p not in axes]
    varying = [p for p in others if rows[p].nunique(dropna=False) > 1]
    if varying:
        fixes = " ".join(f"`at` {p}=VALUE" for p in varying)
        raise ValueError(f"results also vary {', '.join(varying)}; "
                         f"fix {'it' if len(varying) == 1 else 'them'} with {fixes}")
    return rows, {p: rows[p].iloc[0] for p in others}


def select_policies(rows: pd.DataFrame, policies: Sequence[str]) -> pd.DataFrame:
    """The rows of ``policies`` only, in that order (the first is A of a difference B - A).

    Raises
    ------
    ValueError
        A named policy has no rows (the message lists the table's policies).

    Examples
    --------
    >>> rows = pd.DataFrame({"policy": ["cold", "warm", "conditional"], "replication": 0})
    >>> select_policies(rows, ["conditional", "cold"])["policy"].tolist()
    ['conditional', 'cold']
    """
    present = list(pd.unique(rows["policy"]))
    missing = [p for p in policies if p not in present]
    if missing:
        raise ValueError(f"`policies`: no results of policy {missing[0]!r} (the table has "
                         f"{', '.join(map(str, present))})")
    order = {p: i for i, p in enumerate(policies)}
    chosen = rows[rows["policy"].isin(order)]
    return chosen.iloc[np.argsort(chosen["policy"].map(order).to_numpy(), kind="stable")]


def sweep_summary(rows: pd.DataFrame, params: Sequence[str], metric: str) -> pd.DataFrame:
    """Per point: each policy's mean and 95% CI of ``metric``, and the paired difference.

    Parameters
    ----------
    rows
        The sweep results table (or a part of it).
    params
        Swept fields to keep as columns (rows are grouped by ``point`` too when present).
    metric
        A metric column (flat key); the summary is in its unit (shares as shares, times in s).

    Returns
    -------
    pandas.DataFrame
        ``point`` (when present), ``params...``, ``policy``, ``metric``, ``mean``, ``ci_low``,
        ``ci_high``, ``n``, ``significant``. Rows with policy ``"B - A"`` (:func:`difference_of`,
        e.g. ``"warm - cold"``) hold the paired
        differences (matched by ``replication`` within each point), ``significant`` when their
        interval excludes 0; ``significant`` is ``<NA>`` on the policy rows.
    """
    params = list(params)
    for column in (*params, metric, "policy", "replication"):
        if column not in rows.columns:
            raise ValueError(f"results have no column {column!r}; columns: {few(rows.columns)}")
    by = (["point"] if "point" in rows.columns and "point" not in params else []) + params
    policies = list(dict.fromkeys(rows["policy"]))
    out = summarize_sweep(rows, by, policies, [metric])
    significant = out["significant"].astype("boolean")
    labels = [difference_label(pair) for pair in difference_pairs(policies)]
    out["significant"] = significant.where(out["policy"].isin(labels), pd.NA)
    return out.sort_values(by, kind="stable", ignore_index=True) if by else out
