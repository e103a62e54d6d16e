"""Atomic writes: a temporary file in the same folder, fsync, then a rename over the target.

The temporary file is created with mode ``0o666`` filtered by the process umask (``0644``
under the usual umask ``022``), so finished files get the usual permissions; unlike
:func:`tempfile.mkstemp`, which makes them private (``0600``).

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_path(folder / "table.csv") as temporary:
...     _ = temporary.write_text("a,b\\n1,2\\n")
>>> (folder / "table.csv").read_text()
'a,b\\n1,2\\n'
>>> sorted(p.name for p in folder.iterdir())  # no temporary left behind
['table.csv']
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

__all__ = ["atomic_path", "staged_renames", "write_bytes", "write_text"]

#: Inside :func:`staged_renames`: the (temporary, target) pairs whose renames wait.
_STAGED: ContextVar[list[tuple[Path, Path]] | None] = ContextVar("callsim_staged", default=None)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


@contextmanager
def staged_renames(staged: list[tuple[Path, Path]]) -> Iterator[None]:
    """Within the block, :func:`atomic_path` leaves its renames to the caller.

    Each written file is flushed and appended to ``staged`` as ``(temporary, target)``; the
    caller renames them all at the end, or removes them (the one user is
    :meth:`callsim.files.outputs.OutputSet.writing`, which writes a set of files all or
    nothing).
    """
    token = _STAGED.set(staged)
    try:
        yield
    finally:
        _STAGED.reset(token)


@contextmanager
def atomic_path(target: str | os.PathLike[str], now: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``target`` atomically.

    The temporary file exists (empty) when the block starts, in the target's folder, hidden
    (its name starts with ``.``) and ending in the target's suffix, so writers that pick a
    format by suffix still work. When the block ends normally the file is flushed to disk
    (fsync) and renamed to ``target`` as the very last step (the sweep store counts a part as
    saved once it is written, so nothing may run after the rename); when it raises (Ctrl-C
    included) the temporary file is removed and ``target`` is left untouched.

    Nest several blocks (or use :class:`contextlib.ExitStack`) to write files that must
    appear together: none is renamed unless every one was written.

    Inside :func:`staged_renames` (an output set being written) the rename waits for the end
    of the set, unless ``now`` is true (files that must be durable at once, such as a
    sweep's finished parts).

    Parameters
    ----------
    target
        The file to write. Its folder must exist.
    now
        Rename at the end of this block even inside :func:`staged_renames`.

    Yields
    ------
    pathlib.Path
        The temporary file to write to (open it for writing; it is truncated as usual).
    """
    target = Path(target)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp{target.suffix}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # honours the umask
    os.close(fd)
    try:
        yield temporary
        _fsync_file(temporary)
        staged = None if now else _STAGED.get()
        if staged is None:
            os.replace(temporary, target)
        else:
            staged.append((temporary, target))
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_bytes(target: str | os.PathLike[str], data: bytes, now: bool = False) -> Path:
    """Write ``data`` to ``target`` atomically (see :func:`atomic_path`); return the path."""
    with atomic_path(target, now) as temporary:
        temporary.write_bytes(data)
    return Path(target)


def write_text(target: str | os.PathLike[str], text: str, now: bool = False) -> Path:
    """Write ``text`` (UTF-8) to ``target`` atomically (see :func:`atomic_path`)."""
    return write_bytes(target, text.encode("utf-8"), now)
