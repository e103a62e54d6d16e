"""Fault injection for sweeps (issue 11): every fault ends resumable or in a clear error.

Each test damages a small durable sweep the way a disk, an editor, a second user or the kernel
would (a truncated part, a corrupt or deleted manifest, a missing part, an edited data file, a
folder turned read-only, a killed worker, a second sweep on the same output) and then checks
that resuming gives the table of an uninterrupted run, row for row, with no row lost or
duplicated, or that the sweep refuses with a one-line error before writing anything.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pandas as pd
import pytest
import yaml
from filelock import FileLock

from callsim.experiments import execution
from callsim.experiments.execution import Execution
from callsim.experiments.grid import Grid
from callsim.experiments.store import LOCK, MANIFEST, PartStore, StoreBusy, StoreError
from callsim.experiments.sweep_points import WorkerDied
from callsim.experiments.sweeps import SweepWarning, summary_path, sweep
from callsim.scenario.loading import load_scenario
from tests.shared import REFERENCE

#: Replications in this process (the numbers are the same on any executor).
SERIAL = Execution(workers=1)
#: The reference scenario, validated once (every sweep point is its document with overrides).
BASE = load_scenario(REFERENCE)

# 3 points x 2 policies x 2 replications on a 1 h horizon: about a second in all.
SPECS = ["departments.billing.agents=10:12"]
SMALL = {"reps": 2, "seed": 7, "overrides": ["horizon.duration=1h"], "task_reps": 1}
KEYS = ["point", "policy", "replication"]


def grid() -> Grid:
    return Grid.from_specs(SPECS)


@pytest.fixture(scope="module")
def expected() -> pd.DataFrame:
    return sweep(BASE, grid(), execution=SERIAL, **SMALL)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    out = tmp_path / "results.parquet"
    sweep(BASE, grid(), execution=SERIAL, out=out, **SMALL)
    return out


def parts(out: Path) -> list[Path]:
    return PartStore(out).parts()


def resume(out: Path, scenario: Path = REFERENCE, **extra: object) -> pd.DataFrame:
    options = {**SMALL, **extra}
    return sweep(load_scenario(scenario), grid(), execution=SERIAL, out=out, resume=True, **options)  # type: ignore[arg-type]


def assert_complete(rows: pd.DataFrame, out: Path, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(rows, expected)
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected)
    assert not rows.duplicated(KEYS).any()
    stored = PartStore(out).read()
    assert len(stored) == len(expected) and not stored.duplicated(KEYS).any()


def test_a_truncated_part_is_reported_set_aside_and_recomputed(out, expected) -> None:
    victim = parts(out)[1]
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])  # a full disk cut the write short
    with pytest.warns(SweepWarning, match=f"{victim.name}: a damaged part"):
        rows = resume(out)
    assert_complete(rows, out, expected)
    assert (victim.parent / f"damaged-{victim.name}").exists()


def test_an_empty_part_is_damaged_too(out, expected) -> None:
    parts(out)[0].write_bytes(b"")
    with pytest.warns(SweepWarning):
        assert_complete(resume(out), out, expected)


def test_a_missing_part_is_recomputed(out, expected) -> None:
    parts(out)[2].unlink()
    assert_complete(resume(out), out, expected)


@pytest.mark.parametrize("content", ["{not json", "", "[1, 2]", "\x00\x01"])
def test_a_corrupt_manifest_is_a_clear_error(out, expected, content: str) -> None:
    folder = parts(out)[0].parent
    (folder / MANIFEST).write_text(content)
    before = sorted(p.name for p in folder.iterdir())
    for again in (True, False):
        with pytest.raises(StoreError, match="no valid manifest.json"):
            sweep(BASE, grid(), execution=SERIAL, out=out, resume=again, **SMALL)
    assert sorted(p.name for p in folder.iterdir()) == before  # nothing written or removed


def test_parts_without_a_manifest_are_never_resumed(out) -> None:
    (parts(out)[0].parent / MANIFEST).unlink()
    other = Grid.from_specs(["departments.billing.agents=20:22"])
    with pytest.raises(StoreError, match="no valid manifest.json"):
        sweep(BASE, other, execution=SERIAL, out=out, resume=True, **SMALL)


def test_an_edited_referenced_file_is_another_sweep(tmp_path: Path) -> None:
    (tmp_path / "handle.csv").write_text("value\n200\n300\n400\n")
    raw = yaml.safe_load(REFERENCE.read_text())
    raw["call_types"]["billing"]["handle_time"] = {"dist": "empirical", "file": "handle.csv"}
    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump(raw))
    out = tmp_path / "results.parquet"
    sweep(load_scenario(scenario), grid(), execution=SERIAL, out=out, **SMALL)
    (tmp_path / "handle.csv").write_text("value\n20\n30\n40\n")
    with pytest.raises(StoreError, match="differs in files_sha256"):
        resume(out, scenario)


def test_a_folder_made_read_only_mid_sweep(tmp_path, expected, monkeypatch) -> None:
    """The third part cannot be written (EACCES, as after chmod or a remount read-only)."""
    out = tmp_path / "results.parquet"
    real_write = PartStore.write
    written: list[Path] = []

    def write(self: PartStore, frame: pd.DataFrame) -> Path:
        if len(written) == 2:
            raise PermissionError(13, "Permission denied")
        written.append(real_write(self, frame))
        return written[-1]

    monkeypatch.setattr(PartStore, "write", write)
    with pytest.raises(StoreError, match="cannot save finished rows .Permission denied.; 4 "
                                         "finished rows are safe"):
        sweep(BASE, grid(), execution=SERIAL, out=out, **SMALL)
    assert not out.exists()
    monkeypatch.undo()
    assert_complete(resume(out), out, expected)


def test_results_unwritable_at_the_end_keep_every_part(tmp_path, expected, monkeypatch) -> None:
    out = tmp_path / "results.parquet"

    def refuse(frame: pd.DataFrame, path: Path) -> None:
        raise PermissionError(13, "Permission denied")

    from callsim.experiments import sweeps

    monkeypatch.setattr(sweeps, "write_parquet", refuse)
    with pytest.raises(StoreError, match="every row is saved"):
        sweep(BASE, grid(), execution=SERIAL, out=out, **SMALL)
    monkeypatch.undo()
    assert_complete(resume(out), out, expected)


def test_a_second_sweep_on_the_same_output_is_refused(out) -> None:
    folder = parts(out)[0].parent
    before = sorted(p.name for p in folder.iterdir())
    with FileLock(folder / LOCK), pytest.raises(StoreBusy, match="another sweep is writing"):
        sweep(BASE, grid(), execution=SERIAL, out=out, resume=True, reps=3, seed=7,
              overrides=["horizon.duration=1h"])
    assert sorted(p.name for p in folder.iterdir()) == before


def test_the_lock_is_released_after_a_sweep(out) -> None:
    lock = FileLock(parts(out)[0].parent / LOCK)
    lock.acquire(timeout=0)
    lock.release()


# --- a worker killed mid-task -------------------------------------------------------------------


REAL_RUN_TASK = execution.run_task


def kill_once(task: execution.Task) -> tuple[int, list]:
    """Run the task, unless the marker is there: then take it and die like an OOM-killed worker."""
    marker = Path(os.environ["CALLSIM_TEST_KILL_MARKER"])
    try:
        marker.rename(marker.with_suffix(".taken"))
    except FileNotFoundError:
        return REAL_RUN_TASK(task)
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


@pytest.fixture
def killer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    marker = tmp_path / "kill.marker"
    marker.write_text("")
    monkeypatch.setenv("CALLSIM_TEST_KILL_MARKER", str(marker))
    return marker


def test_a_killed_process_worker_leaves_a_resumable_state(
    tmp_path, expected, killer, monkeypatch
) -> None:
    out = tmp_path / "results.parquet"
    monkeypatch.setattr(execution, "run_task", kill_once)
    with pytest.raises(WorkerDied) as info:
        sweep(BASE, grid(), execution=Execution(workers=2), out=out, **SMALL)
    assert info.value.saved == len(PartStore(out).read())
    assert killer.with_suffix(".taken").exists()
    assert_complete(resume(out), out, expected)


def test_a_killed_dask_worker_is_replaced(tmp_path, expected, killer, monkeypatch) -> None:
    """Dask reschedules the task of a dead worker: the sweep ends complete, or resumable."""
    out = tmp_path / "results.parquet"
    monkeypatch.setattr(execution, "run_task", kill_once)
    try:
        rows = sweep(BASE, grid(), execution=Execution(workers=2, executor="dask"), out=out,
                     **SMALL)
    except WorkerDied:
        rows = resume(out)
    assert killer.with_suffix(".taken").exists()
    assert_complete(rows, out, expected)
    assert summary_path(out).exists()
