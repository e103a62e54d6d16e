"""``callsim calibrate``: call records in, a commented scenario file out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from callsim.cli.common import (
    ExecutorOption,
    MaxCallsOption,
    Outputs,
    SchedulerOption,
    WorkersOption,
    execution_options,
    exit_on_errors,
    print_problems,
)
from callsim.cli.flags import flagged
from callsim.scenario.limits import MAX_CALLS

RecordsArgument = Annotated[
    list[Path],
    typer.Argument(help="Call-record files (.csv, .txt, .tsv or .parquet), see "
                   "docs/calibration.md."),
]
MapOption = Annotated[
    Path | None,
    typer.Option("--map", help="YAML mapping file: the export's column names and codes."),
]
DaysOption = Annotated[
    str,
    typer.Option(help="Days to use: all, weekdays, a weekday set (sun-thu, fri), dates "
                 "YYYY-MM-DD or ranges YYYY-MM-DD..YYYY-MM-DD; commas unite, spaces intersect."),
]


def calibrate_command(
    records: RecordsArgument,
    out: Annotated[Path, typer.Option(help="Scenario file to write (.yaml).")],
    interval: Annotated[str, typer.Option(help="Planning interval, e.g. 15min, 30min, 1h.")] = (
        "30min"),
    days: DaysOption = "all",
    mapping: MapOption = None,
    report: Annotated[
        Path | None, typer.Option(help="Also write the evidence as an HTML page.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Scenario name.")] = None,
    fit: Annotated[bool, typer.Option(
        "--fit", help="Also fit the share of agents available per 2 h block and a scale of "
        "after-call work by simulation (replayed days), then check the scenario's own day "
        "against the calibration days (the margin to keep when staffing from it).")
    ] = False,
    handle_by_time: Annotated[bool, typer.Option(
        "--handle-by-time", help="Write the handle-time factors per hour (handle_scale) into "
        "the scenario; without it they are shown, not applied.")
    ] = False,
    workers: WorkersOption = None,
    executor: ExecutorOption = "processes",
    scheduler: SchedulerOption = None,
    max_calls: MaxCallsOption = MAX_CALLS,
) -> None:
    """Estimate a scenario from call records; every estimate is commented with its evidence."""
    from callsim.calibration.errors import RecordsError
    from callsim.calibration.estimate import calibrate

    execution = execution_options(workers, executor, scheduler, max_calls)
    outputs = (Outputs().file(out, "--out", (".yaml", ".yml"))
               .file(report, "--report", (".html",)).check())
    try:
        with exit_on_errors():
            result = calibrate(records, interval=interval, days=days, mapping=mapping,
                               name=name, fit=fit, handle_by_time=handle_by_time,
                               execution=execution)
    except RecordsError as exc:
        print_problems(exc)
        raise typer.Exit(2) from None
    with outputs.writing():
        result.write(out)
        if report is not None:
            from callsim.report.calibration_pages import write_calibration_report

            write_calibration_report(result, report)
    _summary(result, out)
    if report is not None:
        typer.echo(f"report: {report}")


def _summary(result: object, out: Path) -> None:
    """What was read, left out, defaulted, fitted and doubtful."""
    from callsim.calibration.calibrated import Calibration

    assert isinstance(result, Calibration)
    frame = result.records.frame
    typer.echo(f"{len(frame):,} calls on {len(result.records.days)} day(s) -> {out}")
    for rule, count in result.records.dropped.items():
        typer.echo(f"  {count:,} row(s) left out by the map's drop rule '{rule}'")
    if result.defaults:
        typer.echo(f"{len(result.defaults)} value(s) not in the records, marked DEFAULT in the "
                   "file:")
        for line in result.defaults:
            typer.echo(f"  {line}")
    for by_time in (result.patience_scale, result.handle_scale):
        if by_time is not None and by_time.identified:
            typer.echo(flagged("\n".join(by_time.comment())))
    if result.availability is not None:
        typer.echo(result.availability.comment())
    if result.forward is not None:
        typer.echo(result.forward.comment())
    for line in result.warnings:
        typer.echo(f"warning: {line}", err=True)
