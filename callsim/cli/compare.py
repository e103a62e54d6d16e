"""``callsim compare``: policies side by side on the same callers, with paired differences."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from callsim.cli.common import (
    AllMetricsOption,
    ExecutorOption,
    JsonOption,
    MaxCallsOption,
    OutOption,
    Outputs,
    ScenarioArgument,
    SchedulerOption,
    SeedOption,
    SetOption,
    WorkersOption,
    echo_written,
    execution_options,
    exit_on_errors,
    fail,
    load_or_exit,
    print_caveats,
    write_out,
)
from callsim.scenario.limits import MAX_CALLS

if TYPE_CHECKING:
    from rich.table import Table

    from callsim.experiments.comparison import Comparison
    from callsim.files.outputs import OutputSet
    from callsim.scenario.schema import Scenario


def default_policies() -> str:
    """The policies compared when none are named, comma-separated (from the registry)."""
    from callsim.policies import registry

    return ",".join(registry.default_comparison())


#: Help shared by every command's ``--policy`` / ``--policies`` (one option, two names).
POLICY_HELP = ("Repeat it (--policy cold --policy warm) or list with commas (--policies "
               "cold,warm): --policy and --policies are the same option.")


def policy_values(values: list[str] | None, default: str) -> list[str]:
    """The policies of a repeatable, comma-accepting ``--policy``/``--policies`` option.

    Every command reads its policies this way (``default`` when none is given); exit 2 on an
    unknown policy, naming ``--policy``, or on an empty list.
    """
    text = ",".join(values) if values else default
    if not text.replace(",", "").strip():
        raise fail("--policy/--policies: no policy given")
    return parse_policies(text, "--policy")


def parse_policies(text: str, option: str = "--policies") -> list[str]:
    """``cold,warm`` -> ``["cold", "warm"]``; exit 2 naming ``option`` and an unknown policy.

    A policy named twice is refused (not merged silently), like every option given twice.
    """
    from callsim.policies import registry

    names = [p.strip() for p in text.split(",") if p.strip()]
    known = registry.names()
    unknown = [p for p in names if p not in known]
    if unknown or not names:
        raise fail(f"{option}: unknown policy {unknown[0]!r} (choose from "
                   f"{', '.join(known)})" if unknown else f"{option}: no policy given")
    twice = [p for i, p in enumerate(names) if p in names[:i]]
    if twice:
        raise fail(f"{option} {text}: policy {twice[0]!r} given twice")
    return names


def comparison_table(result: Comparison, hidden: list[str] | None = None,
                     cost_words: str = "") -> Table:
    """Per metric: mean ± CI per policy, then each paired difference against the first policy.

    Each difference is shown ± its CI, with ``*`` when significant. Metrics named in
    ``hidden`` are left out and ``cost_words`` heads the costs (see
    :mod:`callsim.cli.metric_rows`).
    """
    from functools import partial

    from callsim.cli.metric_rows import row_label, section_label, shown_keys
    from callsim.cli.tables import format_pm, metric_table

    summaries = {p: result.policy_summary(p).set_index("metric") for p in result.policies}
    diffs = {label: frame.set_index("metric") for label, frame in result.paired().items()}
    columns = list(result.policies)
    for label in diffs:
        columns += [label, "sig."]

    def cells(key: str, name: str) -> list[str]:
        out = []
        for p in result.policies:
            r = summaries[p].loc[key]
            out.append(format_pm(name, r["mean"], r["ci_low"], r["ci_high"]))
        for frame in diffs.values():
            d = frame.loc[key]
            out += [format_pm(name, d["mean"], d["ci_low"], d["ci_high"], difference=True),
                    "*" if bool(d["significant"]) else ""]
        return out

    title = f"{result.scenario}: {result.replications} paired replications, seed {result.seed}"
    keys = shown_keys(list(summaries[result.policies[0]].index), hidden or [])
    return metric_table(title, keys, columns, cells, row=row_label,
                        section=partial(section_label, cost_words=cost_words))


def compare_command(
    scenario: ScenarioArgument,
    policy: Annotated[
        list[str] | None,
        typer.Option("--policy", "--policies", metavar="NAME[,NAME...]",
                     help="Policies to compare; the first is the reference A of the paired "
                     "differences B - A (default: the registry's default, cold,warm). "
                     + POLICY_HELP),
    ] = None,
    reps: Annotated[
        int, typer.Option(min=2, help="Replications per policy (batch size with --precision).")
    ] = 20,
    seed: SeedOption = 0,
    overrides: SetOption = None,
    as_json: JsonOption = False,
    plot: Annotated[
        Path | None, typer.Option(help="Write the comparison and interval figures (.png or .svg).")
    ] = None,
    precision: Annotated[
        float | None,
        typer.Option(help="Add replications until headline CI half-widths are within this "
                     "share of the mean (e.g. 0.05)."),
    ] = None,
    max_reps: Annotated[int, typer.Option(min=2, help="Replication cap for --precision.")] = 200,
    out: OutOption = None,
    workers: WorkersOption = None,
    executor: ExecutorOption = "processes",
    scheduler: SchedulerOption = None,
    max_calls: MaxCallsOption = MAX_CALLS,
    all_metrics: AllMetricsOption = False,
) -> None:
    """Compare transfer policies on the same callers (common random numbers)."""
    names = policy_values(policy, default_policies())
    outputs = _check_outputs(out, plot)
    if precision is not None and not 0 < precision < 1:
        raise fail(f"--precision: must be a share of the mean in (0, 1), got {precision}")
    execution = execution_options(workers, executor, scheduler, max_calls)
    sc = load_or_exit(scenario, overrides or [])
    from callsim.cli.tables import progress_bar
    from callsim.experiments.comparison import compare

    print_caveats(sc)
    with exit_on_errors(), progress_bar("replications") as bar:
        result = compare(sc, names, reps=reps, seed=seed, precision=precision,
                         max_reps=max_reps,
                         execution=execution.reporting(bar.advance if bar else None))
    print_caveats(sc, result.per_replication)
    written: list[Path] = []
    with outputs.writing():
        if plot is not None:
            from callsim.report.figures import save_figures  # matplotlib only when asked for

            written = save_figures(result, plot)
        if out is not None:
            from callsim.report.exports import comparison_sheets

            echo_written(write_out(comparison_sheets(result, sc), out))
    print_comparison(result, as_json, written, sc, all_metrics)


#: The sheets of ``compare --out`` (:func:`callsim.report.exports.comparison_sheets`).
COMPARE_TABLES = ("summary", "differences", "intervals", "replications", "scenario inputs")


def _check_outputs(out: Path | None, plot: Path | None) -> OutputSet:
    """The tables (and their side files) and both figures, checked before any work."""
    outputs = Outputs().file(out, tables=COMPARE_TABLES).file(plot, "--plot", "figure")
    if plot is not None:
        from callsim.report.figures import figure_paths

        outputs.files(list(figure_paths(plot)), "--plot")
    return outputs.check()


def print_comparison(result: Comparison, as_json: bool, written: list[Path], scenario: Scenario,
                     all_metrics: bool = False) -> None:
    """The comparison on stdout: its JSON document, or the answer, the table, the files written.

    The answer is the report's one-sentence headline; metrics zero in every policy are hidden
    unless ``all_metrics``.
    """
    from callsim.analysis.documents import to_json
    from callsim.cli.metric_rows import hidden_note, unused_metrics
    from callsim.cli.tables import stdout_console
    from callsim.report.headline import cost_unit, headline

    if as_json:
        typer.echo(to_json(result.to_dict()))
        return
    console = stdout_console()
    console.print(headline(result, scenario), highlight=False)
    hidden = [] if all_metrics else unused_metrics(
        result.policy_summary(p).set_index("metric") for p in result.policies)
    console.print(comparison_table(result, hidden, cost_unit(scenario)))
    console.print("sig. = significant: the 95% CI of the paired difference excludes 0 and the "
                  "difference is above 0.01% of the level (not rounding noise)")
    if hidden:
        console.print(hidden_note(hidden), highlight=False)
    if result.precision is not None:
        p = result.precision
        state = "met" if p.met else f"not met (cap {p.max_reps})"
        console.print(f"precision {p.target:.1%}: {state} after {p.reps} replications per policy")
    for path in written:
        console.print(f"wrote {path}")
