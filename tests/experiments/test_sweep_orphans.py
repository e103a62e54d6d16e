"""Workers never outlive their sweep (issue 11): SIGKILL the parent alone, look for orphans.

The real ``callsim sweep`` runs in a subprocess with two workers (a process pool, or a local
Dask cluster). Once it has written a part, only the parent is killed with SIGKILL (not its
process group: nothing is there to tell the workers), and every process it had started must be
gone within a few seconds. The parts it left are then resumed to the complete table.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psutil
import pytest

from tests.shared import REFERENCE

ARGS = ["sweep", str(REFERENCE), "--vary", "departments.billing.agents=10:15", "--reps", "4",
        "--seed", "3", "--set", "horizon.duration=24h", "--workers", "2"]
#: Seconds the workers get to notice and exit (they poll every 0.5 s; Dask's nannies ~1 s).
GRACE = 20


def command(out: Path, *extra: str) -> list[str]:
    script = Path(sys.executable).parent / "callsim"
    return [str(script), *ARGS, "--out", str(out), *extra]


def wait_for_part(proc: subprocess.Popen[bytes], out: Path, timeout: float = 90) -> None:
    folder = out.with_name(out.name + ".parts")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the sweep ended before it could be killed"
        if list(folder.glob("part-*.arrow")):
            return
        time.sleep(0.05)
    proc.kill()
    pytest.fail("no part written in time")


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["processes", "dask"])
def test_killing_the_parent_leaves_no_orphan_workers(tmp_path: Path, executor: str) -> None:
    out = tmp_path / "results.parquet"
    with open(tmp_path / "log.txt", "w") as log:
        proc = subprocess.Popen(command(out, "--executor", executor), cwd=tmp_path,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    children: list[psutil.Process] = []
    try:
        wait_for_part(proc, out)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children, "the sweep started no worker process"
        os.kill(proc.pid, signal.SIGKILL)  # the parent alone, as the OOM killer would
        proc.wait(timeout=30)
        _, alive = psutil.wait_procs(children, timeout=GRACE)
        assert not alive, f"orphan workers still running: {[p.pid for p in alive]}"
    finally:
        proc.kill()
        for child in children:  # never leave a process behind, even when the test fails
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
    done = subprocess.run(command(out, "--resume"), cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    table = pd.read_parquet(out)
    assert len(table) == 6 * 2 * 4 and not table.duplicated(["point", "policy",
                                                             "replication"]).any()
