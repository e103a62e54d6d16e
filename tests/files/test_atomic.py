"""The one atomic-write helper: whole files or none, usual permissions."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from callsim.files import atomic_path, write_text
from callsim.report.writers import write_records, write_table


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("name", ["t.parquet", "t.csv", "t.json", "t.xlsx"])
def test_tables_get_the_usual_permissions(tmp_path, umask_022, name):
    path = write_table(pd.DataFrame({"a": [1.0, 2.0]}), tmp_path / name)
    assert _mode(path) == 0o644


def test_records_and_text_get_the_usual_permissions(tmp_path, umask_022):
    write_records(pd.DataFrame({"a": [1]}), tmp_path / "calls.parquet")
    assert _mode(tmp_path / "calls.parquet") == 0o644
    assert _mode(write_text(tmp_path / "m.json", "{}")) == 0o644


def test_permissions_follow_a_stricter_umask(tmp_path):
    old = os.umask(0o077)
    try:
        assert _mode(write_text(tmp_path / "private.txt", "x")) == 0o600
    finally:
        os.umask(old)


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    target = write_text(tmp_path / "out.csv", "old")
    with pytest.raises(RuntimeError), atomic_path(target) as temporary:
        temporary.write_text("half")
        raise RuntimeError("crash")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_temporary_is_hidden_beside_the_target_with_its_suffix(tmp_path):
    with atomic_path(tmp_path / "fig.svg") as temporary:
        assert temporary.parent == tmp_path
        assert temporary.name.startswith(".") and temporary.suffix == ".svg"
        assert not (tmp_path / "fig.svg").exists()
    assert (tmp_path / "fig.svg").exists()
