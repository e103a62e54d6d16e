"""Figures of a policy comparison: headline metrics with CIs, and per-interval profiles.

Figures are built with :class:`matplotlib.figure.Figure` on an Agg canvas, never with pyplot's
global state, so they can be made in threads, worker processes and headless servers alike.
Shares are drawn in %, their differences in percentage points (pp), times in seconds and costs
in currency units per horizon (one replication of the scenario).

>>> from callsim import load_scenario
>>> from callsim.experiments.comparison import compare
>>> c = compare(load_scenario("scenarios/billing_support.yaml", ["horizon.duration=1h"]),
...             reps=2, seed=1)
>>> [ax.get_title() for ax in comparison_figure(c).axes][:2]
['Abandonment rate', 'Mean wait']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from callsim.analysis.documents import split_key
from callsim.analysis.statistics import paired_differences
from callsim.files import atomic_path
from callsim.report.axes import clock_axis
from callsim.report.axes import clock_hours as axes_clock_hours
from callsim.report.writers import FIGURE_FORMATS, render_figure
from callsim.scenario.catalogue import Metric, metric

if TYPE_CHECKING:
    from callsim.experiments.comparison import Comparison

#: Overall and cost metrics always drawn by :func:`comparison_figure`, in this order.
HEADLINE_PLOT_METRICS: tuple[str, ...] = (
    "overall.abandon_rate",
    "overall.wait_mean",
    "overall.service_level",
    "costs.total_cost",
)
#: Department occupancy panels are added while the figure has at most this many columns.
MAX_PANELS = 8
#: File formats :func:`save_figures` writes, by file extension.
FORMATS = FIGURE_FORMATS

_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink")
_DEPT_STYLES = ("-", "--", ":", "-.")
_SIGNIFICANT, _NOT_SIGNIFICANT = "tab:red", "0.45"


def metric_unit(metric_name: str, difference: bool = False) -> tuple[float, str]:
    """Scale factor and unit with which a metric is drawn, from the metric catalogue.

    Examples
    --------
    >>> metric_unit("abandon_rate"), metric_unit("occupancy", difference=True)
    ((100.0, '%'), (100.0, 'pp'))
    >>> metric_unit("wait_mean"), metric_unit("total_cost")
    ((1.0, 's'), (1.0, 'per horizon'))
    """
    entry = metric(metric_name)
    return entry.scale, entry.unit_label(difference)


def metric_label(key: str) -> str:
    """Short panel title of a flat metric key (``departments.billing.occupancy`` -> ...).

    Examples
    --------
    >>> metric_label("overall.abandon_rate"), metric_label("departments.billing.occupancy")
    ('Abandonment rate', 'billing occupancy')
    """
    _, name, bare = split_key(key)
    label = metric(bare).label
    return f"{name} {label.lower()}" if name else label


def policy_colors(policies: Sequence[str]) -> dict[str, str]:
    """One colour per policy, the same in every figure of a comparison."""
    return {p: _COLORS[i % len(_COLORS)] for i, p in enumerate(policies)}


def _new_figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _plot_metrics(comparison: Comparison) -> list[str]:
    available = set(comparison.summary["metric"])
    keys = [k for k in HEADLINE_PLOT_METRICS if k in available]
    occupancy = sorted(k for k in available
                       if k.startswith("departments.") and k.endswith(".occupancy"))
    if len(keys) + len(occupancy) <= MAX_PANELS:
        keys += occupancy
    return keys


def _policy_panel(ax: Axes, comparison: Comparison, key: str, colors: dict[str, str]) -> None:
    """One bar per policy with its 95% CI as an error bar."""
    entry = metric(key)
    scale = entry.scale
    rows = comparison.summary[comparison.summary["metric"] == key].set_index("policy")
    for x, policy in enumerate(comparison.policies):
        if policy not in rows.index:
            continue
        r = rows.loc[policy]
        mean = scale * r["mean"]
        low, high = np.clip([r["ci_low"], r["ci_high"]], *entry.bounds)  # a rate stays in [0, 1]
        err = [[mean - scale * low], [scale * high - mean]]
        ax.bar(x, mean, width=0.6, yerr=err, capsize=4, color=colors[policy], label=policy,
               error_kw={"elinewidth": 1.2, "ecolor": "black"})
    ax.set_xticks(range(len(comparison.policies)), list(comparison.policies))
    ax.set_title(metric_label(key))
    ax.set_ylabel(entry.axis_label())
    ax.grid(axis="y", alpha=0.3)


def _difference_panel(ax: Axes, comparison: Comparison, key: str) -> None:
    """The paired difference with its 95% CI, a zero line, and red when significant."""
    b, a = comparison.difference or ("", "")  # read b - a
    entry = metric(key)
    scale = entry.scale
    rows = comparison.differences[comparison.differences["metric"] == key]
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xticks([0], [f"{b} − {a}"])
    ax.set_xlim(-1, 1)
    ax.set_ylabel(f"Difference ({entry.unit_label(True)})" if entry.unit_label(True)
                  else "Difference")
    ax.grid(axis="y", alpha=0.3)
    if rows.empty:
        return
    r = rows.iloc[0]
    significant = bool(r["significant"])
    color = _SIGNIFICANT if significant else _NOT_SIGNIFICANT
    mean = scale * r["mean"]
    err = [[mean - scale * r["ci_low"]], [scale * r["ci_high"] - mean]]
    ax.errorbar([0], [mean], yerr=err, fmt="o", color=color, capsize=5, markersize=7,
                linewidth=1.6, label=f"{a} − {b}")
    ax.set_title("significant" if significant else "not significant", color=color,
                 fontsize="medium")


def comparison_figure(comparison: Comparison) -> Figure:
    """Headline metrics per policy and their paired differences, with 95% CIs.

    The top row has one panel per metric (overall abandon rate, mean wait, service level,
    total cost, and each department's occupancy while there is room) with one bar per policy
    and its CI. When two policies are compared, the bottom row shows the paired difference
    (e.g. ``warm − cold``) per metric with its CI and a zero line; differences whose CI
    excludes zero are drawn in red.

    Parameters
    ----------
    comparison
        Result of :func:`callsim.experiments.comparison.compare`.

    Returns
    -------
    matplotlib.figure.Figure
        Shares in % (differences in percentage points), times in s, costs per horizon.
    """
    keys = _plot_metrics(comparison)
    rows = 2 if comparison.difference is not None and not comparison.differences.empty else 1
    figure = _new_figure(max(6.0, 2.3 * len(keys)), 3.0 * rows + 0.6)
    axes = figure.subplots(rows, len(keys), squeeze=False)
    colors = policy_colors(comparison.policies)
    for column, key in enumerate(keys):
        _policy_panel(axes[0][column], comparison, key, colors)
        if rows == 2:
            _difference_panel(axes[1][column], comparison, key)
    figure.suptitle(f"{comparison.scenario}: {' vs '.join(comparison.policies)}, "
                    f"{comparison.replications} replications per policy (bars: 95% CI)")
    return figure


def _interval_series(comparison: Comparison, statistic: str) -> dict[str, pd.DataFrame]:
    """Per policy, the interval rows of one statistic, ordered by start."""
    summary = comparison.interval_summary
    rows = summary[summary["metric"] == statistic].sort_values("start")
    return {p: rows[rows["policy"] == p] for p in comparison.policies}


def clock_hours(comparison: Comparison, seconds: pd.Series | np.ndarray) -> np.ndarray:
    """Times from the start of the horizon (s) as clock hours since midnight (8.5 = 08:30)."""
    return axes_clock_hours(np.asarray(seconds, dtype=float), comparison.clock_start)


def _band(ax: Axes, x: np.ndarray, rows: pd.DataFrame, entry: Metric, label: str, color: str,
          linestyle: str = "-") -> None:
    """A line of the means with a shaded band from ``ci_low`` to ``ci_high``.

    The band is clipped to the range the metric can take (:attr:`Metric.bounds`): a rate
    stays within 0 and 100%, a wait at or above 0 s, however wide its t-interval.
    """
    low, high = entry.bounds
    mean, ci_low, ci_high = rows[["mean", "ci_low", "ci_high"]].to_numpy(dtype=float).T
    ax.plot(x, entry.scale * mean, color=color, linestyle=linestyle, marker="o", markersize=3,
            label=label)
    ax.fill_between(x, entry.scale * np.clip(ci_low, low, high),
                    entry.scale * np.clip(ci_high, low, high), color=color, alpha=0.18,
                    linewidth=0)


def _paired_interval_panel(ax: Axes, comparison: Comparison, statistics: Sequence[str],
                           names: Sequence[str] = ("",)) -> None:
    """Paired differences ``b - a`` per interval with 95% CI bands; significant ones in red.

    The bands of the two policies' own lines overlap even where the paired difference (the
    same callers under both policies) is clearly not 0: this panel shows that difference.
    """
    b, a = comparison.difference or ("", "")
    diffs = paired_differences(comparison.intervals, (b, a), by=["interval", "start"],
                               metrics=list(statistics))
    entry = metric(statistics[0].partition(".")[0])
    ax.axhline(0.0, color="black", linewidth=0.8)
    for k, (statistic, name) in enumerate(zip(statistics, names, strict=True)):
        rows = diffs[diffs["metric"] == statistic].sort_values("start")
        x = clock_hours(comparison, rows["start"])
        mean, low, high = entry.scale * rows[["mean", "ci_low", "ci_high"]].to_numpy(float).T
        style = _DEPT_STYLES[k % len(_DEPT_STYLES)]
        ax.plot(x, mean, color="0.25", linestyle=style, marker="o", markersize=3,
                label=f"{b} − {a}" + (f" · {name}" if name else ""))
        ax.fill_between(x, low, high, color="0.5", alpha=0.18, linewidth=0)
        sig = rows["significant"].to_numpy(dtype=bool)
        ax.plot(x[sig], mean[sig], "o", color=_SIGNIFICANT, markersize=5,
                label="paired 95% CI excludes 0" if k == 0 and sig.any() else None)
    ax.set_title(f"Paired difference {b} − {a} (same callers)")
    ax.set_ylabel(entry.axis_label(difference=True))


def _interval_axes(figure: Figure, columns: int) -> list[Axes]:
    """Three rows per column, sharing the time axis; ``figure.axes`` column by column."""
    grid = figure.add_gridspec(3, columns)
    first = figure.add_subplot(grid[0, 0])
    axes = [first]
    for k in range(1, 3 * columns):
        axes.append(figure.add_subplot(grid[k % 3, k // 3], sharex=first))
    for k, ax in enumerate(axes):
        if k % 3 != 2:
            ax.tick_params(labelbottom=False)
    return axes


def interval_figure(comparison: Comparison) -> Figure:
    """Per-interval profile of wait, abandonment and occupancy, one line per policy.

    Three panels share the time axis (interval start as a clock time, from ``horizon.start``):
    the wait per interval (mean wait if the interval statistics have it, else ASA, in s), the
    abandonment rate (%), and each department's occupancy (%; one line per policy and
    department). Each line has a shaded band for its 95% CI across replications, clipped to
    the metric's range. When two policies are compared, a second column draws each panel's
    paired difference ``b - a`` per interval with its 95% CI (:func:`_paired_interval_panel`),
    intervals whose paired CI excludes 0 marked in red: the two policies' bands overlap even
    where the paired difference is significant.

    Parameters
    ----------
    comparison
        Result of :func:`callsim.experiments.comparison.compare`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    stats = set(comparison.interval_summary["metric"])
    wait = "wait_mean" if "wait_mean" in stats else "asa"
    departments = sorted(m.split(".")[1] for m in stats
                         if m.startswith("departments.") and m.endswith(".occupancy"))
    colors = policy_colors(comparison.policies)
    paired = comparison.difference is not None and not comparison.intervals.empty
    figure = _new_figure(15.0 if paired else 9.0, 9.0)
    axes = _interval_axes(figure, 2 if paired else 1)
    starts = np.sort(comparison.interval_summary["start"].unique().astype(float))
    for ax, statistic in ((axes[0], wait), (axes[1], "abandon_rate")):
        entry = metric(statistic)
        for policy, rows in _interval_series(comparison, statistic).items():
            _band(ax, clock_hours(comparison, rows["start"]), rows, entry, policy, colors[policy])
        ax.set_title(f"{entry.label} per interval")
        ax.set_ylabel(entry.axis_label())
    occupancy, entry = axes[2], metric("occupancy")
    for d, department in enumerate(departments):
        style = _DEPT_STYLES[d % len(_DEPT_STYLES)]
        key = f"departments.{department}.occupancy"
        for policy, rows in _interval_series(comparison, key).items():
            _band(occupancy, clock_hours(comparison, rows["start"]), rows, entry,
                  f"{policy} · {department}", colors[policy], style)
    occupancy.set_title("Occupancy per interval and department")
    occupancy.set_ylabel(entry.axis_label())
    if paired:
        _paired_interval_panel(axes[3], comparison, [wait])
        _paired_interval_panel(axes[4], comparison, ["abandon_rate"])
        _paired_interval_panel(axes[5], comparison,
                               [f"departments.{d}.occupancy" for d in departments], departments)
    for ax in axes[2::3]:
        clock_axis(ax, starts, comparison.clock_start, label="Clock time (interval start)")
    for ax in axes:
        ax.grid(alpha=0.3)
        ax.legend(loc="best", fontsize="small", ncols=2 if ax is occupancy else 1)
    figure.suptitle(f"{comparison.scenario}: profile per interval, "
                    f"{comparison.replications} replications per policy (bands: 95% CI)")
    return figure


def figure_paths(path: str | os.PathLike[str]) -> tuple[Path, Path]:
    """Where :func:`save_figures` writes: ``out.png`` and ``out_intervals.png``.

    Raises
    ------
    ValueError
        If the extension is not ``.png`` or ``.svg``.

    Examples
    --------
    >>> [p.name for p in figure_paths("results/out.svg")]
    ['out.svg', 'out_intervals.svg']
    """
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"{path}: plot file must end in .png or .svg, not {path.suffix!r}")
    return path, path.with_name(f"{path.stem}_intervals{path.suffix}")


def save_figures(comparison: Comparison, path: str | os.PathLike[str]) -> list[Path]:
    """Write :func:`comparison_figure` to ``path`` and :func:`interval_figure` next to it.

    Both figures are rendered to temporary files in the target folder first and then moved
    into place (:func:`callsim.files.atomic_path`), so no reader ever sees a half-written file.

    Parameters
    ----------
    comparison
        Result of :func:`callsim.experiments.comparison.compare`.
    path
        ``NAME.png`` or ``NAME.svg``; the profile goes to ``NAME_intervals`` with the same
        extension. The folder must exist.

    Returns
    -------
    list of pathlib.Path
        The files written: the comparison figure, then the interval profile.

    Raises
    ------
    ValueError
        If the extension is not ``.png`` or ``.svg`` (nothing is written).
    """
    targets = figure_paths(path)
    figures = (comparison_figure(comparison), interval_figure(comparison))
    with ExitStack() as stack:  # both files appear, or neither
        for figure, target in zip(figures, targets, strict=True):
            render_figure(figure, stack.enter_context(atomic_path(target)),
                          FORMATS[target.suffix.lower()])
    return list(targets)
