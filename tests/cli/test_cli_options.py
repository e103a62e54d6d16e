"""One option convention across commands (issue 18 item 15)."""

from __future__ import annotations

import pytest

from tests.shared import REFERENCE, invoke_cli

QUICK = ["--seed", "1", "--workers", "1", "--set", "horizon.duration=1h", "--reps", "2",
         "--json"]


def test_policy_and_policies_are_one_option_in_compare():
    """Repeated --policy, a comma list after --policies and a mix give the same comparison."""
    outputs = [invoke_cli("compare", str(REFERENCE), *args, *QUICK)
               for args in (["--policy", "cold", "--policy", "warm"],
                            ["--policies", "cold,warm"], ["--policy", "cold,warm"])]
    assert all(r.exit_code == 0 for r in outputs), [r.output for r in outputs]
    assert outputs[0].stdout == outputs[1].stdout == outputs[2].stdout


@pytest.mark.parametrize("command", ["compare", "report", "sweep", "plot", "staff", "breakeven"])
def test_every_command_takes_both_names(command):
    help_text = invoke_cli(command, "--help").stdout
    assert "--policy" in help_text and "--policies" in help_text


def test_help_shows_plain_metavars():
    top = invoke_cli("--help").stdout
    version = next(line for line in top.splitlines() if "--version" in line)
    assert "<bool>" not in version
    sweep = " ".join(invoke_cli("sweep", "--help").stdout.split())
    assert "9223372036854775807" not in sweep and "<int range>" not in sweep.split("--reps")[1][:20]
    assert "the sweep file's reps, else 10" in sweep.replace("│ ", "").replace(" │", "")
    run = invoke_cli("run", "--help").stdout
    assert "9223372036854775807" not in run


@pytest.mark.parametrize("command", ["", "run", "compare", "sweep", "staff", "breakeven",
                                     "schedule", "backtest", "erlang", "init"])
def test_no_command_shows_raw_type_labels(command):
    """Flags show no value type, bounded numbers ``<int> [x>=1]`` (issue 18 item 15)."""
    text = invoke_cli(*([command] if command else []), "--help").stdout
    assert "<bool>" not in text and " range>" not in text and "9223372036854775807" not in text
    assert "INT " not in text and "FLOAT " not in text  # one spelling: <int>, <float>
    if command == "run":
        assert "<int> [x>=1]" in text.split("--reps")[1][:40]


def test_a_seed_out_of_range_is_still_refused():
    result = invoke_cli("run", str(REFERENCE), "--seed", "-1")
    assert result.exit_code == 2 and "--seed" in result.output and "Traceback" not in result.output
