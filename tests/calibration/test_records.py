"""The call-record format: mapping an export, and bad records as one-line errors (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from callsim.calibration.days import select_days
from callsim.calibration.errors import RecordsError
from callsim.calibration.mapping import load_mapping
from callsim.calibration.records import read_records
from callsim.cli.app import app

runner = CliRunner()

GOOD = """arrived,queue,outcome,waited,handled,transferred_to,transfer_kind,call_type,agent
2026-03-02 09:00:05,Billing,answered,12,240,,,billing,b1
2026-03-02 09:01:00,Billing,answered,3,50,Tech Support,cold,tech support,b2
2026-03-02 09:02:30,Tech Support,abandoned,40,,,,tech support,
2026-03-03 09:00:10,Tech Support,answered,0,00:05:10,,,tech support,s1
"""


def write(tmp_path: Path, text: str, name: str = "calls.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def calibrate_cli(tmp_path: Path, *args: str):
    out = tmp_path / "out.yaml"
    result = runner.invoke(app, ["calibrate", *args, "--out", str(out)])
    return result, out


def test_good_records_read_with_names_made_safe(tmp_path: Path) -> None:
    records = read_records(write(tmp_path, GOOD))
    frame = records.frame
    assert list(frame["queue"].astype(str)) == ["billing", "billing", "tech_support",
                                                "tech_support"]
    assert frame["handled"].iloc[3] == 310.0  # HH:MM:SS
    assert frame["clock"].iloc[0] == 9 * 3600 + 5
    assert list(frame["answered"]) == [True, True, False, True]
    assert frame["transfer_kind"].iloc[1] == "cold"
    assert records.present == {"waited", "handled", "transferred_to", "transfer_kind",
                               "call_type", "agent"}
    assert len(select_days(records, "2026-03-03")) == 1


def test_mapping_renames_columns_and_translates_codes(tmp_path: Path) -> None:
    export = ("Start;Skill;Result;Queue Time\n"
              "02/03/2026 09:00:05;Billing;ANS;00:00:12\n"
              "02/03/2026 09:01:05;Billing;ABN;00:01:02\n")
    path = write(tmp_path, export.replace(";", ","), "export.csv")
    mapping = write(tmp_path, """
columns: {arrived: Start, queue: Skill, outcome: Result, waited: Queue Time}
values: {outcome: {ANS: answered, ABN: abandoned}}
timestamp_format: "%d/%m/%Y %H:%M:%S"
""", "map.yaml")
    frame = read_records(path, load_mapping(mapping)).frame
    assert list(frame["answered"]) == [True, False]
    assert list(frame["waited"]) == [12.0, 62.0]
    assert frame["day"].iloc[0] == pd.Timestamp("2026-03-02")


BAD_CASES = [
    ("arrived,queue\n2026-03-02 09:00:00,billing\n",
     "calls.csv: missing column 'outcome'"),
    ("arrived,queue,outcome\n2026-03-02 09:00:00,billing,answered\nyesterday,billing,answered\n",
     "calls.csv row 3: column 'arrived': unreadable timestamp"),
    ("arrived,queue,outcome,waited\n2026-03-02 09:00:00,billing,answered,-4\n",
     "calls.csv row 2: column 'waited': negative duration"),
    ("arrived,queue,outcome,handled\n2026-03-02 09:00:00,billing,answered,soon\n",
     "calls.csv row 2: column 'handled': unreadable duration"),
    ("arrived,queue,outcome\n2026-03-02 09:00:00,billing,hung up\n",
     "calls.csv row 2: column 'outcome': expected answered or abandoned"),
    ("arrived,queue,outcome\n2026-03-02 09:00:00,,answered\n",
     "calls.csv row 2: column 'queue': empty"),
    ("arrived,queue,outcome,transferred_to\n2026-03-02 09:00:00,billing,abandoned,support\n",
     "calls.csv row 2: column 'transferred_to': an abandoned call cannot be transferred"),
    ("arrived,queue,outcome,transferred_to,transfer_kind\n"
     "2026-03-02 09:00:00,billing,answered,support,blind\n",
     "calls.csv row 2: column 'transfer_kind': expected cold or warm"),
]


@pytest.mark.parametrize(("text", "message"), BAD_CASES)
def test_bad_records_are_one_line_errors_and_exit_2(tmp_path: Path, text: str,
                                                    message: str) -> None:
    result, out = calibrate_cli(tmp_path, str(write(tmp_path, text)))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(str(tmp_path / message.split(":")[0])) or message in lines[0]
    assert message.split(": ", 1)[1] in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()


def test_every_bad_row_is_listed_with_its_mapped_column(tmp_path: Path) -> None:
    text = "Start,queue,outcome\nnot a time,billing,answered\n2026-13-45 09:00,billing,answered\n"
    mapping = write(tmp_path, "columns: {arrived: Start}\n", "map.yaml")
    with pytest.raises(RecordsError) as caught:
        read_records(write(tmp_path, text), load_mapping(mapping))
    prefix = "column 'Start' (arrived): unreadable timestamp, expected ISO 8601"
    assert len(caught.value.problems) == 2
    assert all(p.split(": ", 1)[1].startswith(prefix) for p in caught.value.problems)
    assert caught.value.problems[1].startswith(f"{tmp_path / 'calls.csv'} row 3:")


@pytest.mark.parametrize(("mapping", "message"), [
    ("columns: {arrival: Start}\n", "map.yaml: columns.arrival: unknown column"),
    ("colums: {}\n", "map.yaml: colums: unknown key"),
    ("values: {waited: {a: b}}\n", "map.yaml: values.waited: codes can be translated only"),
    ('timestamp_format: "%H:%M:%S"\n', "map.yaml: timestamp_format: '%H:%M:%S' has no date"),
    ("columns: {arrived: {time: t}}\n", "map.yaml: columns.arrived.date: expected the export"),
    ("separator: ';;'\n", "map.yaml: separator: expected one character"),
    ("drop: {x: {outcome: []}}\n", "map.yaml: drop.x.outcome: expected a code"),
])
def test_bad_mapping_files(tmp_path: Path, mapping: str, message: str) -> None:
    path = write(tmp_path, mapping, "map.yaml")
    result, _ = calibrate_cli(tmp_path, str(write(tmp_path, GOOD)), "--map", str(path))
    assert result.exit_code == 2
    assert message in result.stderr


def test_missing_file_and_bad_options(tmp_path: Path) -> None:
    result, _ = calibrate_cli(tmp_path, str(tmp_path / "nope.csv"))
    assert result.exit_code == 2 and "nope.csv: file not found" in result.stderr
    records = str(write(tmp_path, GOOD))
    result, _ = calibrate_cli(tmp_path, records, "--days", "2026-04-01")
    assert result.exit_code == 2 and "--days: no call on 2026-04-01" in result.stderr
    result, _ = calibrate_cli(tmp_path, records, "--interval", "7parsecs")
    assert result.exit_code == 2 and "--interval" in result.stderr
    result = runner.invoke(app, ["calibrate", records, "--out", str(tmp_path / "x.txt")])
    assert result.exit_code == 2 and "--out must end in .yaml" in result.stderr
