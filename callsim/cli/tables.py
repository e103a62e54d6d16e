"""Rich tables and progress reports shared by the commands.

rich and the analysis modules are imported when a table or bar is made, not with this module,
so that ``callsim --help`` stays fast.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, TextIO

from callsim.scenario import catalogue

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console
    from rich.progress import Progress, TaskID
    from rich.table import Table

#: Seconds between progress lines when stderr is not a terminal (CI logs, nohup).
LINE_EVERY = 10.0


def stdout_console() -> Console:
    """Console for results: the terminal's width, or 120 columns when piped to a file.

    Rich would wrap tables at 80 columns otherwise.
    """
    from rich.console import Console

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
    from callsim.analysis.documents import split_key

    group, name, _ = split_key(key)
    return {"call_types": "call type ", "departments": "department "}.get(group, "") + (
        name or group
    )


#: The caption of a table of means with their 95% CIs.
CI_CAPTION = "± is the half-width of the 95% confidence interval"
#: The caption of a table of one replication's values.
ONE_REPLICATION = "one replication: no confidence interval (use --reps 2 or more for one)"


def metric_table(
    title: str, keys: list[str], columns: list[str], cells: Callable[[str, str], list[str]],
    caption: str = CI_CAPTION,
    *, section: Callable[[str], str] = group_label, row: Callable[[str], str] | None = None,
) -> Table:
    """A table with one row per metric key, grouped in sections (overall, call types, ...).

    ``cells(key, metric_name)`` returns the cells of the other ``columns`` for a row;
    ``section(key)`` names a row's section and ``row(key)`` its label (default: the
    catalogue's label, indented).
    """
    from rich.table import Table

    from callsim.analysis.documents import split_key

    table = Table(title=title, caption=caption)
    table.add_column("Metric", no_wrap=True)
    for column in columns:
        table.add_column(column, justify="right")
    last = None
    for key in keys:
        label, name = section(key), split_key(key)[2]
        if label != last:
            if last is not None:
                table.add_section()
            table.add_row(f"[bold]{label}[/bold]", *[""] * len(columns))
            last = label
        text = row(key) if row else f"  {catalogue.metric(name).label}"
        table.add_row(text, *cells(key, name))
    return table


def summary_table(title: str, summary: pd.DataFrame, hidden: list[str] | None = None,
                  cost_words: str = "") -> Table:
    """One policy's long summary (``metric``, ``mean``, ``ci_low``, ``ci_high``) as a table.

    Metrics named in ``hidden`` are left out and ``cost_words`` heads the costs (see
    :mod:`callsim.cli.metric_rows`).
    """
    from functools import partial

    from callsim.cli.metric_rows import row_label, section_label, shown_keys

    rows = summary.set_index("metric")

    def cells(key: str, name: str) -> list[str]:
        r = rows.loc[key]
        return [format_pm(name, r["mean"], r["ci_low"], r["ci_high"])]

    keys = shown_keys(list(rows.index), hidden or [])
    one = "n" in rows and len(rows) > 0 and bool((rows["n"] < 2).all())
    return metric_table(title, keys, ["value (one replication)" if one else "mean ± 95% CI"],
                        cells, ONE_REPLICATION if one else CI_CAPTION,
                        section=partial(section_label, cost_words=cost_words), row=row_label)


class LazyProgress:
    """Progress on stderr from the first report: a rich bar on a terminal, else plain lines.

    On a terminal the bar shows counts, elapsed time and ETA, and disappears at the end. When
    stderr is not a terminal (a CI log, ``nohup``, a pipe) a line such as ``sweep: 12/48 (25%),
    0:00:31 elapsed, eta 0:01:33`` is printed at the start, every :data:`LINE_EVERY` seconds
    and at the end. Nothing is shown when the work fails before it starts (e.g. validation),
    so error output stays one clean line.
    """

    def __init__(self, description: str, stream: TextIO | None = None) -> None:
        self.description = description
        self.stream = stream
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.done, self.total = 0, 0
        self.started = self.last_line = -math.inf

    @property
    def _stream(self) -> TextIO:
        return self.stream if self.stream is not None else sys.stderr

    def advance(self, done: int, total: int) -> None:
        """Report ``done`` more units of work out of ``total`` planned."""
        self.done += done
        self.total = total
        if not self._stream.isatty():
            self._line()
            return
        if self.bar is None:
            self.bar = _rich_bar(self._stream)
            self.bar.start()
            self.task = self.bar.add_task(self.description, total=total)
        assert self.task is not None
        self.bar.update(self.task, total=total, advance=done)

    def _line(self, final: bool = False) -> None:
        now = time.monotonic()
        if self.started == -math.inf:
            self.started = now
        elif not final and now - self.last_line < LINE_EVERY and self.done < self.total:
            return
        self.last_line = now
        elapsed = now - self.started
        share = self.done / self.total if self.total else 1.0
        text = f"{self.description}: {self.done}/{self.total} ({share:.0%}), "
        text += f"{timedelta(seconds=round(elapsed))} elapsed"
        if 0 < self.done < self.total:
            text += f", eta {timedelta(seconds=round(elapsed * (1 / share - 1)))}"
        print(text, file=self._stream, flush=True)

    def close(self) -> None:
        """Remove the bar (or print the last line, if the work did not finish)."""
        if self.bar is not None:
            self.bar.stop()
        elif self.started != -math.inf and self.done < self.total:
            self._line(final=True)


def _rich_bar(stream: TextIO) -> Progress:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=Console(file=stream),
        transient=True,
    )


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
