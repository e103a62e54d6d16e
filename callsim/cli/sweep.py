"""``callsim sweep``: scenario variants x policies x replications, durable and resumable."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from callsim.cli.common import (
    ScenarioArgument,
    SetOption,
    WorkersOption,
    check_out,
    fail,
    print_problems,
)
from callsim.cli.compare import parse_policies
from callsim.cli.tables import progress_bar


def read_spec(grid_file: Path | None, vary: list[str] | None) -> dict[str, Any]:
    """The sweep file's settings with the ``--vary`` axes added to its grid; exit 2 on errors."""
    from callsim.experiments.grid import Grid, GridError, read_sweep_file

    try:
        spec = read_sweep_file(grid_file) if grid_file else {}
        if vary:
            spec["grid"] = Grid.from_specs(vary) if "grid" not in spec else Grid.from_axes(
                [*spec["grid"].axes, *Grid.from_specs(vary).axes])
        spec["grid"] = spec.get("grid") or Grid.from_specs([])
    except GridError as exc:
        raise fail(str(exc)) from None
    return spec


def sweep_command(
    scenario: ScenarioArgument,
    out: Annotated[
        Path, typer.Option(help="Results table (.parquet, .csv, .json or .xlsx); the summary "
                           "goes beside it (or in the same file); rows also go to OUT.parts/.")
    ],
    vary: Annotated[
        list[str] | None,
        typer.Option(help="PATH=SPEC: a list 8,10,12, a range 8:16 or 8:16:2, a grid 0:0.4:9."),
    ] = None,
    grid_file: Annotated[
        Path | None, typer.Option("--grid", help="Sweep YAML file (vary, policies, reps, seed).")
    ] = None,
    policies: Annotated[str | None, typer.Option(help="Comma-separated policies.")] = None,
    reps: Annotated[int | None, typer.Option(min=1, help="Replications per point.")] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Base seed.")] = None,
    overrides: SetOption = None,
    workers: WorkersOption = None,
    resume: Annotated[bool, typer.Option(help="Run only what OUT.parts/ is missing.")] = False,
    executor: Annotated[str, typer.Option(help="processes (local pool) or dask.")] = "processes",
    scheduler: Annotated[
        str | None, typer.Option(help="Existing Dask scheduler, e.g. tcp://10.0.0.5:8786.")
    ] = None,
    independent_points: Annotated[
        bool, typer.Option(help="A seed per point instead of the same callers at every point.")
    ] = False,
) -> None:
    """Sweep scenario fields over a grid; every row is saved as soon as it is finished."""
    from callsim.experiments.executors import EXECUTORS, ExecutorError
    from callsim.experiments.store import StoreError
    from callsim.experiments.sweeps import SweepInterrupted, sweep
    from callsim.report.exports import write_sweep_tables
    from callsim.scenario.errors import ScenarioError

    check_out(out)
    if executor not in EXECUTORS:
        raise fail(f"--executor: unknown executor {executor!r} (choose from "
                   f"{', '.join(EXECUTORS)})")
    spec = read_spec(grid_file, vary)
    grid = spec["grid"]
    names = parse_policies(policies) if policies else parse_policies(
        ",".join(spec.get("policies", ["cold", "warm"])))
    reps = reps if reps is not None else spec.get("reps", 10)
    seed = seed if seed is not None else spec.get("seed", 0)
    try:
        with progress_bar("sweep") as bar:
            rows = sweep(scenario, grid, names, reps=reps, seed=seed, overrides=overrides or [],
                         out=out, resume=resume, workers=workers, executor=executor,
                         scheduler=scheduler, independent_points=independent_points,
                         progress=bar.advance if bar else None, export=write_sweep_tables)
    except ScenarioError as exc:
        print_problems(exc)
        raise typer.Exit(2) from None
    except (StoreError, ExecutorError) as exc:
        raise fail(str(exc)) from None
    except SweepInterrupted as exc:
        typer.echo(f"{exc}: {exc.saved} finished rows saved in {out}.parts; "
                   "run the same command with --resume to finish", err=True)
        raise typer.Exit(130 if str(exc) == "interrupted" else 1) from None
    typer.echo(f"wrote {out} ({len(rows)} rows: {len(grid.points())} points x {len(names)} "
               f"policies x {reps} replications){_summary_place(out)}")


def _summary_place(out: Path) -> str:
    """Where the summary went: `` and results.summary.csv`` or a sheet of the same file."""
    from callsim.report.writers import table_paths

    files = table_paths(out, ["results", "summary"])
    return f" and {files[1]}" if len(files) > 1 else " (sheets results and summary)"
