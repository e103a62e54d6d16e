"""``callsim erlang`` through typer's CliRunner."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from callsim.cli import app as app_module
from callsim.cli.erlang import erlang

runner = CliRunner()
PUBLISHED = ["--arrivals-per-hour", "200", "--aht", "180"]  # 100 calls per 30 min, AHT 180 s


def _group() -> typer.Typer:
    """A group with a callback, so ``erlang`` is a subcommand however many others exist."""
    group = typer.Typer()
    group.command("erlang")(erlang)

    @group.callback()
    def _root() -> None:
        """Test group."""

    return group


def invoke(*args: str) -> object:
    return runner.invoke(_group(), ["erlang", *args])


def test_registered_on_the_main_app() -> None:
    names = [command.name for command in app_module.app.registered_commands]
    assert "erlang" in names


def test_table_for_given_agents() -> None:
    result = invoke(*PUBLISHED, "--agents", "14")
    assert result.exit_code == 0, result.output
    assert "Erlang C" in result.stdout
    assert "0.1741" in result.stdout  # P(wait)
    assert "88.8%" in result.stdout  # service level within 20 s
    assert "7.8" in result.stdout  # ASA in seconds
    assert "P(abandon)" not in result.stdout


def test_target_sl_finds_fourteen_and_shows_neighbours() -> None:
    result = invoke(*PUBLISHED, "--target-sl", "0.8")
    assert result.exit_code == 0, result.output
    assert "Fewest agents meeting the target: 14" in result.stdout
    for n in range(11, 18):
        assert f"│ {n:>6} │" in result.stdout
    percent = invoke(*PUBLISHED, "--target-sl", "80%", "--json")
    assert json.loads(percent.stdout)["recommended_agents"] == 14


def test_json_keys_and_values() -> None:
    result = invoke(*PUBLISHED, "--agents", "14", "--target-sl", "0.8", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {
        "model", "arrivals_per_hour", "aht_s", "patience_s", "threshold_s", "target_sl",
        "recommended_agents", "rows",
    }
    assert report["model"] == "erlang_c" and report["recommended_agents"] == 14
    assert [row["agents"] for row in report["rows"]] == list(range(11, 18))
    row = next(row for row in report["rows"] if row["agents"] == 14)
    assert set(row) >= {"p_wait", "p_abandon", "asa", "wait_mean", "service_level", "occupancy",
                        "queue_length", "offered_load", "wait_if_delayed"}
    assert row["p_wait"] == pytest.approx(0.1741319, abs=5e-8)
    assert row["service_level"] == pytest.approx(0.8883500, abs=5e-8)


def test_patience_switches_to_erlang_a_and_durations_parse() -> None:
    result = invoke("--arrivals-per-hour", "600", "--aht", "3min", "--patience", "2min",
                    "--agents", "30", "--threshold", "20s", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["model"] == "erlang_a" and report["aht_s"] == 180 and report["patience_s"] == 120
    assert round(report["rows"][0]["p_abandon"], 4) == 0.0799
    table = invoke("--arrivals-per-hour", "600", "--aht", "180", "--patience", "120",
                   "--agents", "30")
    assert "Erlang A" in table.stdout and "P(abandon)" in table.stdout


def test_unstable_system_prints_infinite_waits() -> None:
    result = invoke(*PUBLISHED, "--agents", "9", "--json")
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["rows"][0]
    assert row["p_wait"] == 1.0 and row["asa"] is None and row["service_level"] == 0.0


@pytest.mark.parametrize(
    "args",
    [
        PUBLISHED,  # neither --agents nor --target-sl
        ["--aht", "180", "--agents", "14"],  # missing --arrivals-per-hour
        ["--arrivals-per-hour", "abc", "--aht", "180", "--agents", "14"],
        ["--arrivals-per-hour", "-5", "--aht", "180", "--agents", "14"],
        ["--arrivals-per-hour", "nan", "--aht", "180", "--agents", "14"],
        [*PUBLISHED, "--agents", "3.5"],
        [*PUBLISHED, "--agents", "0"],
        ["--arrivals-per-hour", "200", "--aht", "3 fortnights", "--agents", "14"],
        ["--arrivals-per-hour", "200", "--aht", "0", "--agents", "14"],
        [*PUBLISHED, "--agents", "14", "--patience", "-1min"],
        [*PUBLISHED, "--agents", "14", "--threshold", "soon"],
        [*PUBLISHED, "--target-sl", "1.5"],
        [*PUBLISHED, "--target-sl", "0"],
    ],
)
def test_bad_input_is_one_line_exit_two(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert result.stdout == ""
