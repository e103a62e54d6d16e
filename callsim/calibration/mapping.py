"""Mapping files: how an ACD export's columns and codes map onto the call-record format.

A mapping file is a small YAML file; every key is optional::

    columns:                    # callsim column: the export's column
      arrived: CallStart
      queue: Skill
      outcome: Disposition
    values:                     # export codes -> callsim values, per column
      outcome: {ANS: answered, ABN: abandoned}
      transfer_kind: {BLIND: cold, CONSULT: warm}
    timestamp_format: "%d/%m/%Y %H:%M:%S"   # strftime format of `arrived` (default ISO 8601)

A real export needs more (the Anonymous Bank map, ``scenarios/records/anonymous_bank.map.yaml``)::

    separator: "\t"             # the delimiter (default: sniffed from the file)
    columns:
      arrived:                  # a timestamp from a date column and time-of-day columns
        date: date
        date_format: "%y%m%d"
        time: [q_start, ser_start, vru_exit]   # the first cell that is not `none`
        none: "0:00:00"
        date_of: vru_entry      # the date is this time's; a time > 12 h earlier is the next day
    values:
      agent: {NO_SERVER: ""}    # "" is blank
      priority: {"0": 0, "1": 0, "2": 1}
    drop:                       # rows that are not calls to a queue: rule: {column: codes}
      phantom: {outcome: PHANTOM}
      hung_up_in_menu: {outcome: HANG, q_time: 0, ser_time: 0}

Columns not listed keep their callsim names. See ``docs/calibration.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from callsim.calibration.errors import RecordsError
from callsim.files.reading import InputFileError, read_text
from callsim.scenario.limits import MAX_YAML_BYTES
from callsim.scenario.yamlio import YamlLoader, yaml_problem

__all__ = ["ALL_COLUMNS", "OPTIONAL", "REQUIRED", "ColumnMap", "DateTime", "DropRule",
           "load_mapping"]

#: Columns every records file must have (after mapping).
REQUIRED: tuple[str, ...] = ("arrived", "queue", "outcome")
#: Columns a records file may have.
OPTIONAL: tuple[str, ...] = (
    "waited",
    "handled",
    "transferred_to",
    "transfer_kind",
    "call_type",
    "agent",
    "priority",
    "id",
)
ALL_COLUMNS: tuple[str, ...] = REQUIRED + OPTIONAL
_VALUE_COLUMNS = ("outcome", "transfer_kind", "queue", "transferred_to", "call_type", "agent",
                  "priority")
_KEYS = ("columns", "values", "timestamp_format", "separator", "drop")
_DATE_TIME_KEYS = ("date", "time", "date_format", "none", "date_of")
#: strftime directives that say which day it is (a format without one reads 1 January 1900).
_DATE_DIRECTIVES = ("%Y", "%y", "%d", "%j", "%F", "%x", "%c", "%D")


@dataclass(frozen=True)
class DateTime:
    """``arrived`` built from a date column and time-of-day columns.

    Attributes
    ----------
    date
        The export's date column; ``date_format`` its strftime format (``None``: ISO 8601).
    time
        Time-of-day columns (``H:MM:SS``); each row takes the first that is not in ``none``.
    none
        Cells that mean "no time" (``0:00:00`` in exports that write it for "never").
    date_of
        The time-of-day column the date belongs to (when the call entered the system): a time
        more than 12 h earlier than it is on the next day (a call that crossed midnight).
    """

    date: str
    time: tuple[str, ...]
    date_format: str | None = None
    none: frozenset[str] = frozenset()
    date_of: str | None = None

    @property
    def export_columns(self) -> tuple[str, ...]:
        """Every export column the timestamp is made of."""
        return (self.date, *self.time, *((self.date_of,) if self.date_of else ()))


@dataclass(frozen=True)
class DropRule:
    """Rows to leave out (not calls to a queue): every export column holds one of its codes."""

    name: str
    codes: Mapping[str, frozenset[str]]


@dataclass(frozen=True)
class ColumnMap:
    """Where each record column comes from in an export, and how its codes translate.

    Attributes
    ----------
    columns
        callsim column name -> the export's column name (identity when absent).
    values
        callsim column name -> {export code: callsim value}.
    timestamp_format
        ``strftime`` format of ``arrived``; ``None`` reads ISO 8601 (``2026-03-02 08:00:05``).
    separator
        The delimiter of a text export (``None``: sniffed).
    date_time
        ``arrived`` from a date and time-of-day columns (``None``: one timestamp column).
    drop
        Rules for rows that are not calls to a queue (phantoms, hang-ups in the voice menu).
    source
        The mapping file, for messages (``None`` when built in code).
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    timestamp_format: str | None = None
    source: str | None = None
    separator: str | None = None
    date_time: DateTime | None = None
    drop: tuple[DropRule, ...] = ()

    def export_name(self, column: str) -> str:
        """The export's name of a callsim column."""
        return self.columns.get(column, column)

    def describe(self, column: str) -> str:
        """``'Skill' (queue)`` when renamed, ``'queue'`` otherwise: for error lines."""
        name = self.export_name(column)
        if column == "arrived" and self.date_time is not None:
            return f"'{self.date_time.date}' + '{'/'.join(self.date_time.time)}' (arrived)"
        return f"'{name}'" if name == column else f"'{name}' ({column})"


def load_mapping(path: str | Path) -> ColumnMap:
    """Read a mapping file.

    Raises
    ------
    RecordsError
        Missing or unreadable file, bad YAML, unknown keys or columns, non-text values;
        one line each, naming the file.
    """
    source = str(path)
    try:
        raw = yaml.load(read_text(path, MAX_YAML_BYTES), Loader=YamlLoader)
    except InputFileError as exc:  # missing, a folder, a FIFO, too large, not UTF-8
        raise RecordsError([f"{source}: {exc.reason}"]) from None
    except FileNotFoundError:
        raise RecordsError([f"{source}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordsError([f"{source}: cannot read: {exc}"]) from None
    except yaml.YAMLError as exc:
        raise RecordsError([f"{source}: {yaml_problem(exc)}"]) from None
    return mapping_from_dict(raw if raw is not None else {}, source)


def mapping_from_dict(raw: Any, source: str = "<mapping>") -> ColumnMap:
    """Validate a mapping given as a dict (the YAML file's content).

    Raises
    ------
    RecordsError
        One line per problem, ``SOURCE: key: message``.
    """
    if not isinstance(raw, dict):
        raise RecordsError([f"{source}: expected a mapping with {', '.join(_KEYS)}"])
    problems = [f"{source}: {k}: unknown key (use {', '.join(_KEYS)})"
                for k in raw if k not in _KEYS]
    raw_columns = raw.get("columns", {})
    date_time = None
    if isinstance(raw_columns, dict) and isinstance(raw_columns.get("arrived"), dict):
        raw_columns = dict(raw_columns)
        date_time = _date_time(raw_columns.pop("arrived"), f"{source}: columns.arrived",
                               problems)
    columns = _text_table(raw_columns, f"{source}: columns", ALL_COLUMNS, problems)
    values = _values(raw.get("values", {}), source, problems)
    fmt = raw.get("timestamp_format")
    if fmt is not None and not isinstance(fmt, str):
        problems.append(f"{source}: timestamp_format: expected text such as '%d/%m/%Y %H:%M:%S'")
    elif fmt is not None and (bad := bad_directive(fmt)):  # the real fault first
        problems.append(f"{source}: timestamp_format: {fmt!r}: {bad}")
    elif fmt is not None and not _has_date(fmt):
        problems.append(f"{source}: timestamp_format: {fmt!r} has no date (a time of day alone "
                        "is no timestamp): build arrived from a date column and a time column")
    separator = raw.get("separator")
    if separator is not None and (not isinstance(separator, str) or len(separator) != 1):
        problems.append(f"{source}: separator: expected one character such as ',' or '\\t'")
    drop = _drop_rules(raw.get("drop", {}), f"{source}: drop", problems)
    if problems:
        raise RecordsError(problems)
    return ColumnMap(columns, values, fmt, source, separator, date_time, drop)


def _has_date(fmt: str) -> bool:
    return any(d in fmt for d in _DATE_DIRECTIVES)


def bad_directive(fmt: str) -> str | None:
    """Why pandas cannot parse with the strftime format ``fmt``, or ``None`` when it can.

    Examples
    --------
    >>> bad_directive("%Q %Z")
    "'Q' is a bad directive in format '%Q %Z'"
    >>> bad_directive("%d/%m/%Y %H:%M:%S") is None
    True
    """
    import pandas as pd

    try:  # the very parser the records go through, on one cell
        pd.to_datetime(pd.Series(["2026-03-02"]), format=fmt, errors="coerce")
    except ValueError as exc:
        return str(exc).splitlines()[0] if str(exc) else "not a strftime format"
    return None


def _values(raw: Any, source: str, problems: list[str]) -> dict[str, dict[str, str]]:
    values: dict[str, dict[str, str]] = {}
    if not isinstance(raw, dict):
        problems.append(f"{source}: values: expected a mapping of column: {{code: value}}")
        return values
    for column, table in raw.items():
        where = f"{source}: values.{column}"
        if column not in _VALUE_COLUMNS:
            allowed = ", ".join(_VALUE_COLUMNS)
            problems.append(f"{where}: codes can be translated only for {allowed}")
            continue
        values[column] = _text_table(table, where, None, problems, blank_ok=True)
        problems += _bad_targets(column, values[column], where)
    return values


#: The values a code may be translated to, per coded column with a fixed vocabulary.
_TARGETS = {"outcome": ("answered", "abandoned"), "transfer_kind": ("cold", "warm", "")}


def _bad_targets(column: str, table: Mapping[str, str], where: str) -> list[str]:
    """A line per code translated to a value the column cannot take (``{ANS: yes}``).

    The map is at fault, not the data rows it would make unreadable.
    """
    if column == "priority":
        return [f"{where}.{code}: {value!r} is not a priority class (an integer >= 0, or '')"
                for code, value in table.items()
                if value and not (value.isascii() and value.isdigit())]
    allowed = _TARGETS.get(column)
    if allowed is None:
        return []
    names = " or ".join(a for a in allowed if a) + (" (or '' for blank)" if "" in allowed else "")
    return [f"{where}.{code}: {value!r} is not a {column.replace('_', ' ')}: translate to {names}"
            for code, value in table.items() if value.strip().lower() not in allowed]


def _date_time(raw: dict[str, Any], where: str, problems: list[str]) -> DateTime | None:
    """``arrived: {date, time, date_format, none, date_of}``."""
    before = len(problems)
    problems += [f"{where}.{k}: unknown key (use {', '.join(_DATE_TIME_KEYS)})"
                 for k in raw if k not in _DATE_TIME_KEYS]
    date, fmt, date_of = raw.get("date"), raw.get("date_format"), raw.get("date_of")
    time = raw.get("time")
    times = [time] if isinstance(time, str) else time
    none = raw.get("none", [])
    nones = [none] if isinstance(none, str | int) else none
    if not isinstance(date, str):
        problems.append(f"{where}.date: expected the export's date column (a time of day "
                        "alone is no timestamp)")
    if not isinstance(times, list) or not times or not all(isinstance(t, str) for t in times):
        problems.append(f"{where}.time: expected a time-of-day column or a list of them")
    if isinstance(fmt, str) and (bad := bad_directive(fmt)):
        problems.append(f"{where}.date_format: {fmt!r}: {bad}")
    elif fmt is not None and (not isinstance(fmt, str) or not _has_date(fmt)):
        problems.append(f"{where}.date_format: expected a strftime date format such as '%y%m%d'")
    if not isinstance(nones, list) or any(isinstance(n, list | dict) for n in nones):
        problems.append(f"{where}.none: expected a cell text or a list of them")
    if date_of is not None and not isinstance(date_of, str):
        problems.append(f"{where}.date_of: expected a time-of-day column")
    if len(problems) > before:
        return None
    return DateTime(str(date), tuple(str(t) for t in times or ()), fmt,
                    frozenset(str(n) for n in nones), date_of)


def _drop_rules(raw: Any, where: str, problems: list[str]) -> tuple[DropRule, ...]:
    """``drop: {rule: {column: code or [codes]}}``, or one unnamed rule ``{column: codes}``."""
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected rule: {{column: [codes]}}")
        return ()
    named = raw and all(isinstance(v, dict) for v in raw.values())
    rules = raw if named else ({"drop": raw} if raw else {})
    out = []
    for name, codes in rules.items():
        table: dict[str, frozenset[str]] = {}
        for column, value in codes.items():
            cells = value if isinstance(value, list) else [value]
            if not cells or any(c is None or isinstance(c, list | dict) for c in cells):
                problems.append(f"{where}.{name}.{column}: expected a code or a list of codes")
            table[str(column)] = frozenset(str(c) for c in cells)
        out.append(DropRule(str(name), table))
    return tuple(out)


def _text_table(
    raw: Any, where: str, allowed: tuple[str, ...] | None, problems: list[str],
    blank_ok: bool = False,
) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping")
        return {}
    table = {}
    for key, value in raw.items():
        if allowed is not None and key not in allowed:
            problems.append(f"{where}.{key}: unknown column (use {', '.join(allowed)})")
        elif isinstance(value, list | dict) or (value is None and not blank_ok):
            problems.append(f"{where}.{key}: expected a name, got {value!r}")
        else:
            table[str(key)] = "" if value is None else str(value)
    return table
