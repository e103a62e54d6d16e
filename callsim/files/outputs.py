"""Every file one command writes, checked before any work and written all or nothing.

A command collects its outputs in an :class:`OutputSet` as soon as it has parsed its options
(``--out`` and each of its side files, ``--plot``, every file of ``--write-scenario DIR``, a
report and its assets): :meth:`OutputSet.problems` names every one that cannot be written (a
folder in the way, a missing or read-only folder, two options naming one file) before anything
is simulated. The files are then written inside :meth:`OutputSet.writing`: every
:func:`callsim.files.atomic_path` block in it writes its temporary file but leaves the rename
to the end of the set, so the whole set appears together when the block ends normally, and on
any failure (an error, Ctrl-C) every temporary file is removed, with the folders the set made:
nothing of the set remains, and files it would have replaced are left untouched.

Examples
--------
>>> import tempfile, pathlib
>>> from callsim.files import write_text
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> outputs = OutputSet()
>>> outputs.add(folder / "table.csv", "--out")
>>> outputs.add_folder(folder / "scenarios", "--write-scenario", ["a.yaml", "b.yaml"])
>>> outputs.problems()
[]
>>> try:
...     with outputs.writing():
...         _ = write_text(folder / "table.csv", "a\\n")
...         _ = write_text(folder / "scenarios" / "a.yaml", "x: 1\\n")
...         raise RuntimeError("the second scenario fails")
... except RuntimeError:
...     pass
>>> sorted(p.name for p in folder.iterdir())  # nothing of the set, no temporary file
[]
>>> with outputs.writing():
...     _ = write_text(folder / "table.csv", "a\\n")
>>> sorted(p.name for p in folder.iterdir())  # the folder is made with the set
['scenarios', 'table.csv']
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from callsim.files.atomic import staged_renames
from callsim.files.checks import unwritable

__all__ = ["OutputSet"]


class OutputSet:
    """The files of one command: checked up front, written together or not at all."""

    def __init__(self) -> None:
        self.files: list[tuple[Path, str]] = []
        self.folders: dict[Path, str] = {}

    def add(self, path: str | os.PathLike[str] | None, option: str) -> None:
        """Add a file written for ``option`` (``None`` is no file, for optional outputs)."""
        if path is not None and (Path(path), option) not in self.files:
            self.files.append((Path(path), option))

    def add_all(self, paths: Iterable[str | os.PathLike[str]], option: str) -> None:
        """Add several files of one option (a table and its side files, say)."""
        for path in paths:
            self.add(path, option)

    def add_folder(self, folder: str | os.PathLike[str] | None, option: str,
                   names: Iterable[str]) -> None:
        """Add a folder (made when writing if missing) and the files ``names`` in it."""
        if folder is None:
            return
        folder = Path(folder)
        self.folders.setdefault(folder, option)
        for name in names:
            self.add(folder / name, option)

    def problems(self) -> list[str]:
        """One line per output that cannot be written: ``PATH: OPTION: problem``."""
        lines = [f"{folder}: {option}: {problem}"
                 for folder, option in self.folders.items()
                 if (problem := _folder_problem(folder)) is not None]
        if lines:
            return lines
        seen: dict[str, str] = {}
        for path, option in self.files:
            key = os.path.realpath(path)  # one file, by whatever path or link
            if key in seen:
                lines.append(f"{path}: {option}: the same file as {seen[key]}")
                continue
            seen[key] = option
            if path.parent in self.folders and not path.parent.exists():
                continue  # made when writing: its parent was checked above
            if (problem := unwritable(path)) is not None:
                lines.append(f"{path}: {option}: {problem}")
        return lines

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Write the set: renames wait for the end of the block; on failure nothing remains.

        The renames run with SIGINT blocked, so Ctrl-C cannot split the set; it takes
        effect just after them.
        """
        made = [folder for folder in self.folders if not folder.exists()]
        staged: list[tuple[Path, Path]] = []
        try:
            for folder in made:
                folder.mkdir()
            with staged_renames(staged):
                yield
            _rename_all(staged)
        except BaseException:
            for temporary, _ in staged:
                temporary.unlink(missing_ok=True)
            for folder in reversed(made):
                _remove_if_empty(folder)
            raise


def _folder_problem(folder: Path) -> str | None:
    """Why ``folder`` cannot hold the set's files (it may be missing: it is made then)."""
    if folder.is_dir():
        return None
    if folder.is_symlink():
        return "is a link to nothing, not a folder"
    if folder.exists():
        return "is a file, not a folder"
    return unwritable(folder)


def _rename_all(staged: list[tuple[Path, Path]]) -> None:
    """Rename every staged file over its target, with SIGINT held back until the end."""
    blocked = {signal.SIGINT}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        for temporary, target in staged:
            os.replace(temporary, target)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass
