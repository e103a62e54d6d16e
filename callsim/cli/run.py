"""``callsim run``: one policy, one or more replications, metrics with 95% confidence intervals."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from callsim.analysis.catalogue import KEY_COLUMNS
from callsim.analysis.documents import run_document, to_json
from callsim.analysis.statistics import summarize
from callsim.cli.common import (
    JsonOption,
    MaxCallsOption,
    OutOption,
    ScenarioArgument,
    SeedOption,
    SetOption,
    WorkersOption,
    check_out,
    exit_on_errors,
    load_or_exit,
    warn_workers,
    write_out,
)
from callsim.cli.tables import progress_bar, stdout_console, summary_table
from callsim.experiments.replications import replicate
from callsim.report.writers import RECORD_SUFFIXES, write_records
from callsim.scenario.limits import MAX_CALLS


def check_records_path(path: Path) -> None:
    """Exit with code 2, before any work, if the records file cannot be written."""
    check_out(path, "--calls-out", RECORD_SUFFIXES)


class PolicyName(StrEnum):
    """The ``--policy`` choices."""

    cold = "cold"
    warm = "warm"


def run_command(
    scenario: ScenarioArgument,
    policy: Annotated[
        PolicyName | None, typer.Option(help="Transfer policy (default: the scenario's).")
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
    max_calls: MaxCallsOption = MAX_CALLS,
) -> None:
    """Simulate a scenario under one transfer policy and report every metric."""
    sc = load_or_exit(scenario, overrides or [])
    if calls_out is not None:
        check_records_path(calls_out)
    check_out(out)
    chosen = policy.value if policy else sc.transfer.policy
    warn_workers(workers)
    with exit_on_errors(), progress_bar(f"{chosen}: replications", enabled=reps > 1) as bar:
        table, _, calls = replicate(
            sc,
            [chosen],
            reps=reps,
            seed=seed,
            workers=workers,
            progress=(lambda n: bar.advance(n, reps)) if bar else None,
            keep_calls=calls_out is not None,
            max_calls=max_calls,
        )
    metrics = [c for c in table.columns if c not in KEY_COLUMNS]
    summary = summarize(table, metrics=metrics)
    if calls_out is not None and calls is not None:
        write_records(calls, calls_out)
    if out is not None:
        from callsim.report.exports import run_sheets

        write_out(run_sheets(summary, table, sc), out)
    if as_json:
        typer.echo(to_json(run_document(sc.name, chosen, reps, seed, summary)))
        return
    title = f"{sc.name}: {chosen} transfer, {reps} replication(s), seed {seed}"
    stdout_console().print(summary_table(title, summary))
