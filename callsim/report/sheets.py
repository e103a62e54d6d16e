"""A table to write with its Excel presentation: the :class:`Sheet` the writers take.

Its own module so that :mod:`callsim.report.writers` and :mod:`callsim.report.excel` both
import it without importing each other (no import cycle, not even a typing-only one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["Sheet"]


@dataclass(frozen=True)
class Sheet:
    """One table to write, with its presentation in Excel.

    Attributes
    ----------
    name
        Sheet name (Excel), key (JSON) or file-name part (CSV, Parquet): ``summary``.
    frame
        The table; written as is to CSV, Parquet and JSON.
    headers
        Excel header per column (``{"mean": "Mean"}``); other columns keep their names.
    formats
        Excel number format per column, for every cell of the column.
    row_formats
        Excel number format per row (``None``: general), applied to ``value_columns``: for
        long tables whose rows hold different metrics.
    value_columns
        Columns that take the ``row_formats``.
    """

    name: str
    frame: pd.DataFrame
    headers: Mapping[str, str] = field(default_factory=dict)
    formats: Mapping[str, str] = field(default_factory=dict)
    row_formats: Sequence[str | None] | None = None
    value_columns: Sequence[str] = ()
