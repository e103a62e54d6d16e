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

Columns not listed keep their callsim names. See ``docs/calibration.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from callsim.calibration.errors import RecordsError
from callsim.scenario.yamlio import YamlLoader, yaml_problem

__all__ = ["ALL_COLUMNS", "OPTIONAL", "REQUIRED", "ColumnMap", "load_mapping"]

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
)
ALL_COLUMNS: tuple[str, ...] = REQUIRED + OPTIONAL
_VALUE_COLUMNS = ("outcome", "transfer_kind", "queue", "transferred_to", "call_type")


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
    source
        The mapping file, for messages (``None`` when built in code).
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    timestamp_format: str | None = None
    source: str | None = None

    def export_name(self, column: str) -> str:
        """The export's name of a callsim column."""
        return self.columns.get(column, column)

    def describe(self, column: str) -> str:
        """``'Skill' (queue)`` when renamed, ``'queue'`` otherwise: for error lines."""
        name = self.export_name(column)
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
        raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=YamlLoader)
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
        raise RecordsError([f"{source}: expected a mapping with columns, values, timestamp_format"])
    problems = [f"{source}: {k}: unknown key (use columns, values, timestamp_format)"
                for k in raw if k not in ("columns", "values", "timestamp_format")]
    columns = _text_table(raw.get("columns", {}), f"{source}: columns", ALL_COLUMNS, problems)
    values: dict[str, dict[str, str]] = {}
    raw_values = raw.get("values", {})
    if not isinstance(raw_values, dict):
        problems.append(f"{source}: values: expected a mapping of column: {{code: value}}")
        raw_values = {}
    for column, table in raw_values.items():
        where = f"{source}: values.{column}"
        if column not in _VALUE_COLUMNS:
            allowed = ", ".join(_VALUE_COLUMNS)
            problems.append(f"{where}: codes can be translated only for {allowed}")
            continue
        values[column] = _text_table(table, where, None, problems)
    fmt = raw.get("timestamp_format")
    if fmt is not None and not isinstance(fmt, str):
        problems.append(f"{source}: timestamp_format: expected text such as '%d/%m/%Y %H:%M:%S'")
    if problems:
        raise RecordsError(problems)
    return ColumnMap(columns, values, fmt, source)


def _text_table(
    raw: Any, where: str, allowed: tuple[str, ...] | None, problems: list[str]
) -> dict[str, str]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected a mapping")
        return {}
    table = {}
    for key, value in raw.items():
        if allowed is not None and key not in allowed:
            problems.append(f"{where}.{key}: unknown column (use {', '.join(allowed)})")
        elif value is None or isinstance(value, list | dict):
            problems.append(f"{where}.{key}: expected a name, got {value!r}")
        else:
            table[str(key)] = str(value)
    return table
