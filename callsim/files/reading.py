"""Reading input files safely: regular files only, bounded size, one-line errors.

Every file callsim reads goes through :func:`check_input_file` first (scenario and sweep YAML,
empirical durations, replayed call logs, call records in CSV or Parquet, column maps, results
tables): a FIFO, a device or a folder given as a file would otherwise block forever or fail
with an error that names the wrong fault, and a huge file would exhaust memory.
:func:`read_text` adds the UTF-8 check for text files.

Examples
--------
>>> import os, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> fifo = folder / "records.csv"
>>> os.mkfifo(fifo)
>>> try:
...     check_input_file(fifo, 1000)
... except InputFileError as exc:
...     print(exc, "|", exc.reason)
records.csv: not a regular file (a pipe or a device?) | not a regular file (a pipe or a device?)
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["InputFileError", "check_input_file", "read_csv_table", "read_text"]


class InputFileError(ValueError):
    """A file that cannot be read as input; the message names it and the fault, on one line.

    Parameters
    ----------
    path
        The file (its name starts the message).
    reason
        The fault alone, for callers that name the file their own way (``f"{path}: {reason}"``).
    """

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        name = Path(path).name
        super().__init__(f"{name}: {reason}" if name else reason)
        self.path = Path(path)
        self.reason = reason


def check_input_file(path: str | os.PathLike[str], limit: int) -> int:
    """Check that ``path`` is a readable regular file of at most ``limit`` bytes; return its size.

    Only ``stat`` is called: nothing is opened, so a FIFO never blocks.

    Raises
    ------
    InputFileError
        ``NAME: file not found``, ``NAME: is a folder, not a file``, ``NAME: not a regular
        file`` (a pipe or a device, which could block forever), or ``NAME: larger than ...``.
    """
    path = Path(path)
    if str(path) in ("", "."):
        raise InputFileError("", "no file name given")
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputFileError(path, "file not found") from None
    except OSError as exc:
        raise InputFileError(path, f"cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(path, "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(path, "not a regular file (a pipe or a device?)")
    if info.st_size > limit:
        raise InputFileError(path, f"larger than the limit of {limit / 1e6:g} MB "
                                   f"({info.st_size / 1e6:.1f} MB)")
    return info.st_size


def read_text(path: str | os.PathLike[str], limit: int) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes (a BOM is dropped).

    Raises
    ------
    InputFileError
        See :func:`check_input_file`; also an unreadable or non-UTF-8 file.
    """
    path = Path(path)
    check_input_file(path, limit)
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputFileError(path, f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputFileError(path, f"larger than the limit of {limit / 1e6:g} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(path, f"not a UTF-8 text file (byte {exc.start})") from None


def read_csv_table(path: str | os.PathLike[str], **options: Any) -> pd.DataFrame:
    """A CSV table read by pandas with every column as data, never the first as an index.

    pandas takes the first column as the index when the first row of data has one cell more
    than the header: the columns would then be read shifted by one, silently. Here that row is
    an error (``ValueError``, one line), as a longer row further down already is.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = path.write_text("a,b\\n1,2,3\\n4,5\\n")
    >>> try:
    ...     read_csv_table(path)
    ... except ValueError as exc:
    ...     print(exc)
    row 2 (the first record) has more cells than the header
    """
    import warnings

    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            return pd.read_csv(path, index_col=False, **options)
        except pd.errors.ParserWarning:
            raise ValueError("row 2 (the first record) has more cells than the header") from None
