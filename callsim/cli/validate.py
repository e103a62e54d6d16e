"""``callsim validate SCENARIO...``: check scenario files without running them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from callsim.cli.common import print_problems

__all__ = ["validate_command"]


def validate_command(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario YAML files to check.")],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a field, e.g. --set transfer.policy=cold."),
    ] = None,
) -> None:
    """Validate scenario files: print OK per valid file, every problem of the others.

    Exits with status 2 if any file is invalid, 0 otherwise.
    """
    from callsim.scenario.errors import ScenarioError, one_line
    from callsim.scenario.loading import load_scenario

    failed = False
    for path in scenarios:
        try:
            scenario = load_scenario(path, set_ or ())
        except ScenarioError as exc:
            print_problems(exc)
            failed = True
            continue
        typer.echo(
            f"OK  {one_line(str(path))}  ({one_line(scenario.name)}: "
            f"{_count(len(scenario.departments), 'department')}, "
            f"{_count(len(scenario.call_types), 'call type')}, "
            f"{_count(scenario.horizon.n_intervals, 'interval')})"
        )
    if failed:
        raise typer.Exit(2)


def _count(n: int, noun: str) -> str:
    """``1 interval``, ``24 intervals``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
