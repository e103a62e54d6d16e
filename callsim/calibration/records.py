"""The call-record format: what an analyst maps an ACD export onto (CSV or Parquet).

One row per call, as it reached its first queue:

========================  ========  ==============================================================
column                    required  meaning
========================  ========  ==============================================================
``arrived``               yes       timestamp the call reached the queue (ISO 8601 by default)
``queue``                 yes       the queue (department) it reached first
``outcome``               yes       ``answered`` or ``abandoned`` (in that first queue)
``waited``                no        seconds (or ``HH:MM:SS``, ``45s``) waited in that queue
``handled``               no        the first agent's time on the call (s): talk time, or the
                                    time until the transfer for a transferred call
``transferred_to``        no        the queue the first agent transferred the call to (blank: none)
``transfer_kind``         no        ``cold`` or ``warm`` (blank: none)
``call_type``             no        the caller's reason; default: ``transferred_to`` if
                                    transferred, else ``queue``
``agent``                 no        id of the agent who answered
``priority``              no        the caller's priority class: an integer >= 0, higher first
``id``                    no        the call's id: a repeated id is an error (a call given twice)
========================  ========  ==============================================================

Queue and call type names are turned into scenario names (lower case, runs of other characters
than letters, digits, ``-`` and ``_`` become ``_``): ``"Tech Support"`` is ``tech_support``.
Bad cells are errors, never silent drops: :class:`RecordsError` lists one line per problem,
``FILE row N: column 'X': message``, where row N is the line of a CSV file (header = row 1) or
the 1-based row of a Parquet file.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from callsim.calibration.errors import MAX_PROBLEMS, RecordsError
from callsim.calibration.mapping import ALL_COLUMNS, OPTIONAL, REQUIRED, ColumnMap
from callsim.calibration.stamps import (
    arrival_stamps,
    clock_over_59,
    date_time_columns,
    outside_calendar,
)
from callsim.files.reading import InputFileError, check_input_file, read_csv_table
from callsim.scenario.limits import MAX_INPUT_BYTES, MAX_SECONDS

__all__ = ["CallRecords", "read_records", "records_frame", "safe_name", "sniff_separator"]

#: Columns of :attr:`CallRecords.frame`.
FRAME_COLUMNS: tuple[str, ...] = (
    "day", "clock", "queue", "call_type", "answered", "waited", "handled",
    "transferred_to", "transfer_kind", "agent", "priority",
)
#: Suffixes of the files read (text files: the delimiter is given in the map or sniffed).
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
_NOT_NAME = re.compile(r"[^a-z0-9_-]+")


def safe_name(text: str) -> str:
    """A queue or call type name as a scenario name: ``"Tech Support"`` -> ``tech_support``."""
    return _NOT_NAME.sub("_", str(text).strip().lower()).strip("_")


@dataclass(frozen=True)
class CallRecords:
    """Call records read and checked, one row per call.

    Attributes
    ----------
    frame
        Columns :data:`FRAME_COLUMNS`: ``day`` (datetime64, midnight), ``clock`` (s since
        midnight), ``queue`` and ``call_type`` (categorical scenario names), ``answered``
        (bool), ``waited`` and ``handled`` (s, NaN when unknown), ``transferred_to``,
        ``transfer_kind`` (``cold``/``warm``), ``agent`` (categorical, NaN when none) and
        ``priority`` (int, 0 when the records have none).
    present
        The optional columns the files had (``call_type`` absent means it was derived).
    sources
        The files read.
    dropped
        Rows left out by the mapping's ``drop`` rules: rule name -> count.
    notes
        Warnings about the records, one line each: exact duplicate rows (counted as calls),
        durations beyond the scenario limit (left out as unknown: outliers, not fitted).
    """

    frame: pd.DataFrame
    present: frozenset[str]
    sources: tuple[str, ...] = ()
    dropped: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def days(self) -> list[pd.Timestamp]:
        """The dates present in the records, sorted."""
        return [pd.Timestamp(d) for d in sorted(pd.unique(self.frame["day"]))]


def _given_twice(paths: Sequence[Path]) -> str | None:
    """A problem line when one file is given twice (its calls would count twice), else None."""
    seen: dict[tuple[int, int] | Path, Path] = {}
    for path in paths:
        try:
            stat = path.stat()
            key: tuple[int, int] | Path = (stat.st_dev, stat.st_ino)
        except OSError:
            key = path.resolve()
        if key in seen:
            return (f"{path}: the same file as {seen[key]}, given twice (every call would "
                    "count twice)")
        seen[key] = path
    return None


def read_records(
    paths: str | Path | Sequence[str | Path], mapping: ColumnMap | None = None
) -> CallRecords:
    """Read call-record files (CSV or Parquet, by suffix) into one checked table.

    Parameters
    ----------
    paths
        One file or several (their rows are put together; they must map the same way).
    mapping
        How the export's columns and codes map onto the format (default: the names as is).

    Raises
    ------
    RecordsError
        One line per problem (missing file or column, unreadable timestamp, negative or
        unreadable duration, unknown outcome or transfer kind, ...), naming file, row, column.

    Examples
    --------
    >>> from callsim.calibration.mapping import load_mapping
    >>> records = read_records("scenarios/records/acd_week.csv",
    ...                        load_mapping("scenarios/records/acd_map.yaml"))
    >>> len(records), sorted(records.frame["queue"].cat.categories)
    (14581, ['billing', 'support'])
    """
    mapping = mapping or ColumnMap()
    paths = [paths] if isinstance(paths, str | Path) else list(paths)
    if not paths:
        raise RecordsError(["no records file given"])
    if twice := _given_twice([Path(p) for p in paths]):
        raise RecordsError([twice])
    frames, problems, present, notes = [], [], set(OPTIONAL), []
    dropped: dict[str, int] = {}
    for path in paths:
        try:
            raw, first_row = _read_table(Path(path), mapping.separator)
            frame = records_frame(raw, mapping, str(path), first_row)
        except RecordsError as exc:
            problems += exc.problems
            continue
        present &= set(frame.attrs["present"])
        notes += frame.attrs["notes"]
        for rule, count in frame.attrs["dropped"].items():
            dropped[rule] = dropped.get(rule, 0) + count
        frames.append(frame)
    problems += duplicate_ids(frames, [str(p) for p in paths]) if not problems else []
    if problems:
        raise RecordsError(problems)
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    for column in ("queue", "call_type", "transferred_to", "transfer_kind", "agent"):
        frame[column] = frame[column].astype("category")
    frame.attrs = {}
    return CallRecords(frame, frozenset(present), tuple(str(p) for p in paths), dropped,
                       tuple(notes))


def sniff_separator(path: Path) -> str:
    """The delimiter of a text export, guessed from its first lines (``,`` when unclear)."""
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        sample = handle.read(65536)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _read_table(path: Path, separator: str | None = None) -> tuple[pd.DataFrame, int]:
    """The raw table and the row number of its first data row (text header = row 1)."""
    suffix = path.suffix.lower()
    if suffix not in (*TEXT_SUFFIXES, ".parquet"):
        raise RecordsError([f"{path}: records files end in .csv, .txt, .tsv or .parquet"])
    try:  # a FIFO or a device would block the readers below: the one input check first
        check_input_file(path, MAX_INPUT_BYTES)
    except InputFileError as exc:
        raise RecordsError([f"{path}: {exc.reason}"]) from None
    try:
        if suffix in TEXT_SUFFIXES:
            sep = separator or sniff_separator(path)
            table = read_csv_table(path, sep=sep, dtype=str, keep_default_na=False)
            header, first = _header(path, sep), 2
        else:
            table, first = pd.read_parquet(path), 1
            header = [str(c) for c in table.columns]
    except FileNotFoundError:
        raise RecordsError([f"{path}: file not found"]) from None
    except Exception as exc:  # any reader failure is one line about the file
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RecordsError([f"{path}: cannot read: {message}"]) from None
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:  # pandas would rename the second 'X' to 'X.1' and read the first only
        raise RecordsError([f"{path}: column {twice[0]!r} appears {header.count(twice[0])} "
                            "times in the header (which one is meant?)"])
    if table.empty:
        raise RecordsError([f"{path}: no call records (a header and no rows)"])
    return table, first


def _header(path: Path, separator: str) -> list[str]:
    """The header cells of a text file as written (pandas renames repeated names)."""
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        row = next(csv.reader(handle, delimiter=separator), [])
    return [cell.strip() for cell in row]


class _Problems:
    """Bad cells of one file, reported as ``FILE row N: column 'X': message``."""

    def __init__(self, source: str, first_row: int, mapping: ColumnMap,
                 rows: np.ndarray) -> None:
        self.source, self.first_row, self.mapping = source, first_row, mapping
        self.rows = rows  # 0-based position in the file of each row kept
        self.found: list[tuple[int, int, str]] = []
        self.total = 0  # every bad cell, shown or not

    def add(self, column: str, bad: np.ndarray, values: pd.Series, message: str) -> None:
        order = ALL_COLUMNS.index(column)
        for i in np.flatnonzero(bad)[:MAX_PROBLEMS]:
            text = f"column {self.mapping.describe(column)}: {message} ({values.iloc[i]!r})"
            self.found.append((int(self.rows[i]), order, text))
        self.total += int(np.count_nonzero(bad))

    def row_numbers(self, mask: np.ndarray) -> list[int]:
        """The file's row numbers (header = row 1) of the rows where ``mask`` holds."""
        return [int(r) + self.first_row for r in self.rows[np.flatnonzero(mask)]]

    def raise_if_any(self) -> None:
        if not self.found:
            return
        found = sorted(self.found)
        lines = [f"{self.source} row {i + self.first_row}: {text}"
                 for i, _, text in found[:MAX_PROBLEMS]]
        if self.total > len(lines):
            lines.append(f"{self.source}: {self.total - len(lines):,} more problems not shown "
                         f"({self.total:,} in all)")
        raise RecordsError(lines)


def records_frame(
    raw: pd.DataFrame, mapping: ColumnMap, source: str = "<records>", first_row: int = 2
) -> pd.DataFrame:
    """Check and convert one raw table (export column names) into :data:`FRAME_COLUMNS`.

    ``frame.attrs["present"]`` lists the optional columns found, ``frame.attrs["dropped"]``
    the rows each ``drop`` rule left out.

    Raises
    ------
    RecordsError
        As :func:`read_records`.
    """
    _check_columns(raw, mapping, source)
    raw, dropped = _drop_rows(raw, mapping)
    columns = {c: mapping.export_name(c) for c in ALL_COLUMNS}
    bad = _Problems(source, first_row, mapping, raw.index.to_numpy())
    raw = raw.reset_index(drop=True)
    col = {c: raw[name] for c, name in columns.items() if name in raw.columns}
    if mapping.date_time is not None:
        col["arrived"] = date_time_columns(raw, mapping.date_time)
    stamps = arrival_stamps(raw, col.get("arrived"), mapping)
    _bad_stamps(stamps.isna().to_numpy(), col["arrived"], mapping, bad)
    out = pd.DataFrame({"day": stamps.dt.normalize()})
    out["clock"] = (stamps - out["day"]).dt.total_seconds()
    out["queue"] = _names(col["queue"], mapping, "queue", bad, required=True)
    outcome = _codes(col["outcome"], mapping, "outcome", ("answered", "abandoned"), bad, True)
    out["answered"] = (outcome == "answered").to_numpy()
    for name in ("waited", "handled"):
        out[name] = _durations(col[name], name, bad) if name in col else np.nan
    out["transferred_to"] = _optional_names(col, mapping, "transferred_to", bad)
    kind = (_codes(col["transfer_kind"], mapping, "transfer_kind", ("cold", "warm"), bad, False)
            if "transfer_kind" in col else pd.Series(np.nan, index=raw.index, dtype=object))
    out["transfer_kind"] = kind.to_numpy()
    _check_transfers(out, outcome, col, bad)
    derived = out["transferred_to"].fillna(out["queue"])  # a blank call type is derived too
    call_type = _optional_names(col, mapping, "call_type", bad)
    out["call_type"] = call_type.fillna(derived) if isinstance(call_type, pd.Series) else derived
    out["agent"] = _texts(col["agent"], mapping, "agent") if "agent" in col else np.nan
    out["priority"] = _priorities(col["priority"], mapping, bad) if "priority" in col else 0
    ids = _ids(col["id"], mapping, bad) if "id" in col else None
    bad.raise_if_any()
    out.attrs = {"present": [c for c in OPTIONAL if c in col], "dropped": dropped, "ids": ids,
                 "notes": _outliers(out, bad) + ([] if ids is not None else
                                                 _repeated_rows(raw, bad))}
    return out


def _ids(values: pd.Series, mapping: ColumnMap, bad: _Problems) -> np.ndarray:
    """Call ids (text): a blank id, or the id of an earlier row, is an error."""
    ids = _texts(values, mapping, "id")
    bad.add("id", ids.isna().to_numpy(), values, "empty")
    bad.add("id", (ids.notna() & ids.duplicated()).to_numpy(), values,
            "the id of an earlier row (a call given twice)")
    out: np.ndarray = ids.to_numpy(dtype=object)
    return out


def duplicate_ids(frames: Sequence[pd.DataFrame], sources: Sequence[str]) -> list[str]:
    """A line per file holding an id that an earlier file holds too (a call given twice)."""
    seen: dict[str, str] = {}
    lines = []
    for frame, source in zip(frames, sources, strict=False):
        ids = frame.attrs.get("ids")
        if ids is None:
            continue
        again = [i for i in ids if i in seen]
        if again:
            lines.append(f"{source}: {len(again):,} call id(s) also in {seen[again[0]]} "
                         f"(first: {again[0]!r}): the same calls given twice")
        seen.update(dict.fromkeys((i for i in ids if i not in seen), source))
    return lines


def _repeated_rows(raw: pd.DataFrame, bad: _Problems) -> list[str]:
    """A warning when rows repeat an earlier row exactly (kept: calls can look alike)."""
    repeated = raw.duplicated().to_numpy()
    if not repeated.any():
        return []
    rows = bad.row_numbers(repeated)
    return [f"{bad.source}: {len(rows):,} row(s) exactly repeat an earlier row (first: row "
            f"{rows[0]}); each is counted as a call (map an id column to make a repeated call "
            "an error)"]


def _outliers(out: pd.DataFrame, bad: _Problems) -> list[str]:
    """Durations beyond the scenario limit become unknown (NaN), one warning per column.

    No scenario can hold them (:data:`~callsim.scenario.limits.MAX_SECONDS`), so they are
    reported as outliers, never fitted (a 1e308 s wait, a 1e15 s talk time).
    """
    lines = []
    for column in ("waited", "handled"):
        beyond = (out[column] > MAX_SECONDS).to_numpy()
        if beyond.any():
            rows = bad.row_numbers(beyond)
            shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
            lines.append(f"{bad.source}: column {bad.mapping.describe(column)}: {len(rows):,} "
                         f"value(s) above {MAX_SECONDS:.0e} s, the longest duration a scenario "
                         f"takes (largest {out[column].max():.3g} s; "
                         f"{'rows' if len(rows) > 1 else 'row'} {shown}): outliers, "
                         "left out as unknown")
            out.loc[beyond, column] = np.nan
    return lines


def _check_columns(raw: pd.DataFrame, mapping: ColumnMap, source: str) -> None:
    """Every required column, and every export column the map names for arrived and drop."""
    lines = [f"{source}: missing column {mapping.describe(c)}" for c in REQUIRED
             if not (c == "arrived" and mapping.date_time is not None)
             and mapping.export_name(c) not in raw.columns]
    if mapping.date_time is not None:
        lines += [f"{source}: missing column '{c}' (arrived in {mapping.source})"
                  for c in mapping.date_time.export_columns if c not in raw.columns]
    lines += [f"{source}: missing column '{c}' (drop rule {rule.name} in {mapping.source})"
              for rule in mapping.drop for c in rule.codes if c not in raw.columns]
    if lines and mapping.source is None and not mapping.columns:  # the export's own names
        lines[0] += (" (an export names its columns its own way: say which is which with "
                     "`mapping` FILE.yaml, see docs/calibration.md)")
    if lines:
        raise RecordsError(lines)


def _drop_rows(raw: pd.DataFrame, mapping: ColumnMap) -> tuple[pd.DataFrame, dict[str, int]]:
    """The rows no ``drop`` rule matches, and how many each rule left out (first match)."""
    keep = np.ones(len(raw), dtype=bool)
    dropped = {}
    for rule in mapping.drop:
        match = keep.copy()
        for column, codes in rule.codes.items():
            match &= raw[column].astype(str).str.strip().isin(codes).to_numpy()
        dropped[rule.name] = int(match.sum())
        keep &= ~match
    return (raw if keep.all() else raw[keep]), dropped


def _bad_stamps(unreadable: np.ndarray, cells: pd.Series, mapping: ColumnMap,
                bad: _Problems) -> None:
    """Unreadable timestamps, telling a date beyond the calendar from a format error."""
    beyond = np.zeros(len(cells), dtype=bool)
    if mapping.date_time is None:
        first = np.flatnonzero(unreadable)[:MAX_PROBLEMS]  # the ones shown are enough
        beyond[first] = outside_calendar(cells.iloc[first], mapping.timestamp_format)
    bad.add("arrived", beyond, cells, "a date outside the years 1678 to 2261 that callsim reads")
    bad.add("arrived", unreadable & ~beyond, cells, "unreadable timestamp" + _format_hint(mapping))


def _format_hint(mapping: ColumnMap) -> str:
    if mapping.date_time is not None:
        date_format = mapping.date_time.date_format or "ISO 8601"
        return f", expected a date ({date_format}) and a time of day H:MM:SS"
    fmt = mapping.timestamp_format
    return f", expected format {fmt}" if fmt else ", expected ISO 8601 (2026-03-02 08:00:05)"


def _priorities(values: pd.Series, mapping: ColumnMap, bad: _Problems) -> np.ndarray:
    """Priority classes: integers >= 0 after translation; blank is 0."""
    texts = _texts(values, mapping, "priority")
    numbers = pd.to_numeric(texts, errors="coerce")
    unreadable = texts.notna() & (numbers.isna() | (numbers < 0) | (numbers % 1 != 0))
    bad.add("priority", unreadable.to_numpy(), values,
            "expected a priority class, an integer >= 0 (translate codes under values:)")
    classes: np.ndarray = numbers.fillna(0).where(~unreadable, 0).to_numpy(dtype=np.int64)
    return classes


def _durations(values: pd.Series, column: str, bad: _Problems) -> np.ndarray:
    """Seconds from numbers, ``HH:MM:SS`` or ``45s``; blank is NaN (unknown)."""
    if pd.api.types.is_numeric_dtype(values):
        seconds = values.to_numpy(dtype=np.float64)
        unreadable = np.zeros(len(values), dtype=bool)
    else:
        # Convert each distinct cell once (exports repeat whole seconds); -1 (missing) is blank.
        codes, raw = pd.factorize(values)
        uniques = pd.Series([str(u).strip() for u in raw] + [""])
        numbers = pd.to_numeric(uniques, errors="coerce")
        clock = pd.to_timedelta(uniques.where(numbers.isna()), errors="coerce")
        parsed = numbers.fillna(clock.dt.total_seconds()).to_numpy(dtype=np.float64)
        blank = uniques.isin(["", "nan", "NaN", "None"]).to_numpy()
        unreadable = (np.isnan(parsed) & ~blank)[codes]
        seconds = parsed[codes]
        bad.add(column, clock_over_59(uniques)[codes], values,
                "minutes or seconds over 59 in a clock-style duration")
    bad.add(column, unreadable, values, "unreadable duration (use seconds, HH:MM:SS or 45s)")
    bad.add(column, seconds < 0, values, "negative duration")
    bad.add(column, np.isinf(seconds), values, "infinite duration")
    return np.asarray(seconds, dtype=np.float64)


def _texts(values: pd.Series, mapping: ColumnMap, column: str) -> pd.Series:
    """Cells as stripped text with the mapping's code translation; blank cells are NaN."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = mapping.values.get(column, {})
    texts = [str(u).strip() for u in uniques]
    texts = [table.get(t, t) for t in texts]
    mapped = np.array([t if t and t.lower() not in ("nan", "none") else None for t in texts]
                      + [None], dtype=object)
    return pd.Series(mapped[codes], index=values.index)


def _names(values: pd.Series, mapping: ColumnMap, column: str, bad: _Problems,
           required: bool) -> pd.Series:
    texts = _texts(values, mapping, column)
    unique = texts.dropna().unique()
    renamed = {u: safe_name(u) for u in unique}
    names = texts.map(renamed)
    if required:
        bad.add(column, names.isna().to_numpy(), values, "empty")
    bad.add(column, (names == "").to_numpy(), values, "not a usable name")
    return names.where(names != "")


def _optional_names(col: dict[str, pd.Series], mapping: ColumnMap, column: str,
                    bad: _Problems) -> pd.Series | float:
    if column not in col:
        return np.nan
    return _names(col[column], mapping, column, bad, required=False)


def _codes(values: pd.Series, mapping: ColumnMap, column: str, allowed: tuple[str, ...],
           bad: _Problems, required: bool) -> pd.Series:
    texts = _texts(values, mapping, column).str.lower()
    unknown = texts.notna() & ~texts.isin(allowed)
    bad.add(column, unknown.to_numpy(), values,
            f"expected {' or '.join(allowed)}"
            + ("" if mapping.values.get(column)
               else " (translate codes under values: in `mapping`)"))
    if required:
        bad.add(column, texts.isna().to_numpy(), values, "empty")
    return texts.where(~unknown)


def _check_transfers(out: pd.DataFrame, outcome: pd.Series, col: dict[str, pd.Series],
                     bad: _Problems) -> None:
    transferred = out["transferred_to"].notna().to_numpy() if "transferred_to" in col else None
    if transferred is not None:
        abandoned = (outcome == "abandoned").to_numpy()
        bad.add("transferred_to", transferred & abandoned, col["transferred_to"],
                "an abandoned call cannot be transferred")
        if "transfer_kind" in col:
            kind = out["transfer_kind"].notna().to_numpy()
            bad.add("transfer_kind", kind & ~transferred, col["transfer_kind"],
                    "a transfer kind without transferred_to")
