"""Output files by suffix: the one place that knows which file formats callsim writes.

Tables go to ``.csv``, ``.parquet``, ``.json`` or ``.xlsx``; figures to ``.png`` or ``.svg``.
Every file is written atomically (:func:`callsim.files.atomic_path`): it appears whole or not
at all, with the usual permissions.

Several tables (a comparison's summary and differences, say) go to one Excel workbook (a
sheet each) or one JSON object (a key each); in CSV and Parquet the first table goes to the
path given and each other one beside it as ``NAME.<table>.csv``.

Examples
--------
>>> import tempfile, pathlib
>>> import pandas as pd
>>> out = pathlib.Path(tempfile.mkdtemp()) / "t.json"
>>> _ = write_table(pd.DataFrame({"a": [1, 2]}), out)
>>> out.read_text()
'[{"a":1},{"a":2}]'
>>> [p.name for p in table_paths(out.with_suffix(".csv"), ["summary", "scenario inputs"])]
['t.csv', 't.scenario_inputs.csv']
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pandas as pd

from callsim.files import atomic_path, unwritable
from callsim.report.sheets import Sheet

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "FIGURE_FORMATS",
    "RECORD_SUFFIXES",
    "TABLE_SUFFIXES",
    "Sheet",
    "choices",
    "out_path_problem",
    "render_figure",
    "save_figure",
    "table_paths",
    "write_records",
    "write_table",
    "write_tables",
]

#: Table formats, by file suffix.
TABLE_SUFFIXES: dict[str, str] = {
    ".csv": "CSV",
    ".parquet": "Parquet",
    ".json": "JSON",
    ".xlsx": "Excel",
}
#: Formats of per-call records (``--calls-out``): the columnar ones.
RECORD_SUFFIXES: tuple[str, ...] = (".parquet", ".csv")
#: Figure formats (matplotlib format names), by file suffix.
FIGURE_FORMATS: dict[str, str] = {".png": "png", ".svg": "svg"}


def choices(suffixes: Sequence[str]) -> str:
    """``.csv, .json or .xlsx``: the suffixes as a phrase for messages."""
    names = list(suffixes)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def out_path_problem(
    path: str | os.PathLike[str], option: str, suffixes: Sequence[str] = tuple(TABLE_SUFFIXES)
) -> str | None:
    """The one-line problem with an output path, or ``None`` when it can be written.

    Checked before any work starts: the suffix is one of ``suffixes``, the path is not a
    folder, and its folder exists and is writable (:func:`callsim.files.unwritable`).

    Examples
    --------
    >>> out_path_problem("out.txt", "--out")
    "out.txt: --out must end in .csv, .parquet, .json or .xlsx, not '.txt'"
    >>> out_path_problem("no/such/folder/out.csv", "--out")
    'no/such/folder/out.csv: --out: folder no/such/folder does not exist'
    >>> out_path_problem("out.CSV", "--out") is None
    True
    """
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        return f"{path}: {option} must end in {choices(suffixes)}, not {path.suffix!r}"
    problem = unwritable(path)
    return f"{path}: {option}: {problem}" if problem else None


def _check_suffix(path: Path, suffixes: Sequence[str], what: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        raise ValueError(f"{path}: {what} must end in {choices(suffixes)}, not {path.suffix!r}")
    return suffix


def table_paths(path: str | os.PathLike[str], names: Sequence[str]) -> list[Path]:
    """Files that :func:`write_tables` writes for tables ``names`` at ``path``.

    A table's name goes into the file name with ``_`` for spaces (``run.scenario_inputs.csv``,
    not ``run.scenario inputs.csv``): a file name a shell takes without quotes.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".json"):
        return [path]
    return [path] + [path.with_name(f"{path.stem}.{'_'.join(name.split())}{path.suffix}")
                     for name in names[1:]]


def _json_value(value: Any) -> Any:
    """A JSON-safe cell: NumPy scalars as Python ones, NaN/NA/inf as ``null``, times as text."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, bool | int | str):
        return value
    return str(value)


def _json_ready(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as objects, numbers exactly as stored (``json`` writes the shortest round trip)."""
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, map(_json_value, row), strict=True))
            for row in frame.itertuples(index=False, name=None)]


def _write_excel(sheets: Sequence[Sheet], stream: Path) -> None:
    from callsim.report.excel import write_workbook  # openpyxl only when asked for

    write_workbook(sheets, stream)


def _write_one(frame: pd.DataFrame, suffix: str, target: Path) -> None:
    if suffix == ".csv":
        frame.to_csv(target, index=False)
    elif suffix == ".parquet":
        frame.to_parquet(target, index=False)
    else:
        target.write_text(json.dumps(_json_ready(frame), separators=(",", ":")), "utf-8")


def write_tables(sheets: Sequence[Sheet], path: str | os.PathLike[str]) -> list[Path]:
    """Write several tables to ``path`` (format by suffix); return the files written.

    Excel: one workbook, a sheet per table, labelled headers, number formats, frozen header
    row. JSON: one object, a list of row objects per table name. CSV and Parquet: the first
    table at ``path``, the others beside it (:func:`table_paths`). All files appear together
    or not at all.

    Raises
    ------
    ValueError
        If the suffix is not a table format (nothing is written).
    """
    path = Path(path)
    suffix = _check_suffix(path, tuple(TABLE_SUFFIXES), "table file")
    targets = table_paths(path, [s.name for s in sheets])
    if suffix == ".xlsx":
        with atomic_path(path) as temporary:
            _write_excel(sheets, temporary)
    elif suffix == ".json":
        document = {s.name: _json_ready(s.frame) for s in sheets}
        with atomic_path(path) as temporary:
            temporary.write_text(json.dumps(document, indent=1), "utf-8")
    else:
        from contextlib import ExitStack

        with ExitStack() as stack:
            for sheet, target in zip(sheets, targets, strict=True):
                _write_one(sheet.frame, suffix, stack.enter_context(atomic_path(target)))
    return targets


def write_table(frame: pd.DataFrame | Sheet, path: str | os.PathLike[str]) -> Path:
    """Write one table to ``path``: CSV, Parquet, JSON (a list of rows) or Excel by suffix.

    Raises
    ------
    ValueError
        If the suffix is not a table format (nothing is written).
    """
    path = Path(path)
    sheet = frame if isinstance(frame, Sheet) else Sheet(path.stem[:31] or "table", frame)
    suffix = _check_suffix(path, tuple(TABLE_SUFFIXES), "table file")
    if suffix == ".xlsx":
        return write_tables([sheet], path)[0]
    with atomic_path(path) as temporary:
        _write_one(sheet.frame, suffix, temporary)
    return path


def write_records(frame: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write per-call records to Parquet or CSV (by suffix), atomically.

    A crash or Ctrl-C while writing leaves no half-written file at ``path``.

    Raises
    ------
    ValueError
        If the suffix is not ``.parquet`` or ``.csv`` (nothing is written).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from callsim import load_scenario, simulate
    >>> scenario = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=1h"])
    >>> result = simulate(scenario, policy="cold", seed=1)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "calls.csv"
    >>> write_records(result.calls, path)
    >>> len(path.read_text().splitlines()) == len(result.calls) + 1  # a header and a row per call
    True
    """
    path = Path(path)
    suffix = _check_suffix(path, RECORD_SUFFIXES, "records file")
    with atomic_path(path) as temporary:
        _write_one(frame, suffix, temporary)


def render_figure(figure: Figure, stream: IO[bytes] | Path, fmt: str) -> None:
    """Render ``figure`` in format ``fmt`` (``png`` at 120 dpi, or ``svg`` without a date)."""
    metadata = {"Date": None} if fmt == "svg" else None
    figure.savefig(stream, format=fmt, dpi=120, metadata=metadata)


def save_figure(figure: Figure, path: str | os.PathLike[str]) -> Path:
    """Write ``figure`` to ``path`` (PNG or SVG by extension) atomically.

    Raises
    ------
    ValueError
        For another extension (nothing is written).
    OSError
        For a folder that does not exist.
    """
    target = Path(path)
    suffix = _check_suffix(target, tuple(FIGURE_FORMATS), "figure file")
    with atomic_path(target) as temporary:
        render_figure(figure, temporary, FIGURE_FORMATS[suffix])
    return target
