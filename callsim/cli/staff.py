"""``callsim staff``: the fewest agents per department and interval that meet service targets."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from callsim.cli.common import ScenarioArgument, SeedOption, SetOption, fail, load_or_exit

if TYPE_CHECKING:
    from rich.table import Table

    from callsim.experiments.staffing_result import StaffingResult

EXECUTOR_NAMES = ("processes", "dask")

TargetOption = Annotated[
    list[str] | None,
    typer.Option("--target", help="[DEPT:]METRIC(>=|<=)VALUE, e.g. service_level>=0.8, "
                 "billing:asa<=30s; repeat; replaces the scenario's targets: list."),
]


def parse_agents(items: list[str] | None, option: str) -> dict[str, int]:
    """``["billing=8"]`` -> ``{"billing": 8}``; exit 2 on a malformed item."""
    out = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not value.strip().isdigit():
            raise fail(f"{option} {item}: expected DEPT=N with N a whole number >= 0")
        out[name.strip()] = int(value)
    return out


def staffing_tables(result: StaffingResult) -> list[Table]:
    """One table per policy: agents per interval (rows) and department (columns)."""
    from rich.table import Table

    table = result.table
    shrink = (table["rostered"] != table["agents"]).any()
    tables = []
    for policy in result.policies:
        t = Table(title=f"{policy}: agents on the phones" + (" (rostered)" if shrink else ""),
                  caption="! = a target missed in this interval by the verification mean")
        t.add_column("interval", no_wrap=True)
        for dept in result.departments:
            t.add_column(dept, justify="right")
        rows = table[table["policy"] == policy]
        for j, clock in enumerate(rows["clock"].unique()):
            cells = []
            for dept in result.departments:
                r = rows[(rows["department"] == dept) & (rows["interval"] == j)].iloc[0]
                text = f"{r['agents']}" + (f" ({r['rostered']})" if shrink else "")
                cells.append(text + (" !" if r["missed"] else ""))
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
    for dept in result.departments:
        t.add_row(f"agent-hours {dept}", *[f"{summary.loc[p, f'agent_hours.{dept}']:,.1f}"
                                           for p in columns], *([""] if diff else []))
    t.add_row("staff cost", *[f"{summary.loc[p, 'staff_cost']:,.0f}" for p in columns],
              *([f"{diff['staff_cost']:+,.0f}"] if diff else []))
    t.add_row("lost-call cost", *[f"{summary.loc[p, 'lost_call_cost']:,.0f}" for p in columns],
              *([""] if diff else []))
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


def write_scenarios(result: StaffingResult, source: Path, overrides: list[str], folder: Path
                    ) -> list[Path]:
    """One scenario file per policy with its staffing, runnable by ``callsim run`` as is."""
    import yaml

    from callsim.files import atomic_path
    from callsim.scenario.schema import apply_overrides, read_scenario_file

    raw = apply_overrides(read_scenario_file(source), overrides, source=str(source))
    folder.mkdir(exist_ok=True)
    if isinstance(raw.get("arrivals_file"), str) and not os.path.isabs(raw["arrivals_file"]):
        raw["arrivals_file"] = os.path.relpath(source.parent / raw["arrivals_file"], folder)
    written = []
    for policy in result.policies:
        path = folder / f"{source.stem}.{policy}.yaml"
        doc = result.scenario_for(raw, policy)
        with atomic_path(path) as temporary:
            temporary.write_text(yaml.safe_dump(doc, sort_keys=False), "utf-8")
        written.append(path)
    return written


def _check_outputs(out: Path | None, plot: Path | None, write_scenario: Path | None) -> None:
    from callsim.report.writers import FIGURE_FORMATS, out_path_problem

    if out is not None and (problem := out_path_problem(out, "--out")):
        raise fail(problem)
    if plot is not None and (problem := out_path_problem(plot, "--plot", tuple(FIGURE_FORMATS))):
        raise fail(problem)
    if write_scenario is not None and (write_scenario.exists() and not write_scenario.is_dir()
                                       or not write_scenario.parent.resolve().is_dir()):
        raise fail(f"{write_scenario}: --write-scenario needs a folder (made if missing) "
                   "inside an existing one")


class _Progress:
    """Progress on stderr: the policy, the iteration and the targets still unmet.

    A one-line status on a terminal; a plain line per iteration otherwise (CI logs, pipes).
    """

    def __init__(self) -> None:
        self.status: Any = None

    def __call__(self, policy: str, iteration: int, unmet: int) -> None:
        text = f"staff {policy}: iteration {iteration}, {unmet} targets unmet"
        if not sys.stderr.isatty():
            print(text, file=sys.stderr, flush=True)
            return
        if self.status is None:
            from rich.console import Console

            self.status = Console(stderr=True).status(text)
            self.status.start()
        self.status.update(text)

    def close(self) -> None:
        """Remove the status line."""
        if self.status is not None:
            self.status.stop()


def staff_command(
    scenario: ScenarioArgument,
    target: TargetOption = None,
    policy: Annotated[list[str] | None, typer.Option(help="Policy to staff; repeat "
                                                      "(default: every policy).")] = None,
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
    workers: Annotated[int, typer.Option(min=1, help="Processes (or Dask workers).")] = 1,
    executor: Annotated[str, typer.Option(help="processes (local pool) or dask.")] = "processes",
    scheduler: Annotated[str | None, typer.Option(help="Existing Dask scheduler "
                                                  "address.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the JSON document.")] = False,
    out: Annotated[Path | None, typer.Option(help="Staffing table: .csv, .parquet, .json or "
                                             ".xlsx.")] = None,
    write_scenario: Annotated[Path | None, typer.Option(help="Folder for one scenario file "
                                                        "per policy.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Staffing figure (.png or .svg).")] = None,
) -> None:
    """Find the fewest agents per department and interval that meet the targets, per policy."""
    if executor not in EXECUTOR_NAMES:
        raise fail(f"--executor: unknown executor {executor!r} (choose from "
                   f"{', '.join(EXECUTOR_NAMES)})")
    _check_outputs(out, plot, write_scenario)
    sc = load_or_exit(scenario, overrides or [])
    low = parse_agents(min_agents, "--min-agents")
    high = parse_agents(max_agents, "--max-agents")
    from callsim.experiments.executors import ExecutorError
    from callsim.experiments.staffing import StaffingError, staff

    bar = _Progress()
    try:
        result = staff(sc, target, policy, scope, constant, low, high, shrinkage, reps,
                       verify_reps, seed, workers, executor, scheduler, progress=bar)
    except (StaffingError, ExecutorError) as exc:
        raise fail(f"{scenario}: {exc}") from None
    finally:
        bar.close()
    _write_outputs(result, scenario, overrides or [], out, plot, write_scenario, as_json)


def _write_outputs(result: StaffingResult, scenario: Path, overrides: list[str],
                   out: Path | None, plot: Path | None, folder: Path | None,
                   as_json: bool) -> None:
    written: list[Path] = []
    if out is not None:
        from callsim.report.staffing_tables import staffing_sheets
        from callsim.report.writers import write_tables

        written += write_tables(staffing_sheets(result), out)
    if plot is not None:
        from callsim.report.staffing_figures import staffing_figure
        from callsim.report.writers import save_figure

        save_figure(staffing_figure(result), plot)
        written.append(plot)
    if folder is not None:
        written += write_scenarios(result, scenario, overrides, folder)
    if as_json:
        typer.echo(result.to_json())
        return
    from callsim.cli.tables import stdout_console

    console = stdout_console()
    for table in staffing_tables(result):
        console.print(table)
    console.print(cost_table(result))
    for path in written:
        console.print(f"wrote {path}")
