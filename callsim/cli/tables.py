"""Rich tables and progress bars shared by the commands."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from callsim.analysis import catalogue
from callsim.analysis.documents import split_key

stderr = Console(stderr=True)


def stdout_console() -> Console:
    """Console for results: the terminal's width, or 120 columns when piped to a file.

    Rich would wrap tables at 80 columns otherwise.
    """
    return Console(width=None if sys.stdout.isatty() else 120)


def format_value(metric: str, value: float, difference: bool = False) -> str:
    """A metric value in its display unit, from the catalogue (``4.3%``, ``12.3 s``)."""
    return catalogue.metric(metric).format(value, difference)


def format_pm(metric: str, mean: float, lo: float, hi: float, difference: bool = False) -> str:
    """``mean ± half-width`` of a 95% CI (just the mean when the CI is undefined)."""
    text = format_value(metric, mean, difference)
    if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
        return text
    return f"{text} ± {format_value(metric, (hi - lo) / 2, difference).lstrip('+')}"


def group_label(key: str) -> str:
    """Section label of a flat metric key: ``overall``, ``call type support``, ..."""
    group, name, _ = split_key(key)
    return {"call_types": "call type ", "departments": "department "}.get(group, "") + (
        name or group
    )


def metric_table(
    title: str, keys: list[str], columns: list[str], cells: Callable[[str, str], list[str]]
) -> Table:
    """A table with one row per metric key, grouped in sections (overall, call types, ...).

    ``cells(key, metric_name)`` returns the cells of the other ``columns`` for a row.
    """
    table = Table(title=title, caption="± is the half-width of the 95% confidence interval")
    table.add_column("Metric", no_wrap=True)
    for column in columns:
        table.add_column(column, justify="right")
    last = None
    for key in keys:
        label, name = group_label(key), split_key(key)[2]
        if label != last:
            if last is not None:
                table.add_section()
            table.add_row(f"[bold]{label}[/bold]", *[""] * len(columns))
            last = label
        table.add_row(f"  {catalogue.metric(name).label}", *cells(key, name))
    return table


def summary_table(title: str, summary: pd.DataFrame) -> Table:
    """One policy's long summary (``metric``, ``mean``, ``ci_low``, ``ci_high``) as a table."""
    rows = summary.set_index("metric")

    def cells(key: str, name: str) -> list[str]:
        r = rows.loc[key]
        return [format_pm(name, r["mean"], r["ci_low"], r["ci_high"])]

    return metric_table(title, list(rows.index), ["mean ± 95% CI"], cells)


class LazyProgress:
    """A rich progress bar (counts, elapsed, ETA) on stderr that appears at the first report.

    Nothing is drawn when the work fails before it starts (e.g. validation), so error output
    stays one clean line.
    """

    def __init__(self, description: str) -> None:
        self.description = description
        self.bar: Progress | None = None
        self.task: TaskID | None = None

    def advance(self, done: int, total: int) -> None:
        """Report ``done`` more units of work out of ``total`` planned."""
        if self.bar is None:
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
                console=stderr,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(self.description, total=total)
        assert self.task is not None
        self.bar.update(self.task, total=total, advance=done)

    def close(self) -> None:
        """Remove the bar."""
        if self.bar is not None:
            self.bar.stop()


@contextmanager
def progress_bar(description: str, enabled: bool = True) -> Iterator[LazyProgress | None]:
    """A :class:`LazyProgress` for the duration of a block (``None`` when disabled)."""
    if not enabled:
        yield None
        return
    bar = LazyProgress(description)
    try:
        yield bar
    finally:
        bar.close()
