"""Rich tables and progress bars shared by the commands."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from callsim.output import split_key

stderr = Console(stderr=True)

_PERCENT_SUFFIXES = ("rate", "service_level", "occupancy")
_SECONDS = frozenset({"wait_mean", "wait_p90", "asa", "resolution_time_mean"})


def format_value(metric: str, value: float) -> str:
    """Human format of a metric value: shares as %, times in s, the rest as numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if metric.endswith(_PERCENT_SUFFIXES):
        return f"{100 * value:.2f}%"
    if metric in _SECONDS:
        return f"{value:.1f} s"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}"


def format_ci(metric: str, lo: float, hi: float) -> str:
    """A confidence interval, or blank when undefined (one replication)."""
    if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
        return ""
    return f"[{format_value(metric, lo)}, {format_value(metric, hi)}]"


def group_label(key: str) -> str:
    """Section label of a flat metric key: ``overall``, ``call type support``, ..."""
    group, name, _ = split_key(key)
    return {"call_types": "call type ", "departments": "department "}.get(group, "") + (
        name or group
    )


def summary_table(title: str, summary: pd.DataFrame) -> Table:
    """One policy's long summary (``metric``, ``mean``, ``ci_low``, ``ci_high``) as a table."""
    table = Table(title=title, show_lines=False)
    table.add_column("group")
    table.add_column("metric")
    table.add_column("mean", justify="right")
    table.add_column("95% CI", justify="right")
    last = None
    for row in summary.itertuples(index=False):
        label = group_label(row.metric)
        name = split_key(row.metric)[2]
        if label != last and last is not None:
            table.add_section()
        table.add_row(label if label != last else "", name, format_value(name, row.mean),
                      format_ci(name, row.ci_low, row.ci_high))
        last = label
    return table


@contextmanager
def progress_bar(total: int, description: str, enabled: bool = True) -> Iterator[Progress | None]:
    """A rich progress bar with counts and ETA on stderr (yields ``None`` when disabled)."""
    if not enabled:
        yield None
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=stderr,
        transient=True,
    )
    with bar:
        bar.add_task(description, total=total)
        yield bar
