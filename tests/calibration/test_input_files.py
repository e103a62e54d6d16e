"""Every input file goes through the one reader check (issue 19, item 3).

A FIFO (or a device, or a folder) given as call records, as a column map or as a results table
was opened and blocked forever; ``validate`` refused the same in a fraction of a second. Each
command now stats the file first (:func:`callsim.files.reading.check_input_file`) and refuses
it in one line naming the file, exit 2. The commands run in a subprocess with a timeout, so a
regression fails instead of hanging the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from callsim.calibration.errors import RecordsError
from callsim.calibration.mapping import load_mapping
from callsim.calibration.records import read_records
from tests.shared import ROOT

RECORDS = ROOT / "scenarios" / "records" / "acd_week.csv"
MAP = ROOT / "scenarios" / "records" / "acd_map.yaml"
SCENARIO = ROOT / "tests" / "planning" / "staffing_small.yaml"

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


def callsim(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "callsim", *map(str, args)], capture_output=True,
                          text=True, timeout=120, cwd=ROOT, check=False)


def fifo(folder: Path, name: str) -> Path:
    path = folder / name
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("name", ["records.csv", "records.parquet", "records.tsv"])
def test_records_that_are_not_regular_files_are_refused(tmp_path, name):
    path = fifo(tmp_path, name)
    with pytest.raises(RecordsError) as error:
        read_records(path)
    assert error.value.problems == [f"{path}: not a regular file (a pipe or a device?)"]
    folder = tmp_path / f"folder{Path(name).suffix}"
    folder.mkdir()
    with pytest.raises(RecordsError, match="is a folder, not a file"):
        read_records(folder)


def test_a_map_that_is_not_a_regular_file_is_refused(tmp_path):
    path = fifo(tmp_path, "map.yaml")
    with pytest.raises(RecordsError) as error:
        load_mapping(path)
    assert error.value.problems == [f"{path}: not a regular file (a pipe or a device?)"]
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"columns:\xff\xfe\n")
    with pytest.raises(RecordsError, match="binary.yaml: not a UTF-8 text file"):
        load_mapping(binary)


@pytest.mark.parametrize("command", ["calibrate", "backtest", "calibrate --map",
                                     "backtest --map", "plot"])
def test_commands_refuse_a_fifo_in_one_line(tmp_path, command):
    pipe = fifo(tmp_path, "results.parquet" if command == "plot" else "pipe.csv")
    out = ["--out", tmp_path / "out.yaml"]
    args: dict[str, list[str | Path]] = {
        "calibrate": ["calibrate", pipe, *out],
        "backtest": ["backtest", SCENARIO, pipe, "--reps", "3"],
        "calibrate --map": ["calibrate", RECORDS, "--map", pipe, *out],
        "backtest --map": ["backtest", SCENARIO, RECORDS, "--map", pipe, "--reps", "3"],
        "plot": ["plot", pipe, "--x", "departments.billing.agents", "--metric", "wait_mean"],
    }
    result = callsim(*args[command])
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0] == f"{pipe}: not a regular file (a pipe or a device?)", \
        result.stderr
    assert not (tmp_path / "out.yaml").exists()
