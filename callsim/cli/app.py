"""The ``callsim`` command: one module per subcommand, registered here."""

from __future__ import annotations

from typing import Annotated

import typer

from callsim.cli.backtest import backtest_command
from callsim.cli.breakeven import breakeven_command
from callsim.cli.calibrate import calibrate_command
from callsim.cli.compare import compare_command
from callsim.cli.erlang import erlang
from callsim.cli.init import init_command
from callsim.cli.plot import plot_command
from callsim.cli.report import report_command
from callsim.cli.run import run_command
from callsim.cli.staff import staff_command
from callsim.cli.sweep import sweep_command
from callsim.cli.validate import validate_command

app = typer.Typer(
    add_completion=True,
    no_args_is_help=True,
    help="Simulate warm vs cold transfers of misrouted calls in a contact center.",
)


def _print_version(value: bool) -> None:
    if value:
        from callsim._version import package_version

        typer.echo(f"callsim {package_version()}")
        raise typer.Exit()


@app.callback()
def _callsim(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
) -> None:
    """Simulate warm vs cold transfers of misrouted calls in a contact center."""


app.command("run")(run_command)
app.command("compare")(compare_command)
app.command("sweep")(sweep_command)
app.command("erlang")(erlang)
app.command("validate")(validate_command)
app.command("plot")(plot_command)
app.command("report")(report_command)
app.command("init")(init_command)
app.command("calibrate")(calibrate_command)
app.command("backtest")(backtest_command)
app.command("staff")(staff_command)
app.command("breakeven")(breakeven_command)


def main() -> None:
    """Console-script entry point."""
    app()
