"""Every command that simulates gives the same numbers with 1 worker, 2 workers and on Dask.

All of them go through one batch runner (:mod:`callsim.experiments.execution`), and every
task carries its own seeds, so neither the executor nor the number of workers may change a
single number. One local Dask cluster (two worker processes on the loopback interface) serves
the whole module through ``--scheduler``; ``--executor dask`` alone (a cluster started by the
command) is tested once, on ``compare``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.shared import REFERENCE, ROOT, invoke_cli

SMALL = str(ROOT / "tests" / "planning" / "staffing_small.yaml")
KNOWN = str(ROOT / "tests" / "planning" / "breakeven_known.yaml")
RECORDS = str(ROOT / "scenarios" / "records" / "acd_week.csv")
TRUTH = str(ROOT / "scenarios" / "records" / "truth.yaml")
HOUR = ["--set", "horizon.duration=1h"]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def ways(scheduler: str) -> list[list[str]]:
    """The same work in this process, on a pool of 2 and on the Dask cluster."""
    return [["--workers", "1"], ["--workers", "2"], ["--scheduler", scheduler]]


def outputs(scheduler: str, *args: str) -> list[str]:
    """Standard output of the command run each way (exit code 0 checked)."""
    out = []
    for way in ways(scheduler):
        result = invoke_cli(*args, *way)
        assert result.exit_code == 0, result.output
        out.append(result.stdout)
    return out


def test_compare(scheduler: str) -> None:
    args = ["compare", str(REFERENCE), *HOUR, "--reps", "3", "--seed", "2", "--json"]
    one, two, dask = outputs(scheduler, *args)
    assert json.loads(one) == json.loads(two) == json.loads(dask)
    started = invoke_cli(*args, "--executor", "dask", "--workers", "2")
    assert started.exit_code == 0, started.output
    assert json.loads(started.stdout) == json.loads(one)


def test_run(scheduler: str) -> None:
    one, two, dask = outputs(scheduler, "run", str(REFERENCE), *HOUR, "--reps", "3", "--json")
    assert json.loads(one) == json.loads(two) == json.loads(dask)


def test_report(scheduler: str, tmp_path: Path) -> None:
    pages = []
    for i, way in enumerate(ways(scheduler)):
        out = tmp_path / f"report{i}.html"
        result = invoke_cli("report", str(REFERENCE), *HOUR, "--reps", "2", "--out", str(out),
                            *way)
        assert result.exit_code == 0, result.output
        pages.append(out.read_text(encoding="utf-8").replace(str(out), "OUT"))  # the footer
    assert pages[0] == pages[1] == pages[2]


def test_staff(scheduler: str) -> None:
    one, two, dask = outputs(scheduler, "staff", SMALL, "--target", "service_level>=0.8",
                             "--reps", "2", "--verify-reps", "2", "--seed", "4", "--json")
    assert json.loads(one) == json.loads(two) == json.loads(dask)


def test_breakeven(scheduler: str) -> None:
    one, two, dask = outputs(scheduler, "breakeven", KNOWN, "--vary",
                             "transfer.warm.handoff_time.value=0:100", "--metric",
                             "call_types.support.resolution_time_mean", "--reps", "2",
                             "--grid", "3", "--steps", "1", "--json")
    assert json.loads(one) == json.loads(two) == json.loads(dask)


def test_schedule_policies_at_roster_cost(scheduler: str) -> None:
    one, two, dask = outputs(scheduler, "schedule", str(ROOT / "tests" / "planning" /
                                                        "roster_compare.yaml"),
                             "--requirements", "erlang", "--verify-reps", "2", "--json")
    docs = [json.loads(out) for out in (one, two, dask)]
    for doc in docs:  # the solver's time is not a result
        for roster in doc["rosters"].values():
            del roster["solve_seconds"]
    assert docs[0] == docs[1] == docs[2] and "comparison" in docs[0]


def test_sweep(scheduler: str, tmp_path: Path) -> None:
    tables = []
    for i, way in enumerate(ways(scheduler)):
        out = tmp_path / f"sweep{i}.parquet"
        result = invoke_cli("sweep", str(REFERENCE), *HOUR, "--vary",
                            "departments.billing.agents=10,12", "--reps", "2", "--out", str(out),
                            *way)
        assert result.exit_code == 0, result.output
        tables.append(pd.read_parquet(out))
    pd.testing.assert_frame_equal(tables[0], tables[1])
    pd.testing.assert_frame_equal(tables[0], tables[2])


def test_backtest(scheduler: str) -> None:
    one, two, dask = outputs(scheduler, "backtest", TRUTH, RECORDS, "--map",
                             str(ROOT / "scenarios" / "records" / "acd_map.yaml"), "--days",
                             "2026-03-02", "--reps", "3", "--seed", "1")
    assert one == two == dask
    assert "The scenario" in one


def test_an_unknown_executor_is_one_line() -> None:
    result = invoke_cli("compare", str(REFERENCE), "--executor", "threads")
    assert result.exit_code == 2
    assert result.output.strip() == ("--executor: unknown executor 'threads' (choose from "
                                     "processes, dask)")


def test_schedule_simulated(scheduler: str) -> None:
    roster = str(ROOT / "tests" / "planning" / "roster_small.yaml")
    one, two, dask = outputs(scheduler, "schedule", roster, "--requirements", "erlang",
                             "--policy", "cold", "--simulate", "--reps", "2", "--verify-reps",
                             "2", "--max-removals", "0", "--max-iterations", "2", "--seed", "4",
                             "--json")
    docs = [json.loads(text) for text in (one, two, dask)]
    for doc in docs:
        doc["rosters"]["cold"].pop("solve_seconds")  # the solver's time, the only difference
    assert docs[0] == docs[1] == docs[2]
    assert docs[0]["rosters"]["cold"]["simulation"]["simulated_days"] > 0
