"""Reading input files safely: regular files only, bounded size, UTF-8 text, one-line errors.

Every file callsim reads (scenario and sweep YAML, empirical durations, replayed call logs) goes
through :func:`read_text`. A FIFO, a device or a folder given as a file would otherwise block
forever or fail with an error that names the wrong fault; a huge file would exhaust memory.
Files read while a scenario is validated are recorded (:func:`note_file`) so that sweeps can
hash every file a scenario depends on.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["FILES_KEY", "InputFileError", "check_input_file", "note_file", "read_text"]

#: Validation-context key of the list that collects the files a scenario reads.
FILES_KEY = "files"


class InputFileError(ValueError):
    """A file that cannot be read as input; the message names it and the fault, on one line."""


def check_input_file(path: str | os.PathLike[str], limit: int) -> int:
    """Check that ``path`` is a readable regular file of at most ``limit`` bytes; return its size.

    Raises
    ------
    InputFileError
        ``NAME: file not found``, ``NAME: is a folder, not a file``, ``NAME: not a regular
        file`` (a pipe or a device, which could block forever), or ``NAME: larger than ...``.
    """
    path = Path(path)
    if str(path) in ("", "."):
        raise InputFileError("no file name given")
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputFileError(f"{path.name}: file not found") from None
    except OSError as exc:
        raise InputFileError(f"{path.name}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(f"{path.name}: is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(f"{path.name}: not a regular file (a pipe or a device?)")
    if info.st_size > limit:
        raise InputFileError(f"{path.name}: larger than the limit of {limit / 1e6:g} MB "
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
        raise InputFileError(f"{path.name}: cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputFileError(f"{path.name}: larger than the limit of {limit / 1e6:g} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path.name}: not a UTF-8 text file (byte {exc.start})") from None


def note_file(context: Mapping[str, Any] | None, path: str | os.PathLike[str]) -> None:
    """Record that validation read ``path`` (when the context collects files)."""
    if context is not None and isinstance(context.get(FILES_KEY), list):
        context[FILES_KEY].append(Path(path))
