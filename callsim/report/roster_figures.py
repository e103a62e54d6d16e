"""Figures of rosters (``callsim schedule --plot``): coverage against requirement, and shifts.

One column per roster: a panel per department with the agents required and scheduled per
interval as step lines, then a Gantt chart of the roster's shifts (one bar per start and break
placement, its breaks cut out, labelled with the shift type and the number of agents). Clock
times on the x axes (``HH:MM`` from ``horizon.start``). Built on
:class:`matplotlib.figure.Figure` (no pyplot state), like the other report figures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from callsim.scenario.durations import format_clock

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from callsim.planning.roster import Roster, ScheduleResult

__all__ = ["roster_figure"]

_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink")


def _clock_axis(ax: Axes, start: float, duration: float, interval: float) -> None:
    """Ticks at interval starts (every k-th beyond 13), labelled ``HH:MM``."""
    ticks = np.arange(0.0, duration + 1e-9, interval)
    ticks = ticks[:: max(1, int(np.ceil(len(ticks) / 13)))]
    ax.set_xticks((ticks + start) / 3600.0, [format_clock(t, start) for t in ticks])
    ax.set_xlim(start / 3600.0, (start + duration) / 3600.0)


def _coverage_panel(ax: Axes, roster: Roster, department: str) -> None:
    h = roster.scenario.horizon
    rows = roster.coverage[roster.coverage["department"] == department]
    edges = (h.start + np.append(rows["start_time"].to_numpy(dtype=float), h.duration)) / 3600
    ax.stairs(rows["required"].to_numpy(dtype=float), edges, color="0.35", linestyle="--",
              linewidth=1.6, baseline=None, label="required")
    ax.stairs(rows["scheduled"].to_numpy(dtype=float), edges, color="tab:blue", linewidth=1.8,
              baseline=None, label="scheduled")
    ax.set_title(f"{roster.name}: {department}", fontsize="medium")
    ax.set_ylabel("agents")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize="small", loc="upper right")
    _clock_axis(ax, h.start, h.duration, h.interval)


def _gantt_panel(ax: Axes, roster: Roster) -> None:
    h = roster.scenario.horizon
    shifts = roster.shifts
    colors = {s: _COLORS[k % len(_COLORS)] for k, s in enumerate(roster.scenario.shifts)}
    for y, r in enumerate(shifts.itertuples()):
        pieces, at = [], float(r.start_time)
        for a, b in r.break_times:
            pieces.append((at, a - at))
            at = b
        pieces.append((at, float(r.end_time) - at))
        ax.broken_barh([((h.start + a) / 3600, w / 3600) for a, w in pieces], (y - 0.4, 0.8),
                       color=colors[r.shift])
        ax.text((h.start + r.start_time) / 3600 + 0.05, y, f"{r.shift} x{r.count}",
                va="center", fontsize="x-small", color="black")
    ax.set_yticks([])
    ax.set_ylim(len(shifts) - 0.5, -0.5)
    ax.set_title(f"{roster.name}: shifts (gaps are breaks), {roster.cost:,.0f} for "
                 f"{roster.paid_hours:,.1f} paid hours", fontsize="medium")
    ax.set_xlabel("clock time")
    _clock_axis(ax, h.start, h.duration, h.interval)


def roster_figure(result: ScheduleResult) -> Figure:
    """Coverage against requirement per department, and the shifts, for every roster."""
    departments = list(result.scenario.departments)
    rows = max(len(r.shifts) for r in result.rosters.values())
    heights = [2.4] * len(departments) + [max(1.5, 0.28 * rows)]
    fig = Figure(figsize=(8 * len(result.rosters), sum(heights) + 0.6), layout="constrained")
    axes = fig.subplots(len(heights), len(result.rosters), squeeze=False,
                        gridspec_kw={"height_ratios": heights})
    for k, roster in enumerate(result.rosters.values()):
        for i, dept in enumerate(departments):
            _coverage_panel(axes[i, k], roster, dept)
        _gantt_panel(axes[-1, k], roster)
    fig.suptitle(f"{result.scenario.name}: rosters for the {result.requirements} requirement")
    return fig
