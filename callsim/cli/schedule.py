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
    Outputs,
    ScenarioArgument,
    SchedulerOption,
    SeedOption,
    SetOption,
    WorkersOption,
    execution_options,
    fail,
    load_or_exit,
)
from callsim.cli.staff import TargetOption, one_line_errors
from callsim.scenario.limits import MAX_CALLS

if TYPE_CHECKING:
    from rich.table import Table

    from callsim.files.outputs import OutputSet
    from callsim.planning.roster import Roster, ScheduleResult

__all__ = ["schedule_command"]

#: The header of every ``--write-scenario`` file.
WRITTEN_NOTE = """\
# Written by `callsim schedule` (roster {name}). The engine does not simulate shifts and
# breaks yet: departments.D.agents holds the roster's coverage, the agents on the phones in
# each interval (the fewest over the interval's moments); shifts: is the roster's input.
"""


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


def write_scenarios(result: ScheduleResult, source: Path, overrides: list[str], folder: Path
                    ) -> list[Path]:
    """One scenario file per roster, ``FOLDER/STEM.NAME.yaml``, with its coverage as agents."""
    import os

    import yaml

    from callsim.files import write_text
    from callsim.scenario.loading import apply_overrides, read_scenario_file

    raw = apply_overrides(read_scenario_file(source), overrides, source=str(source))
    folder.mkdir(exist_ok=True)  # made already when written as part of an output set
    if isinstance(raw.get("arrivals_file"), str) and not os.path.isabs(raw["arrivals_file"]):
        raw["arrivals_file"] = os.path.relpath(source.parent / raw["arrivals_file"], folder)
    written = []
    for name in result.rosters:
        path = folder / f"{source.stem}.{name}.yaml"
        text = yaml.safe_dump(result.scenario_for(raw, name), sort_keys=False)
        write_text(path, WRITTEN_NOTE.format(name=name) + text)
        written.append(path)
    return written


#: The sheets of ``schedule --out`` (:func:`callsim.report.roster_tables.roster_sheets`).
ROSTER_TABLES = ("shifts", "coverage", "summary")


def _check_outputs(out: Path | None, plot: Path | None, folder: Path | None, scenario: Path,
                   requirements: str | None, policies: list[str] | None) -> OutputSet:
    """Every file ``schedule`` will write, checked before any work (exit 2 otherwise).

    The rosters are named after the policies (``staff`` and ``erlang`` requirements) or
    ``requirements`` (a CSV file), so the scenario files are known before solving.
    """
    from callsim.cli.compare import default_policies

    names = (["requirements"] if requirements not in (None, "staff", "erlang")
             else policies or default_policies().split(","))
    return (Outputs().file(out, tables=ROSTER_TABLES).file(plot, "--plot", "figure")
            .folder(folder, "--write-scenario", [f"{scenario.stem}.{n}.yaml" for n in names])
            .check())


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
    policy: Annotated[list[str] | None, typer.Option(help="Policy to roster (erlang and staff "
                                                      "requirements); repeat (default: cold "
                                                      "and warm).")] = None,
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
    outputs = _check_outputs(out, plot, write_scenario, scenario, requirements, policy)
    sc = load_or_exit(scenario, overrides or [])
    from callsim.planning.roster import schedule

    with _schedule_errors(scenario):
        result = schedule(sc, requirements, targets=target, policies=policy, reps=reps,
                          verify_reps=verify_reps, seed=seed, execution=execution,
                          time_limit=time_limit, mip_gap=gap)
    with outputs.writing():
        written = _write_files(result, scenario, overrides or [], out, plot, write_scenario)
    _print_result(result, written, as_json)


def _write_files(result: ScheduleResult, scenario: Path, overrides: list[str],
                 out: Path | None, plot: Path | None, folder: Path | None) -> list[Path]:
    """Write the output files (inside the output set's ``writing()``); return them."""
    written: list[Path] = []
    if out is not None:
        from callsim.cli.common import write_out
        from callsim.report.roster_tables import roster_sheets

        written += write_out(roster_sheets(result), out)
    if plot is not None:
        from callsim.report.roster_figures import roster_figure
        from callsim.report.writers import save_figure

        written.append(save_figure(roster_figure(result), plot))
    if folder is not None:
        written += write_scenarios(result, scenario, overrides, folder)
    return written


def _print_result(result: ScheduleResult, written: list[Path], as_json: bool) -> None:
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
