"""``callsim run``: one policy, one or more replications, metrics with 95% confidence intervals."""

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
    from callsim.experiments.runs import RunResult


def policy_names() -> list[str]:
    """Registered policy names (``--policy`` completion; the registry loads on first use)."""
    from callsim.policies import registry

    return list(registry.names())


def check_policy(policy: str | None) -> None:
    """Exit with code 2 if ``policy`` is not a registered transfer policy."""
    names = policy_names()
    if policy is not None and policy not in names:
        raise fail(f"--policy: unknown policy {policy!r} (choose from {', '.join(names)})")


#: The sheets of ``run --out`` (:func:`callsim.report.exports.run_sheets`).
RUN_TABLES = ("summary", "replications", "scenario inputs")


def run_command(
    scenario: ScenarioArgument,
    policy: Annotated[
        str | None,
        typer.Option(help="Transfer policy, a registered name such as cold or warm (default: "
                     "the scenario's).", autocompletion=policy_names),
    ] = None,
    seed: SeedOption = 0,
    reps: Annotated[int, typer.Option(min=1, help="Replications.")] = 1,
    overrides: SetOption = None,
    as_json: JsonOption = False,
    calls_out: Annotated[
        Path | None, typer.Option(help="Write every call record to FILE.parquet or FILE.csv.")
    ] = None,
    out: OutOption = None,
    workers: WorkersOption = None,
    executor: ExecutorOption = "processes",
    scheduler: SchedulerOption = None,
    max_calls: MaxCallsOption = MAX_CALLS,
    all_metrics: AllMetricsOption = False,
) -> None:
    """Simulate a scenario under one transfer policy and report every metric."""
    check_policy(policy)
    sc = load_or_exit(scenario, overrides or [])
    outputs = (Outputs().file(calls_out, "--calls-out", "records")
               .file(out, tables=RUN_TABLES).check())
    chosen = policy or sc.transfer.policy
    execution = execution_options(workers, executor, scheduler, max_calls)
    from callsim.cli.tables import progress_bar
    from callsim.experiments.runs import run

    print_caveats(sc)
    with exit_on_errors(), progress_bar(f"{chosen}: replications", enabled=reps > 1) as bar:
        result = run(sc, chosen, reps=reps, seed=seed, keep_calls=calls_out is not None,
                     execution=execution.reporting(bar.advance if bar else None))
    print_caveats(sc, result.per_replication)
    written: list[Path] = []
    with outputs.writing():
        if calls_out is not None and result.calls is not None:
            from callsim.report.exports import labelled_records
            from callsim.report.writers import write_records

            write_records(labelled_records(result.calls, sc.horizon.start), calls_out)
        if out is not None:
            from callsim.report.exports import run_sheets

            written = write_out(run_sheets(result.summary, result.per_replication, sc), out)
    echo_written(written)
    from callsim.report.headline import cost_unit

    print_run(result, as_json, all_metrics, cost_unit(sc))


def print_run(result: RunResult, as_json: bool, all_metrics: bool = False,
              cost_words: str = "") -> None:
    """The run on stdout: its JSON document (docs/model.md section 8) or a table.

    Metrics zero in every replication are hidden unless ``all_metrics``; ``cost_words``
    (``EUR per 12 h horizon``) heads the costs.
    """
    from callsim.analysis.documents import to_json
    from callsim.cli.tables import stdout_console, summary_table

    if as_json:
        typer.echo(to_json(result.to_dict()))
        return
    title = (f"{result.scenario}: {result.policy} transfer, {result.replications} "
             f"replication(s), seed {result.seed}")
    from callsim.cli.metric_rows import hidden_note, unused_metrics

    hidden = [] if all_metrics else unused_metrics([result.summary.set_index("metric")])
    console = stdout_console()
    console.print(summary_table(title, result.summary, hidden, cost_words))
    if hidden:
        console.print(hidden_note(hidden), highlight=False)
