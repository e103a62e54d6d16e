"""Results that are not what they seem (issue 11): warnings beside the numbers, on stderr."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from callsim.cli.app import app
from callsim.experiments.caveats import UNFINISHED_SHARE, horizon_caveats, result_caveats
from callsim.scenario.loading import load_scenario
from tests.shared import REFERENCE

runner = CliRunner()
#: Too few billing agents for the load, and the center closes with callers still queued.
OVERLOADED = ["--set", "horizon.duration=2h", "--set", "horizon.drain=false",
              "--set", "departments.billing.agents=4"]


@pytest.mark.parametrize("command", [["run", "--reps", "2"], ["compare", "--reps", "2"]])
def test_unfinished_calls_at_close_are_counted_and_warned(command: list[str]) -> None:
    result = runner.invoke(app, [command[0], str(REFERENCE), *command[1:], *OVERLOADED,
                                 "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    [warning] = [line for line in result.stderr.splitlines() if "still in the system" in line]
    assert warning.startswith("warning: ") and "per replication" in warning
    assert "warning" not in result.stdout  # the JSON stays clean


def test_no_warning_when_the_center_drains() -> None:
    result = runner.invoke(app, ["run", str(REFERENCE), "--set", "horizon.duration=2h",
                                 "--set", "departments.billing.agents=4", "--json"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr


def test_the_threshold_is_one_percent_of_arrivals() -> None:
    scenario = load_scenario(REFERENCE, ["horizon.drain=false"])
    below = pd.DataFrame({"overall.unfinished_rate": [UNFINISHED_SHARE], "overall.calls": [100]})
    above = below.assign(**{"overall.unfinished_rate": [0.0101]})
    assert result_caveats(below, scenario) == []
    [line] = result_caveats(above, scenario)
    assert "1.0% of calls (about 1 per replication)" in line


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        (["horizon.duration=2h", "horizon.warmup=90min"], "less than the warm-up"),
        (["horizon.duration=30min", "horizon.interval=30min"], "fewer than 10 mean handle times"),
    ],
)
def test_a_horizon_too_short_for_its_warm_up(overrides: list[str], words: str) -> None:
    [line] = horizon_caveats(load_scenario(REFERENCE, overrides))
    assert words in line
    args = [a for o in overrides for a in ("--set", o)]
    result = runner.invoke(app, ["run", str(REFERENCE), *args, "--json"])
    assert result.exit_code == 0, result.output
    assert "warning: the horizon measures" in result.stderr


def test_the_shipped_day_has_no_caveat() -> None:
    assert horizon_caveats(load_scenario(REFERENCE)) == []


def test_the_mean_handle_time_of_the_caveat_takes_the_handle_scale() -> None:
    # 1 h measured: 10 support calls of 6 min; with their handle time x2 in an interval, 5.
    day = ["horizon.duration=1h", "horizon.interval=30min"]
    assert horizon_caveats(load_scenario(REFERENCE, day)) == []
    [line] = horizon_caveats(load_scenario(REFERENCE, [*day,
                                                       "call_types.support.handle_scale=[1, 2]"]))
    assert "fewer than 10 mean handle times (720 s)" in line
