"""Durable storage of finished sweep rows: a folder of part files that survives any stop.

``results.parquet`` is written at the end; while a sweep runs, every finished task is written
at once to ``results.parquet.parts/`` as its own Arrow IPC file (uncompressed, the cheapest
durable write: temporary name, fsync, atomic rename), next to a ``manifest.json`` describing
the sweep. Ctrl-C, a killed worker or a crashed process therefore loses no finished row, and
``--resume`` reads the parts to run only what is missing. Once the results are written the
library keeps the parts folder, so a later ``--resume`` with more replications extends it;
``callsim sweep`` removes it (:meth:`PartStore.discard`) unless ``--keep-parts``.

A lock file (``.lock`` in the parts folder, :mod:`filelock`) keeps two sweeps from writing the
same results at once. Damaged parts are set aside and recomputed; a folder whose manifest is
missing or damaged is never resumed (see docs/reliability.md).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
from filelock import BaseFileLock, FileLock, Timeout

from callsim.files import atomic_path, unwritable, write_text
from callsim.files.reading import InputFileError, check_input_file, read_text
from callsim.scenario.limits import MAX_INPUT_BYTES, MAX_YAML_BYTES

MANIFEST = "manifest.json"
PART_SUFFIX = ".arrow"
LOCK = ".lock"
#: Columns that identify a row; every part must have them.
ROW_KEYS = ("point", "replication", "policy")


class StoreError(RuntimeError):
    """The results location cannot be used; the message is one line naming it."""


class StoreBusy(StoreError):
    """Another sweep holds the lock on the same results location."""


class PartStore:
    """The part files of one sweep's results, locked while a sweep writes them.

    Parameters
    ----------
    out
        The final results file (``.parquet``); parts live in ``<out>.parts/``.
    """

    def __init__(self, out: str | os.PathLike[str]) -> None:
        self.out = Path(out)
        self.folder = self.out.with_name(self.out.name + ".parts")
        self.damaged: list[Path] = []
        self._lock: BaseFileLock | None = None

    def check(self) -> None:
        """Check, before any work, that the results and the parts folder can be written.

        Raises
        ------
        StoreError
            A path is a folder (or the parts folder a file), or a folder is missing or
            not writable.
        """
        for path in (self.out, summary_path(self.out)):
            problem = unwritable(path)
            if problem:
                raise StoreError(f"{path}: `out`: {problem}")
        if self.folder.exists() and not self.folder.is_dir():
            raise StoreError(f"{self.folder}: is a file, not the folder of finished rows; "
                             "move it away or use another `out`")
        if self.folder.is_dir() and (problem := unwritable(self.folder / MANIFEST)):
            raise StoreError(f"{self.folder}: {problem}")

    def open(self, manifest: Mapping[str, Any], resume: bool) -> None:
        """Lock the store, then start it, or check that it holds the same sweep.

        A folder that holds no finished rows yet (a sweep stopped before its first task ended)
        is simply started over. A folder with rows but without a readable manifest is never
        resumed: nothing says which sweep its rows belong to.

        Raises
        ------
        StoreBusy
            Another sweep is writing the same ``out``.
        StoreError
            Parts exist without ``resume``; they belong to a different sweep; or their
            manifest is missing or damaged.
        """
        self.check()
        self.folder.mkdir(parents=True, exist_ok=True)
        self._take_lock()
        path = self.folder / MANIFEST
        if not self.parts():  # a folder without rows holds nothing to protect
            write_text(path, json.dumps(dict(manifest), indent=2, sort_keys=True), now=True)
            return
        old = _read_manifest(path)
        if old is None:
            raise StoreError(f"{self.folder}: holds finished rows but no valid {MANIFEST} (missing "
                             "or damaged), so they cannot be matched to this sweep; delete the "
                             "folder to start over")
        if not resume:
            raise StoreError(f"{self.folder}: holds rows of an earlier sweep; add `resume` "
                             "to continue it, or delete the folder to start over")
        differ = sorted(k for k in set(old) | set(manifest) if old.get(k) != manifest.get(k))
        if differ:
            raise StoreError(f"{self.folder}: holds a different sweep (differs in "
                             f"{', '.join(differ)}); use another `out` or delete the folder")

    def _take_lock(self) -> None:
        lock = FileLock(self.folder / LOCK)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise StoreBusy(f"{self.out}: another sweep is writing these results (lock "
                            f"{self.folder / LOCK}); wait for it to end or use another "
                            "`out`") from None
        self._lock = lock

    def close(self) -> None:
        """Release the lock (the parts stay for a later ``--resume``)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def discard(self) -> None:
        """Delete the parts folder (after :meth:`close`, once the results are written).

        A folder that cannot be removed entirely is left as it is: it holds only copies of
        rows the results table already has.
        """
        shutil.rmtree(self.folder, ignore_errors=True)

    def write(self, frame: pd.DataFrame) -> Path:
        """Write one finished task's rows durably (all or nothing)."""
        first = frame.iloc[0]
        name = f"part-{int(first['point']):05d}-{int(first['replication']):05d}-"
        name += f"{uuid.uuid4().hex[:8]}{PART_SUFFIX}"
        with atomic_path(self.folder / name, now=True) as temporary:
            feather.write_feather(frame, temporary, compression="uncompressed")
        return self.folder / name

    def parts(self) -> list[Path]:
        """The finished part files, in name order."""
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob(f"part-*{PART_SUFFIX}"))

    def read(self) -> pd.DataFrame:
        """Every finished row (empty DataFrame when none); damaged parts are set aside.

        A part that cannot be read (truncated by a full disk, overwritten, emptied) is renamed
        ``damaged-part-...`` and listed in :attr:`damaged`; its rows are missing, so a resumed
        sweep computes them again.
        """
        frames = []
        for path in self.parts():
            try:
                frame = read_part(path)
            except (OSError, ValueError, KeyError, pa.ArrowException):
                frame = None
            if frame is None or frame.empty or not set(ROW_KEYS) <= set(frame.columns):
                self.damaged.append(_set_aside(path))
                continue
            frames.append(frame)
        if not frames:
            return pd.DataFrame()
        frame = pd.concat(frames, ignore_index=True)
        return frame.drop_duplicates(list(ROW_KEYS), keep="first")


def _read_manifest(path: Path) -> dict[str, Any] | None:
    """The manifest as a mapping, or None when it is missing or not valid JSON."""
    try:
        data = json.loads(read_text(path, MAX_YAML_BYTES))
    except (OSError, InputFileError, json.JSONDecodeError):  # a FIFO too: never opened
        return None
    return data if isinstance(data, dict) else None


def _set_aside(path: Path) -> Path:
    target = path.with_name("damaged-" + path.name)
    os.replace(path, target)
    return target


def summary_path(out: Path) -> Path:
    """``results.parquet`` -> ``results.summary.parquet``."""
    return out.with_name(out.stem + ".summary" + out.suffix)


def read_part(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The rows of one part file.

    Raises
    ------
    callsim.files.InputFileError
        Not a regular file (a FIFO would block the reader) or larger than
        :data:`~callsim.scenario.limits.MAX_INPUT_BYTES`; a ``ValueError``, so the store sets
        it aside as damaged.
    """
    check_input_file(path, MAX_INPUT_BYTES)
    return pd.read_feather(path)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write a final table as Parquet atomically (see :func:`callsim.files.atomic_path`)."""
    with atomic_path(path) as temporary:
        frame.to_parquet(temporary, index=False)
