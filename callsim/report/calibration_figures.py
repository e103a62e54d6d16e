"""Figures of a calibration and of a backtest (matplotlib ``Figure`` objects, no pyplot state).

- :func:`arrivals_figure`: rates per interval and call type with their 95% CIs over days;
- :func:`handle_time_figure`: observed handle times against the fitted density, per call type;
- :func:`patience_figure`: Kaplan-Meier survival of patience with the censored fits;
- :func:`backtest_figure`: observed points over the simulated 95% bands through the day, the
  figure an analyst shows their manager.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from scipy import stats

from callsim.scenario.catalogue import metric

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from callsim.calibration.backtest import Backtest
    from callsim.calibration.calibrated import Calibration

__all__ = ["arrivals_figure", "backtest_figure", "handle_time_figure", "patience_figure"]

_COLORS = ("#1f5fa8", "#c8611b", "#1b7a3d", "#7b3fa0", "#b3261e", "#4d5b6a")


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _clock_ticks(ax: Axes, clocks: list[str]) -> None:
    step = max(1, len(clocks) // 8)
    ax.set_xticks(range(0, len(clocks), step), clocks[::step])


def arrivals_figure(cal: Calibration) -> Figure:
    """Calls per hour by interval and call type, with 95% CIs over days (shaded)."""
    figure = _figure(9, 3.6)
    ax = figure.add_subplot()
    for color, name in zip(_COLORS, cal.call_types, strict=False):
        rows = cal.arrivals.rates(name)
        x = rows["interval"].to_numpy()
        ax.fill_between(x, rows["ci_low"], rows["ci_high"], color=color, alpha=0.2, lw=0)
        ax.plot(x, rows["rate"], color=color, marker="o", ms=3, label=name)
    _clock_ticks(ax, [cal.window.clock(i) for i in range(cal.window.n_intervals)])
    ax.set_ylabel("Arrivals (calls per hour)")
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False)
    ax.grid(alpha=0.3)
    return figure


def _model(family: str, fit_params: dict[str, float], mean: float, sd: float) -> object:
    if family == "lognormal":
        return stats.lognorm(fit_params["sigma"], scale=np.exp(fit_params["mu"]))
    if family == "gamma":
        return stats.gamma(fit_params["shape"], scale=fit_params["scale"])
    return stats.expon(scale=mean)


def handle_time_figure(cal: Calibration) -> Figure:
    """Histogram of handle times per call type (resolving department) and the fitted density.

    With time-of-day factors applied (``handle_scale``) both are at factor 1: each handle time
    divided by its block's factor, as fitted.
    """
    names = cal.call_types
    figure = _figure(9, 2.8 * ((len(names) + 1) // 2))
    frame = cal.records.frame
    by_hour = cal.handle_scale
    if by_hour is not None and by_hour.used:
        frame = frame.assign(handled=frame["handled"].to_numpy(dtype=float)
                             / by_hour.factors(frame["clock"].to_numpy(dtype=float)))
    for k, name in enumerate(names):
        ax = figure.add_subplot((len(names) + 1) // 2, 2, k + 1)
        resolver = cal.routing.resolved_by[name]
        fit = cal.handle_times.get((name, resolver))
        mine = frame[(frame["call_type"] == name) & (frame["queue"] == resolver)
                     & frame["answered"] & frame["transferred_to"].isna()]
        values = mine["handled"].dropna().to_numpy(dtype=float)
        if values.size == 0 or fit is None:
            ax.set_title(f"{name}: no handle times")
            continue
        top = float(np.quantile(values, 0.99))
        ax.hist(values[values <= top], bins=50, density=True, color="#c9d3de")
        if fit.family in ("exponential", "lognormal", "gamma"):
            x = np.linspace(0.5, top, 300)
            model = _model(fit.family, fit.params, fit.mean, fit.sd)
            ax.plot(x, model.pdf(x), color=_COLORS[0], label=f"{fit.family} (MLE)")  # type: ignore[attr-defined]
            ax.legend(frameon=False)
        resampled = "" if fit.family != "empirical" else ", resampled"
        ax.set_title(f"{name} in {resolver}: n = {fit.n:,}{resampled}")
        ax.set_xlabel("Handle time (s)")
    return figure


def patience_figure(cal: Calibration) -> Figure:
    """Kaplan-Meier survival of patience per call type, with the censored parametric fits."""
    names = cal.call_types
    figure = _figure(9, 2.8 * ((len(names) + 1) // 2))
    for k, name in enumerate(names):
        ax = figure.add_subplot((len(names) + 1) // 2, 2, k + 1)
        est = cal.patience.get(name)
        if est is None or est.survival.empty:
            ax.set_title(f"{name}: no waits")
            continue
        curve = est.survival
        ax.fill_between(curve["time"], curve["ci_low"], curve["ci_high"], step="post",
                        color="#c9d3de", lw=0)
        ax.step(curve["time"], curve["survival"], where="post", color="k", lw=1.2,
                label="Kaplan-Meier")
        t = np.linspace(0, float(curve["time"].max()), 300)
        for color, (family, fit) in zip(_COLORS, est.fits.items(), strict=False):
            if family == "exponential":
                ax.plot(t, np.exp(-t / fit["mean"]), color=color, label="exponential")
            else:
                model = stats.lognorm(fit["sigma"], scale=np.exp(fit["mu"]))
                ax.plot(t, model.sf(t), color=color, ls="--", label="lognormal")
        ax.set_title(f"{name}: {est.abandoned:,} abandoned of {est.n:,}")
        ax.set_xlabel("Wait (s)")
        ax.set_ylabel("P(patience > t)")
        ax.set_ylim(0, 1.02)
        ax.legend(frameon=False, fontsize=8)
    return figure


def backtest_figure(bt: Backtest, queue: str = "all") -> Figure:
    """Observed values (points) over the simulated 95% bands, one panel per metric.

    Call metrics are shown for ``queue`` (default every queue together); occupancy per
    department. Points outside their band are drawn in red.
    """
    table = bt.table
    metrics = [m for m in dict.fromkeys(table["metric"]) if m != "occupancy"]
    occupancy = table[table["metric"] == "occupancy"]
    panels = len(metrics) + (1 if len(occupancy) else 0)
    figure = _figure(10, 2.3 * ((panels + 1) // 2))
    clocks = sorted(set(zip(table["interval"], table["clock"], strict=True)))
    labels = [c for _, c in clocks]
    for k, name in enumerate(metrics):
        ax = figure.add_subplot((panels + 1) // 2, 2, k + 1)
        rows = table[(table["metric"] == name) & (table["queue"] == queue)]
        _band_panel(ax, rows, name, _COLORS[0], queue)
        _clock_ticks(ax, labels)
    if len(occupancy):
        ax = figure.add_subplot((panels + 1) // 2, 2, panels)
        for color, (dept, rows) in zip(_COLORS, occupancy.groupby("queue"), strict=False):
            _band_panel(ax, rows, "occupancy", color, str(dept))
        ax.legend(frameon=False, fontsize=8)
        _clock_ticks(ax, labels)
    return figure


def interval_steps(intervals: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each interval's value held flat across it: x ``[i, i + 1]`` per interval, no slopes.

    >>> interval_steps(np.array([0, 1]), np.array([5.0, 7.0]))
    (array([0., 1., 1., 2.]), array([5., 5., 7., 7.]))
    """
    x = np.asarray(intervals, dtype=float)
    return np.column_stack([x, x + 1]).ravel(), np.repeat(np.asarray(values, dtype=float), 2)


def _band_panel(ax: Axes, rows: pd.DataFrame, name: str, color: str, label: str) -> None:
    """Simulated band and mean as steps over each interval; observed points at its middle.

    A band interpolated between intervals made a flagged point look inside it; a step shows
    the band that point is judged against (issue 18 item 13).
    """
    entry = metric(name)
    scale = entry.scale
    low, high = entry.bounds
    x = rows["interval"].to_numpy()
    band_low = np.clip(rows["band_low"].to_numpy(dtype=float), low, high) * scale
    band_high = np.clip(rows["band_high"].to_numpy(dtype=float), low, high) * scale
    steps, lows = interval_steps(x, band_low)
    ax.fill_between(steps, lows, interval_steps(x, band_high)[1], color=color, alpha=0.2, lw=0)
    ax.plot(steps, interval_steps(x, rows["sim_mean"].to_numpy(float) * scale)[1], color=color,
            lw=1, label=label)
    out = rows["outside"].to_numpy(dtype=bool)
    observed = rows["observed"].to_numpy(dtype=float) * scale
    middle = x + 0.5
    ax.plot(middle[~out], observed[~out], "o", color="k", ms=3.5)
    ax.plot(middle[out], observed[out], "o", color="#b3261e", ms=5)
    ax.set_title(entry.axis_label(), fontsize=10)
    ax.grid(alpha=0.3)
