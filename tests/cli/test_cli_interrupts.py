"""Ctrl-C at random moments of commands that fan out work (issue 19 item 4).

The process pool and a local Dask cluster (``compare on dask``) both.

Each run is the ``callsim`` program in its own process group with ``--workers 2``; SIGINT goes
to the whole group, as a terminal sends it. Every time: exit code 130 (or 0 when the command
had finished), the one line ``interrupted`` and no traceback (neither from the parent nor from a
worker), no output file of the set unless the whole set is there and complete, no temporary
file, and no process of the group left once the parent has exited.

The moment is drawn after Python's own start-up (the parent has used 0.1 s of CPU, so the
interpreter is running callsim's code), uniform over :data:`SPAN` s (1.5 s unless listed),
about a small run: start-up, the fan-out, the pool's shutdown and the writing are all hit.
``make test`` interrupts :data:`RUNS` runs (one of each command); ``make fuzz``
(``CALLSIM_FUZZ_EXAMPLES``) many more.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.shared import REFERENCE, ROOT, SCENARIOS

SMALL = ROOT / "tests" / "planning" / "staffing_small.yaml"
KNOWN = ROOT / "tests" / "planning" / "breakeven_known.yaml"
RECORDS = SCENARIOS / "records" / "acd_week.csv"
MAPPING = SCENARIOS / "records" / "acd_map.yaml"
#: Interrupted runs in ``make test`` (each about 1 s of CPU); the long mode runs more.
RUNS = int(os.environ.get("CALLSIM_INTERRUPT_RUNS", "0")) or (
    8 if "CALLSIM_FUZZ_EXAMPLES" not in os.environ
    else max(10, int(os.environ["CALLSIM_FUZZ_EXAMPLES"]) // 20))
#: No interrupted command may take longer than this to end (a hang or deadlock otherwise).
BOUND = 30.0
TICKS = os.sysconf("SC_CLK_TCK")


def callsim() -> list[str]:
    script = Path(sys.executable).parent / "callsim"
    assert script.exists(), script
    return [str(script)]


#: command -> (arguments, files of its output set, relative to the run's folder); a name's first
#: word is the ``callsim`` command.
COMMANDS: dict[str, tuple[list[str], list[str]]] = {
    "staff": ([str(SMALL), "--target", "asa<=30s", "--reps", "2", "--verify-reps", "2",
               "--out", "out.csv", "--write-scenario", "scenarios"],
              ["out.csv", "out.summary.csv", "out.checks.csv", "scenarios/staffing_small.cold.yaml",
               "scenarios/staffing_small.warm.yaml"]),
    "compare": ([str(SMALL), "--reps", "4", "--out", "out.csv"],
                ["out.csv", "out.differences.csv", "out.intervals.csv",
                 "out.replications.csv", "out.scenario_inputs.csv"]),
    "breakeven": ([str(KNOWN), "--vary", "departments.billing.agents=30:34", "--reps", "2",
                   "--grid", "3", "--steps", "1", "--plot", "out.svg"], ["out.svg"]),
    "run": ([str(SMALL), "--reps", "6", "--out", "out.csv", "--calls-out", "calls.parquet"],
            ["out.csv", "out.replications.csv", "out.scenario_inputs.csv", "calls.parquet"]),
    "sweep": ([str(SMALL), "--vary", "departments.billing.agents=3:4", "--reps", "3",
               "--out", "out.csv"], ["out.csv", "out.summary.csv"]),
    "report": ([str(SMALL), "--reps", "4", "--out", "out.html"], ["out.html"]),
    "compare on dask": ([str(SMALL), "--reps", "4", "--executor", "dask", "--out", "out.csv"],
                        ["out.csv", "out.differences.csv", "out.intervals.csv",
                         "out.replications.csv", "out.scenario_inputs.csv"]),
    "backtest": ([str(REFERENCE), str(RECORDS), "--map", str(MAPPING), "--reps", "3",
                  "--out", "out.csv"], ["out.csv", "out.verdict.csv"]),
}


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return float("inf")
    return (int(fields[11]) + int(fields[12])) / TICKS


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def interrupt_once(folder: Path, command: str, delay: float) -> tuple[int, str]:
    """Start ``command`` in ``folder``, SIGINT its group ``delay`` s after start-up; its exit."""
    args, _ = COMMANDS[command]
    log = folder / "log.txt"

    def own_sigint() -> None:  # the test runner may ignore SIGINT; a terminal's child does not
        signal.signal(signal.SIGINT, signal.SIG_DFL)

    with open(log, "w") as handle:
        proc = subprocess.Popen([*callsim(), command.split()[0], *args, "--workers", "2",
                                 "--seed", "1"], cwd=folder, stdout=handle,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=own_sigint)
    try:
        while proc.poll() is None and cpu_seconds(proc.pid) < 0.1:
            time.sleep(0.005)
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
        code = proc.wait(timeout=BOUND)
        gone = time.monotonic() + 5
        while group_alive(proc.pid) and time.monotonic() < gone:
            time.sleep(0.02)
        assert not group_alive(proc.pid), "a worker outlived the interrupted command"
    finally:
        if group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return code, log.read_text()


def check_outcome(folder: Path, command: str, code: int, output: str) -> None:
    """Exit 130 with one line and nothing of the set, or 0 with all of it; never a traceback."""
    _, files = COMMANDS[command]
    assert code in (0, 130), (code, output)
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
    present = [f for f in files if (folder / f).exists()]
    leftovers = [p.name for p in folder.rglob(".*")
                 if p.is_file() and not p.parent.name.endswith(".parts")]  # a sweep's lock
    assert not leftovers, leftovers  # no temporary file of an atomic write
    if code == 130:
        last = output.splitlines()[-1]
        assert last == "interrupted" or (  # a sweep says what it saved for --resume
            command == "sweep" and re.fullmatch(r"interrupted: \d+ finished rows saved in "
                                                r"\S+; run the same command with --resume to "
                                                r"finish", last)), output
        assert output.count("interrupted") == 1, output
        assert present in ([], files), present  # the whole set, or nothing of it
    else:
        assert present == files, (present, output)
    for name in present:
        assert (folder / name).stat().st_size > 0, name


#: Moments are drawn up to this long after start-up (s): about a whole small run (a local Dask
#: cluster takes a few seconds to start, and its run is hit while its workers start, run and
#: are shut down).
SPAN = {"compare on dask": 6.0}


def test_ctrl_c_at_random_moments(tmp_path):
    """Every interrupted run ends as promised (``RUNS`` runs, commands taken in turn)."""
    rng = random.Random(19)
    names = sorted(COMMANDS)
    outcomes: dict[int, int] = {0: 0, 130: 0}
    for k in range(RUNS):
        command = names[k % len(names)]
        folder = tmp_path / f"run{k}"
        folder.mkdir()
        delay = rng.uniform(0.0, SPAN.get(command, 1.5))
        code, output = interrupt_once(folder, command, delay)
        check_outcome(folder, command, code, output)
        outcomes[code] += 1
    print(f"interrupted runs: {outcomes}")
    assert outcomes[130] >= RUNS // 2, outcomes  # the moments fall mostly while it runs
