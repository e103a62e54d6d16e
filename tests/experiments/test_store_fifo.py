"""Sweep parts and manifests go through the one input check too (issue 19, item 3's class).

A FIFO named like a part or the manifest in ``OUT.parts/`` would block ``--resume`` forever;
it is treated like any unreadable part (set aside as damaged) or manifest (none valid).
"""

from __future__ import annotations

import os

import pytest

from callsim.experiments.store import _read_manifest, read_part
from callsim.files import InputFileError

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


def test_a_fifo_part_is_refused_without_opening_it(tmp_path):
    path = tmp_path / "part-0001.arrow"
    os.mkfifo(path)
    with pytest.raises(InputFileError, match="not a regular file"):
        read_part(path)


def test_a_fifo_manifest_is_no_manifest(tmp_path):
    path = tmp_path / "manifest.json"
    os.mkfifo(path)
    assert _read_manifest(path) is None
    (tmp_path / "good.json").write_text('{"seed": 1}', encoding="utf-8")
    assert _read_manifest(tmp_path / "good.json") == {"seed": 1}
