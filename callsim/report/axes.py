"""Axes every figure shares: clock time as ``HH:MM``, and a scenario field in its own units.

One place decides how a time axis and a swept field's axis read, so the interval profile, the
staffing figure, the back-test, sweeps and break-even agree: clock times from
``horizon.start`` (positions in clock hours since midnight, ``8.5`` = 08:30), field values as
:func:`callsim.experiments.grid.field_text` writes them (``2 min``, ``20%``, ``11``) and named
by :func:`callsim.experiments.grid.field_label`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator

from callsim.experiments.grid import field_kind, field_label, field_text
from callsim.scenario.durations import format_clock

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis

__all__ = ["clock_axis", "clock_hours", "field_axis"]

#: Most tick labels on a clock axis; beyond, every k-th interval start is labelled.
MOST_TICKS = 13


def clock_hours(seconds: np.ndarray | float, start: float) -> np.ndarray:
    """Times from t = 0 (s) as positions on a clock axis: hours since midnight (8.5 = 08:30)."""
    return (np.asarray(seconds, dtype=float) + start) / 3600.0


def clock_axis(ax: Axes, starts: np.ndarray, start: float, label: str = "Clock time",
               most: int = MOST_TICKS) -> None:
    """Ticks at interval starts ``starts`` (s from t = 0; every k-th when many), ``HH:MM``.

    Positions are :func:`clock_hours`; ``start`` is ``horizon.start`` (s since midnight).
    """
    starts = np.asarray(starts, dtype=float)
    ticks = starts[:: max(1, int(np.ceil(len(starts) / most)))]
    ax.set_xticks(clock_hours(ticks, start), [format_clock(t, start) for t in ticks])
    ax.set_xlabel(label)


def field_axis(ax: Axes, path: str, which: Literal["x", "y"] = "x") -> None:
    """Name axis ``which`` after scenario field ``path`` and write its ticks in the field's units.

    Durations read ``2 min``, shares ``20%``, counts whole (integer ticks only), a clock field
    (``horizon.start``) ``HH:MM``.
    """
    axis: Axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_label_text(field_label(path))
    if path == "horizon.start":
        axis.set_major_formatter(FuncFormatter(lambda v, _: format_clock(v)))
        return
    if field_kind(path) == "count":
        axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda v, _: field_text(path, v)))
