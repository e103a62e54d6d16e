"""Helpers shared by the CLI commands."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import typer

from callsim.errors import ScenarioError
from callsim.scenario import Scenario, load_scenario

__all__ = ["load_or_exit", "print_problems"]


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
