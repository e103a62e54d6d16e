"""``callsim report``: a self-contained HTML report of a policy comparison, for a manager."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

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
    exit_on_errors,
    load_or_exit,
)
from callsim.cli.compare import POLICY_HELP, default_policies, policy_values
from callsim.cli.schedule_compare import (
    GapOption,
    RequirementsOption,
    RosterOptions,
    TimeLimitOption,
    roster_report_section,
)
from callsim.cli.staff import TargetOption
from callsim.cli.tables import progress_bar
from callsim.scenario.limits import MAX_CALLS

HTML_SUFFIXES = (".html", ".htm")


def command_line(scenario: Path, policies: list[str], reps: int, seed: int,
                 overrides: list[str], out: Path, extra: Sequence[str] = ()) -> str:
    """The canonical command that reproduces a report (for its footer)."""
    words = ["callsim", "report", str(scenario)]
    for policy in policies:
        words += ["--policy", policy]
    words += ["--reps", str(reps), "--seed", str(seed)]
    for item in overrides:
        words += ["--set", item]
    return shlex.join([*words, *extra, "--out", str(out)])


def report_command(
    scenario: ScenarioArgument,
    policy: Annotated[
        list[str] | None,
        typer.Option("--policy", "--policies", metavar="NAME[,NAME...]",
                     help="Policies to compare (default: the registry's default, cold and "
                     "warm). " + POLICY_HELP),
    ] = None,
    reps: Annotated[int, typer.Option(min=2, help="Replications per policy.")] = 20,
    seed: SeedOption = 0,
    overrides: SetOption = None,
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("report.html"),
    workers: WorkersOption = None,
    executor: ExecutorOption = "processes",
    scheduler: SchedulerOption = None,
    max_calls: MaxCallsOption = MAX_CALLS,
    schedule: Annotated[bool, typer.Option("--schedule", help="Add a roster section: the "
                                           "scenario's shifts: rostered per policy, coverage, "
                                           "and the policies at the cost of their rosters.")
                        ] = False,
    requirements: RequirementsOption = None,
    target: TargetOption = None,
    time_limit: TimeLimitOption = 60.0,
    gap: GapOption = 1e-4,
) -> None:
    """Write a one-file HTML report comparing transfer policies (open it in any browser).

    The report answers in one sentence which policy costs less and by how much, then shows
    the key metrics with 95% CIs and paired differences, department queues, the profile
    through the day, the cost breakdown and the scenario in plain words; with --schedule, a
    roster section. Metric definitions: docs/model.md.
    """
    names = policy_values(policy, default_policies())
    outputs = Outputs().file(out, "--out", HTML_SUFFIXES).check()
    execution = execution_options(workers, executor, scheduler, max_calls)
    sc = load_or_exit(scenario, overrides or [])
    from callsim.experiments.comparison import compare  # heavy imports only when running
    from callsim.report.html import report_html, write_report

    roster = RosterOptions(requirements, target, time_limit, gap) if schedule else None
    sections = [roster_report_section(scenario, sc, names, roster, (reps, seed), execution)
                ] if roster else []
    with exit_on_errors(), progress_bar("replications") as bar:
        result = compare(sc, names, reps=reps, seed=seed,
                         execution=execution.reporting(bar.advance if bar else None))
    page = report_html(sc, result, source=scenario, overrides=overrides or [],
                       command=command_line(scenario, names, reps, seed, overrides or [], out,
                                            roster.words() if roster else ()),
                       extra_sections=sections)
    with outputs.writing():
        written = write_report(page, out)
    typer.echo(f"wrote {written}")
