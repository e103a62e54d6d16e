"""Sweeps: validation first, identical tables on every executor, durable parts, resume.

The kill test runs the real ``callsim sweep`` in a subprocess, SIGKILLs it part-way and resumes
it; the Dask tests start real local clusters (scheduler and workers on the loopback interface).
"""

from __future__ import annotations

import inspect
import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import callsim.cli.app as app_module
from callsim.cli.app import app
from callsim.experiments import executors
from callsim.experiments.execution import Execution, task_size
from callsim.experiments.grid import Grid
from callsim.experiments.store import StoreError, read_part
from callsim.experiments.sweeps import summary_path, sweep
from callsim.scenario.catalogue import KEY_COLUMNS
from callsim.scenario.errors import ScenarioError
from callsim.scenario.loading import load_scenario
from tests.shared import REFERENCE, invoke_cli

#: Replications in this process (the numbers are the same on any executor).
SERIAL = Execution(workers=1)
#: The reference scenario, validated once (every sweep point is its document with overrides).
BASE = load_scenario(REFERENCE)

# The small sweep of the executor tests: 4 points x 2 policies x 3 replications.
SPECS = ["departments.billing.agents=10,12", "call_types.support.misroute.billing=0.1,0.3"]
PATHS = ["departments.billing.agents", "call_types.support.misroute.billing"]
SMALL = {"reps": 3, "seed": 5, "overrides": ["horizon.duration=2h"]}
KEYS = ["point", "policy", "replication"]


def small_grid() -> Grid:
    return Grid.from_specs(SPECS)


@pytest.fixture(scope="module")
def serial() -> pd.DataFrame:
    return sweep(BASE, small_grid(), execution=SERIAL, **SMALL)


def metric_columns(rows: pd.DataFrame) -> list[str]:
    return [c for c in rows.columns if c not in ("point", *PATHS, *KEY_COLUMNS)]


class Totals:
    """A ``progress`` callback that records the planned total and the runs reported."""

    def __init__(self) -> None:
        self.totals: list[int] = []
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        self.totals.append(total)
        self.done += done

    @property
    def total(self) -> int:
        assert len(set(self.totals)) == 1, self.totals  # the plan never changes mid-sweep
        assert self.done == self.totals[0]
        return self.totals[0]


# --- validation before anything runs ----------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("departments.sales.agents=1,2",
         f"{REFERENCE}: `vary` departments.sales.agents: no department named 'sales'"),
        ("call_types.sales.misroute.billing=0.1",
         f"{REFERENCE}: `vary` call_types.sales.misroute.billing: no call type named 'sales'"),
    ],
)
def test_unknown_entry_is_rejected_before_anything_runs(tmp_path, spec, message):
    progress = Totals()
    with pytest.raises(ScenarioError) as exc:
        sweep(BASE, Grid.from_specs([spec]), reps=1, out=tmp_path / "r.parquet",
              execution=Execution(workers=1, progress=progress))
    assert exc.value.problems == [message]
    assert list(tmp_path.iterdir()) == []  # no parts folder, no results, no summary
    assert progress.totals == []


def test_wrong_type_names_field_and_point(tmp_path):
    grid = Grid.from_specs(["departments.billing.agents=10,abc", "horizon.duration=1h,2h"])
    with pytest.raises(ScenarioError) as exc:
        sweep(BASE, grid, reps=1, out=tmp_path / "r.parquet", execution=SERIAL)
    problems = exc.value.problems
    # One line per problem (issue 18 item 16: not once per point), naming the file, the field,
    # the first bad point and how many more (the good points 10 x 1h/2h are not mentioned).
    [line] = problems
    assert line.startswith(f"{REFERENCE}: departments.billing.agents: ")
    assert line.endswith("(at departments.billing.agents=abc, horizon.duration=1h and 1 more "
                         "point)")
    assert list(tmp_path.iterdir()) == []


def test_a_problem_at_every_point_is_one_line(tmp_path):
    grid = Grid.from_specs(["departments.billing.agnts=8:16"])
    with pytest.raises(ScenarioError) as exc:
        sweep(BASE, grid, reps=1, out=tmp_path / "r.parquet", execution=SERIAL)
    assert exc.value.problems == [
        f"{REFERENCE}: departments.billing.agnts: extra field not permitted (did you mean "
        "'agents'?) (at every point)"]


def test_invalid_point_value_is_rejected(tmp_path):
    grid = Grid.from_specs(["call_types.support.misroute.billing=0.5,1.5"])
    with pytest.raises(ScenarioError) as exc:
        sweep(BASE, grid, reps=1, out=tmp_path / "r.parquet", execution=SERIAL)
    [line] = exc.value.problems
    assert "call_types.support.misroute.billing" in line
    assert line.endswith("(at call_types.support.misroute.billing=1.5)")
    assert list(tmp_path.iterdir()) == []


# --- identical results on every executor ------------------------------------------------------


def test_two_processes_equal_one(serial):
    two = sweep(BASE, small_grid(), execution=Execution(workers=2), **SMALL)
    pd.testing.assert_frame_equal(two, serial)


def test_task_size_does_not_change_rows(serial):
    for per_task in (1, 2, 3):
        rows = sweep(BASE, small_grid(), execution=SERIAL, task_reps=per_task, **SMALL)
        pd.testing.assert_frame_equal(rows, serial)


class RecordingDask(executors.DaskExecutor):
    """The real Dask executor; remembers itself and the cluster it ran on (no behaviour change)."""

    seen: list[tuple[RecordingDask, str, dict]] = []

    def run(self, fn, tasks):
        info = self.client.scheduler_info()
        RecordingDask.seen.append((self, self.client.scheduler.address, info["workers"]))
        yield from super().run(fn, tasks)


def test_dask_local_cluster_equals_one_process(serial, monkeypatch):
    RecordingDask.seen = []
    monkeypatch.setattr(executors, "DaskExecutor", RecordingDask)
    rows = sweep(BASE, small_grid(), execution=Execution(workers=2, executor="dask"), **SMALL)
    pd.testing.assert_frame_equal(rows, serial)
    [(runner, address, workers)] = RecordingDask.seen
    # A real cluster started by the code: scheduler and 2 worker processes on loopback.
    assert runner.cluster is not None
    assert address.startswith("tcp://127.0.0.1:")
    assert len(workers) == 2
    assert all(w.startswith("tcp://127.0.0.1:") for w in workers)
    assert {w["nthreads"] for w in workers.values()} == {1}
    # ... and shut down afterwards.
    assert runner.client.status == "closed"
    assert runner.cluster.status.name == "closed"


def test_dask_existing_scheduler_equals_one_process(serial):
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        rows = sweep(BASE, small_grid(),
                     execution=Execution(workers=1, scheduler=cluster.scheduler_address),
                     **SMALL)
        pd.testing.assert_frame_equal(rows, serial)
        # The sweep only disconnects: a cluster it did not start keeps running.
        with Client(cluster.scheduler_address, timeout="20s") as client:
            assert len(client.scheduler_info()["workers"]) == 2


def test_durable_equals_in_memory(serial, tmp_path):
    out = tmp_path / "r.parquet"
    rows = sweep(BASE, small_grid(), execution=Execution(workers=2), out=out, **SMALL)
    pd.testing.assert_frame_equal(rows, serial)
    pd.testing.assert_frame_equal(pd.read_parquet(out), serial)
    assert summary_path(out).exists()
    parts = sorted((tmp_path / "r.parquet.parts").glob("part-*.arrow"))
    assert parts and (tmp_path / "r.parquet.parts" / "manifest.json").exists()
    # The parts hold every row once.
    raw = pd.concat([read_part(p) for p in parts], ignore_index=True)
    assert len(raw) == len(serial) and not raw.duplicated(KEYS).any()


# --- the row contract ---------------------------------------------------------------------------


def test_one_row_per_point_policy_replication(serial):
    assert len(serial) == 4 * 2 * 3
    assert not serial.duplicated(KEYS).any()
    expected = [(p, pol, r) for p in range(4) for r in range(3) for pol in ("cold", "warm")]
    assert list(serial[KEYS].itertuples(index=False, name=None)) == expected  # sorted
    assert list(serial.index) == list(range(len(serial)))


#: Metrics undefined in the reference scenario (no callbacks: no callback delay).
UNDEFINED_HERE = ("callback_delay_mean",)


def test_columns(serial):
    assert list(serial.columns[:6]) == ["point", *PATHS, "policy", "replication", "seed"]
    metrics = metric_columns(serial)
    assert {"overall.calls", "overall.abandon_rate", "overall.wait_mean", "overall.service_level",
            "costs.total_cost", "costs.staff_cost"} <= set(metrics)
    assert any(m.startswith("departments.billing.") for m in metrics)
    assert any(m.startswith("call_types.support.") for m in metrics)
    defined = [m for m in metrics if not m.endswith(UNDEFINED_HERE)]
    assert not serial[defined].isna().all().any()
    assert serial[[m for m in metrics if m.endswith(UNDEFINED_HERE)]].isna().all().all()


def test_param_columns_hold_point_values(serial):
    points = small_grid().points()
    for point, group in serial.groupby("point"):
        for path in PATHS:
            assert set(group[path]) == {points[point][path]}
    assert serial["departments.billing.agents"].dtype == np.int64
    assert serial["call_types.support.misroute.billing"].dtype == np.float64


def test_seed_is_base_seed_by_default(serial):
    assert set(serial["seed"]) == {5}


def test_same_callers_under_both_policies(serial):
    calls = serial.pivot_table(index=["point", "replication"], columns="policy",
                               values="overall.calls")
    assert (calls["cold"] == calls["warm"]).all()
    # Common random numbers across points: misroutes and staffing do not change who calls.
    assert serial.groupby("replication")["overall.calls"].nunique().eq(1).all()
    assert serial.groupby("point")["overall.calls"].nunique().gt(1).all()  # replications differ


def test_independent_points():
    rows = sweep(BASE, small_grid(), execution=SERIAL, independent_points=True, **SMALL)
    seeds = rows.groupby("point")["seed"].agg(["nunique", "first"])
    assert seeds["nunique"].eq(1).all()  # one seed per point: both policies, every replication
    assert seeds["first"].nunique() == 4  # a different one at every point
    assert 5 not in set(seeds["first"])
    calls = rows.pivot_table(index=["point", "replication"], columns="policy",
                             values="overall.calls")
    assert (calls["cold"] == calls["warm"]).all()
    assert rows.groupby("replication")["overall.calls"].nunique().gt(1).any()
    # The seed derives from the point's values, not its position in the grid.
    alone = sweep(BASE, Grid.from_specs(["departments.billing.agents=12",
                                              "call_types.support.misroute.billing=0.3"]),
                  execution=SERIAL, independent_points=True, **SMALL)
    last = rows[rows["point"] == 3].drop(columns="point").reset_index(drop=True)
    pd.testing.assert_frame_equal(alone.drop(columns="point"), last)


def test_rows_depend_only_on_seed_point_and_replication(serial):
    grid = Grid.from_specs(["departments.billing.agents=12",
                            "call_types.support.misroute.billing=0.1"])
    alone = sweep(BASE, grid, execution=SERIAL, **SMALL)
    at = serial[serial["point"] == 2].drop(columns="point").reset_index(drop=True)
    pd.testing.assert_frame_equal(alone.drop(columns="point"), at)


def test_policy_order_is_kept():
    rows = sweep(BASE, Grid.from_specs(["departments.billing.agents=12"]),
                 policies=["warm", "cold", "warm"], execution=SERIAL, **SMALL)
    assert list(rows["policy"][:2]) == ["warm", "cold"] and len(rows) == 2 * 3


# --- the summary file ---------------------------------------------------------------------------


def test_summary_file(tmp_path):
    out = tmp_path / "results.parquet"
    rows = sweep(BASE, small_grid(), execution=SERIAL, out=out, **SMALL)
    path = tmp_path / "results.summary.parquet"
    assert summary_path(out) == path and path.exists()
    summary = pd.read_parquet(path)
    assert list(summary.columns) == ["point", *PATHS, "policy", "metric", "mean", "ci_low",
                                     "ci_high", "n", "significant"]
    metrics = metric_columns(rows)
    assert set(summary["policy"]) == {"cold", "warm", "warm - cold"}
    for (point, policy), group in summary.groupby(["point", "policy"]):
        assert sorted(group["metric"]) == sorted(metrics), (point, policy)
        defined = ~group["metric"].str.endswith(UNDEFINED_HERE)
        assert set(group.loc[defined, "n"]) == {3}
        if policy != "warm - cold":
            assert not group["significant"].any()
            mine = rows[(rows["point"] == point) & (rows["policy"] == policy)]
            means = group.set_index("metric")["mean"]
            for metric in ("overall.wait_mean", "costs.total_cost", "overall.calls"):
                assert means[metric] == pytest.approx(mine[metric].mean(), rel=1e-12)
    assert summary.groupby(["point", "policy"]).ngroups == 4 * 3
    diff = summary[summary["policy"] == "warm - cold"]
    assert diff["significant"].dtype == bool
    defined = diff.dropna(subset=["ci_low", "ci_high"])
    excludes_zero = (defined["ci_low"] > 0) | (defined["ci_high"] < 0)
    assert (defined["significant"] == excludes_zero).all()
    calls = diff[diff["metric"] == "overall.calls"]
    assert (calls["mean"] == 0).all() and not calls["significant"].any()  # the same callers
    # The params of each summary row are those of its point.
    assert summary.drop_duplicates("point")[PATHS].to_dict("records") == small_grid().points()


# --- resume (in-process) ------------------------------------------------------------------------


def test_resume_runs_only_missing_replications(tmp_path):
    out = tmp_path / "r.parquet"
    kw = {"seed": 5, "overrides": ["horizon.duration=2h"]}
    first = Totals()
    two = sweep(BASE, small_grid(), reps=2, out=out,
                execution=SERIAL.reporting(first), **kw)
    assert first.total == 4 * 2 * 2
    more = Totals()
    four = sweep(BASE, small_grid(), reps=4, out=out, resume=True,
                 execution=SERIAL.reporting(more), **kw)
    assert more.total == 4 * 2 * 2  # replications 2 and 3 of each point, both policies
    fresh = sweep(BASE, small_grid(), reps=4, **kw)
    pd.testing.assert_frame_equal(four, fresh)
    pd.testing.assert_frame_equal(pd.read_parquet(out), fresh)
    pd.testing.assert_frame_equal(four[four["replication"] < 2].reset_index(drop=True), two)
    # Resuming a finished sweep runs nothing; fewer replications give the first table again.
    nothing = Totals()
    again = sweep(BASE, small_grid(), reps=4, out=out, resume=True,
                  execution=SERIAL.reporting(nothing), **kw)
    assert nothing.total == 0
    pd.testing.assert_frame_equal(again, fresh)
    fewer = sweep(BASE, small_grid(), reps=2, out=out, resume=True,
                  execution=SERIAL.reporting(nothing), **kw)
    pd.testing.assert_frame_equal(fewer, two)
    pd.testing.assert_frame_equal(pd.read_parquet(out), two)


def test_resume_on_empty_out_starts(tmp_path):
    out = tmp_path / "r.parquet"
    rows = sweep(BASE, small_grid(), execution=SERIAL, out=out, resume=True, **SMALL)
    assert len(rows) == 4 * 2 * 3


@pytest.fixture
def stored(tmp_path) -> Path:
    out = tmp_path / "r.parquet"
    sweep(BASE, small_grid(), execution=SERIAL, out=out, reps=1, seed=5,
          overrides=["horizon.duration=2h"])
    return out


def test_existing_parts_without_resume(stored):
    before = sorted(p.name for p in (stored.parent / "r.parquet.parts").iterdir())
    with pytest.raises(StoreError) as exc:
        sweep(BASE, small_grid(), execution=SERIAL, out=stored, **SMALL)
    message = str(exc.value)
    assert "\n" not in message and "`resume`" in message
    assert message.startswith(f"{stored}.parts: ")
    assert sorted(p.name for p in (stored.parent / "r.parquet.parts").iterdir()) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"grid": Grid.from_specs(["departments.billing.agents=10,12,14"])}, "grid"),
        ({"seed": 6}, "seed"),
        ({"policies": ["warm"]}, "policies"),
        ({"overrides": ["horizon.duration=3h"]}, "overrides"),
        ({"independent_points": True}, "independent_points"),
    ],
)
def test_resume_of_a_different_sweep(stored, change, field):
    kw = {"grid": small_grid(), "reps": 2, "seed": 5, "overrides": ["horizon.duration=2h"],
          **change}
    progress = Totals()
    with pytest.raises(StoreError) as exc:
        sweep(BASE, out=stored, resume=True, execution=SERIAL.reporting(progress), **kw)
    message = str(exc.value)
    assert "\n" not in message
    assert f"differs in {field})" in message
    assert progress.totals == []


def test_resume_after_scenario_edit(tmp_path):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "r.parquet"
    kw = {"reps": 1, "seed": 5, "overrides": ["horizon.duration=1h"], "execution": SERIAL,
          "out": out}
    sweep(load_scenario(scenario), small_grid(), **kw)
    scenario.write_text(REFERENCE.read_text(encoding="utf-8").replace("lost_call: 12.0",
                                                                      "lost_call: 13.0"))
    with pytest.raises(StoreError, match="differs in scenario_sha256"):
        sweep(load_scenario(scenario), small_grid(), resume=True, **kw)


@pytest.mark.parametrize(
    "spec",
    [
        "transfer.warm.max_hold=30,60",
        "horizon.duration=1h,90min",
        "transfer.warm.max_hold=30,1min",  # mixed numbers and text: a text column
        "transfer.warm.max_hold=null,60",  # null and a number: a text column
    ],
)
def test_results_file_equals_in_memory_for_any_axis_values(tmp_path, spec):
    grid = Grid.from_specs([spec])
    kw = {"reps": 1, "seed": 5, "overrides": ["horizon.duration=1h"],
          "execution": SERIAL}
    memory = sweep(BASE, grid, **kw)
    durable = sweep(BASE, grid, out=tmp_path / "r.parquet", **kw)
    pd.testing.assert_frame_equal(durable, memory)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "r.parquet"), memory)
    column = memory[grid.paths[0]]
    assert column.map(type).nunique() == 1  # one type per swept column

# --- kill and resume the real command -----------------------------------------------------------

# Six points of 4 replications on a 48 h horizon: a few tenths of a second a task (1 worker).
KILL_POINTS, KILL_REPS = 6, 4
KILL_ARGS = ["sweep", str(REFERENCE), "--vary", "departments.billing.agents=10:15",
             "--reps", str(KILL_REPS), "--seed", "3", "--set", "horizon.duration=48h",
             "--keep-parts"]  # the tests count the parts of finished sweeps
KILL_TASKS = KILL_POINTS * math.ceil(KILL_REPS / task_size(KILL_POINTS * KILL_REPS, 1))


def callsim_command() -> list[str]:
    if 'if __name__ == "__main__"' in inspect.getsource(app_module):
        return [sys.executable, "-m", "callsim.cli.app"]
    script = Path(sys.executable).parent / "callsim"
    assert script.exists(), script
    return [str(script)]


def parts_of(out: Path) -> list[Path]:
    return sorted(out.with_name(out.name + ".parts").glob("part-*.arrow"))


def kill_command(out: Path, workers: int) -> list[str]:
    return [*callsim_command(), *KILL_ARGS, "--workers", str(workers), "--out", str(out)]


def run_cli(out: Path, *extra: str, workers: int = 1) -> subprocess.CompletedProcess:
    result = subprocess.run([*kill_command(out, workers), *extra],
                            cwd=out.parent, capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stderr
    return result


def start_cli(out: Path, workers: int = 1) -> tuple[subprocess.Popen, Path]:
    """Start the sweep in its own session; output goes to files (no pipe can fill up)."""
    log = out.with_suffix(".log")

    def default_sigint() -> None:  # in case the test runner ignores SIGINT
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    with open(log, "w") as handle:
        proc = subprocess.Popen(kill_command(out, workers),
                                cwd=out.parent, stdout=handle, stderr=subprocess.STDOUT,
                                start_new_session=True, preexec_fn=default_sigint)
    return proc, log


def wait_for_parts(proc: subprocess.Popen, out: Path, count: int, timeout: float = 45) -> int:
    """Poll until ``count`` part files exist while the sweep still runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the sweep ended before it could be interrupted"
        found = len(parts_of(out))
        if found >= count:
            return found
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    pytest.fail(f"no {count} part files after {timeout} s")


def check_complete(out: Path, reference: Path, tasks: int | None = KILL_TASKS) -> None:
    table = pd.read_parquet(out)
    expected = pd.read_parquet(reference)
    pd.testing.assert_frame_equal(table, expected)
    assert not table.duplicated(KEYS).any()
    keys = set(table[KEYS].itertuples(index=False, name=None))
    assert keys == {(p, pol, r) for p in range(KILL_POINTS) for pol in ("cold", "warm")
                    for r in range(KILL_REPS)}
    pd.testing.assert_frame_equal(pd.read_parquet(summary_path(out)),
                                  pd.read_parquet(summary_path(reference)))
    # Every task was written once: no part run twice, none missing.
    parts = parts_of(out)
    if tasks is not None:
        assert len(parts) == tasks
    raw = pd.concat([read_part(p) for p in parts], ignore_index=True)
    assert len(raw) == len(table) and not raw.duplicated(KEYS).any()


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("uninterrupted") / "results.parquet"
    result = run_cli(out)
    assert result.stdout.strip() == (
        f"wrote {out} ({KILL_POINTS * 2 * KILL_REPS} rows: {KILL_POINTS} points x 2 policies x "
        f"{KILL_REPS} replications) and {summary_path(out)}")
    assert len(parts_of(out)) == KILL_TASKS == 6  # one part per point with 1 worker
    return out


def test_kill_and_resume(tmp_path, uninterrupted):
    out = tmp_path / "results.parquet"
    proc, _ = start_cli(out)
    try:
        wait_for_parts(proc, out, 2)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    survived = [p.name for p in parts_of(out)]
    assert 2 <= len(survived) < KILL_TASKS  # killed part-way
    assert not out.exists() and not summary_path(out).exists()

    result = run_cli(out, "--resume")
    assert result.stdout.startswith(f"wrote {out} (48 rows")
    check_complete(out, uninterrupted)
    assert set(survived) <= {p.name for p in parts_of(out)}  # finished parts were kept


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_saves_and_resumes(tmp_path, uninterrupted, workers):
    out = tmp_path / "results.parquet"
    proc, log = start_cli(out, workers)
    try:
        wait_for_parts(proc, out, 1)
        # What Ctrl-C does: SIGINT to the foreground group (the pool's workers too).
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, log.read_text()
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    assert "Traceback" not in log.read_text()
    [message] = [line for line in lines if "saved" in line]
    match = re.fullmatch(r"interrupted: (\d+) finished rows saved in (.+); run the same command "
                         r"with --resume to finish", message)
    assert match, message
    assert match.group(2) == f"{out}.parts"
    saved = len(pd.concat([read_part(p) for p in parts_of(out)]))
    assert int(match.group(1)) == saved
    assert 0 < saved < KILL_POINTS * 2 * KILL_REPS
    assert not out.exists()

    run_cli(out, "--resume", workers=workers)
    # With 2 workers, tasks split replications, and resumed tasks may be cut differently.
    check_complete(out, uninterrupted, KILL_TASKS if workers == 1 else None)


# --- the command through CliRunner --------------------------------------------------------------

runner = CliRunner()
QUICK = ["--seed", "5", "--workers", "1", "--reps", "2", "--set", "horizon.duration=1h"]


def invoke(*args: str):
    return invoke_cli("sweep", str(REFERENCE), *args)


def error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    message = result.stderr.strip()
    assert message and "\n" not in message, message
    return message


def test_cli_out_must_be_a_table_format(tmp_path):
    message = error_line(invoke("--out", str(tmp_path / "x.txt"), "--vary",
                                "departments.billing.agents=10,12", *QUICK))
    assert message == (f"{tmp_path / 'x.txt'}: --out must end in .csv, .parquet, .json or "
                       ".xlsx, not '.txt'")
    assert list(tmp_path.iterdir()) == []


def test_cli_out_folder_must_exist(tmp_path):
    out = tmp_path / "missing" / "r.parquet"
    message = error_line(invoke("--out", str(out), "--vary", "departments.billing.agents=10",
                                *QUICK))
    assert "does not exist" in message and str(out) in message


@pytest.mark.parametrize(
    ("vary", "words"),
    [
        ("departments.billing.agents=16:8", "--vary departments.billing.agents: '16:8': empty"),
        ("departments.billing.agents", "--vary departments.billing.agents: expected PATH=SPEC"),
        ("call_types.support.misroute.billing=0:0.4", "a float grid needs start:stop:count"),
        ("departments.billing.agents=8:16:0", "positive integer"),
    ],
)
def test_cli_bad_vary(tmp_path, vary, words):
    message = error_line(invoke("--out", str(tmp_path / "r.parquet"), "--vary", vary, *QUICK))
    assert words in message
    assert list(tmp_path.iterdir()) == []


def test_cli_nothing_to_sweep(tmp_path):
    assert "nothing to sweep" in error_line(invoke("--out", str(tmp_path / "r.parquet"), *QUICK))


def test_cli_unknown_department(tmp_path):
    message = error_line(invoke("--out", str(tmp_path / "r.parquet"), "--vary",
                                "departments.sales.agents=1,2", *QUICK))
    assert message.endswith("--vary departments.sales.agents: no department named 'sales'")
    assert list(tmp_path.iterdir()) == []


def test_cli_unknown_executor(tmp_path):
    message = error_line(invoke("--out", str(tmp_path / "r.parquet"), "--vary",
                                "departments.billing.agents=10", "--executor", "threads", *QUICK))
    assert "--executor" in message and "threads" in message


def test_cli_grid_file(tmp_path):
    (tmp_path / "sweep.yaml").write_text(
        "vary:\n"
        "  departments.billing.agents: 10,12\n"
        "  call_types.support.misroute.billing: [0.1, 0.3]\n"
        "policies: [cold, warm]\n"
        "reps: 3\n"
        "seed: 5\n", encoding="utf-8")
    out = tmp_path / "grid.parquet"
    result = invoke("--out", str(out), "--grid", str(tmp_path / "sweep.yaml"), "--workers", "1",
                    "--set", "horizon.duration=2h")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"wrote {out} (24 rows: 4 points x 2 policies x 3 replications) and "
        f"{tmp_path / 'grid.summary.parquet'}")
    expected = sweep(BASE, small_grid(), execution=SERIAL, **SMALL)
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected)
    assert (tmp_path / "grid.summary.parquet").exists()

    # Options beat the file; --vary adds an axis to the file's grid.
    out2 = tmp_path / "more.parquet"
    result = invoke("--out", str(out2), "--grid", str(tmp_path / "sweep.yaml"), "--reps", "1",
                    "--policies", "warm", "--vary", "transfer.warm.max_hold=60,120",
                    "--workers", "1", "--set", "horizon.duration=1h")
    assert result.exit_code == 0, result.output
    assert "(8 rows: 8 points x 1 policies x 1 replications)" in result.stdout
    rows = pd.read_parquet(out2)
    assert list(rows.columns[:5]) == ["point", *PATHS, "transfer.warm.max_hold", "policy"]
    assert set(rows["policy"]) == {"warm"} and set(rows["seed"]) == {5}


def test_cli_grid_file_axis_given_twice(tmp_path):
    (tmp_path / "sweep.yaml").write_text("vary: {departments.billing.agents: 10,12}\n")
    message = error_line(invoke("--out", str(tmp_path / "r.parquet"), "--grid",
                                str(tmp_path / "sweep.yaml"), "--vary",
                                "departments.billing.agents=14", *QUICK))
    assert message == "--vary departments.billing.agents: given twice"


def test_cli_bad_grid_file(tmp_path):
    path = tmp_path / "sweep.yaml"
    path.write_text("vary: {departments.billing.agents: 10,12}\nrepetitions: 3\n")
    message = error_line(invoke("--out", str(tmp_path / "r.parquet"), "--grid", str(path),
                                *QUICK))
    assert message.startswith(f"{path}: repetitions: unknown key")


def test_cli_grid_file_zero_reps(tmp_path):
    path = tmp_path / "sweep.yaml"
    path.write_text("vary: {departments.billing.agents: 10,12}\nreps: 0\n")
    message = error_line(invoke("--out", str(tmp_path / "r.parquet"), "--grid", str(path),
                                "--workers", "1", "--set", "horizon.duration=1h"))
    assert message == f"{path}: reps: must be an integer >= 1"
    assert list(tmp_path.iterdir()) == [path]


def test_cli_removes_the_parts_once_the_results_are_written(tmp_path):
    """Issue 18 item 17: a finished sweep leaves its results, not hundreds of part files."""
    out = tmp_path / "r.parquet"
    args = ["--out", str(out), "--vary", "departments.billing.agents=10,12", *QUICK]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.parquet", "r.summary.parquet"]
    assert len(pd.read_parquet(out)) == 8
    again = invoke(*args)  # nothing left to protect: the same command runs again
    assert again.exit_code == 0, again.output


def test_cli_second_run_needs_resume(tmp_path):
    out = tmp_path / "r.parquet"
    args = ["--out", str(out), "--vary", "departments.billing.agents=10,12", "--keep-parts",
            *QUICK]
    assert invoke(*args).exit_code == 0
    message = error_line(invoke(*args))
    assert message.startswith(f"{out}.parts: ") and "--resume" in message
    result = invoke(*args, "--resume")
    assert result.exit_code == 0, result.output
    assert "(8 rows: 2 points x 2 policies x 2 replications)" in result.stdout
    message = error_line(invoke(*args[:-1], "horizon.duration=2h", "--resume"))
    assert "differs in overrides" in message


# --- no workers, and a folder left without rows --------------------------------------------------

def test_unreachable_scheduler_is_one_line_and_writes_nothing(tmp_path):
    # Nothing listens on port 1: Dask gives up after the connect timeout (2 s here, 10 s unset).
    import dask

    out = tmp_path / "r.parquet"
    with dask.config.set({"callsim.connect-timeout": "2s"}):
        result = runner.invoke(app, ["sweep", str(REFERENCE),
                                     "--vary", "departments.billing.agents=8,9", "--reps", "1",
                                     "--scheduler", "tcp://127.0.0.1:1", "--out", str(out)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("--scheduler tcp://127.0.0.1:1: cannot connect")
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_parts_folder_without_rows_does_not_block_a_new_sweep(tmp_path):
    # A sweep stopped before its first task ended leaves only a manifest: nothing to protect,
    # so a new sweep (even a different one, without --resume) starts over there.
    out = tmp_path / "r.parquet"
    parts = tmp_path / "r.parquet.parts"
    parts.mkdir()
    (parts / "manifest.json").write_text('{"seed": 999}', encoding="utf-8")
    rows = sweep(BASE, small_grid(), execution=SERIAL, out=out, **SMALL)
    assert len(rows) == len(small_grid().points()) * 2 * SMALL["reps"]
    assert '"seed": 5' in (parts / "manifest.json").read_text(encoding="utf-8")
