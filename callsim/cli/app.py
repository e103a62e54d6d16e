"""The ``callsim`` command: one module per subcommand, registered here."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption

from callsim.cli.backtest import backtest_command
from callsim.cli.breakeven import breakeven_command
from callsim.cli.calibrate import calibrate_command
from callsim.cli.compare import compare_command
from callsim.cli.erlang import erlang
from callsim.cli.init import init_command
from callsim.cli.interrupts import interruptible
from callsim.cli.plot import plot_command
from callsim.cli.report import report_command
from callsim.cli.run import run_command
from callsim.cli.schedule import schedule_command
from callsim.cli.staff import staff_command
from callsim.cli.sweep import sweep_command
from callsim.cli.validate import validate_command

#: The subcommands, in the order ``callsim --help`` lists them.
COMMANDS: dict[str, Callable[..., None]] = {
    "run": run_command,
    "compare": compare_command,
    "sweep": sweep_command,
    "erlang": erlang,
    "validate": validate_command,
    "plot": plot_command,
    "report": report_command,
    "init": init_command,
    "calibrate": calibrate_command,
    "backtest": backtest_command,
    "staff": staff_command,
    "breakeven": breakeven_command,
    "schedule": schedule_command,
}

HELP = "Simulate warm vs cold transfers of misrouted calls in a contact center."


def _print_version(value: bool) -> None:
    if value:
        from callsim._version import package_version

        typer.echo(f"callsim {package_version()}")
        raise typer.Exit()


def _callsim(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_print_version, is_eager=True,
                     help="Print the version and exit."),
    ] = False,
) -> None:
    """Simulate warm vs cold transfers of misrouted calls in a contact center."""


def plain_metavars(params: list[Any]) -> list[Any]:
    """Help that reads plainly: a flag shows no value type, a bounded number ``<int> [x>=1]``.

    Typer labels every flag ``<bool>`` (``--version <bool>``, yet a flag takes no value) and a
    number with bounds ``<int range>``; the bounds themselves still follow in brackets. Applied
    to every option of every command, the help option and completion options included.
    """
    for param in params:
        if not isinstance(param, TyperOption) or param.metavar is not None:
            continue
        if param.is_flag:
            param.metavar = ""
        elif param.type_descriptor.is_ranged:
            param.metavar = f"<{param.type_descriptor.ranged_type_name}>"
    return params


class PlainHelpCommand(TyperCommand):
    """A subcommand whose help shows :func:`plain_metavars`."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The command's parameters, help option included, with plain metavars."""
        return plain_metavars(super().get_params(ctx))


class PlainHelpGroup(TyperGroup):
    """The ``callsim`` group, whose help shows :func:`plain_metavars`."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The group's parameters, help and completion options included, with plain metavars."""
        return plain_metavars(super().get_params(ctx))


def build_app(names: Iterable[str] = COMMANDS) -> typer.Typer:
    """The ``callsim`` command with the subcommands ``names`` (all of them by default)."""
    new = typer.Typer(add_completion=True, no_args_is_help=True, help=HELP, cls=PlainHelpGroup)
    new.callback()(_callsim)
    for name in names:
        new.command(name, cls=PlainHelpCommand)(interruptible(COMMANDS[name]))
    return new


app = build_app()


def main() -> None:
    """Console-script entry point.

    Typer turns every registered subcommand into a click command (signatures, annotations,
    options) before it parses the arguments: about 0.03 s for all of them, a tenth of
    ``callsim validate``. When the first argument names a subcommand, only that one is built;
    its options, help and error messages are the same (tests/cli/test_startup.py).
    """
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    (build_app([name]) if name in COMMANDS else app)()
