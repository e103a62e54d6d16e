"""The ``callsim`` command: one module per subcommand, registered here."""

from __future__ import annotations

import typer

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Simulate warm vs cold transfers of misrouted calls in a contact center.",
)

from callsim.cli.erlang import erlang  # noqa: E402

app.command("erlang")(erlang)


def main() -> None:
    """Console-script entry point."""
    app()
