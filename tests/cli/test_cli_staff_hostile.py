"""``staff`` and ``breakeven`` under hostile options (issue 19, items 5, 18 and 19).

Every case is one line on stderr naming the real problem, exit 2, no traceback; options given
twice for one key are refused rather than letting the last one win silently.
"""

from __future__ import annotations

import json

import pytest

from tests.shared import ROOT, invoke_cli

SMALL = str(ROOT / "tests" / "planning" / "staffing_small.yaml")
KNOWN = str(ROOT / "tests" / "planning" / "breakeven_known.yaml")
QUICK = ["--reps", "2", "--verify-reps", "2", "--seed", "4", "--workers", "1"]
TARGET = ["--target", "asa<=30s"]


@pytest.mark.parametrize(("args", "expected"), [
    (["--min-agents", "billing=\u00b2"], "--min-agents billing=\u00b2: expected DEPT=N"),
    (["--min-agents", "billing=\u0663"], "expected DEPT=N"),  # an Arabic-Indic three
    (["--max-agents", "billing=99999999999999999999999"], "must be <= 100,000"),
    (["--max-agents", "billing=100001"], "must be <= 100,000"),
    (["--max-agents", "=3"], "expected DEPT=N"),
    (["--min-agents", "billing=2", "--min-agents", "billing=3"],
     "--min-agents billing: given twice (2 and 3)"),
    (["--max-agents", "billing=9", "--max-agents", " billing =9"],
     "--max-agents billing: given twice"),
    (["--min-agents", "billing=100000"],
     "--min-agents billing=100000 is above the default upper bound of 1000 (raise it with "
     "--max-agents)"),
    (["--policy", "cold", "--policy", "cold"], "--policy cold,cold: policy 'cold' given twice"),
    (["--target", "occupancy<=0"], "no staffing up to 10000 agents meets occupancy<=0"),
    (["--set", "departments.billing.agents=3", "--set", "departments.billing.agents=4"],
     "--set departments.billing.agents: given twice"),
])
def test_staff_options_fail_on_one_line_naming_the_problem(args, expected):
    result = invoke_cli("staff", SMALL, *TARGET, *args, *QUICK)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("args", "expected"), [
    (["--policies", "warm,warm"], "--policy warm,warm: policy 'warm' given twice"),
    (["--policies", "cold, warm,cold"], "policy 'cold' given twice"),
    (["--vary", "departments.billing.agents=31:39"],
     "--vary given 2 times (departments.billing.agents=30:40, "
     "departments.billing.agents=31:39): breakeven varies one field"),
])
def test_breakeven_refuses_options_given_twice(args, expected):
    result = invoke_cli("breakeven", KNOWN, "--vary", "departments.billing.agents=30:40", *args,
                        "--reps", "2", "--workers", "1")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.output


@pytest.mark.parametrize("command", [["compare"], ["sweep", "--vary",
                                                   "departments.billing.agents=30,31"]])
def test_a_policy_named_twice_is_refused_everywhere(command, tmp_path):
    result = invoke_cli(*command[:1], KNOWN, *command[1:], "--policies", "warm,warm",
                        "--reps", "2", "--workers", "1", "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 2, result.output
    assert "policy 'warm' given twice" in result.output


def test_the_same_policy_twice_is_named_by_the_library():
    from callsim import load_scenario
    from callsim.planning.breakeven import BreakEvenError, breakeven

    with pytest.raises(BreakEvenError, match="the same policy twice"):
        breakeven(load_scenario(KNOWN), "departments.billing.agents=30:40",
                  policies=["warm", "warm"], reps=2)


def test_bounds_out_of_range_are_refused_by_the_library():
    from callsim import load_scenario
    from callsim.planning.staffing import StaffingError, staff

    sc = load_scenario(SMALL)
    for bad in (10**23, -1, 2.5, True):
        with pytest.raises(StaffingError, match="`max_agents` billing="):
            staff(sc, ["asa<=30s"], max_agents={"billing": bad}, reps=1)


def test_a_max_of_zero_agents_exits_1_with_the_reason():
    result = invoke_cli("staff", SMALL, "--target", "service_level>=0.8", *QUICK, "--policy",
                        "cold", "--json", "--max-agents", "billing=0")
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["policies"]["cold"]["meets_targets"] is False
    last = result.stderr.strip().splitlines()[-1]
    assert "targets not met under cold" in last and "--max-agents" in last


def test_breakeven_grid_beyond_the_limit_is_one_line():
    result = invoke_cli("breakeven", KNOWN, "--vary", "transfer.warm.handoff_time.value=0:100",
                        "--grid", "10000000", "--reps", "2", "--workers", "1")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "--grid 10000000: 10,000,004 values" in lines[0], result.output
