"""The ``callsim`` command: one module per subcommand, registered here."""

from __future__ import annotations

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Simulate warm vs cold transfers of misrouted calls in a contact center.",
)


def main() -> None:
    """Console-script entry point."""
    app()
