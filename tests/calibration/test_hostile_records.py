"""Records and maps under hostile values (issue 19, items 10 and 17).

One line naming the file and the row or the map field; never a traceback, never a silently
different value.
"""

from __future__ import annotations

import pytest

from callsim.calibration.errors import RecordsError
from callsim.calibration.mapping import load_mapping, mapping_from_dict
from callsim.calibration.records import read_records
from tests.shared import ROOT, invoke_cli

MAP = ROOT / "scenarios" / "records" / "acd_map.yaml"
HEADER = ("CallID,CallStartTime,Skill,Disposition,QueueTime,TalkTime,XferSkill,XferType,"
          "WrapCode,AgentLogin")
GOOD = "1,02/03/2026 08:00:22,BILLING_EN,ANS,00:00:00,00:00:36,,,BIL,B16"


def records_file(tmp_path, *rows: str):
    path = tmp_path / "records.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["%Q %Z", "%Y-%m-%d %", "%Y-%m-%d %H:%M:%S %Q"])
def test_a_bad_strftime_directive_is_blamed_on_the_map_field(tmp_path, fmt):
    path = tmp_path / "map.yaml"
    path.write_text(MAP.read_text(encoding="utf-8").replace('"%d/%m/%Y %H:%M:%S"', repr(fmt)),
                    encoding="utf-8")
    with pytest.raises(RecordsError) as error:
        load_mapping(path)
    assert len(error.value.problems) == 1
    assert error.value.problems[0].startswith(f"{path}: timestamp_format: {fmt!r}: ")


def test_a_bad_date_format_of_date_and_time_columns_is_blamed_on_the_map_field():
    raw = {"columns": {"arrived": {"date": "Day", "time": "Time", "date_format": "%y%m%d %Q"}}}
    with pytest.raises(RecordsError) as error:
        mapping_from_dict(raw, "m.yaml")
    assert error.value.problems == [
        "m.yaml: columns.arrived.date_format: '%y%m%d %Q': 'Q' is a bad directive in format "
        "'%y%m%d %Q'"]


def test_calibrate_with_a_bad_directive_is_one_line(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text(MAP.read_text(encoding="utf-8").replace('"%d/%m/%Y %H:%M:%S"', '"%Q %Z"'),
                    encoding="utf-8")
    records = records_file(tmp_path, GOOD)
    result = invoke_cli("calibrate", str(records), "--map", str(path), "--out",
                        str(tmp_path / "out.yaml"))
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        f"{path}: timestamp_format: '%Q %Z': 'Q' is a bad directive in format '%Q %Z'"]
    assert not (tmp_path / "out.yaml").exists()


@pytest.mark.parametrize(("waited", "handled"), [("00:99:99", "00:00:36"),
                                                 ("00:00:10", "00:00:60"),
                                                 ("00:00:10", "1:60:00")])
def test_clock_style_durations_over_59_are_errors(tmp_path, waited, handled):
    path = records_file(tmp_path, GOOD,
                        f"2,02/03/2026 08:01:22,BILLING_EN,ANS,{waited},{handled},,,BIL,B16")
    with pytest.raises(RecordsError) as error:
        read_records(path, load_mapping(MAP))
    bad = waited if waited != "00:00:10" else handled
    assert error.value.problems == [
        f"{path} row 3: column '{'QueueTime' if bad == waited else 'TalkTime'}' "
        f"({'waited' if bad == waited else 'handled'}): minutes or seconds over 59 in a "
        f"clock-style duration ({bad!r})"]


def test_clock_durations_within_range_are_read(tmp_path):
    path = records_file(tmp_path,
                        "1,02/03/2026 08:00:22,BILLING_EN,ANS,00:00:59.5,1:59:59,,,BIL,B16")
    frame = read_records(path, load_mapping(MAP)).frame
    assert frame["waited"].tolist() == [59.5]
    assert frame["handled"].tolist() == [7199.0]


def test_a_time_of_day_with_minutes_over_59_is_unreadable():
    import pandas as pd

    from callsim.calibration.stamps import _time_of_day

    times = _time_of_day(pd.Series(["7:02:47", "7:99:00", "07:00:60"]))
    assert times.iloc[0] == pd.Timedelta("7:02:47")
    assert times.iloc[1:].isna().all()


def test_one_file_given_twice_is_refused(tmp_path):
    # Issue 19 item 16: `calibrate good.csv good.csv` doubled every arrival rate silently.
    week = ROOT / "scenarios" / "records" / "acd_week.csv"
    mapping = load_mapping(ROOT / "scenarios" / "records" / "acd_map.yaml")
    link = tmp_path / "again.csv"
    link.symlink_to(week)
    for second in (week, link):
        with pytest.raises(RecordsError, match="given twice") as info:
            read_records([week, second], mapping)
        assert len(info.value.problems) == 1
    out = tmp_path / "calibrated.yaml"
    result = invoke_cli("calibrate", str(week), str(week), "--map",
                        str(ROOT / "scenarios" / "records" / "acd_map.yaml"), "--out", str(out))
    assert result.exit_code == 2
    assert "given twice" in result.output and result.output.count("\n") == 1
    assert not out.exists()
