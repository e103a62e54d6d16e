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
========================  ========  ==============================================================

Queue and call type names are turned into scenario names (lower case, runs of other characters
than letters, digits, ``-`` and ``_`` become ``_``): ``"Tech Support"`` is ``tech_support``.
Bad cells are errors, never silent drops: :class:`RecordsError` lists one line per problem,
``FILE row N: column 'X': message``, where row N is the line of a CSV file (header = row 1) or
the 1-based row of a Parquet file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from callsim.calibration.errors import MAX_PROBLEMS, RecordsError
from callsim.calibration.mapping import ALL_COLUMNS, OPTIONAL, REQUIRED, ColumnMap

__all__ = ["CallRecords", "read_records", "records_frame", "safe_name", "select_days"]

#: Columns of :attr:`CallRecords.frame`.
FRAME_COLUMNS: tuple[str, ...] = (
    "day", "clock", "queue", "call_type", "answered", "waited", "handled",
    "transferred_to", "transfer_kind", "agent",
)
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
        ``transfer_kind`` (``cold``/``warm``) and ``agent`` (categorical, NaN when none).
    present
        The optional columns the files had (``call_type`` absent means it was derived).
    sources
        The files read.
    """

    frame: pd.DataFrame
    present: frozenset[str]
    sources: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def days(self) -> list[pd.Timestamp]:
        """The dates present in the records, sorted."""
        return [pd.Timestamp(d) for d in sorted(pd.unique(self.frame["day"]))]


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
    frames, problems, present = [], [], set(OPTIONAL)
    for path in paths:
        try:
            raw, first_row = _read_table(Path(path))
            frame = records_frame(raw, mapping, str(path), first_row)
        except RecordsError as exc:
            problems += exc.problems
            continue
        present &= set(frame.attrs["present"])
        frames.append(frame)
    if problems:
        raise RecordsError(problems)
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    for column in ("queue", "call_type", "transferred_to", "transfer_kind", "agent"):
        frame[column] = frame[column].astype("category")
    frame.attrs = {}
    return CallRecords(frame, frozenset(present), tuple(str(p) for p in paths))


def _read_table(path: Path) -> tuple[pd.DataFrame, int]:
    """The raw table and the row number of its first data row (CSV header = row 1)."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise RecordsError([f"{path}: records files end in .csv or .parquet"])
    try:
        if suffix == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False), 2
        return pd.read_parquet(path), 1
    except FileNotFoundError:
        raise RecordsError([f"{path}: file not found"]) from None
    except Exception as exc:  # any reader failure is one line about the file
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RecordsError([f"{path}: cannot read: {message}"]) from None


class _Problems:
    """Bad cells of one file, reported as ``FILE row N: column 'X': message``."""

    def __init__(self, source: str, first_row: int, mapping: ColumnMap) -> None:
        self.source, self.first_row, self.mapping = source, first_row, mapping
        self.found: list[tuple[int, int, str]] = []

    def add(self, column: str, bad: np.ndarray, values: pd.Series, message: str) -> None:
        order = ALL_COLUMNS.index(column)
        for i in np.flatnonzero(bad)[:MAX_PROBLEMS]:
            text = f"column {self.mapping.describe(column)}: {message} ({values.iloc[i]!r})"
            self.found.append((int(i), order, text))
        extra = int(np.count_nonzero(bad)) - MAX_PROBLEMS
        if extra > 0:
            self.found.append((len(values), order, f"column {self.mapping.describe(column)}: "
                               f"{extra} more rows with this problem"))

    def raise_if_any(self) -> None:
        if not self.found:
            return
        found = sorted(self.found)
        lines = [f"{self.source} row {i + self.first_row}: {text}"
                 for i, _, text in found[:MAX_PROBLEMS]]
        if len(found) > MAX_PROBLEMS:
            lines.append(f"{self.source}: {len(found) - MAX_PROBLEMS} more problems not shown")
        raise RecordsError(lines)


def records_frame(
    raw: pd.DataFrame, mapping: ColumnMap, source: str = "<records>", first_row: int = 2
) -> pd.DataFrame:
    """Check and convert one raw table (export column names) into :data:`FRAME_COLUMNS`.

    ``frame.attrs["present"]`` lists the optional columns found.

    Raises
    ------
    RecordsError
        As :func:`read_records`.
    """
    columns = {c: mapping.export_name(c) for c in ALL_COLUMNS}
    missing = [c for c in REQUIRED if columns[c] not in raw.columns]
    if missing:
        raise RecordsError([f"{source}: missing column {mapping.describe(c)}" for c in missing])
    bad = _Problems(source, first_row, mapping)
    col = {c: raw[name] for c, name in columns.items() if name in raw.columns}
    stamps = _timestamps(col["arrived"], mapping.timestamp_format)
    bad.add("arrived", stamps.isna().to_numpy(), col["arrived"],
            "unreadable timestamp" + _format_hint(mapping))
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
    call_type = _optional_names(col, mapping, "call_type", bad)
    out["call_type"] = call_type if "call_type" in col else out["transferred_to"].fillna(
        out["queue"])
    out["agent"] = _texts(col["agent"], mapping, "agent") if "agent" in col else np.nan
    bad.raise_if_any()
    out.attrs["present"] = [c for c in OPTIONAL if c in col]
    return out


def _format_hint(mapping: ColumnMap) -> str:
    fmt = mapping.timestamp_format
    return f", expected format {fmt}" if fmt else ", expected ISO 8601 (2026-03-02 08:00:05)"


def _timestamps(values: pd.Series, fmt: str | None) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = values
    elif pd.api.types.is_numeric_dtype(values):
        stamps = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    else:
        stamps = pd.to_datetime(values, format=fmt or "ISO8601", errors="coerce")
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    return stamps.astype("datetime64[ns]")


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
            + ("" if mapping.values.get(column) else " (translate codes under values: in --map)"))
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


def select_days(records: CallRecords, days: str | Iterable[str] = "all") -> CallRecords:
    """Keep the calls of some days: ``all``, ``weekdays`` (Mon-Fri) or dates ``YYYY-MM-DD,...``.

    Raises
    ------
    RecordsError
        An unreadable date, a date absent from the records, or no day left.
    """
    spec = days if isinstance(days, str) else ",".join(days)
    frame = records.frame
    if spec.strip().lower() == "all":
        keep = np.ones(len(frame), dtype=bool)
    elif spec.strip().lower() == "weekdays":
        keep = (frame["day"].dt.dayofweek < 5).to_numpy()
    else:
        wanted = [d.strip() for d in spec.split(",") if d.strip()]
        dates = pd.to_datetime(pd.Series(wanted), format="%Y-%m-%d", errors="coerce")
        problems = [f"--days: '{w}' is not a date YYYY-MM-DD (or use all, weekdays)"
                    for w, d in zip(wanted, dates, strict=True) if pd.isna(d)]
        known = set(records.days)
        problems += [f"--days: no call on {w}" for w, d in zip(wanted, dates, strict=True)
                     if not pd.isna(d) and d not in known]
        if problems:
            raise RecordsError(problems)
        keep = frame["day"].isin(dates).to_numpy()
    if not keep.any():
        raise RecordsError([f"--days {spec}: no call left in the records"])
    kept = frame[keep].reset_index(drop=True)
    return replace(records, frame=kept)
