"""Durable storage of finished sweep rows: a folder of part files that survives any stop.

``results.parquet`` is written at the end; while a sweep runs, every finished task is written
at once to ``results.parquet.parts/`` as its own Arrow IPC file (uncompressed, the cheapest
durable write: temporary name, fsync, atomic rename), next to a ``manifest.json`` describing
the sweep. Ctrl-C, a killed worker or a crashed process therefore loses no finished row, and
``--resume`` reads the parts to run only what is missing. The parts folder is kept after the
sweep, so a later ``--resume`` with more replications extends it.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.feather as feather

from callsim.files import atomic_path, write_text

MANIFEST = "manifest.json"
PART_SUFFIX = ".arrow"


class StoreError(RuntimeError):
    """The results location cannot be used; the message is one line naming it."""


class PartStore:
    """The part files of one sweep's results.

    Parameters
    ----------
    out
        The final results file (``.parquet``); parts live in ``<out>.parts/``.
    """

    def __init__(self, out: str | os.PathLike[str]) -> None:
        self.out = Path(out)
        self.folder = self.out.with_name(self.out.name + ".parts")

    def open(self, manifest: Mapping[str, Any], resume: bool) -> None:
        """Start a new store, or check that an existing one holds the same sweep.

        A folder that holds no finished rows yet (a sweep stopped before its first task ended)
        is simply started over.

        Raises
        ------
        StoreError
            Parts exist without ``resume``; or they belong to a different sweep.
        """
        path = self.folder / MANIFEST
        if path.exists() and self.parts():  # a folder without rows holds nothing to protect
            if not resume:
                raise StoreError(f"{self.folder}: holds rows of an earlier sweep; add --resume "
                                 "to continue it, or delete the folder to start over")
            old = json.loads(path.read_text(encoding="utf-8"))
            differ = sorted(k for k in set(old) | set(manifest) if old.get(k) != manifest.get(k))
            if differ:
                raise StoreError(f"{self.folder}: holds a different sweep (differs in "
                                 f"{', '.join(differ)}); use another --out or delete the folder")
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        write_text(path, json.dumps(dict(manifest), indent=2, sort_keys=True))

    def write(self, frame: pd.DataFrame) -> Path:
        """Write one finished task's rows durably (all or nothing)."""
        first = frame.iloc[0]
        name = f"part-{int(first['point']):05d}-{int(first['replication']):05d}-"
        name += f"{uuid.uuid4().hex[:8]}{PART_SUFFIX}"
        with atomic_path(self.folder / name) as temporary:
            feather.write_feather(frame, temporary, compression="uncompressed")
        return self.folder / name

    def parts(self) -> list[Path]:
        """The finished part files, in name order."""
        if not self.folder.is_dir():
            return []
        return sorted(self.folder.glob(f"part-*{PART_SUFFIX}"))

    def read(self) -> pd.DataFrame:
        """Every finished row (empty DataFrame when none)."""
        files = self.parts()
        if not files:
            return pd.DataFrame()
        frame = pd.concat([read_part(f) for f in files], ignore_index=True)
        return frame.drop_duplicates(["point", "replication", "policy"], keep="first")


def read_part(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The rows of one part file."""
    return pd.read_feather(path)


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a final table atomically (see :func:`callsim.files.atomic_path`)."""
    with atomic_path(path) as temporary:
        frame.to_parquet(temporary, index=False)
