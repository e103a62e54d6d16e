"""Hostile ``callsim sweep`` command lines (issue 11): one line, exit 2, before any work.

Grid files that are not text or have wrong types, grids too large to build (counted first),
fields that are not sweep fields, empty policy lists, output paths that cannot be written
(checked before the sweep runs, not after), a damaged manifest, and too many workers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from callsim.cli.app import app
from callsim.experiments import execution, sweeps
from tests.shared import REFERENCE as REFERENCE_PATH
from tests.shared import assert_one_line_error, finishes_within

runner = CliRunner()
REFERENCE = str(REFERENCE_PATH)
QUICK = ["--set", "horizon.duration=1h", "--reps", "1"]


def invoke(*args: str):
    return runner.invoke(app, ["sweep", REFERENCE, *args], env={"COLUMNS": "200"})


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (bytes(range(256)) * 4, ["not a UTF-8 text file"]),
        (b"vary: {departments.billing.agents: 10:12}\npolicies: 5\n", ["policies: must be a list"]),
        (b"vary: {departments.billing.agents: 10:12}\npolicies: [cold, null]\n",
         ["policies: must be a list"]),
        (b"vary: {departments.billing.agents: 10:12}\npolicies: []\n", ["policies: must not be"]),
        (b"vary: {departments.billing.agents: 10:12}\nreps: 2\nreps: 3\n",
         ["key 'reps' given twice (lines 2 and 3)"]),
        (b"vary: {departments.billing.agents: 10:12}\nseed: 18446744073709551616\n",
         ["seed: must be <="]),
        (b"vary: {transfer.policy: [cold, warm]}\n", ["transfer.policy", "--policies"]),
    ],
)
def test_bad_grid_files(tmp_path: Path, content: bytes, words: list[str]) -> None:
    grid = tmp_path / "grid.yaml"
    grid.write_bytes(content)
    result = invoke("--grid", str(grid), "--out", str(tmp_path / "r.parquet"), *QUICK)
    assert_one_line_error(result, *words)
    assert list(tmp_path.iterdir()) == [grid]


def test_the_policy_is_not_a_sweep_field(tmp_path: Path) -> None:
    result = invoke("--vary", "transfer.policy=cold,warm", "--out", str(tmp_path / "r.parquet"))
    assert_one_line_error(result, "--vary transfer.policy", "--policies")


@pytest.mark.parametrize("policies", ["", ",", " , "])
def test_an_empty_policy_list_is_refused(tmp_path: Path, policies: str) -> None:
    result = invoke("--vary", "departments.billing.agents=10,12", "--policies", policies,
                    "--out", str(tmp_path / "r.parquet"))
    assert_one_line_error(result, "--policies")


@pytest.mark.parametrize(
    ("vary", "words"),
    [
        (["departments.billing.agents=1:2500", "departments.support.agents=1:1000"],
         ["the grid has 2500000 points (2500 x 1000)", "--max-points"]),
        (["departments.billing.agents=0:1000000000"], ["1000000001 values"]),
        (["call_types.support.misroute.billing=0:0.4:100000000"], ["100000000 values"]),
    ],
)
def test_oversized_grids_are_counted_before_they_are_built(
    tmp_path: Path, vary: list[str], words: list[str]
) -> None:
    args = [a for v in vary for a in ("--vary", v)]
    with finishes_within(120):  # building 10^9 values would never end
        result = invoke(*args, "--out", str(tmp_path / "r.parquet"))
    assert_one_line_error(result, *words)


def test_max_points_raises_the_grid_limit(tmp_path: Path) -> None:
    args = ["--vary", "departments.billing.agents=10:12", "--out", str(tmp_path / "r.parquet")]
    assert_one_line_error(invoke(*args, "--max-points", "2"), "3 points")
    assert invoke(*args, *QUICK, "--max-points", "3", "--workers", "1").exit_code == 0


def test_work_is_estimated_before_a_sweep(tmp_path: Path) -> None:
    result = invoke("--vary", "departments.billing.agents=10:12", "--set",
                    "call_types.billing.arrivals_per_hour=1e8",
                    "--out", str(tmp_path / "r.parquet"))
    assert_one_line_error(result, "calls (", "--max-calls")
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def never_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any point is validated or run: paths must be checked first."""

    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("work started before the output paths were checked")

    monkeypatch.setattr(sweeps, "prepare_points", boom)


@pytest.mark.parametrize("which", ["out", "summary"])
def test_output_folders_in_the_way_are_found_before_any_work(
    tmp_path: Path, never_runs: None, which: str
) -> None:
    out = tmp_path / "r.parquet"
    (out if which == "out" else tmp_path / "r.summary.parquet").mkdir()
    result = invoke("--vary", "departments.billing.agents=10,12", "--out", str(out))
    assert_one_line_error(result, "is a folder")


def test_a_file_named_like_the_parts_folder(tmp_path: Path, never_runs: None) -> None:
    (tmp_path / "r.parquet.parts").write_text("not a folder")
    result = invoke("--vary", "departments.billing.agents=10,12", "--out",
                    str(tmp_path / "r.parquet"))
    assert_one_line_error(result, "r.parquet.parts: is a file")


def test_a_read_only_output_folder(never_runs: None) -> None:
    result = invoke("--vary", "departments.billing.agents=10,12", "--out", "/sys/r.parquet")
    assert_one_line_error(result, "not writable")


def test_a_corrupt_manifest_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "r.parquet"
    args = ["--vary", "departments.billing.agents=10,12", "--out", str(out), "--keep-parts",
            *QUICK]
    assert invoke(*args, "--workers", "1").exit_code == 0
    (tmp_path / "r.parquet.parts" / "manifest.json").write_text("{truncated")
    assert_one_line_error(invoke(*args, "--resume"), "no valid manifest.json")


def test_workers_are_capped_at_the_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[int] = []
    real = execution.make_executor

    def record(kind: str, workers: int, scheduler: str | None = None):  # type: ignore[no-untyped-def]
        asked.append(workers)
        return real(kind, 1, scheduler)

    monkeypatch.setattr(execution, "make_executor", record)
    result = invoke("--vary", "departments.billing.agents=10,12", "--workers", "1000",
                    "--out", str(tmp_path / "r.parquet"), *QUICK)
    assert result.exit_code == 0, result.output
    assert asked == [2]  # 2 points x 1 replication
    assert "warning: --workers 1000 is more than the" in result.output
