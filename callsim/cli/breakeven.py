"""``callsim breakeven``: where warm - cold of a metric changes sign as one field varies."""

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
    fail,
    load_or_exit,
)
from callsim.cli.staff import TargetOption, one_line_errors
from callsim.scenario.limits import MAX_CALLS

if TYPE_CHECKING:
    from rich.table import Table

    from callsim.planning.breakeven import BreakEven


def breakeven_table(result: BreakEven) -> Table:
    """Evaluated values with the paired difference and its 95% CI."""
    from rich.table import Table

    from callsim.experiments.grid import field_text
    from callsim.scenario.catalogue import metric as catalogue_metric

    m = catalogue_metric(result.metric)
    title = f"{result.label} of {result.metric} as {result.field} varies"
    if result.rostered:
        title += " (both policies re-rostered: roster cost + lost-call cost)"
    elif result.restaffed:
        title += " (both policies re-staffed to the targets)"
    t = Table(title=title, caption="* = significant: the paired 95% CI excludes 0")
    t.add_column(result.field, justify="right")
    t.add_column(result.label, justify="right")
    t.add_column("95% CI", justify="right")
    t.add_column("")
    for r in result.points.itertuples():
        sig = bool(r.significant)
        t.add_row(field_text(result.field, r.value), m.format(r.mean, difference=True),
                  f"[{m.format(r.ci_low, difference=True)}, "
                  f"{m.format(r.ci_high, difference=True)}]", "*" if sig else "")
    return t


def crossing_sentence(result: BreakEven) -> str:
    """One sentence: the crossing and its range, or which policy wins everywhere."""
    return result.verdict()


def breakeven_command(
    scenario: ScenarioArgument,
    vary: Annotated[list[str], typer.Option(help="FIELD=LO:HI, e.g. "
                                            "call_types.support.misroute.billing=0:0.4 "
                                            "(once: one field).")],
    metric: Annotated[str, typer.Option(help="Metric (name or flat key).")] = "total_cost",
    policies: Annotated[list[str] | None, typer.Option(
        "--policy", "--policies", metavar="NAME[,NAME...]", help="Two policies (default: "
        "cold,warm, the registry's default); repeat it or list with commas.")] = None,
    reps: Annotated[int, typer.Option(min=2, help="Paired replications per value.")] = 20,
    seed: SeedOption = 0,
    target: TargetOption = None,
    grid: Annotated[int, typer.Option(min=2, help="Coarse grid points.")] = 5,
    steps: Annotated[int, typer.Option(min=0, help="Bisection steps.")] = 4,
    overrides: SetOption = None,
    constant: Annotated[bool, typer.Option(help="With --target: one level per department for "
                                           "the whole horizon.")] = False,
    workers: WorkersOption = None,
    executor: ExecutorOption = "processes",
    scheduler: SchedulerOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON document.")] = False,
    plot: Annotated[Path | None, typer.Option(help="Difference figure (.png or .svg).")] = None,
    max_calls: MaxCallsOption = MAX_CALLS,
    schedule: Annotated[bool, typer.Option("--schedule", help="Re-roster both policies at "
                                           "every value (the scenario's shifts:) and compare "
                                           "total cost: roster + lost calls.")] = False,
    requirements: Annotated[str | None, typer.Option(help="With --schedule: the requirement "
                                                     "each roster covers, staff (the default) "
                                                     "or erlang.")] = None,
) -> None:
    """Find where warm - cold of a metric changes sign as one scenario field varies."""
    from callsim.cli.compare import default_policies, policy_values
    from callsim.cli.tables import progress_bar
    from callsim.planning.breakeven import breakeven

    execution = execution_options(workers, executor, scheduler, max_calls)
    if len(vary) != 1:
        raise fail(f"--vary given {len(vary)} times ({', '.join(vary)}): breakeven varies "
                   "one field")
    outputs = Outputs().file(plot, "--plot", "figure").check()
    if requirements is not None and not schedule:
        raise fail(f"--requirements {requirements}: applies with --schedule only")
    names = policy_values(policies, default_policies())
    sc = load_or_exit(scenario, overrides or [])
    from callsim.cli.blame import option_fields

    fields = {**option_fields("--set", overrides or []), **option_fields("--vary", vary)}
    with one_line_errors(scenario, fields), progress_bar("breakeven runs") as bar:
        execution = execution.reporting(bar.advance if bar else None)
        if schedule:
            from callsim.cli.schedule_compare import breakeven_rosters

            result = breakeven_rosters(sc, vary[0], metric, names, requirements or "staff",
                                       target, (reps, seed, grid, steps), constant, execution)
        else:
            result = breakeven(sc, vary[0], metric, names, reps, seed, target, grid, steps,
                               constant=constant, execution=execution)
    if plot is not None:
        from callsim.report.staffing_figures import breakeven_figure
        from callsim.report.writers import save_figure

        with outputs.writing():
            save_figure(breakeven_figure(result), plot)
    _show(result, plot, as_json)


def _show(result: BreakEven, plot: Path | None, as_json: bool) -> None:
    """Print the JSON or the table and the verdict (and the figure written)."""
    from callsim.cli.tables import stdout_console

    if as_json:
        typer.echo(result.to_json())
        return
    console = stdout_console()
    console.print(breakeven_table(result))
    console.print(crossing_sentence(result))
    if plot is not None:
        console.print(f"wrote {plot}")
