"""Helpers shared by the CLI commands."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from callsim.scenario.errors import ScenarioError
from callsim.scenario.schema import Scenario, load_scenario

__all__ = [
    "JsonOption",
    "ScenarioArgument",
    "SeedOption",
    "SetOption",
    "WorkersOption",
    "fail",
    "load_or_exit",
    "print_problems",
]

# Arguments and options shared by the commands (one declaration each).
ScenarioArgument = Annotated[Path, typer.Argument(help="Scenario YAML file.")]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a field, e.g. --set departments.billing.agents=14"),
]
SeedOption = Annotated[int, typer.Option(min=0, help="Base seed.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print MODEL.md section 7 JSON.")]
WorkersOption = Annotated[
    int | None, typer.Option(min=1, help="Processes (default: all cores; 1 = in-process).")
]


def fail(message: str) -> typer.Exit:
    """Print a one-line error to stderr; return the ``Exit(2)`` for the caller to raise."""
    typer.echo(message, err=True)
    return typer.Exit(2)


def print_problems(error: ScenarioError) -> None:
    """Print each problem line of ``error`` to stderr."""
    for line in error.problems:
        typer.echo(line, err=True)


def load_or_exit(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Load a scenario, or print its problems to stderr and exit with status 2.

    Parameters
    ----------
    path : str or pathlib.Path
        The scenario YAML file.
    overrides : sequence of str
        ``dotted.path=value`` overrides (the ``--set`` options).

    Raises
    ------
    typer.Exit
        With code 2 when the scenario is invalid (no traceback is shown).
    """
    try:
        return load_scenario(path, overrides)
    except ScenarioError as exc:
        print_problems(exc)
        raise typer.Exit(2) from None
