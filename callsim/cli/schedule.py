"""``callsim schedule``: the cheapest roster of the shift types covering a requirement."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from callsim.cli.common import (
    ExecutorOption,
    MaxCallsOption,
    ScenarioArgument,
    SchedulerOption,
    SeedOption,
    SetOption,
    WorkersOption,
    check_out,
    execution_options,
    fail,
    load_or_exit,
)
from callsim.cli.staff import TargetOption, one_line_errors
from callsim.scenario.limits import MAX_CALLS

if TYPE_CHECKING:
    from rich.table import Table

    from callsim.planning.roster import Roster, ScheduleResult

__all__ = ["schedule_command"]

def shift_table(roster: Roster) -> Table:
    """The roster's shifts: one row per department, shift type, start and break placement."""
    from rich.table import Table

    t = Table(title=f"{roster.name}: shifts", caption=f"cost {roster.cost:,.2f}, "
              f"{roster.paid_hours:,.2f} paid hours, proven gap {roster.gap:.2%} "
              f"({roster.solution.status})")
    for column in ("department", "shift", "start", "end", "breaks"):
        t.add_column(column, no_wrap=column != "breaks")
    t.add_column("count", justify="right")
    for r in roster.shifts.itertuples():
        t.add_row(r.department, r.shift, r.start, r.end, r.breaks or "-", str(r.count))
    return t


def coverage_table(roster: Roster) -> Table:
    """Agents scheduled / required per interval (rows) and department (columns)."""
    from rich.table import Table

    coverage = roster.coverage
    departments = list(dict.fromkeys(coverage["department"]))
    t = Table(title=f"{roster.name}: agents scheduled / required",
              caption="the fewest agents on the phones over each interval")
    t.add_column("interval", no_wrap=True)
    for d in departments:
        t.add_column(d, justify="right")
    for _, rows in coverage.groupby("interval", sort=True):
        cells = [f"{r.scheduled} / {r.required:g}" for r in rows.itertuples()]
        t.add_row(rows["start"].iloc[0], *cells)
    return t


def _check_outputs(out: Path | None, plot: Path | None, folder: Path | None) -> None:
    check_out(out)
    check_out(plot, "--plot", "figure")
    if folder is not None and (folder.exists() and not folder.is_dir()
                               or not folder.parent.resolve().is_dir()):
        raise fail(f"{folder}: --write-scenario needs a folder (made if missing) inside an "
                   "existing one")


@contextmanager
def _schedule_errors(scenario: Path) -> Iterator[None]:
    """Roster errors as one line naming the file at fault (the scenario unless it is named)."""
    from callsim.planning.roster import ScheduleError

    with one_line_errors(scenario):
        try:
            yield
        except ScheduleError as exc:
            message = str(exc)
            raise fail(message if exc.names_file else f"{scenario}: {message}") from None


def schedule_command(
    scenario: ScenarioArgument,
    requirements: Annotated[str | None, typer.Option(
        help="The requirement: a CSV file (columns start HH:MM, department, agents), 'erlang' "
             "(Erlang A figures meeting the targets) or 'staff' (the default: callsim staff's "
             "simulated staffing).")] = None,
    target: TargetOption = None,
    policy: Annotated[list[str] | None, typer.Option(
        "--policy", "--policies", help="Policy to roster (erlang and staff requirements); "
        "repeat (default: cold and warm).")] = None,
    reps: Annotated[int, typer.Option(min=1, help="staff: replications per candidate.")] = 20,
    verify_reps: Annotated[int, typer.Option(min=2, help="staff: verification "
                                             "replications.")] = 20,
    seed: SeedOption = 0,
    overrides: SetOption = None,
    workers: WorkersOption = None,
    executor: ExecutorOption = "processes",
    scheduler: SchedulerOption = None,
    time_limit: Annotated[float, typer.Option(min=0.1, help="Seconds the solver may take per "
                                              "roster.")] = 60.0,
    gap: Annotated[float, typer.Option(min=0.0, max=1.0, help="Relative optimality gap at "
                                       "which the solver stops.")] = 1e-4,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON document.")] = False,
    out: Annotated[Path | None, typer.Option(help="Tables: .csv, .parquet, .json or .xlsx "
                                             "(sheets shifts, coverage, summary).")] = None,
    write_scenario: Annotated[Path | None, typer.Option(help="Folder for one scenario file "
                                                        "per roster.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Coverage and shifts figure (.png or "
                                              ".svg).")] = None,
    max_calls: MaxCallsOption = MAX_CALLS,
) -> None:
    """Roster the scenario's shift types at least cost to cover a requirement per interval."""
    execution = execution_options(workers, executor, scheduler, max_calls)
    _check_outputs(out, plot, write_scenario)
    sc = load_or_exit(scenario, overrides or [])
    from callsim.planning.roster import schedule

    with _schedule_errors(scenario):
        result = schedule(sc, requirements, targets=target, policies=policy, reps=reps,
                          verify_reps=verify_reps, seed=seed, execution=execution,
                          time_limit=time_limit, mip_gap=gap)
    _write_outputs(result, scenario, overrides or [], out, plot, write_scenario, as_json)


def _write_outputs(result: ScheduleResult, scenario: Path, overrides: list[str],
                   out: Path | None, plot: Path | None, folder: Path | None,
                   as_json: bool) -> None:
    written: list[Path] = []
    if out is not None:
        from callsim.cli.common import write_out
        from callsim.report.roster_tables import roster_sheets

        write_out(roster_sheets(result), out)
    if plot is not None:
        from callsim.report.roster_figures import roster_figure
        from callsim.report.writers import save_figure

        save_figure(roster_figure(result), plot)
        written.append(plot)
    if folder is not None:
        written += result.write_scenarios(folder, scenario.stem)
    for path in written:
        typer.echo(f"wrote {path}", err=True)
    if as_json:
        typer.echo(result.to_json())
        return
    from callsim.cli.tables import stdout_console

    console = stdout_console()
    for roster in result.rosters.values():
        console.print(shift_table(roster))
        console.print(coverage_table(roster))
