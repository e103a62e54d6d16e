"""``callsim schedule``: the cheapest roster of the shift types covering a requirement."""

from __future__ import annotations

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
    load_or_exit,
)
from callsim.cli.schedule_compare import (
    GapOption,
    RequirementsOption,
    TimeLimitOption,
    compare_policies,
    schedule_errors,
    schedule_json,
    show_comparison,
)
from callsim.cli.staff import TargetOption
from callsim.scenario.limits import MAX_CALLS

if TYPE_CHECKING:
    from rich.table import Table

    from callsim.files.outputs import OutputSet
    from callsim.planning.roster import Roster, ScheduleResult
    from callsim.planning.roster_comparison import RosterComparison

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


def simulation_text(roster: Roster) -> str:
    """What the simulation-based search found, in words (``--simulate``)."""
    story = roster.simulation
    assert story is not None and roster.two_step is not None
    on = ("on the mean day" if story.confidence is None
          else f"on at least {story.confidence:.0%} of days")
    cells = story.two_step_misses[["department", "start"]].drop_duplicates()
    misses = ", ".join(f"{r.department} {r.start}" for r in cells.itertuples())
    lines = [f"{roster.name}: simulated ({story.policy}), targets {on}: "
             f"{'met' if story.met else 'NOT met'} in the verification run "
             f"(replications {story.verification[0]}-{story.verification[-1]}).",
             f"  two-step roster: cost {story.two_step_cost:,.2f}, misses "
             f"{len(cells)} interval(s){': ' + misses if misses else ''}.",
             f"  this roster: cost {roster.cost:,.2f} ({roster.cost - story.two_step_cost:+,.2f}),"
             f" {story.iterations} programme(s) re-solved, {story.removed} shift(s) removed, "
             f"{story.simulated_days:,} simulated days, last programme's gap {roster.gap:.2%}."]
    if story.mean_day_cost is not None:
        lines.append(f"  robustness: the mean-day roster costs {story.mean_day_cost:,.2f}; "
                     f"{story.confidence:.0%} of days costs "
                     f"{roster.cost - story.mean_day_cost:+,.2f} more.")
    return "\n".join(lines)


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


#: The sheets of ``schedule --out`` (:func:`callsim.report.roster_tables.roster_sheets`), and
#: those a policy comparison adds (:func:`callsim.report.roster_comparison.comparison_sheets`).
ROSTER_TABLES = ("shifts", "coverage", "summary")
COMPARISON_TABLES = ("comparison", "differences")


def _check_outputs(out: Path | None, plot: Path | None, folder: Path | None, scenario: Path,
                   requirements: str | None, policies: list[str] | None) -> OutputSet:
    """Every file ``schedule`` will write, checked before any work (exit 2 otherwise).

    The rosters are named after the policies (``staff`` and ``erlang`` requirements) or
    ``requirements`` (a CSV file), so the scenario files, and whether the policies are
    compared, are known before solving.
    """
    from callsim.cli.compare import default_policies

    given = requirements not in (None, "staff", "erlang")
    names = ["requirements"] if given else policies or default_policies().split(",")
    tables = ROSTER_TABLES + (COMPARISON_TABLES if not given and len(set(names)) > 1 else ())
    return (Outputs().file(out, tables=tables).file(plot, "--plot", "figure")
            .folder(folder, "--write-scenario", [f"{scenario.stem}.{n}.yaml" for n in names])
            .check())


def schedule_command(
    scenario: ScenarioArgument,
    requirements: RequirementsOption = None,
    target: TargetOption = None,
    policy: Annotated[list[str] | None, typer.Option(
        "--policy", "--policies", help="Policy to roster (erlang and staff requirements); "
        "repeat (default: cold and warm). Two or more are compared at the cost of their "
        "rosters.")] = None,
    reps: Annotated[int, typer.Option(min=1, help="staff: replications per candidate.")] = 20,
    verify_reps: Annotated[int, typer.Option(min=2, help="staff: verification "
                                             "replications; also those of the policy "
                                             "comparison.")] = 20,
    seed: SeedOption = 0,
    overrides: SetOption = None,
    workers: WorkersOption = None,
    executor: ExecutorOption = "processes",
    scheduler: SchedulerOption = None,
    time_limit: TimeLimitOption = 60.0,
    gap: GapOption = 1e-4,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON document.")] = False,
    out: Annotated[Path | None, typer.Option(help="Tables: .csv, .parquet, .json or .xlsx "
                                             "(sheets shifts, coverage, summary).")] = None,
    write_scenario: Annotated[Path | None, typer.Option(help="Folder for one scenario file "
                                                        "per roster.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Coverage and shifts figure (.png or "
                                              ".svg).")] = None,
    max_calls: MaxCallsOption = MAX_CALLS,
    simulate: Annotated[bool, typer.Option(help="Improve each roster by simulation: cut "
                                           "where it misses a target, re-solve, verify on "
                                           "fresh replications, remove unneeded "
                                           "shifts.")] = False,
    confidence: Annotated[float | None, typer.Option(help="With --simulate (implied): each "
                                                     "target must hold on at least this "
                                                     "share of simulated days, e.g. "
                                                     "0.9.")] = None,
    max_iterations: Annotated[int, typer.Option(min=1, help="--simulate: most rounds of "
                                                "cuts.")] = 20,
    max_removals: Annotated[int, typer.Option(min=0, help="--simulate: most shifts "
                                              "removed.")] = 3,
) -> None:
    """Roster the scenario's shift types at least cost to cover a requirement per interval."""
    execution = execution_options(workers, executor, scheduler, max_calls)
    outputs = _check_outputs(out, plot, write_scenario, scenario, requirements, policy)
    sc = load_or_exit(scenario, overrides or [])
    from callsim.planning.roster import schedule

    with schedule_errors(scenario):
        result = schedule(sc, requirements, targets=target, policies=policy, reps=reps,
                          verify_reps=verify_reps, seed=seed, execution=execution,
                          time_limit=time_limit, mip_gap=gap, simulate=simulate,
                          confidence=confidence, max_iterations=max_iterations,
                          max_removals=max_removals, search_rounds=_tell)
        comparison = compare_policies(result, reps, verify_reps, seed, execution)
    with outputs.writing():
        written = _write_files(result, comparison, scenario, out, plot, write_scenario)
    _print_result(result, comparison, written, as_json)


def _tell(stage: str, k: int, count: int) -> None:
    """One progress line per simulated round of ``--simulate``, on stderr."""
    what = "removals found" if stage == "remove" else "cells missed"
    typer.echo(f"schedule --simulate: {stage} round {k}, {count} {what}", err=True)


def _write_files(result: ScheduleResult, comparison: RosterComparison | None, scenario: Path,
                 out: Path | None, plot: Path | None, folder: Path | None) -> list[Path]:
    """Write the output files (inside the output set's ``writing()``); return them."""
    written: list[Path] = []
    if out is not None:
        from callsim.cli.common import write_out
        from callsim.report.roster_comparison import comparison_sheets
        from callsim.report.roster_tables import roster_sheets

        written += write_out(roster_sheets(result) + (comparison_sheets(comparison)
                                                      if comparison else []), out)
    if plot is not None:
        from callsim.report.roster_figures import roster_figure
        from callsim.report.writers import save_figure

        written.append(save_figure(roster_figure(result), plot))
    if folder is not None:
        written += result.write_scenarios(folder, scenario.stem)
    return written


def _print_result(result: ScheduleResult, comparison: RosterComparison | None,
                  written: list[Path], as_json: bool) -> None:
    for path in written:
        typer.echo(f"wrote {path}", err=True)
    if as_json:
        typer.echo(schedule_json(result, comparison))
        return
    from callsim.cli.tables import stdout_console

    console = stdout_console()
    show_comparison(console, comparison)
    for roster in result.rosters.values():
        console.print(shift_table(roster))
        console.print(coverage_table(roster))
        if roster.simulation is not None:
            console.print(simulation_text(roster))
