"""Result tables as sheets: labelled headers and number formats from the metric catalogue.

Every command that writes a table (``run``, ``compare``, ``sweep``, ``erlang``) hands these
sheets to :func:`callsim.report.writers.write_tables`, which picks the format by suffix. Values
are never rescaled: a share is the same fraction in CSV, JSON and Excel (where its cell format
shows it in %), so every file holds the same numbers.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({"metric": ["overall.abandon_rate", "overall.wait_mean"],
...                      "mean": [0.05, 30.0], "ci_low": [0.04, 20.0],
...                      "ci_high": [0.06, 40.0], "n": [5, 5]})
>>> sheet = long_sheet("summary", rows)
>>> list(sheet.frame["label"]), list(sheet.row_formats or [])
(['Abandonment rate (%)', 'Mean wait (s)'], ['0.0%', '0.0" s"'])
>>> sheet.headers["ci_low"]
'95% CI low'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from callsim.analysis.documents import interval_key
from callsim.engine.records import Outcome, Stage, TransferKind
from callsim.experiments.grid import field_kind, field_label
from callsim.report.sheets import Sheet
from callsim.scenario.catalogue import KEY_COLUMNS, POINT_COLUMN, column_label, key_label, metric
from callsim.scenario.durations import format_clock

if TYPE_CHECKING:
    from callsim.experiments.comparison import Comparison
    from callsim.scenario.schema import Scenario

__all__ = [
    "clock_times",
    "comparison_sheets",
    "erlang_sheets",
    "field_header",
    "interval_sheet",
    "labelled_records",
    "long_sheet",
    "run_sheets",
    "scenario_sheet",
    "sweep_sheets",
    "wide_sheet",
    "write_sweep_tables",
]

_VALUES = ("mean", "ci_low", "ci_high")
_COUNTS = {"n": "0", "replication": "0", "seed": "0", "point": "0", "interval": "0",
           "start": "0", "agents": "0"}


def _headers(columns: Sequence[Any]) -> dict[str, str]:
    return {str(c): column_label(str(c)) for c in columns}


def long_sheet(name: str, frame: pd.DataFrame, difference: bool = False,
               key_of: Callable[[str], str] | None = None) -> Sheet:
    """A long table (a ``metric`` column, ``mean``/``ci_low``/``ci_high`` values) as a sheet.

    A ``label`` column (the metric's label with unit) is added after ``metric``; the value
    cells take the metric's number format row by row.

    Parameters
    ----------
    name
        Sheet name.
    frame
        Long table with a ``metric`` column of flat keys (or interval statistics).
    difference
        Values are paired differences (labels in pp for shares).
    key_of
        Function from a ``metric`` value to its flat metric key; default: the value itself.
    """
    keys = [str(k) if key_of is None else key_of(str(k)) for k in frame["metric"]]
    frame = frame.reset_index(drop=True)
    at = list(frame.columns).index("metric") + 1
    frame.insert(at, "label", [key_label(k, difference) for k in keys])
    return Sheet(name, frame, headers=_headers(frame.columns), formats=_COUNTS,
                 row_formats=[metric(k).excel_format for k in keys],
                 value_columns=[c for c in _VALUES if c in frame.columns])


def wide_sheet(name: str, frame: pd.DataFrame) -> Sheet:
    """A wide table (keys, then a column per flat metric key) with labelled headers and formats.

    Columns before ``policy`` other than ``point`` are swept scenario fields: they keep their
    dotted path as header.
    """
    frame = frame.reset_index(drop=True)
    columns = [str(c) for c in frame.columns]
    fields = columns[: columns.index("policy")] if "policy" in columns else []
    formats = dict(_COUNTS)
    headers = {c: column_label(c) for c in columns}
    for column in columns:
        if column in fields and column != POINT_COLUMN:
            headers[column], formats[column] = field_header(column)
        elif column not in formats and column not in KEY_COLUMNS:
            formats[column] = metric(column).excel_format
    return Sheet(name, frame, headers=headers, formats=formats)


def field_header(path: str) -> tuple[str, str]:
    """Header and Excel format of a swept scenario field's column, the same in every sheet.

    >>> field_header("departments.billing.agents"), field_header("x.misroute.b")[0]
    (('billing: agents', '0'), 'x: misrouted to b (%)')
    """
    kind = field_kind(path)
    unit, fmt = {"share": (" (%)", "0.0%"), "duration": (" (s)", '0.0" s"'),
                 "count": ("", "0")}.get(kind, ("", "General"))
    return field_label(path) + unit, fmt


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), inner, out)
    elif isinstance(value, list):
        out[prefix] = ", ".join(map(str, value))
    else:
        out[prefix] = value


def scenario_sheet(scenario: Scenario) -> Sheet:
    """The scenario's inputs, one row per field (dotted path; times in s, shares as fractions)."""
    fields: dict[str, Any] = {}
    _flatten("", scenario.model_dump(mode="json", exclude_none=True), fields)
    frame = pd.DataFrame({"field": list(fields), "value": [_plain(v) for v in fields.values()]})
    return Sheet("scenario inputs", frame, headers=_headers(frame.columns))


def _plain(value: Any) -> Any:
    """Numbers stay numbers; everything else (booleans included) becomes text."""
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    return str(value)


def run_sheets(summary: pd.DataFrame, replications: pd.DataFrame,
               scenario: Scenario | None = None) -> list[Sheet]:
    """Sheets of ``callsim run``: the summary, every replication, the scenario inputs."""
    sheets = [long_sheet("summary", summary), wide_sheet("replications", replications)]
    return sheets + ([scenario_sheet(scenario)] if scenario is not None else [])


def interval_sheet(comparison: Comparison) -> Sheet:
    """Per policy and interval, each statistic with its 95% CI and the interval's clock time."""
    rows = comparison.interval_summary.reset_index(drop=True)
    rows.insert(list(rows.columns).index("start") + 1, "clock",
                [format_clock(s, comparison.clock_start) for s in rows["start"]])
    return long_sheet("intervals", rows, key_of=interval_key)


def comparison_sheets(comparison: Comparison, scenario: Scenario | None = None) -> list[Sheet]:
    """Sheets of ``callsim compare``: summary, differences, intervals, replications, inputs."""
    sheets = [long_sheet("summary", comparison.summary)]
    pairs = comparison.paired()
    if pairs:
        differences = pd.concat([frame.assign(difference=label) for label, frame in pairs.items()],
                                ignore_index=True)
        differences.insert(0, "difference", differences.pop("difference"))
        sheets.append(long_sheet("differences", differences, difference=True))
    sheets += [interval_sheet(comparison), wide_sheet("replications", comparison.per_replication)]
    return sheets + ([scenario_sheet(scenario)] if scenario is not None else [])


def sweep_sheets(rows: pd.DataFrame, summary: pd.DataFrame) -> list[Sheet]:
    """Sheets of ``callsim sweep``: every row (a point, policy and replication), the summary."""
    sheet = long_sheet("summary", summary)
    fields = [str(c) for c in summary.columns][: list(summary.columns).index("policy")]
    headers, formats = dict(sheet.headers), dict(sheet.formats)
    for column in fields:
        if column != POINT_COLUMN:
            headers[column], formats[column] = field_header(column)
    return [wide_sheet("results", rows), replace(sheet, headers=headers, formats=formats)]


def write_sweep_tables(rows: pd.DataFrame, summary: pd.DataFrame, out: Path) -> list[Path]:
    """Write a sweep's results and summary by suffix (:func:`writers.write_tables`).

    Excel and JSON hold both tables in one file; CSV and Parquet write ``out`` and
    ``<stem>.summary<suffix>`` beside it (as :func:`callsim.experiments.sweeps.summary_path`).
    """
    from callsim.report.writers import write_tables

    return write_tables(sweep_sheets(rows, summary), out)


#: Labelled categories of the call records (``--calls-out``): column -> code enum.
RECORD_CATEGORIES: dict[str, type[IntEnum]] = {
    "transfer_kind": TransferKind,
    "outcome": Outcome,
    "abandon_stage": Stage,
}


def clock_times(seconds: pd.Series, start: float) -> pd.Series:
    """``HH:MM:SS`` clock times (to the second, past midnight wrapping) of times in s from t = 0.

    Examples
    --------
    >>> clock_times(pd.Series([8.9, 3600.0, float("nan")]), 8 * 3600).tolist()
    ['08:00:08', '09:00:00', None]
    """
    total = (seconds.to_numpy(dtype=float) + start) % 86400.0
    known = ~np.isnan(total)
    whole = np.floor(np.where(known, total, 0.0)).astype(np.int64)  # truncated to the second
    text = [format_clock(t, with_seconds=True) if ok else None
            for t, ok in zip(whole.tolist(), known.tolist(), strict=True)]
    return pd.Series(text, index=seconds.index, dtype=object)


def labelled_records(calls: pd.DataFrame, start: float = 0.0) -> pd.DataFrame:
    """Call records for people and files: codes as labelled categories, arrival clock time.

    ``transfer_kind``, ``outcome`` and ``abandon_stage`` become pandas categoricals (Arrow
    dictionaries in Parquet) whose categories are the lower-case enum names, in code order
    (``resolved``, ``abandoned``, ``dropped``, ``unfinished``, ``unreached`` for ``outcome``);
    ``call_type`` and ``first_department`` are categoricals already. An ``arrival_clock``
    column (``HH:MM:SS`` from ``horizon.start``) follows ``arrival``.

    Parameters
    ----------
    calls
        Call records of one or more replications (:class:`callsim.engine.records.SimulationResult`).
    start
        Clock time of t = 0, seconds since midnight.
    """
    out = calls.copy()
    for column, codes in RECORD_CATEGORIES.items():
        if column in out.columns:
            labels = [member.name.lower() for member in sorted(codes)]
            out[column] = pd.Categorical.from_codes(
                out[column].to_numpy(dtype=np.int64) - min(codes), categories=labels)
    if "arrival" in out.columns:
        out.insert(list(out.columns).index("arrival") + 1, "arrival_clock",
                   clock_times(out["arrival"], start))
    return out


#: Erlang columns that are not catalogued metrics: (header with unit, Excel format).
_ERLANG_EXTRA = {"offered_load": ("Offered load (Erlangs)", "0.00"),
                 "wait_if_delayed": ("Mean wait if delayed (s)", '0.0" s"')}


def erlang_sheets(frame: pd.DataFrame, inputs: Mapping[str, Any]) -> list[Sheet]:
    """Sheets of ``callsim erlang``: the figures per number of agents, and the inputs."""
    columns = [str(c) for c in frame.columns]
    formats = {c: _COUNTS.get(c) or _ERLANG_EXTRA.get(c, ("", metric(c).excel_format))[1]
               for c in columns}
    headers = {c: column_label(c) if c == "agents" else
               _ERLANG_EXTRA.get(c, (metric(c).axis_label(), ""))[0] for c in columns}
    table = Sheet("erlang", frame.reset_index(drop=True), headers=headers, formats=formats)
    given = pd.DataFrame({"field": list(inputs), "value": [_plain(v) for v in inputs.values()]})
    return [table, Sheet("inputs", given, headers=_headers(given.columns))]

