"""Policies at the cost of their rosters, for ``schedule``, ``breakeven --schedule`` and ``report``.

The library does the work (:mod:`callsim.planning.roster_comparison`,
:mod:`callsim.planning.breakeven_schedule`); this module runs it with a progress bar and
shows it: the answer first, then the table.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from callsim.cli.common import fail
from callsim.cli.staff import one_line_errors

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from callsim.experiments.execution import Execution
    from callsim.planning.breakeven import BreakEven
    from callsim.planning.roster import ScheduleResult
    from callsim.planning.roster_comparison import RosterComparison
    from callsim.report.html import Section
    from callsim.scenario.schema import Scenario

__all__ = ["GapOption", "RequirementsOption", "RosterOptions", "TimeLimitOption",
           "breakeven_rosters", "compare_policies", "comparison_table", "roster_report_section",
           "schedule_errors", "schedule_json", "show_comparison"]

RequirementsOption = Annotated[str | None, typer.Option(
    help="The requirement: a CSV file (columns start HH:MM, department, agents), 'erlang' "
         "(Erlang A figures meeting the targets) or 'staff' (the default: callsim staff's "
         "simulated staffing).")]
TimeLimitOption = Annotated[float, typer.Option(min=0.1, help="Seconds the solver may take "
                                                "per roster.")]
GapOption = Annotated[float, typer.Option(min=0.0, max=1.0, help="Relative optimality gap at "
                                          "which the solver stops.")]


@contextmanager
def schedule_errors(scenario: Path) -> Iterator[None]:
    """Roster errors as one line naming the file at fault (the scenario unless it is named)."""
    from callsim.planning.roster import ScheduleError

    with one_line_errors(scenario):
        try:
            yield
        except ScheduleError as exc:
            message = str(exc)
            raise fail(message if exc.names_file else f"{scenario}: {message}") from None


@dataclass(frozen=True)
class RosterOptions:
    """The roster options of ``report --schedule`` (as ``schedule`` takes them)."""

    requirements: str | None
    targets: list[str] | None
    time_limit: float
    gap: float

    def words(self) -> list[str]:
        """The options as command-line words, for the report's footer."""
        words = ["--schedule"]
        if self.requirements is not None:
            words += ["--requirements", self.requirements]
        for target in self.targets or []:
            words += ["--target", target]
        return [*words, "--time-limit", f"{self.time_limit:g}", "--gap", f"{self.gap:g}"]


def roster_report_section(path: Path, scenario: Scenario, policies: list[str],
                          options: RosterOptions, numbers: tuple[int, int],
                          execution: Execution) -> Section:
    """The report's roster section: rosters per policy and, with two policies, their costs.

    ``numbers`` is ``(reps, seed)``: the staff search and verification and the comparison
    each take ``reps`` replications (the comparison those from ``reps`` on). A given
    requirement gives one roster, on which every policy is compared.
    """
    from callsim.cli.tables import progress_bar
    from callsim.planning.roster import schedule
    from callsim.planning.roster_comparison import compare_rosters
    from callsim.report.roster_section import roster_section

    reps, seed = numbers
    with schedule_errors(path), progress_bar("roster replications") as bar:
        result = schedule(scenario, options.requirements, targets=options.targets,
                          policies=policies, reps=reps, verify_reps=reps, seed=seed,
                          execution=execution, time_limit=options.time_limit,
                          mip_gap=options.gap)
        comparison = compare_rosters(
            result, policies, reps=reps, seed=seed, first=reps,
            execution=execution.reporting(bar.advance if bar else None)
        ) if len(policies) > 1 else None
    return roster_section(result, comparison)


def compare_policies(result: ScheduleResult, reps: int, verify_reps: int, seed: int,
                     execution: Execution) -> RosterComparison | None:
    """Each rostered policy's total cost, paired, when two policies or more were rostered.

    The rosters run on the verification replications (``reps .. reps+verify_reps-1``), the
    ones ``staff`` verifies on; ``None`` with fewer than two policy rosters.
    """
    from callsim.cli.tables import progress_bar
    from callsim.planning.roster_comparison import compare_rosters, roster_policies

    if len(roster_policies(result)) < 2:
        return None
    with progress_bar("roster replications") as bar:
        return compare_rosters(result, reps=verify_reps, seed=seed, first=reps,
                               execution=execution.reporting(bar.advance if bar else None))


def schedule_json(result: ScheduleResult, comparison: RosterComparison | None) -> str:
    """The ``schedule --json`` document, with ``comparison`` when the policies were compared."""
    doc: dict[str, Any] = result.to_dict()
    if comparison is not None:
        doc["comparison"] = comparison.to_dict()
    return json.dumps(doc, indent=2, allow_nan=False)


def _ci(mean: float, low: float, high: float) -> str:
    return f"{mean:,.2f} [{low:,.2f}, {high:,.2f}]"


def comparison_table(comparison: RosterComparison) -> Table:
    """Per policy its roster, roster cost, lost-call and total cost; then each difference."""
    from rich.table import Table

    t = Table(title="Policies at the cost of their rosters (mean [95% CI])",
              caption=f"{len(comparison.replications)} paired replications; * = significant: "
                      "the paired 95% CI excludes 0")
    for column in ("policy", "roster", "roster cost", "lost-call cost", "total cost", ""):
        t.add_column(column, justify="left" if column in ("policy", "roster") else "right")
    for r in comparison.table.itertuples():
        t.add_row(r.policy, r.roster, f"{r.roster_cost:,.2f}",
                  _ci(r.lost_call_cost, r.lost_call_cost_low, r.lost_call_cost_high),
                  _ci(r.total_cost, r.total_cost_low, r.total_cost_high), "")
    for label, rows in comparison.differences.groupby("difference", sort=False):
        cells = {r.metric: r for r in rows.itertuples()}
        total = cells["total_cost"]
        t.add_row(str(label), "", f"{cells['roster_cost'].mean:+,.2f}",
                  _ci(cells["lost_call_cost"].mean, cells["lost_call_cost"].ci_low,
                      cells["lost_call_cost"].ci_high),
                  _ci(total.mean, total.ci_low, total.ci_high),
                  "*" if total.significant else "")
    return t


def show_comparison(console: Console, comparison: RosterComparison | None) -> None:
    """The answer in one sentence, then the table (nothing without a comparison)."""
    if comparison is None:
        return
    from callsim.report.roster_comparison import comparison_answer

    console.print(comparison_answer(comparison))
    console.print(comparison_table(comparison))


def breakeven_rosters(scenario: Scenario, vary: str, metric: str, policies: list[str],
                      requirements: str, targets: list[str] | None,
                      numbers: tuple[int, int, int, int], constant: bool,
                      execution: Execution) -> BreakEven:
    """``breakeven --schedule``: the options it does not take refused, then the search.

    ``numbers`` is ``(reps, seed, grid, steps)``.

    Raises
    ------
    BreakEvenError
        ``--metric`` other than total cost, ``--constant``, or what the search refuses.
    """
    from callsim.planning.breakeven import BreakEvenError
    from callsim.planning.breakeven_schedule import breakeven_schedule

    if metric not in ("total_cost", "costs.total_cost"):
        raise BreakEvenError(f"--metric {metric}: --schedule compares total cost (roster + "
                             "lost calls); leave --metric out")
    if constant:
        raise BreakEvenError("--constant does not apply with --schedule (the roster's shifts "
                             "set the agents per interval)")
    reps, seed, grid, steps = numbers
    return breakeven_schedule(scenario, vary, policies, requirements, targets, reps=reps,
                              seed=seed, grid=grid, steps=steps, execution=execution)
