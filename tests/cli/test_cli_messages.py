"""Messages name the real problem and where it is (issue 18 item 16, issue 19 item 19).

A mistake on the command line names the option, not the scenario file; a problem the same at
every point of a sweep is one line; a range written with a dash suggests the colon.
"""

from __future__ import annotations

import pytest

from tests.shared import ROOT, assert_one_line_error, invoke_cli

SMALL = str(ROOT / "tests" / "planning" / "staffing_small.yaml")
QUICK = ["--reps", "2", "--verify-reps", "2", "--seed", "4", "--workers", "1"]


@pytest.mark.parametrize(("sets", "expected"), [
    (["departments.billing.agnts=3"],
     "--set departments.billing.agnts=3: extra field not permitted (did you mean 'agents'?)"),
    (["departments.bililng.agents=3"],
     "--set departments.bililng.agents=3: departments.bililng.wage_per_hour: field required"),
    (["departments.billing.agents=-1"], "--set departments.billing.agents=-1: must be >= 0"),
    (["departments.billing.agents=2", "departments.billing.agents=3"],
     "--set departments.billing.agents: given twice (the last would win silently)"),
])
def test_set_errors_name_the_option_not_the_file(sets, expected):
    args = [item for s in sets for item in ("--set", s)]
    result = invoke_cli("run", SMALL, *args, "--reps", "1")
    assert_one_line_error(result)
    assert result.output.strip() == expected


def test_a_file_problem_beside_a_set_still_names_the_file(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(open(SMALL).read().replace("wage_per_hour: 35", "wage_per_hour: -35"))
    result = invoke_cli("run", str(path), "--set", "departments.billing.agents=3")
    assert_one_line_error(result)
    assert result.output.strip() == f"{path}: departments.support.wage_per_hour: must be >= 0"


@pytest.mark.parametrize(("target", "expected"), [
    ("asa<=3x", "--target 'asa<=3x': asa needs a time such as 30 or 30s, got '3x'"),
    ("asa<=2000000000s", "--target 'asa<=2000000000s': asa must be a time of at most 1e+09 s "
                         "(the longest duration a scenario takes), got '2000000000s'"),
])
def test_target_errors_name_the_option_and_the_duration_limit(target, expected):
    result = invoke_cli("staff", SMALL, "--target", target, *QUICK)
    assert_one_line_error(result)
    assert result.output.strip() == expected


def test_a_scenario_target_beyond_the_duration_limit_is_refused(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(open(SMALL).read() + "targets: ['wait_mean<=2000000000']\n")
    result = invoke_cli("validate", str(path))
    assert_one_line_error(result, f"{path}: targets.0: ", "at most 1e+09 s")


@pytest.mark.parametrize(("vary", "expected"), [
    ("departments.billing.agnts=8:16",
     "--vary departments.billing.agnts: extra field not permitted (did you mean 'agents'?) "
     "(at every point)"),
    ("departments.billing.agents=8-16", "'8-16': a range is written LO:HI, e.g. 8:16"),
    ("call_types.billing.patience.mean=1min-4min",
     "a range is written LO:HI, e.g. 1min:4min:5"),
    ("departments.billing.agents=0:1e9", "'0:1e9': 1000000001 values, more than the 1000000 "
                                         "one axis may hold"),
])
def test_sweep_vary_mistakes_are_one_line_naming_the_option(tmp_path, vary, expected):
    out = tmp_path / "sweep.parquet"
    result = invoke_cli("sweep", SMALL, "--vary", vary, "--out", str(out), "--reps", "1",
                        "--workers", "1")
    assert_one_line_error(result, expected)
    assert result.output.startswith("--vary ")
    assert list(tmp_path.iterdir()) == []


def test_breakeven_of_a_metric_undefined_here_says_so():
    # Issue 19 item 19: without callbacks the delay is undefined everywhere: not "no crossing".
    known = str(ROOT / "tests" / "planning" / "breakeven_known.yaml")
    result = invoke_cli("breakeven", known, "--vary", "departments.billing.agents=30:32",
                        "--metric", "callback_delay_mean", "--grid", "2", "--steps", "0",
                        "--reps", "2", "--workers", "1")
    assert result.exit_code == 2 and "Traceback" not in result.output
    last = result.output.strip().splitlines()[-1]  # after the progress lines
    assert last == (f"{known}: metric overall.callback_delay_mean: undefined here, at every "
                    "value of departments.billing.agents (no call it measures: a feature this "
                    "scenario does not use?)")


def test_plot_of_a_scenario_file_says_it_is_no_results_table(tmp_path):
    result = invoke_cli("plot", SMALL, "--x", "departments.billing.agents", "--metric",
                        "wait_mean")
    assert_one_line_error(result, f"{SMALL}: a scenario file, not a sweep results table")
    fake = tmp_path / "results.parquet"
    fake.write_text("name: not parquet\n")
    result = invoke_cli("plot", str(fake), "--x", "departments.billing.agents", "--metric",
                        "wait_mean")
    assert_one_line_error(result, f"{fake}: cannot read results table: not a Parquet file")
    assert "magic bytes" not in result.output


def test_calibrate_without_a_map_names_the_map_option():
    week = str(ROOT / "scenarios" / "records" / "acd_week.csv")
    result = invoke_cli("calibrate", week, "--out", "never.yaml")
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines[0] == (f"{week}: missing column 'arrived' (an export names its columns its own "
                        "way: say which is which with --map FILE.yaml, see docs/calibration.md)")
    assert len(lines) == 3


def test_shares_in_a_scenario_file_accept_percent(tmp_path):
    # Issue 18 item 16: `--target` took 90% where the scenario file refused 20%.
    from callsim import load_scenario

    path = tmp_path / "s.yaml"
    path.write_text(open(SMALL).read().replace("misroute: {billing: 0.2}",
                                               "misroute: {billing: 20%}"))
    scenario = load_scenario(path, ["departments.billing.available=90%",
                                    "departments.billing.shrinkage=30%"])
    assert scenario.call_types["support"].misroute == {"billing": 0.2}
    assert scenario.departments["billing"].available == 0.9
    assert scenario.departments["billing"].shrinkage == 0.3
    result = invoke_cli("validate", str(path), "--set", "call_types.support.misroute.billing=120%")
    assert_one_line_error(result, "call_types.support.misroute.billing: must be <= 1")


@pytest.mark.parametrize(("args", "expected"), [
    (["--aht", "1e300", "--agents", "5"], "--aht must be at most 1e+09 s"),
    (["--aht", "180", "--agents", "5", "--threshold", "2000000000s"],
     "--threshold must be at most 1e+09 s"),
    (["--aht", "180", "--agents", "500000"], "--agents must be at most 100,000"),
    (["--aht", "180", "--agents", "5", "--patience", "1e9"], "queue tail exceeds"),
])
def test_erlang_options_beyond_the_limits_are_one_line(args, expected):
    # The same class as targets beyond the duration limit: the scenario limits hold here too;
    # an overload with a patience of 31 years was a ValueError traceback.
    result = invoke_cli("erlang", "--arrivals-per-hour", "1000", *args)
    assert_one_line_error(result, expected)


def test_a_requirements_file_with_a_repeated_column_is_refused(tmp_path):
    # The class of a repeated header column (issue 19 item 18): here it was a traceback.
    lines = (ROOT / "scenarios" / "textbook_requirements.csv").read_text().splitlines()
    path = tmp_path / "req.csv"
    path.write_text("\n".join([lines[0] + ",agents", *(f"{r},1" for r in lines[1:])]) + "\n")
    result = invoke_cli("schedule", str(ROOT / "scenarios" / "textbook_roster.yaml"),
                        "--requirements", str(path))
    assert_one_line_error(result)
    assert result.output.strip() == f"{path}: column 'agents' appears 2 times in the header"


def test_an_empirical_file_with_two_value_columns_is_refused(tmp_path):
    from callsim.scenario.distributions import read_values_csv

    path = tmp_path / "times.csv"
    path.write_text("value,value\n10,20\n")
    with pytest.raises(ValueError, match="column 'value' appears 2 times in the header"):
        read_values_csv(path)


def test_a_call_log_counts_every_bad_row_not_shown(tmp_path):
    from callsim.scenario.calllog import CallLogError, read_call_log

    path = tmp_path / "calls.csv"
    path.write_text("time,call_type\n" + "10,nobody\n" * 333)
    with pytest.raises(CallLogError) as error:
        read_call_log(path, ["billing"], 3600.0)
    assert error.value.problems[-1] == "calls.csv: 323 more problems not shown (333 in all)"


def test_breakeven_vary_mistakes_name_the_option():
    known = str(ROOT / "tests" / "planning" / "breakeven_known.yaml")
    result = invoke_cli("breakeven", known, "--vary", "departments.billing.agents=0:1e9",
                        "--reps", "2", "--workers", "1")
    assert_one_line_error(result)
    assert result.output.strip() == ("--vary departments.billing.agents=0:1e9: must be <= 100000 "
                                     "(at departments.billing.agents=1000000000)")


def test_plot_of_a_results_table_with_a_longer_first_row_is_refused(tmp_path):
    # pandas would take the first column as the index and shift every column by one.
    table = tmp_path / "results.csv"
    table.write_text("departments.billing.agents,overall.wait_mean\n8,12.5,99\n9,10.0\n")
    result = invoke_cli("plot", str(table), "--x", "departments.billing.agents", "--metric",
                        "wait_mean")
    assert_one_line_error(result, f"{table}: cannot read results table: row 2 (the first "
                                  "record) has more cells than the header")
