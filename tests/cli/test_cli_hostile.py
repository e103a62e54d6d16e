"""Hostile command lines (issue 11): a one-line error and exit 2 before any work, no traceback.

Covers the classes of fault of ``run`` and ``compare``: work too large to finish (estimated
before running), seeds outside the documented range, output paths that cannot be written
(a folder, a read-only or missing folder), and too many workers.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.shared import REFERENCE as REFERENCE_PATH
from tests.shared import assert_one_line_error, invoke_cli

REFERENCE = str(REFERENCE_PATH)


def invoke(*args: str):
    return invoke_cli(*args)


@pytest.fixture
def readonly_folder(tmp_path: Path):
    """A folder no file can be created in (root ignores permissions: use /sys then)."""
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    try:
        fd = os.open("/sys/.callsim-probe", os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    except OSError:
        yield Path("/sys")
        return
    os.close(fd)
    os.unlink("/sys/.callsim-probe")
    pytest.skip("no read-only folder available to root here")


@pytest.mark.parametrize("command", ["run", "compare"])
def test_work_is_estimated_and_refused_before_running(command: str) -> None:
    result = invoke(command, REFERENCE, "--set", "call_types.billing.arrivals_per_hour=1e9")
    assert_one_line_error(result, "calls (1.2e+10 per replication", "--max-calls")


def test_max_calls_raises_the_limit() -> None:
    refused = invoke("run", REFERENCE, "--max-calls", "100")
    assert_one_line_error(refused, "about 2.88e+03 calls (2.88e+03 per replication x 1 run")
    assert invoke("run", REFERENCE, "--max-calls", "3000").exit_code == 0


def test_compare_with_precision_counts_the_replication_cap() -> None:
    result = invoke("compare", REFERENCE, "--precision", "0.05", "--max-reps", "1000",
                    "--max-calls", "1e6")
    assert_one_line_error(result, "x 2000 runs")


@pytest.mark.parametrize("seed", [str(2**63), str(2**64)])
def test_seeds_outside_the_documented_range_are_refused(seed: str, tmp_path: Path) -> None:
    result = invoke("run", REFERENCE, "--seed", seed, "--calls-out", str(tmp_path / "c.csv"))
    assert result.exit_code == 2
    assert "--seed" in result.output
    assert not (tmp_path / "c.csv").exists()


def test_an_output_path_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "calls.csv").mkdir()
    result = invoke("run", REFERENCE, "--calls-out", str(tmp_path / "calls.csv"))
    assert_one_line_error(result, "--calls-out", "is a folder")
    (tmp_path / "plot.png").mkdir()
    result = invoke("compare", REFERENCE, "--reps", "2", "--plot", str(tmp_path / "plot.png"))
    assert_one_line_error(result, "--plot", "is a folder")


@pytest.mark.parametrize(
    ("command", "option", "name"),
    [("run", "--calls-out", "calls.csv"), ("compare", "--plot", "plot.png")],
)
def test_a_read_only_folder_is_refused_before_any_work(
    command: str, option: str, name: str, readonly_folder: Path
) -> None:
    result = invoke(command, REFERENCE, option, str(readonly_folder / name))
    assert_one_line_error(result, option, "not writable")


def test_more_workers_than_cores_is_a_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    result = invoke("run", REFERENCE, "--set", "horizon.duration=1h", "--reps", "2",
                    "--workers", "1000", "--json")
    assert result.exit_code == 0, result.output
    assert "warning: --workers 1000 is more than the 2 cores" in result.output


@pytest.mark.parametrize("policies", ["", ",", " "])
def test_an_empty_policy_list_is_refused(policies: str) -> None:
    assert_one_line_error(invoke("compare", REFERENCE, "--policies", policies), "--policies")
