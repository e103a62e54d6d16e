"""``callsim run``: one policy, one or more replications, metrics with 95% confidence intervals."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from callsim.cli.common import load_or_exit
from callsim.cli.tables import progress_bar, stderr, summary_table
from callsim.output import run_document, to_json
from callsim.records import RECORD_SUFFIXES, write_records
from callsim.replications import replicate
from callsim.statistics import summarize


def check_records_path(path: Path) -> None:
    """Exit with code 2, before any work, if the records file cannot be written."""
    problem = None
    if path.suffix.lower() not in RECORD_SUFFIXES:
        problem = "--calls-out must end in .parquet or .csv"
    elif not path.parent.resolve().is_dir():
        problem = f"--calls-out: folder {path.parent} does not exist"
    if problem:
        stderr.print(f"{path}: {problem}", highlight=False)
        raise typer.Exit(2)


class PolicyName(str, Enum):
    cold = "cold"
    warm = "warm"


def run_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    policy: Annotated[
        PolicyName | None, typer.Option(help="Transfer policy (default: the scenario's).")
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Base seed.")] = 0,
    reps: Annotated[int, typer.Option(min=1, help="Replications.")] = 1,
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a scenario field: --set departments.billing.agents=14"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print MODEL.md section 7 JSON.")] = False,
    calls_out: Annotated[
        Path | None, typer.Option(help="Write every call record to FILE.parquet or FILE.csv.")
    ] = None,
    workers: Annotated[int, typer.Option(min=1, help="Processes for replications.")] = 1,
) -> None:
    """Simulate a scenario under one transfer policy and report every metric."""
    sc = load_or_exit(scenario, overrides or [])
    if calls_out is not None:
        check_records_path(calls_out)
    chosen = policy.value if policy else sc.transfer.policy
    with progress_bar(reps, f"{chosen}: replications", enabled=reps > 1) as bar:
        table, _, calls = replicate(
            sc,
            [chosen],
            reps=reps,
            seed=seed,
            workers=workers,
            progress=(lambda n: bar.advance(0, n)) if bar else None,
            keep_calls=calls_out is not None,
        )
    metrics = [c for c in table.columns if c not in ("policy", "replication", "seed")]
    summary = summarize(table, metrics=metrics)
    if calls_out is not None and calls is not None:
        write_records(calls, calls_out)
    if as_json:
        typer.echo(to_json(run_document(sc.name, chosen, reps, seed, summary)))
        return
    title = f"{sc.name}: {chosen} transfer, {reps} replication(s), seed {seed}"
    Console().print(summary_table(title, summary))
