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


# Issue 19, items 9, 12, 16, 18 and 19 (the records' part): extreme values are outliers or
# one-line errors, never a traceback, a MemoryError or a scenario `validate` refuses.

NATIVE = "arrived,queue,outcome,waited,handled"


def native_file(tmp_path, *rows: str, header: str = NATIVE, name: str = "native.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def some_calls(count: int = 12, hour: int = 8) -> list[str]:
    """Calls a minute apart, answered, with waits and handled times that vary."""
    return [f"2026-03-02 {hour:02d}:{m:02d}:05,billing,{'abandoned' if m % 4 == 3 else 'answered'}"
            f",{5 + 7 * m},{'' if m % 4 == 3 else 100 + 13 * m}" for m in range(count)]


@pytest.mark.parametrize(("cell", "column"), [("1e308", "waited"), ("1e15", "handled")])
def test_durations_beyond_the_limit_are_outliers_reported_not_fitted(tmp_path, cell, column):
    row = ("2026-03-02 08:30:05,billing,answered," +
           ("1e308,100" if column == "waited" else "20,1e15"))
    path = native_file(tmp_path, *some_calls(), row)
    records = read_records(path)
    assert records.frame[column].isna().sum() == (1 if column == "waited" else 4)
    assert records.notes == (
        f"{path}: column '{column}': 1 value(s) above 1e+09 s, the longest duration a scenario "
        f"takes (largest {float(cell):.3g} s; row 14): outliers, left out as unknown",)
    out = tmp_path / "out.yaml"
    result = invoke_cli("calibrate", str(path), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"warning: {records.notes[0]}" in result.output
    assert invoke_cli("validate", str(out)).exit_code == 0
    if column == "handled":  # 1e15 s of talk time was a MemoryError in the back-test
        result = invoke_cli("backtest", str(out), str(path), "--reps", "3", "--workers", "1")
        assert result.exit_code == 0, result.output
        assert "note: " in result.output and "outliers, left out as unknown" in result.output


def test_a_wait_at_the_limit_that_fits_beyond_it_is_refused_before_writing(tmp_path):
    # Issue 19 item 12: one wait of 1e9 s gave a patience mean above 1e9 s, written with exit 0.
    lines = (ROOT / "scenarios" / "records" / "acd_week.csv").read_text().splitlines()[:301]
    cells = lines[5].split(",")
    cells[4] = "1000000000"
    path = tmp_path / "week.csv"
    path.write_text("\n".join([*lines[:5], ",".join(cells), *lines[6:]]) + "\n")
    out = tmp_path / "out.yaml"
    result = invoke_cli("calibrate", str(path), "--map", str(MAP), "--out", str(out))
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert lines and all(line.startswith(f"{path}: the calibrated scenario would not validate: "
                                          "call_types.billing.patience.") for line in lines)
    assert "longest wait is 1e+09 s" in lines[0]
    assert not out.exists()


def test_mixed_utc_offsets_are_read_at_their_wall_clock_time(tmp_path):
    path = native_file(tmp_path, "2026-03-29T01:30:00+01:00,billing,answered,10,100",
                       "2026-03-29T03:30:00+02:00,billing,answered,10,100",
                       "2026-03-29T04:00:00Z,billing,answered,10,100")
    frame = read_records(path).frame
    assert frame["clock"].tolist() == [5400.0, 12600.0, 14400.0]
    assert str(frame["day"].iloc[0].date()) == "2026-03-29"


def test_a_year_beyond_the_calendar_is_not_called_a_format_error(tmp_path):
    path = native_file(tmp_path, "3000-03-02 08:00:05,billing,answered,10,100")
    with pytest.raises(RecordsError) as error:
        read_records(path)
    assert error.value.problems == [
        f"{path} row 2: column 'arrived': a date outside the years 1678 to 2261 that callsim "
        "reads ('3000-03-02 08:00:05')"]


def test_the_count_of_problems_not_shown_is_every_bad_cell(tmp_path):
    path = native_file(tmp_path, *["2026-03-02 08:00:05,billing,maybe,10,100"] * 333)
    with pytest.raises(RecordsError) as error:
        read_records(path)
    assert len(error.value.problems) == 21
    assert error.value.problems[-1] == f"{path}: 313 more problems not shown (333 in all)"


def test_a_repeated_header_column_is_refused(tmp_path):
    # Issue 19 item 18: pandas read the second 'handled' as 'handled.1', silently unused.
    path = native_file(tmp_path, "2026-03-02 08:00:05,billing,answered,10,100,200",
                       header=NATIVE + ",handled")
    with pytest.raises(RecordsError) as error:
        read_records(path)
    assert error.value.problems == [
        f"{path}: column 'handled' appears 2 times in the header (which one is meant?)"]


def test_a_header_without_rows_names_the_file(tmp_path):
    path = native_file(tmp_path)
    result = invoke_cli("calibrate", str(path), "--out", str(tmp_path / "out.yaml"))
    assert result.output.strip() == f"{path}: no call records (a header and no rows)"
    assert result.exit_code == 2


def test_repeated_rows_are_a_warning_with_their_count(tmp_path):
    calls = some_calls()
    path = native_file(tmp_path, *calls, calls[2], calls[2], calls[5])
    records = read_records(path)
    assert len(records) == 15  # kept: two calls can look alike in a whole-second export
    assert records.notes == (
        f"{path}: 3 row(s) exactly repeat an earlier row (first: row 14); each is counted as a "
        "call (map an id column to make a repeated call an error)",)


def test_with_an_id_column_a_repeated_call_is_an_error(tmp_path):
    calls = [f"{i},{c}" for i, c in enumerate(some_calls())]
    path = native_file(tmp_path, *calls, calls[3], header="CallID," + NATIVE)
    mapping = mapping_from_dict({"columns": {"id": "CallID"}})
    with pytest.raises(RecordsError) as error:
        read_records(path, mapping)
    assert error.value.problems == [
        f"{path} row 14: column 'CallID' (id): the id of an earlier row (a call given twice) "
        "('3')"]
    other = native_file(tmp_path, calls[4], header="CallID," + NATIVE, name="other.csv")
    with pytest.raises(RecordsError) as error:
        read_records([native_file(tmp_path, *calls, header="CallID," + NATIVE), other], mapping)
    assert error.value.problems == [
        f"{other}: 1 call id(s) also in {tmp_path / 'native.csv'} (first: '4'): the same calls "
        "given twice"]


@pytest.mark.parametrize(("values", "expected"), [
    ({"outcome": {"ANS": True}}, "values.outcome.ANS: 'True' is not a outcome: translate to "
                                 "answered or abandoned"),
    ({"transfer_kind": {"B": "blind"}}, "values.transfer_kind.B: 'blind' is not a transfer kind"),
    ({"priority": {"VIP": "high"}}, "values.priority.VIP: 'high' is not a priority class"),
])
def test_a_bad_code_in_the_map_is_blamed_on_the_map(values, expected):
    with pytest.raises(RecordsError) as error:
        mapping_from_dict({"values": values}, "m.yaml")
    assert len(error.value.problems) == 1
    assert error.value.problems[0].startswith(f"m.yaml: {expected}")


def test_one_handled_time_is_not_called_none(tmp_path):
    path = native_file(tmp_path, "2026-03-02 08:00:05,billing,answered,10,543")
    result = invoke_cli("calibrate", str(path), "--out", str(tmp_path / "out.yaml"))
    assert result.exit_code == 0, result.output
    assert ("call_types.billing.handle_time: only 1 handled time(s) in the records (a fit "
            "needs 2)") in result.output
    assert "no handled times" not in result.output


def test_a_blank_call_type_is_derived_like_a_missing_column(tmp_path):
    """A blank reason cell takes the default of an absent column (the queue, or where the call
    was transferred), not a category code of -1 that crashed the arrival count (found by the
    command fuzz)."""
    blank = GOOD.replace(",BIL,B16", ",,B16")
    moved = "2,02/03/2026 08:01:00,TECHSUPP_EN,ANS,00:00:03,00:01:00,BILLING_EN,BLIND,,S2"
    path = records_file(tmp_path, GOOD, blank, moved)
    frame = read_records(path, load_mapping(MAP)).frame
    assert frame["call_type"].astype(str).tolist() == ["billing", "billing", "billing"]
    out = tmp_path / "cal.yaml"
    result = invoke_cli("calibrate", str(path), "--map", str(MAP), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and out.exists()


@pytest.mark.parametrize("where", [0, 1])
def test_a_row_longer_than_the_header_is_refused_first_row_included(tmp_path, where):
    # Found by the long fuzz: pandas took a longer first row's first column as the index
    # (ValueError: invalid literal for int() with base 10: ''); further down it refused it.
    rows = [GOOD, GOOD.replace("1,", "2,", 1)]
    rows[where] = rows[where] + ",extra"
    path = records_file(tmp_path, *rows)
    result = invoke_cli("calibrate", str(path), "--map", str(MAP), "--out",
                        str(tmp_path / "out.yaml"))
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1, result.output
    assert result.output.startswith(f"{path}: cannot read: ")
    assert not (tmp_path / "out.yaml").exists()
