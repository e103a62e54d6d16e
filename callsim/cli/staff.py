"""``callsim staff``: the fewest agents per department and interval that meet service targets."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
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
    SeedOption,
    SetOption,
    WorkersOption,
    execution_options,
    fail,
    load_or_exit,
)
from callsim.scenario.limits import MAX_CALLS

if TYPE_CHECKING:
    from rich.table import Table

    from callsim.files.outputs import OutputSet
    from callsim.planning.staffing_result import StaffingResult

TargetOption = Annotated[
    list[str] | None,
    typer.Option("--target", help="[DEPT:]METRIC(>=|<=)VALUE, e.g. service_level>=0.8, "
                 "billing:asa<=30s; repeat; replaces the scenario's targets: list."),
]


def parse_agents(items: list[str] | None, option: str) -> dict[str, int]:
    """``["billing=8"]`` -> ``{"billing": 8}``; exit 2 on a malformed item.

    N is ASCII digits only (``str.isdigit`` also accepts ``²``, which ``int`` refuses) and at
    most the scenario limit of agents; a department given twice is refused, not overwritten.
    """
    from callsim.scenario.limits import MAX_AGENTS

    out: dict[str, int] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or re.fullmatch(r"[0-9]+", value) is None:
            raise fail(f"{option} {item}: expected DEPT=N with N a whole number >= 0")
        if int(value) > MAX_AGENTS:
            raise fail(f"{option} {item}: must be <= {MAX_AGENTS:,}")
        if name in out:
            raise fail(f"{option} {name}: given twice ({out[name]} and {int(value)})")
        out[name] = int(value)
    return out


def staffing_tables(result: StaffingResult) -> list[Table]:
    """One table per policy: agents per interval (rows) and department (columns)."""
    from rich.table import Table

    from callsim.planning.staffing_result import VERDICT_LEGEND

    table = result.table
    shrink = (table["rostered"] != table["agents"]).any()
    tables = []
    for policy in result.policies:
        t = Table(title=f"{policy}: agents on the phones" + (" (rostered)" if shrink else ""),
                  caption=VERDICT_LEGEND)
        t.add_column("interval", no_wrap=True)
        for dept in result.departments:
            t.add_column(dept, justify="right")
        rows = table[table["policy"] == policy]
        for j, clock in enumerate(rows["clock"].unique()):
            cells = []
            for dept in result.departments:
                r = rows[(rows["department"] == dept) & (rows["interval"] == j)].iloc[0]
                text = f"{r['agents']}" + (f" ({r['rostered']})" if shrink else "")
                cells.append(text + (" !" if r["missed"] else " ~" if r["within_ci"] else ""))
            t.add_row(clock, *cells)
        tables.append(t)
    return tables


def cost_table(result: StaffingResult) -> Table:
    """Agent-hours, staff cost, lost-call cost and total cost per policy, and the difference."""
    from rich.table import Table

    summary = result.summary.set_index("policy")
    t = Table(title=f"{result.scenario.name}: cost of the staffing found "
              f"({result.verify_replications} verification replications, seed {result.seed})",
              caption="total cost = staff cost (rostered) + lost-call cost; ± 95% CI")
    t.add_column("")
    columns = list(summary.index)
    diff = result.differences()
    for c in columns + ([diff["difference"]] if diff else []):
        t.add_column(c, justify="right")
    changes = result.summary_differences()

    def row(label: str, column: str, fmt: str) -> None:
        values = [f"{summary.loc[p, column]:{fmt}}" for p in columns]
        t.add_row(label, *values,
                  *([f"{changes[column]:+{fmt}}"] if changes is not None else []))

    for dept in result.departments:
        row(f"agent-hours {dept}", f"departments.{dept}.agent_hours", ",.1f")
    row("staff cost", "staff_cost", ",.0f")
    row("lost-call cost", "lost_call_cost", ",.0f")
    totals = [f"{summary.loc[p, 'total_cost']:,.0f} ± "
              f"{(summary.loc[p, 'total_cost_ci_high'] - summary.loc[p, 'total_cost']):,.0f}"
              for p in columns]
    if diff:
        d = diff["total_cost"]
        half = (d["ci95"][1] - d["mean"]) if d["ci95"][1] is not None else float("nan")
        totals.append(f"{d['mean']:+,.0f} ± {half:,.0f}")
    t.add_row("total cost", *totals)
    t.add_row("targets met (search)", *["yes" if summary.loc[p, "meets_targets"] else "NO"
                                        for p in columns], *([""] if diff else []))
    t.add_row("verified: met / within CI / missed",
              *[f"{summary.loc[p, 'verified_met']} / {summary.loc[p, 'verified_straddling']} / "
                f"{summary.loc[p, 'verified_missed']}" for p in columns], *([""] if diff else []))
    t.add_row("iterations / runs", *[f"{summary.loc[p, 'iterations']} / "
                                     f"{summary.loc[p, 'runs']}" for p in columns],
              *([""] if diff else []))
    return t


#: The sheets of ``staff --out`` (:func:`callsim.report.staffing_tables.staffing_sheets`).
STAFF_TABLES = ("staffing", "summary", "checks")


def _check_outputs(out: Path | None, plot: Path | None, write_scenario: Path | None,
                   scenario: Path, policies: list[str]) -> OutputSet:
    """Every file ``staff`` will write, checked before any work (exit 2 otherwise)."""
    return (Outputs().file(out, tables=STAFF_TABLES).file(plot, "--plot", "figure")
            .folder(write_scenario, "--write-scenario",
                    [f"{scenario.stem}.{p}.yaml" for p in policies]).check())


class _Progress:
    """Progress on stderr: the policy, the iteration, the targets still unmet, the runs.

    A one-line status on a terminal. Otherwise (CI logs, pipes) plain lines such as ``staff
    cold: iteration 3, 5 targets unmet, 120 runs, 0:00:12 elapsed``: the first of each policy,
    then one every :data:`callsim.cli.tables.LINE_EVERY` seconds, and the last one at the end.
    The runs (replications of one policy) are those every command counts
    (:class:`~callsim.experiments.execution.Execution` progress, :meth:`runs`).
    """

    def __init__(self) -> None:
        self.status: Any = None
        self.started = time.monotonic()
        self.last_line = -float("inf")
        self.policy = ""
        self.pending = ""
        self.done = 0

    def runs(self, done: int, planned: int) -> None:
        """Count runs just finished (the execution progress; shown with the next round)."""
        self.done += done

    def __call__(self, policy: str, iteration: int, unmet: int) -> None:
        from callsim.cli.tables import LINE_EVERY

        text = (f"staff {policy}: iteration {iteration}, {unmet} target"
                f"{'' if unmet == 1 else 's'} unmet, {self.done} runs")
        if sys.stderr.isatty():
            self._status(text)
            return
        if policy != self.policy and self.pending:
            self._line()  # the last state of the policy before
        now = time.monotonic()
        self.pending = f"{text}, {_elapsed(now - self.started)} elapsed"
        if policy != self.policy or now - self.last_line >= LINE_EVERY:
            self.policy, self.last_line = policy, now
            self._line()

    def _status(self, text: str) -> None:
        if self.status is None:
            from rich.console import Console

            self.status = Console(stderr=True).status(text)
            self.status.start()
        self.status.update(text)

    def _line(self) -> None:
        print(self.pending, file=sys.stderr, flush=True)
        self.pending = ""

    def close(self) -> None:
        """Remove the status line, or print the last progress line not yet shown."""
        if self.status is not None:
            self.status.stop()
        elif self.pending:
            self._line()


def _elapsed(seconds: float) -> str:
    from datetime import timedelta

    return str(timedelta(seconds=round(seconds)))


def staff_command(
    scenario: ScenarioArgument,
    target: TargetOption = None,
    policy: Annotated[list[str] | None, typer.Option(
        "--policy", "--policies", metavar="NAME[,NAME...]", help="Policies to staff (default: "
        "cold and warm, the registry's default); repeat it or list with commas.")] = None,
    scope: Annotated[str, typer.Option(help="interval (every planning interval) or "
                                       "horizon.")] = "interval",
    constant: Annotated[bool, typer.Option(help="One level per department for the whole "
                                           "horizon.")] = False,
    min_agents: Annotated[list[str] | None, typer.Option(help="DEPT=N lower bound; "
                                                          "repeat.")] = None,
    max_agents: Annotated[list[str] | None, typer.Option(help="DEPT=N upper bound; "
                                                          "repeat.")] = None,
    shrinkage: Annotated[float | None, typer.Option(help="Share of paid time off the phones "
                                                    "(every department).")] = None,
    reps: Annotated[int, typer.Option(min=1, help="Replications per candidate in the "
                                      "search.")] = 20,
    verify_reps: Annotated[int, typer.Option(min=2, help="Fresh replications of the "
                                             "verification run.")] = 20,
    seed: SeedOption = 0,
    overrides: SetOption = None,
    workers: WorkersOption = None,
    executor: ExecutorOption = "processes",
    scheduler: SchedulerOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON document.")] = False,
    out: Annotated[Path | None, typer.Option(help="Staffing table: .csv, .parquet, .json or "
                                             ".xlsx (sheets staffing, summary, checks).")
                   ] = None,
    write_scenario: Annotated[Path | None, typer.Option(help="Folder for one scenario file "
                                                        "per policy.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Staffing figure (.png or .svg).")] = None,
    max_calls: MaxCallsOption = MAX_CALLS,
) -> None:
    """Find the fewest agents per department and interval that meet the targets, per policy."""
    execution = execution_options(workers, executor, scheduler, max_calls)
    from callsim.cli.compare import default_policies, policy_values

    if policy:  # --policy cold --policy warm, or --policies cold,warm
        policy = policy_values(policy, "")
    outputs = _check_outputs(out, plot, write_scenario, scenario,
                             policy or policy_values(None, default_policies()))
    sc = load_or_exit(scenario, overrides or [])
    low = parse_agents(min_agents, "--min-agents")
    high = parse_agents(max_agents, "--max-agents")
    from callsim.planning.staffing import staff

    bar = _Progress()
    with one_line_errors(scenario):
        try:
            result = staff(sc, target, policy, scope, constant, low, high, shrinkage, reps,
                           verify_reps, seed, rounds=bar,
                           execution=execution.reporting(bar.runs))
        finally:
            bar.close()
    with outputs.writing():
        written = _write_files(result, scenario, out, plot, write_scenario)
    _print_result(result, written, as_json)
    _exit_if_unmet(result, scenario)


#: Exit code of ``staff`` when the bounds leave a target unmet (the tables are still printed).
EXIT_TARGETS_UNMET = 1


def _exit_if_unmet(result: StaffingResult, scenario: Path) -> None:
    """Exit 1 with one line on stderr when some policy's staffing misses a target.

    That happens only when ``--max-agents`` (or the default upper bound) stops the search.
    """
    unmet = [name for name, found in result.policies.items() if not found.meets_targets]
    if unmet:
        typer.echo(f"{scenario}: targets not met under {', '.join(unmet)}: the staffing shown "
                   "is at the upper bounds (raise --max-agents)", err=True)
        raise typer.Exit(EXIT_TARGETS_UNMET)


@contextmanager
def one_line_errors(scenario: Path, fields: dict[str, str] | None = None) -> Iterator[None]:
    """Input errors of ``staff`` and ``breakeven`` as one line, exit 2.

    The line names the scenario file, or the option when the mistake is on the command line
    (``--target 'asa<=3x': ...``; ``fields``: the field paths options gave -> the option, see
    :mod:`callsim.cli.blame`).

    A worker that dies mid-search is one line too, with exit code 1.
    """
    from callsim.cli.blame import blame_options
    from callsim.experiments.executors import ExecutorError, WorkerLost
    from callsim.experiments.work import WorkLimitError
    from callsim.planning.breakeven import BreakEvenError
    from callsim.planning.staffing import StaffingError
    from callsim.scenario.errors import ScenarioError

    try:
        yield
    except ScenarioError as exc:
        raise fail(blame_options(exc.problems[:1], str(scenario), fields or {})[0]) from None
    except (StaffingError, BreakEvenError, ExecutorError, WorkLimitError) as exc:
        message = str(exc)  # a mistake on the command line names its option, not the file
        named = message.startswith((f"{scenario}:", "--"))
        message = message if named else f"{scenario}: {message}"
        raise fail(blame_options([message], str(scenario), fields or {})[0]) from None
    except WorkerLost as exc:
        typer.echo(f"{scenario}: {exc}; nothing was written", err=True)
        raise typer.Exit(EXIT_WORKER_DIED) from None


def _write_files(result: StaffingResult, scenario: Path, out: Path | None, plot: Path | None,
                 folder: Path | None) -> list[Path]:
    """Write the output files (inside the output set's ``writing()``); return them."""
    written: list[Path] = []
    if out is not None:
        from callsim.report.staffing_tables import staffing_sheets
        from callsim.report.writers import write_tables

        written += write_tables(staffing_sheets(result), out)
    if plot is not None:
        from callsim.report.staffing_figures import staffing_figure
        from callsim.report.writers import save_figure

        written.append(save_figure(staffing_figure(result), plot))
    if folder is not None:
        written += result.write_scenarios(folder, scenario.stem)
    return written


def _print_result(result: StaffingResult, written: list[Path], as_json: bool) -> None:
    for path in written:
        typer.echo(f"wrote {path}", err=True)
    if as_json:
        typer.echo(result.to_json())
        return
    from callsim.cli.tables import stdout_console

    console = stdout_console()
    for table in staffing_tables(result):
        console.print(table)
    console.print(cost_table(result))
