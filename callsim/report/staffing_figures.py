"""Figures of staffing results: load and agents per interval, and break-even curves.

Built on :class:`matplotlib.figure.Figure` (no pyplot state), like the other report figures.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from callsim.experiments.grid import field_label
from callsim.report.axes import clock_axis, field_axis
from callsim.scenario.catalogue import metric

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

    from callsim.planning.breakeven import BreakEven
    from callsim.planning.staffing_result import StaffingResult

_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink")


def _steps(values: np.ndarray) -> np.ndarray:
    return np.append(values, values[-1])


def staffing_figure(result: StaffingResult) -> Figure:
    """Offered load and agents per interval as step lines, one panel per department.

    One line per policy (agents on the phones), the offered load of the first policy's Erlang
    start in grey (Erlangs), a cross above every interval where a verified target was missed
    (its 95% CI wholly on the wrong side) and a hollow circle where one is within CI (the mean
    misses it, the CI includes it): :func:`callsim.planning.staffing_result.verdict`, as in
    the table and the summary.
    """
    table = result.table
    departments = result.departments
    h = result.scenario.horizon
    fig = Figure(figsize=(9, 2.8 * len(departments)), layout="constrained")
    axes = fig.subplots(len(departments), 1, squeeze=False, sharex=True)[:, 0]
    edges = (h.start + np.arange(h.n_intervals + 1) * h.interval) / 3600.0
    edges[-1] = (h.start + h.duration) / 3600.0
    for ax, dept in zip(axes, departments, strict=True):
        rows = table[table["department"] == dept]
        for k, policy in enumerate(result.policies):
            mine = rows[rows["policy"] == policy]
            color = _COLORS[k % len(_COLORS)]
            if k == 0:
                ax.stairs(mine["offered_load"].to_numpy(), edges, color="0.55", baseline=None,
                          linestyle="--", label="offered load (Erlangs)")
            ax.stairs(mine["agents"].to_numpy(), edges, color=color, linewidth=1.8,
                      baseline=None, linestyle=("-", "--", ":", "-.")[k % 4],
                      label=f"{policy}: agents")
            _verdict_marks(ax, mine, edges, k, color, policy)
        ax.set_title(dept)
        ax.set_ylabel("agents / Erlangs")
        ax.set_ylim(bottom=0)
        ax.legend(fontsize="small", loc="lower right", ncols=2)
    clock_axis(axes[-1], np.arange(h.n_intervals) * h.interval, h.start,
               label="Clock time (interval start)")
    targets = ", ".join(t.text for t in result.targets)
    fig.suptitle(f"{result.scenario.name}: staffing for {targets} ({result.scope} scope)")
    return fig


def _verdict_marks(ax: Axes, rows: pd.DataFrame, edges: np.ndarray, k: int, color: str,
                   policy: str) -> None:
    """Mark intervals with a target missed (x) or within CI (hollow circle) above the line."""
    middle = (edges[:-1] + edges[1:]) / 2
    for column, marker, label in (("missed", "x", "target missed"),
                                  ("within_ci", "o", "target within CI")):
        which = rows[column].to_numpy(dtype=bool)
        if which.any():
            top = rows["agents"].to_numpy()[which] + 0.4 + 0.3 * k
            ax.plot(middle[which], top, marker, color=color, markerfacecolor="none",
                    label=f"{policy}: {label}")


def breakeven_figure(result: BreakEven) -> Figure:
    """The paired difference against the varied field, its 95% CI band and the crossing.

    The title states the answer (:meth:`BreakEven.verdict`, the field named in words); the
    axes use the catalogue's label and unit of the metric and the field's own units.
    """
    points = result.points
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.add_subplot()
    m = metric(result.metric)
    x = points["value"].to_numpy(dtype=float)
    ax.fill_between(x, points["ci_low"] * m.scale, points["ci_high"] * m.scale, alpha=0.25,
                    label="95% CI (paired)")
    ax.plot(x, points["mean"] * m.scale, "o-", label=result.label)
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    from callsim.experiments.grid import field_text

    if result.crossing is not None:
        ax.axvline(result.crossing, color="tab:red", linestyle="--",
                   label=f"break-even {field_text(result.field, result.crossing)}")
    if result.range is not None:
        ax.axvspan(*result.range, color="tab:red", alpha=0.08,
                   label="CI includes 0" if result.crossing is not None
                   else "jump" if result.jump else "sign change (not located)")
    field_axis(ax, result.field)
    ax.set_ylabel(f"{result.label}: {m.axis_label(difference=True)}")
    ax.legend(fontsize="small")
    answer = result.verdict(field_label(result.field))
    fig.suptitle("\n".join(textwrap.wrap(answer[:1].upper() + answer[1:], 90)), fontsize="medium")
    return fig
