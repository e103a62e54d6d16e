"""``callsim sweep``: scenario variants x policies x replications, durable and resumable."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from callsim.cli.common import (
    EXIT_WORKER_DIED,
    ExecutorOption,
    MaxCallsOption,
    Outputs,
    ScenarioArgument,
    SchedulerOption,
    SetOption,
    WorkersOption,
    check_seed,
    execution_options,
    exit_on_errors,
    load_or_exit,
)
from callsim.cli.compare import POLICY_HELP, default_policies, policy_values
from callsim.cli.tables import progress_bar
from callsim.scenario.limits import MAX_CALLS, MAX_POINTS

if TYPE_CHECKING:
    from callsim.experiments.grid import Grid
    from callsim.files.outputs import OutputSet
    from callsim.scenario.schema import Scenario

# The experiments and report layers are imported inside the functions: ``callsim --help`` and
# the other commands start without them.

#: Exit code of a sweep stopped by Ctrl-C (the shell's 128 + SIGINT) or by a dead worker.
EXIT_INTERRUPTED = 130


def sweep_command(  # one parameter per option
    scenario: ScenarioArgument,
    out: Annotated[
        Path, typer.Option(help="Results table (.parquet, .csv, .json or .xlsx); the summary "
                           "goes beside it (or in the same file); rows also go to OUT.parts/ "
                           "while the sweep runs.")
    ],
    vary: Annotated[
        list[str] | None,
        typer.Option(help="PATH=SPEC: a list 8,10,12, a range 8:16 or 8:16:2, a grid 0:0.4:9; "
                     "values as --set takes them (30s:4min:5, 10%:40%:4)."),
    ] = None,
    grid_file: Annotated[
        Path | None, typer.Option("--grid", help="Sweep YAML file (vary, policies, reps, seed).")
    ] = None,
    policies: Annotated[
        list[str] | None,
        typer.Option("--policy", "--policies", metavar="NAME[,NAME...]",
                     help="Policies run at every point (default: the sweep file's, else "
                     "cold,warm). " + POLICY_HELP),
    ] = None,
    reps: Annotated[int | None, typer.Option(
        min=1, metavar="<int>", help="Replications per point (default: the sweep file's reps, "
        "else 10).")] = None,
    seed: Annotated[int | None, typer.Option(
        metavar="<int>", callback=check_seed, help="Base seed, 0 to 2**63 - 1 (default: the "
        "sweep file's seed, else 0).")] = None,
    overrides: SetOption = None,
    workers: WorkersOption = None,
    resume: Annotated[bool, typer.Option(help="Run only what OUT.parts/ is missing.")] = False,
    keep_parts: Annotated[
        bool, typer.Option("--keep-parts", help="Keep OUT.parts/ once the results are written "
                           "(to extend the sweep later with --resume and more --reps); "
                           "removed by default. An interrupted sweep always keeps it.")
    ] = False,
    executor: ExecutorOption = "processes",
    scheduler: SchedulerOption = None,
    independent_points: Annotated[
        bool, typer.Option(help="A seed per point instead of the same callers at every point.")
    ] = False,
    max_calls: MaxCallsOption = MAX_CALLS,
    max_points: Annotated[
        int, typer.Option(min=1, help="Refuse grids of more points than this (counted first).")
    ] = MAX_POINTS,
) -> None:
    """Sweep scenario fields over a grid; every row is saved as soon as it is finished."""
    outputs = Outputs().file(out, tables=("results", "summary")).check()
    execution = execution_options(workers, executor, scheduler, max_calls)
    spec = read_spec(grid_file, vary or [])
    listed = ",".join(spec["policies"]) if "policies" in spec else default_policies()
    names = policy_values(policies, listed)
    reps = reps if reps is not None else spec.get("reps", 10)
    seed = seed if seed is not None else spec.get("seed", 0)
    options: dict[str, Any] = {
        "reps": reps, "seed": seed, "out": out, "resume": resume,
        "independent_points": independent_points, "max_points": max_points,
        "execution": execution, "keep_parts": keep_parts,
    }
    from callsim.cli.blame import option_fields

    blamed = {path: label.partition("=")[0] for path, label in
              option_fields("--vary", vary or []).items()}
    rows = run_sweep(load_or_exit(scenario, overrides or []), spec["grid"], names, options,
                     outputs, {**option_fields("--set", overrides or []), **blamed})
    from callsim.report.writers import table_paths

    files = table_paths(out, ["results", "summary"])
    where = f" and {files[1]}" if len(files) > 1 else " (sheets results and summary)"
    typer.echo(f"wrote {out} ({len(rows)} rows: {spec['grid'].size} points x {len(names)} "
               f"policies x {reps} replications){where}")


def read_spec(grid_file: Path | None, vary: list[str]) -> dict[str, Any]:
    """The sweep file's settings with ``--vary`` axes added to its grid; exit 2 on a problem."""
    from callsim.experiments.grid import Grid, GridError, read_sweep_file

    with exit_on_errors(GridError):
        spec = read_sweep_file(grid_file) if grid_file else {}
        if vary:
            axes = Grid.from_specs(vary).axes
            spec["grid"] = Grid.from_axes([*spec["grid"].axes, *axes] if "grid" in spec
                                          else axes)
        spec["grid"] = spec.get("grid") or Grid.from_specs([])
    return spec


def run_sweep(scenario: Scenario, grid: Grid, names: list[str], options: dict[str, Any],
              outputs: OutputSet, blamed: dict[str, str] | None = None) -> Any:
    """Run the sweep with progress; errors become messages and exit codes, chosen by type.

    The results table and its summary are written as one output set (both or neither).
    ``blamed``: field paths the command line gave (``--vary``, ``--set``) -> the option
    named in their problems (:mod:`callsim.cli.blame`).
    """
    from callsim.experiments.grid import GridError
    from callsim.experiments.store import StoreError
    from callsim.experiments.sweeps import Interrupted, SweepInterrupted, SweepWarning, sweep
    from callsim.report.exports import write_sweep_tables

    out = options["out"]
    caught: list[warnings.WarningMessage] = []
    try:
        with (exit_on_errors(GridError, StoreError),
              warnings.catch_warnings(record=True) as recorded,
              progress_bar("sweep") as bar):
            caught = recorded
            warnings.simplefilter("always", SweepWarning)
            progress = bar.advance if bar else None
            options["execution"] = options["execution"].reporting(progress)
            return _blamed(blamed or {}, scenario, lambda: sweep(
                scenario, grid, names, export=partial(_write_tables, outputs, write_sweep_tables),
                **options))
    except SweepInterrupted as exc:
        typer.echo(f"{exc}: {exc.saved} finished rows saved in {out}.parts; "
                   "run the same command with --resume to finish", err=True)
        code = EXIT_INTERRUPTED if isinstance(exc, Interrupted) else EXIT_WORKER_DIED
        raise typer.Exit(code) from None
    finally:
        for warning in caught:
            if issubclass(warning.category, SweepWarning):
                typer.echo(f"warning: {warning.message}", err=True)


def _blamed(fields: dict[str, str], scenario: Scenario, work: Callable[[], Any]) -> Any:
    """``work()``, its scenario problems at fields of ``fields`` naming their option."""
    from callsim.cli.blame import blame_options
    from callsim.scenario.document import document
    from callsim.scenario.errors import ScenarioError

    try:
        return work()
    except ScenarioError as exc:
        doc = document(scenario)
        raise ScenarioError(blame_options(exc.problems, doc.source, fields, doc.raw)) from None


def _write_tables(outputs: OutputSet, write: Callable[..., list[Path]], rows: Any, summary: Any,
                  out: Path) -> list[Path]:
    """The sweep's export: its tables written as the command's output set."""
    with outputs.writing():
        return write(rows, summary, out)
