"""Output formats chosen by suffix in one place."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from callsim.report.writers import Sheet, out_path_problem, write_records, write_table, write_tables

FRAME = pd.DataFrame({"metric": ["overall.abandon_rate", "overall.wait_mean"],
                      "mean": [0.043, 12.5]})


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json", ".xlsx"])
def test_every_table_suffix_round_trips(tmp_path, suffix):
    path = write_table(FRAME, tmp_path / f"t{suffix}")
    if suffix == ".csv":
        back = pd.read_csv(path)
    elif suffix == ".parquet":
        back = pd.read_parquet(path)
    elif suffix == ".json":
        back = pd.DataFrame(json.loads(path.read_text()))
    else:
        back = pd.read_excel(path)
    pd.testing.assert_frame_equal(back, FRAME)


def test_several_tables_go_beside_the_first_in_csv_and_together_elsewhere(tmp_path):
    sheets = [Sheet("summary", FRAME), Sheet("differences", FRAME.head(1))]
    assert [p.name for p in write_tables(sheets, tmp_path / "c.csv")] == [
        "c.csv", "c.differences.csv"]
    document = json.loads(write_tables(sheets, tmp_path / "c.json")[0].read_text())
    assert list(document) == ["summary", "differences"] and len(document["differences"]) == 1
    book = pd.read_excel(write_tables(sheets, tmp_path / "c.xlsx")[0], sheet_name=None)
    assert list(book) == ["summary", "differences"]


def test_unknown_suffixes_are_refused_before_writing(tmp_path):
    with pytest.raises(ValueError, match=r"\.csv, \.parquet, \.json or \.xlsx"):
        write_table(FRAME, tmp_path / "t.txt")
    with pytest.raises(ValueError, match=r"\.parquet or \.csv"):
        write_records(FRAME, tmp_path / "t.json")
    assert list(tmp_path.iterdir()) == []
    assert "folder" in out_path_problem(tmp_path / "no" / "t.csv", "--out")
