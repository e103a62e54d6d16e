"""Figures of a sweep: one metric against one or two swept scenario fields, with 95% CIs.

Input: the sweep results table (:func:`callsim.experiments.sweeps.sweep`); what to draw is chosen
by :mod:`callsim.experiments.sweep_selection`. A figure shows each policy's mean, or (``diff``)
the paired difference ``B − A`` of the two policies in the table (A the first one run, e.g.
``warm − cold``) and where either policy is significantly better. Shares in % (differences in
pp), times in s, costs in currency per horizon; swept fields are named in words and their values
written in their units (:mod:`callsim.report.axes`). Agg canvas, never pyplot's global state.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from callsim.analysis.statistics import difference_label
from callsim.experiments.grid import field_label, field_text
from callsim.experiments.sweep_selection import (
    difference_of,
    resolve_metric,
    select_rows,
    sweep_summary,
)
from callsim.report.axes import field_axis
from callsim.report.figures import _new_figure, metric_label, metric_unit, policy_colors
from callsim.report.writers import save_figure
from callsim.scenario.catalogue import key_label
from callsim.scenario.catalogue import metric as catalogue_metric

__all__ = ["heatmap_figure", "line_figure", "save_figure"]

#: Shading of the regions where one policy is significantly better: B, then A of ``B - A``.
ADVANTAGE_COLORS: tuple[str, str] = ("tab:green", "tab:purple")
#: Heatmap cells get their value written in them while the grid has at most this many cells.
ANNOTATE_CELLS = 120

_MINUS = "\u2212"


#: The two policies ``(b, a)`` of a paired difference ``b - a``.
Pair = tuple[str, str]


def _marks(pair: tuple[str, str]) -> dict[str, str]:
    """Cell marks of the two sides: their initials (whole names when the initials clash)."""
    initials = {side: side[:1].upper() for side in pair}
    return initials if len(set(initials.values())) == 2 else {side: side for side in pair}


def _minus(pair: tuple[str, str]) -> str:
    return f"{pair[0]} {_MINUS} {pair[1]}"


def _advantage(metric: str, diffs: pd.DataFrame, pair: tuple[str, str]) -> np.ndarray:
    """Per difference row: the policy that is significantly better there, else ``""``."""
    mean = diffs["mean"].to_numpy(dtype=float)
    significant = diffs["significant"].fillna(False).to_numpy(dtype=bool)
    sides = {"b": pair[0], "a": pair[1], None: ""}
    favours = catalogue_metric(metric)
    return np.array([sides[favours.preferred(m, assume_lower=True)] if s else ""
                     for m, s in zip(mean, significant, strict=True)], dtype=object)


def _label(value: Any, field: str = "") -> str:
    """Tick or title text of a swept value of ``field``, in its units (``20%``, ``2 min``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return field_text(field, float(value)) if field else f"{value:g}"
    return str(value)


def _title(metric: str, diff: tuple[str, str] | None, what: str, fixed: Mapping[str, Any],
           summary: pd.DataFrame) -> str:
    """Two title lines: the metric and what is drawn; the fixed fields and replications."""
    if diff:
        better = "lower" if catalogue_metric(metric).lower_is_better(assume=True) else "higher"
        what = f"paired {_minus(diff)}, {what}; {better} is better"
    n = summary["n"]
    reps = f"{n.min()}" + (f"{_MINUS}{n.max()}" if n.max() > n.min() else "")
    context = [f"{field_label(k)} = {_label(v, k)}" for k, v in fixed.items()]
    return f"{metric_label(metric)} ({what})\n" + "; ".join(
        [*context, f"{reps} replications per point"])


def _axis_label(metric: str, diff: tuple[str, str] | None) -> str:
    """Metric axis or colour-bar label with its unit (shares in %, differences in pp).

    The catalogue's label, naming the call type or department (``billing: Occupancy (%)``).
    """
    label = key_label(metric, difference=diff is not None)
    return f"{_minus(diff)}: {label}" if diff else label


def _spans(ax: Axes, xs: np.ndarray, sides: np.ndarray, sides_of: tuple[str, str]) -> None:
    """Shade the x-regions (runs of points, out to the midpoints) where one side is better."""
    gaps = np.diff(xs) / 2.0 if xs.size > 1 else np.array([0.5])
    edges = np.concatenate([[xs[0] - gaps[0]], xs[:-1] + gaps, [xs[-1] + gaps[-1]]])
    labelled: set[str] = set()
    for i, side in enumerate(sides):
        if side:
            color = ADVANTAGE_COLORS[0 if side == sides_of[0] else 1]
            ax.axvspan(edges[i], edges[i + 1], color=color, alpha=0.16,
                       linewidth=0, label=None if side in labelled else f"{side} better")
            labelled.add(side)


def _band(ax: Axes, part: pd.DataFrame, x: str, scale: float, label: str, color: str) -> None:
    """A line of the means with markers and a shaded band from ``ci_low`` to ``ci_high``."""
    xs = part[x].to_numpy(dtype=float)
    mean, low, high = scale * part[["mean", "ci_low", "ci_high"]].to_numpy(dtype=float).T
    ax.plot(xs, mean, color=color, marker="o", markersize=4, label=label)
    ax.fill_between(xs, low, high, color=color, alpha=0.2, linewidth=0)


def _prepare(rows: pd.DataFrame, axes: list[str], metric: str, diff: bool,
             at: Mapping[str, Any] | None
             ) -> tuple[str, pd.DataFrame, dict[str, Any], pd.DataFrame, float, Pair | None]:
    """Metric key, selected rows, fixed fields, summary and drawing scale of a figure.

    Also the policies ``(b, a)`` of the difference drawn (``None`` without ``diff``).
    """
    metric = resolve_metric(rows, metric)
    rows, fixed = select_rows(rows, axes, at)
    summary = sweep_summary(rows, axes, metric)
    pair = difference_of(rows)
    if diff and pair is None:
        raise ValueError("`diff` needs the results of exactly two policies, got "
                         f"{', '.join(map(str, pd.unique(rows['policy'])))}: choose two with "
                         "`policies` A,B")
    scale = metric_unit(metric.rpartition(".")[2], diff)[0]
    return metric, rows, fixed, summary, scale, pair if diff else None


def line_figure(
    rows: pd.DataFrame, x: str, metric: str, diff: bool = False,
    at: Mapping[str, Any] | None = None,
) -> Figure:
    """A metric against one numeric swept field: a line and CI band per policy, or the difference.

    Parameters
    ----------
    rows
        The sweep results table.
    x
        The swept field on the x-axis (dotted path).
    metric
        A flat metric key, or a bare name meaning ``overall.NAME``.
    diff
        Draw the paired difference ``B − A`` of the two policies (:func:`difference_of`,
        e.g. ``warm − cold``) with its CI band and a zero line instead, shading where B is
        significantly better (green, "B better") and where A is (purple); the catalogue's
        direction decides (:meth:`~callsim.scenario.catalogue.Metric.preferred`; lower for a
        metric with none).
    at
        ``{field: value}`` fixing the other swept fields.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; shares in % (differences in pp), times in s, costs per horizon.

    Raises
    ------
    ValueError
        Unknown field or metric, other fields left varying, non-numeric ``x``, or ``diff``
        without exactly two policies.
    """
    metric, rows, fixed, summary, scale, pair = _prepare(rows, [x], metric, diff, at)
    if not pd.api.types.is_numeric_dtype(rows[x]) or pd.api.types.is_bool_dtype(rows[x]):
        raise ValueError(f"{x} is not numeric; draw it as the `y` of a heatmap instead")
    summary = summary.sort_values(x, kind="stable")
    figure = _new_figure(7.5, 4.8)
    ax = figure.subplots()
    if pair:
        part = summary[summary["policy"] == difference_label(pair)]
        _band(ax, part, x, scale, _minus(pair), "0.15")
        ax.axhline(0.0, color="black", linewidth=0.8)
        _spans(ax, part[x].to_numpy(dtype=float), _advantage(metric, part, pair), pair)
    else:
        for policy, color in policy_colors(list(pd.unique(rows["policy"]))).items():
            _band(ax, summary[summary["policy"] == policy], x, scale, str(policy), color)
    values = sorted(rows[x].unique().tolist())
    field_axis(ax, x)
    if len(values) <= 12:
        ax.set_xticks(values, [_label(v, x) for v in values])
    ax.set_ylabel(_axis_label(metric, pair))
    ax.set_title(_title(metric, pair, "bands: 95% CI", fixed, summary), fontsize="medium")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize="small")
    return figure


def _grid(part: pd.DataFrame, x: str, y: str, column: str, xs: list[Any], ys: list[Any]
          ) -> np.ndarray:
    """A ``len(ys) × len(xs)`` array of one summary column (NaN where a cell has no point)."""
    cells = part.pivot(index=y, columns=x, values=column).reindex(index=ys, columns=xs)
    grid: np.ndarray = cells.to_numpy()  # float means, or object marks ("W", "C", "")
    return grid


def _annotate(ax: Axes, image: Any, values: np.ndarray, marks: np.ndarray | None) -> None:
    """Write each cell's value (small grids only) and its significance mark in it."""
    small = values.size <= ANNOTATE_CELLS
    for (row, col), value in np.ndenumerate(values):
        mark = "" if marks is None or pd.isna(marks[row, col]) else str(marks[row, col])
        if np.isnan(value) or not (small or mark):
            continue
        digits = 0 if abs(value) >= 100 else 1 if abs(value) >= 1 else 2
        number = f"{value:.{digits}f}" if small else ""
        red, green, blue, _ = image.cmap(image.norm(value))
        dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
        ax.text(col, row, "\n".join(t for t in (number, mark) if t), ha="center", va="center",
                fontsize=7 if small else 8, color="white" if dark else "black",
                fontweight="bold" if mark else "normal")


def _colour_scale(grids: list[np.ndarray], diverging: bool) -> dict[str, Any]:
    """Colour map and limits shared by the panels (centred on 0 for a difference)."""
    finite = np.concatenate([g[np.isfinite(g)] for g in grids])
    if diverging:
        limit = float(np.abs(finite).max()) if finite.size else 0.0
        return {"cmap": "RdBu_r", "vmin": -(limit or 1.0), "vmax": limit or 1.0}
    low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    return {"cmap": "viridis", "vmin": low, "vmax": high}


def heatmap_figure(
    rows: pd.DataFrame, x: str, y: str, metric: str, diff: bool = False,
    at: Mapping[str, Any] | None = None,
) -> Figure:
    """A metric over two swept fields: a heatmap per policy, or of the paired difference.

    Parameters
    ----------
    rows
        The sweep results table.
    x, y
        The swept fields on the horizontal and vertical axes (ticks are their values).
    metric, at
        As in :func:`line_figure`.
    diff
        Draw one panel of the mean paired difference ``B − A`` (e.g. ``warm − cold``,
        diverging colours centred on 0) instead; cells where one policy is significantly better
        are marked with its initial (``W``, ``C``); the catalogue's direction
        decides (lower for a metric with none).

    Returns
    -------
    matplotlib.figure.Figure
        A panel per policy on one colour scale (or the difference panel), a colour bar with
        the metric and its unit; small grids have each cell's value written in.

    Raises
    ------
    ValueError
        As :func:`line_figure` (any field type is fine here).
    """
    metric, rows, fixed, summary, scale, pair = _prepare(rows, [x, y], metric, diff, at)
    xs, ys = sorted(rows[x].unique().tolist()), sorted(rows[y].unique().tolist())
    panels = [difference_label(pair)] if pair else list(pd.unique(rows["policy"]))
    part = summary[summary["policy"] == panels[0]]
    grids = [scale * _grid(summary[summary["policy"] == p], x, y, "mean", xs, ys) for p in panels]
    style = _colour_scale(grids, diverging=pair is not None)
    marks, legend = None, ""
    if pair:
        marks_of = _marks(pair)
        letters = [marks_of.get(side, "") for side in _advantage(metric, part, pair)]
        marks = _grid(part.assign(mark=letters), x, y, "mark", xs, ys)
        legend = ", ".join(f"{marks_of[side]}: {side} significantly better" for side in pair)
    width = min(16.0, max(4.5, 0.6 * len(xs) + 2.5) * len(panels) + 1.2)
    figure = _new_figure(width, min(10.0, max(4.0, 0.45 * len(ys) + 2.6)))
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    for ax, panel, values in zip(axes, panels, grids, strict=True):
        image = ax.imshow(values, origin="lower", aspect="auto", **style)
        _annotate(ax, image, values, marks)
        ax.set_xticks(range(len(xs)), [_label(v, x) for v in xs],
                      rotation=45 if len(xs) > 10 else 0)
        ax.set_yticks(range(len(ys)), [_label(v, y) for v in ys])
        ax.set(xlabel=field_label(x), ylabel=field_label(y),
               title=_minus(pair) if pair else str(panel))
    figure.colorbar(image, ax=list(axes), label=_axis_label(metric, pair), shrink=0.9)
    if pair:
        figure.supxlabel(f"{legend} (95% paired CI excludes 0)", fontsize="small")
    what = "mean; marks: 95% CI" if diff else "mean per policy"
    figure.suptitle(_title(metric, pair, what, fixed, summary), fontsize="medium")
    return figure
