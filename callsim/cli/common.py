"""Helpers shared by the CLI commands.

Only typer and the standard library are imported at module level: every command module
imports this one, and ``callsim --help`` must not pay for pydantic, pandas or SciPy. The
helpers import what they need when they run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from callsim.cli.flags import flagged
from callsim.scenario.limits import MAX_SEED

if TYPE_CHECKING:
    import pandas as pd

    from callsim.calibration.errors import RecordsError
    from callsim.experiments.execution import Execution
    from callsim.files.outputs import OutputSet
    from callsim.report.sheets import Sheet
    from callsim.scenario.errors import ScenarioError
    from callsim.scenario.schema import Scenario

__all__ = [
    "AllMetricsOption",
    "JsonOption",
    "MaxCallsOption",
    "OutOption",
    "ScenarioArgument",
    "SeedOption",
    "check_seed",
    "SetOption",
    "WorkersOption",
    "ExecutorOption",
    "SchedulerOption",
    "Outputs",
    "execution_options",
    "exit_on_errors",
    "fail",
    "load_or_exit",
    "print_caveats",
    "print_problems",
    "warn_workers",
    "write_out",
    "echo_written",
]

# Arguments and options shared by the commands (one declaration each).
ScenarioArgument = Annotated[Path, typer.Argument(help="Scenario YAML file.")]
SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", help="Override a field, e.g. --set departments.billing.agents=14"),
]
def check_seed(value: int | None) -> int | None:
    """``--seed`` callback: a whole number from 0 to 2**63 - 1 (usage error, exit 2, otherwise).

    Checked here rather than with ``min``/``max`` so that the help shows ``INT`` instead of
    ``<int range> [0<=x<=9223372036854775807]``.
    """
    if value is not None and not 0 <= value <= MAX_SEED:
        raise typer.BadParameter(f"must be from 0 to 2**63 - 1, got {value}")
    return value


SeedOption = Annotated[int, typer.Option(metavar="<int>", callback=check_seed,
                                         help="Base seed, 0 to 2**63 - 1.")]
MaxCallsOption = Annotated[
    float,
    typer.Option(min=0, help="Refuse, before running, work expected to simulate more calls "
                 "than this (the estimate is shown)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (docs/model.md section 8).")]
AllMetricsOption = Annotated[
    bool, typer.Option("--all-metrics", help="Also show the metrics that are zero in every "
                       "policy (features the scenario does not use); hidden by default."),
]
OutOption = Annotated[
    Path | None,
    typer.Option("--out", metavar="FILE", help="Also write the tables to FILE: .csv, .parquet, "
                 ".json or .xlsx (Excel: a sheet per table, labelled, formatted)."),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(min=1, help="Worker processes (default: all cores; 1 = in this process); the "
                 "numbers do not depend on it."),
]
ExecutorOption = Annotated[
    str, typer.Option(help="processes (a local pool) or dask (a local Dask cluster).")
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(help="Existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies dask)."),
]

#: Exit code when a worker process dies (killed, out of memory) or the cluster is lost.
EXIT_WORKER_DIED = 1


def fail(message: str) -> typer.Exit:
    """Print a one-line error to stderr; return the ``Exit(2)`` for the caller to raise.

    The parameters a library error names are written as their flags
    (:func:`~callsim.cli.flags.flagged`).
    """
    typer.echo(flagged(message), err=True)
    return typer.Exit(2)


@contextmanager
def exit_on_errors(*one_line: type[Exception]) -> Iterator[None]:
    """Turn known errors into messages and exit code 2, chosen by exception type, not text.

    A :class:`ScenarioError` prints its problem lines; :class:`WorkLimitError` and the
    ``one_line`` types print their one-line message.
    """
    from callsim.experiments.executors import ExecutorError, WorkerLost
    from callsim.experiments.work import WorkLimitError
    from callsim.scenario.errors import ScenarioError

    kinds: tuple[type[Exception], ...] = (WorkLimitError, ExecutorError, *one_line)
    try:
        yield
    except ScenarioError as exc:
        print_problems(exc)
        raise typer.Exit(2) from None
    except kinds as exc:
        raise fail(str(exc)) from None
    except WorkerLost as exc:
        typer.echo(f"{exc}; nothing was written", err=True)
        raise typer.Exit(EXIT_WORKER_DIED) from None


def execution_options(workers: int | None, executor: str, scheduler: str | None,
                      max_calls: float) -> Execution:
    """The :class:`~callsim.experiments.execution.Execution` of the shared options.

    Exits 2 on an unknown ``--executor``; warns when ``--workers`` is above the cores.
    """
    from callsim.experiments.execution import Execution
    from callsim.experiments.executors import EXECUTORS

    if executor not in EXECUTORS:
        raise fail(f"--executor: unknown executor {executor!r} (choose from "
                   f"{', '.join(EXECUTORS)})")
    warn_workers(workers)
    return Execution(workers, executor, scheduler, max_calls)


def warn_workers(workers: int | None) -> None:
    """Warn (stderr) when more worker processes are asked for than the machine has cores."""
    cores = os.cpu_count() or 1
    if workers is not None and workers > cores:
        typer.echo(f"warning: --workers {workers} is more than the {cores} cores of this "
                   "machine; extra workers only add overhead", err=True)


def print_caveats(scenario: Scenario, table: pd.DataFrame | None = None) -> None:
    """Warn (stderr) when results are not what they seem (:mod:`callsim.experiments.caveats`).

    Without ``table``: the horizon (before running); with it: unfinished calls at close.
    """
    from callsim.experiments.caveats import horizon_caveats, result_caveats

    lines = horizon_caveats(scenario) if table is None else result_caveats(table, scenario)
    for line in lines:
        typer.echo(f"warning: {flagged(line)}", err=True)


def print_problems(error: ScenarioError | RecordsError) -> None:
    """Print each problem line of ``error`` to stderr, its parameters written as flags."""
    for line in error.problems:
        typer.echo(flagged(line), err=True)


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
        With code 2 when the scenario is invalid or a ``--set`` field is given twice (no
        traceback is shown).
    """
    from callsim.scenario.errors import ScenarioError
    from callsim.scenario.loading import load_scenario

    keys = [item.partition("=")[0].strip() for item in overrides]
    twice = [k for i, k in enumerate(keys) if k and k in keys[:i]]
    if twice:
        raise fail(f"--set {twice[0]}: given twice (the last would win silently)")
    try:
        return load_scenario(path, overrides)
    except ScenarioError as exc:
        from callsim.cli.blame import blame_set

        print_problems(ScenarioError(blame_set(exc.problems, path, overrides)))
        raise typer.Exit(2) from None


Kind = Literal["table", "figure", "records"] | Sequence[str]


class Outputs:
    """Every file a command will write, gathered before any work (one builder per command).

    Each method checks the suffix at once (exit 2) and adds the files to an
    :class:`~callsim.files.outputs.OutputSet`; :meth:`check` then checks them all (side files
    and the files of a folder included) and returns the set, whose ``writing()`` block writes
    them all or nothing.
    """

    def __init__(self) -> None:
        from callsim.files.outputs import OutputSet

        self.set: OutputSet = OutputSet()

    def file(self, path: Path | None, option: str = "--out", kind: Kind = "table",
             tables: Sequence[str] = ()) -> Outputs:
        """Add ``path`` and, for tables in CSV or Parquet, its side files ``tables[1:]``."""
        if path is None:
            return self
        from callsim.report.writers import TABLE_SUFFIXES, table_paths

        check_suffix(path, option, kind)
        tabular = tables and path.suffix.lower() in TABLE_SUFFIXES
        self.set.add_all(table_paths(path, tables) if tabular else [path], option)
        return self

    def files(self, paths: Sequence[Path], option: str) -> Outputs:
        """Add files whose names the command derives (a figure's companion, say)."""
        self.set.add_all(paths, option)
        return self

    def folder(self, path: Path | None, option: str, names: Sequence[str]) -> Outputs:
        """Add a folder (made if missing) and the files ``names`` the command writes in it."""
        self.set.add_folder(path, option, names)
        return self

    def check(self) -> OutputSet:
        """Exit 2 with one line, the first problem, if any output cannot be written."""
        problems = self.set.problems()
        if problems:
            raise fail(problems[0])
        return self.set


def check_suffix(path: Path, option: str, kind: Kind) -> None:
    """Exit 2 if ``path`` does not end in a suffix of ``kind`` (a kind, or the suffixes)."""
    from callsim.report import writers

    kinds = {"table": tuple(writers.TABLE_SUFFIXES), "figure": tuple(writers.FIGURE_FORMATS),
             "records": writers.RECORD_SUFFIXES}
    suffixes = kinds[kind] if isinstance(kind, str) else tuple(kind)
    if path.suffix.lower() not in suffixes:
        raise fail(f"{path}: {option} must end in {writers.choices(suffixes)}, "
                   f"not {path.suffix!r}")


def write_out(sheets: Sequence[Sheet], path: Path | None) -> list[Path]:
    """Write ``sheets`` to ``path`` (format by suffix); return the files (none without a path).

    Call it inside the command's :meth:`~callsim.files.outputs.OutputSet.writing` block and
    name the files with :func:`echo_written` once the block has ended (the set is in place).
    """
    if path is None:
        return []
    from callsim.report.writers import write_tables

    return write_tables(sheets, path)


def echo_written(paths: Sequence[Path]) -> None:
    """``wrote PATH`` on stderr for each file written."""
    for path in paths:
        typer.echo(f"wrote {path}", err=True)
