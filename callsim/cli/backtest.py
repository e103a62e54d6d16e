"""``callsim backtest``: whether a scenario reproduces the call records, interval by interval."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from callsim.cli.calibrate import DaysOption, MapOption
from callsim.cli.common import (
    ExecutorOption,
    MaxCallsOption,
    Outputs,
    ScenarioArgument,
    SchedulerOption,
    SeedOption,
    WorkersOption,
    execution_options,
    exit_on_errors,
    fail,
    load_or_exit,
    print_problems,
)
from callsim.scenario.limits import MAX_CALLS


def backtest_command(
    scenario: ScenarioArgument,
    records: Annotated[list[Path], typer.Argument(
        help="Call-record files (.csv, .txt, .tsv or .parquet).")],
    reps: Annotated[int, typer.Option(help="Replications (simulated days), at least 3: the "
                                      "verdict counts flags on replications held out.")] = 30,
    seed: SeedOption = 0,
    out: Annotated[
        Path | None,
        typer.Option(help="Write the backtest: FILE.html (page with the figure) or a table "
                          "(.xlsx, .csv, .parquet, .json)."),
    ] = None,
    days: DaysOption = "all",
    mapping: MapOption = None,
    workers: WorkersOption = None,
    executor: ExecutorOption = "processes",
    scheduler: SchedulerOption = None,
    max_calls: MaxCallsOption = MAX_CALLS,
    arrivals: Annotated[
        str,
        typer.Option(help="scenario: the scenario's rates (judges forecast and service); "
                          "records: each day's own arrivals replayed (judges the service)."),
    ] = "scenario",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the verdict and day means as JSON.")
    ] = False,
) -> None:
    """Simulate a scenario and compare it with call records interval by interval."""
    from callsim.calibration.backtest import MIN_REPS, backtest
    from callsim.calibration.errors import RecordsError
    from callsim.cli.tables import progress_bar
    from callsim.report.calibration_pages import (
        BACKTEST_SUFFIXES,
        BACKTEST_TABLES,
        write_backtest,
    )

    if arrivals not in ("scenario", "records"):
        raise fail(f"--arrivals: '{arrivals}', expected scenario or records")
    if reps < MIN_REPS:
        raise fail(f"--reps {reps}: a verdict needs at least {MIN_REPS} replications (the "
                   "flags chance allows are counted on replications held out)")
    execution = execution_options(workers, executor, scheduler, max_calls)
    sc = load_or_exit(scenario)
    outputs = Outputs().file(out, "--out", BACKTEST_SUFFIXES, BACKTEST_TABLES).check()
    try:
        with exit_on_errors(), progress_bar("backtest: replications",
                                            enabled=not as_json) as bar:
            result = backtest(sc, records, reps=reps, seed=seed, days=days, mapping=mapping,
                              execution=execution.reporting(bar.advance if bar else None),
                              arrivals=arrivals)
    except RecordsError as exc:
        print_problems(exc)
        raise typer.Exit(2) from None
    if out is not None:
        with outputs.writing():
            written = write_backtest(result, out)
    if as_json:
        import json

        typer.echo(json.dumps(result.to_json(), indent=2))
    else:
        _print(result)
    if out is not None:
        for path in written:
            typer.echo(f"wrote {path}", err=as_json)


def _print(result: object) -> None:
    from rich.table import Table

    from callsim.calibration.backtest import Backtest
    from callsim.cli.tables import stdout_console
    from callsim.scenario.catalogue import metric

    assert isinstance(result, Backtest)
    console = stdout_console()
    for note in result.notes:
        console.print(f"note: {note}")
    if len(result.outside):
        table = Table(title="Observed values outside the simulated 95% band")
        for column in ("metric", "queue", "interval", "observed", "simulated mean", "band"):
            table.add_column(column, justify="right" if column not in ("metric", "queue")
                             else "left")
        for r in result.outside.itertuples():
            m = metric(r.metric)
            table.add_row(m.label, r.queue, r.clock, m.format(r.observed), m.format(r.sim_mean),
                          f"{m.format(r.band_low)} to {m.format(r.band_high)}")
        console.print(table)
    if len(result.summary):
        table = Table(title=f"Day means over {result.days} day(s) "
                            f"(arrivals: {result.arrivals})")
        for column in ("queue", "metric", "observed", "simulated mean", "95% CI"):
            table.add_column(column, justify="left" if column in ("queue", "metric")
                             else "right")
        for r in result.summary.itertuples():
            m = metric(r.metric)
            table.add_row(r.queue, m.label, m.format(r.observed), m.format(r.sim_mean),
                          f"{m.format(r.ci_low)} to {m.format(r.ci_high)}")
        console.print(table)
    console.print(result.verdict)
    for spec, passed, flags, allowed, dates in result.day_types:
        console.print(f"day type {spec} ({len(dates)} day(s)): "
                      f"{'passes' if passed else 'fails'}, {flags} flags (up to {allowed})")
