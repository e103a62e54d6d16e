"""Checking, before any work starts, that an output file can be written.

An output that cannot be written should be found out in the first second, not after an hour of
simulation: :func:`unwritable` names the fault (a folder in the way, a missing or read-only
folder) by trying what the final write will do, creating a file beside the
target. That also catches read-only file systems and permissions that ``os.access`` misjudges
(for example when running as root).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

__all__ = ["unwritable"]


def unwritable(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be written as a file (a short phrase), or ``None`` when it can.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> unwritable(folder / "out.csv") is None
    True
    >>> unwritable(folder)
    'is a folder, not a file'
    >>> unwritable(folder / "missing" / "out.csv")  # doctest: +ELLIPSIS
    'folder .../missing does not exist'
    >>> _ = (folder / "afile").write_text("")
    >>> unwritable(folder / "afile" / "sub" / "out.csv")  # doctest: +ELLIPSIS
    '.../afile is a file, not a folder'
    """
    path = Path(path)
    if path.is_dir():
        return "is a folder, not a file"
    folder = path.parent
    if not folder.is_dir():
        for above in (folder, *folder.parents):
            if above.exists() and not above.is_dir():
                return f"{above} is a file, not a folder"
        return f"folder {folder} does not exist"
    if path.exists() and not path.is_file():
        return "is not a regular file"
    probe = folder / f".{path.name}.{uuid.uuid4().hex[:12]}.probe"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        return f"folder {folder} is not writable ({exc.strerror or exc})"
    os.close(fd)
    probe.unlink()
    return None  # an existing read-only file is replaced by a rename, which the folder allows
