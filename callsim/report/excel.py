"""Excel workbooks with openpyxl: a sheet per table, labelled headers, number formats.

Used through :func:`callsim.report.writers.write_tables`; values are written unscaled (shares
as fractions shown with a ``0.0%`` format), so a cell equals the CSV and JSON value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from callsim.report.sheets import Sheet

__all__ = ["write_workbook"]

_MAX_WIDTH = 48


def _cell(value: Any) -> Any:
    """A value openpyxl can store: NumPy scalars as Python ones, NaN or infinity empty.

    An empty cell is a value that does not apply or does not exist (Erlang C's abandonment,
    the wait of an unstable queue).
    """
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is not None and not isinstance(value, (int, float, str, bool)):
        return str(value)
    return value


def _fill(ws: Any, sheet: Sheet) -> None:
    frame = sheet.frame
    columns = [str(c) for c in frame.columns]
    headers = [sheet.headers.get(c, c) for c in columns]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in frame.itertuples(index=False, name=None):
        ws.append([_cell(v) for v in row])
    for j, column in enumerate(columns, start=1):
        fmt = sheet.formats.get(column)
        if fmt is None and (sheet.row_formats is None or column not in sheet.value_columns):
            continue
        for i in range(len(frame)):
            row_fmt = fmt
            if column in sheet.value_columns and sheet.row_formats is not None:
                row_fmt = sheet.row_formats[i] or fmt
            if row_fmt:
                ws.cell(row=i + 2, column=j).number_format = row_fmt
    for j, header in enumerate(headers, start=1):
        width = max([len(header), *(len(str(v)) for v in frame.iloc[:200, j - 1])], default=8)
        ws.column_dimensions[get_column_letter(j)].width = min(_MAX_WIDTH, width + 2)
    ws.freeze_panes = "A2"


def write_workbook(sheets: Sequence[Sheet], path: Path) -> None:
    """Write ``sheets`` to the workbook ``path`` (a sheet each, frozen header row)."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        _fill(workbook.create_sheet(title=sheet.name[:31]), sheet)
    workbook.save(path)
