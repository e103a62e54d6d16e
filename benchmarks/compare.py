"""The analysis path of ``compare`` on the reference day, this code against an older one.

Four figures, each measured on ``scenarios/billing_support.yaml`` (one 12-hour day), for this
checkout and, with ``--old PATH``, for another checkout of callsim (e.g. the code before the
speed-up: ``git worktree add /tmp/old ca37351``), in child processes taking turns (old, new,
old, new, ...) so that both see the same machine load:

1. ``metrics``: CPU ms per day of ``compute_metrics`` plus ``interval_metrics`` on a
   freshly simulated day (what ``compare`` computes per run; target <= 2 ms);
   ``instructions`` counts the same work in instructions with valgrind's callgrind (the
   difference between simulating N days with and without their metrics, divided by N): the
   one figure here that the machine's load cannot move;
2. ``compare``: CPU ms per simulated day of ``compare(..., workers=1)`` all included
   (simulation, metrics, summaries; target <= 20 ms);
3. ``workers``: wall time of ``compare`` with 1 and 2 worker processes and the speed-up
   (target >= 1.8x on an idle machine), with the CPU time of each run and ``idle_bound``, the
   speed-up 2 idle cores would give with these CPU times (the workers' time halves, the
   parent's does not);
4. ``cli``: wall time of ``callsim compare --reps 500 --workers 2 --json`` (1,000 days, start-up
   and output included; target <= 8 s on 2 idle cores), with its CPU time (all processes).

CPU time (``time.process_time``) is used where it can be: wall time on a shared machine moves
with the other processes' load. The load average is printed with every figure: the ``workers``
and ``cli`` figures only mean something on an idle machine.

Usage: ``python benchmarks/compare.py [--old PATH] [--rounds N] [--skip cli,workers]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "scenarios" / "billing_support.yaml"
TARGETS = {"metrics": "<= 2 ms CPU per day", "instructions": "the metrics figure, counted",
           "compare": "<= 20 ms CPU per day", "workers": ">= 1.8x (idle machine)",
           "cli": "<= 8 s wall (2 idle cores)"}


def measure_metrics(days: int) -> dict[str, float]:
    """CPU ms per day: simulation, ``compute_metrics`` and ``interval_metrics`` of fresh days."""
    from callsim import load_scenario, simulate
    from callsim.analysis.metrics import compute_metrics, interval_metrics

    scenario = load_scenario(REFERENCE)
    warm = simulate(scenario, policy="warm", seed=99)
    compute_metrics(warm, scenario), interval_metrics(warm, scenario)  # imports, caches
    t0 = time.process_time()
    results = [simulate(scenario, policy=("cold", "warm")[i % 2], seed=1, replication=i // 2)
               for i in range(days)]
    t1 = time.process_time()
    for result in results:
        compute_metrics(result, scenario)
    t2 = time.process_time()
    for result in results:
        interval_metrics(result, scenario)
    t3 = time.process_time()
    ms = 1e3 / days
    return {"simulate": (t1 - t0) * ms, "compute_metrics": (t2 - t1) * ms,
            "interval_metrics": (t3 - t2) * ms, "metrics": (t3 - t1) * ms}


def run_compare(scenario: Any, reps: int, seed: int, workers: int) -> Any:
    """``compare`` on ``workers`` processes, with the API of this code or of an older checkout."""
    import inspect

    from callsim.experiments.comparison import compare

    if "execution" in inspect.signature(compare).parameters:
        from callsim import Execution

        return compare(scenario, reps=reps, seed=seed, execution=Execution(workers=workers))
    return compare(scenario, reps=reps, seed=seed, workers=workers)


def run_days(days: int, analyse: int, path: Path) -> None:
    """Step of the instruction count: ``analyse`` 2 simulates ``days`` fresh days into the
    pickle ``path``; 0 loads them; 1 loads them and computes all their metrics."""
    import pickle

    from callsim import load_scenario, simulate
    from callsim.analysis.metrics import compute_metrics, interval_metrics

    scenario = load_scenario(REFERENCE)
    if analyse == 2:
        path.write_bytes(pickle.dumps([
            simulate(scenario, policy=("cold", "warm")[i % 2], seed=1, replication=i // 2)
            for i in range(days + 1)]))
        return
    results = pickle.loads(path.read_bytes())
    compute_metrics(results[0], scenario), interval_metrics(results[0], scenario)  # imports
    for result in results[1:] if analyse else ():
        compute_metrics(result, scenario), interval_metrics(result, scenario)


def measure_instructions(days: int, code: Path) -> dict[str, float]:
    """Instructions (callgrind) per day of ``compute_metrics`` plus ``interval_metrics``."""
    counts = {}
    with tempfile.TemporaryDirectory() as tmp:
        days_file = str(Path(tmp) / "days.pickle")
        step = [sys.executable, __file__, "--child", "days", "--size", str(days), "--path",
                days_file, "--analyse"]
        subprocess.run([*step, "2"], check=True, env=_env(code))
        for analyse in (0, 1):
            done = subprocess.run(
                ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                 *step, str(analyse)], capture_output=True, text=True, check=True,
                env=_env(code))
            found = re.search(r"Collected : (\d+)", done.stderr)
            assert found, done.stderr[-2000:]
            counts[analyse] = int(found.group(1))
    return {"instructions": (counts[1] - counts[0]) / days}


def measure_compare(reps: int) -> dict[str, float]:
    """CPU ms per simulated day of ``compare`` in this process (2 policies x ``reps``)."""
    from callsim import load_scenario

    scenario = load_scenario(REFERENCE)
    run_compare(scenario, reps=2, seed=7, workers=1)  # imports, caches
    t0 = time.process_time()
    run_compare(scenario, reps=reps, seed=1, workers=1)
    return {"compare": (time.process_time() - t0) * 1e3 / (2 * reps)}


def measure_workers(reps: int) -> dict[str, float]:
    """Wall s of ``compare`` with 1 and 2 workers, and the speed-up (same numbers checked)."""
    import pandas as pd

    from callsim import load_scenario

    scenario = load_scenario(REFERENCE)
    run_compare(scenario, reps=2, seed=7, workers=1)
    out, summaries = {}, {}
    for workers in (1, 2):
        cpu, children, t0 = time.process_time(), _children_cpu(), time.perf_counter()
        summaries[workers] = run_compare(scenario, reps=reps, seed=1, workers=workers).summary
        out[f"wall_{workers}"] = time.perf_counter() - t0
        out[f"cpu_{workers}"] = time.process_time() - cpu + _children_cpu() - children
        if workers == 2:
            out["parent_cpu_2"] = time.process_time() - cpu
    pd.testing.assert_frame_equal(summaries[1], summaries[2])
    # On 2 idle cores the workers' CPU time halves and the parent's does not: a bound on the
    # speed-up that the load of other processes cannot move.
    parallel = out["cpu_2"] - out["parent_cpu_2"]
    out["idle_bound"] = out["cpu_1"] / (out["parent_cpu_2"] + parallel / 2)
    out["workers"] = out["wall_1"] / out["wall_2"]
    return out


def _children_cpu() -> float:
    """CPU seconds of the finished child processes (worker pools) of this process."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_cli(reps: int, code: Path) -> dict[str, float]:
    """Wall s of ``callsim compare --reps N --workers 2 --json`` in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        children, t0 = _children_cpu(), time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "callsim", "compare", str(REFERENCE), "--reps", str(reps),
             "--workers", "2", "--seed", "1", "--json"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(code),
            cwd=tmp,
        )
        wall = time.perf_counter() - t0
        return {"cli": wall, "cpu": _children_cpu() - children,
                "cpu_ms_per_day": (_children_cpu() - children) * 1e3 / (2 * reps)}


def _env(code: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(code)}


def _child(kind: str, size: int, code: Path) -> dict[str, float]:
    """Run one measurement in a fresh process importing callsim from ``code``."""
    if kind == "cli":
        figures = measure_cli(size, code)
    elif kind == "instructions":
        figures = measure_instructions(size, code)
    else:
        out = subprocess.run([sys.executable, __file__, "--child", kind, "--size", str(size)],
                             check=True, capture_output=True, text=True, env=_env(code))
        figures = json.loads(out.stdout.splitlines()[-1])
    figures["load"] = os.getloadavg()[0]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", type=Path, help="another callsim checkout to measure too")
    parser.add_argument("--rounds", type=int, default=3, help="turns per code (median shown)")
    parser.add_argument("--days", type=int, default=40, help="days for the metrics figure")
    parser.add_argument("--reps", type=int, default=20, help="reps for the compare figure")
    parser.add_argument("--worker-reps", type=int, default=200, help="reps for the workers figure")
    parser.add_argument("--cli-reps", type=int, default=500, help="reps for the cli figure")
    parser.add_argument("--skip", default="", help="comma-separated figures to skip")
    parser.add_argument("--instruction-days", type=int, default=20,
                        help="days for the instructions figure (needs valgrind)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--analyse", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "days":
        run_days(args.size, args.analyse, args.path)
        return
    if args.child:
        measure = {"metrics": measure_metrics, "compare": measure_compare,
                   "workers": measure_workers}[args.child]
        print(json.dumps(measure(args.size)))
        return
    codes = {"new": ROOT} | ({"old": args.old.resolve()} if args.old else {})
    sizes = {"metrics": args.days, "instructions": args.instruction_days, "compare": args.reps,
             "workers": args.worker_reps, "cli": args.cli_reps}
    skip = set(filter(None, args.skip.split(",")))
    print(f"{os.cpu_count()} cores; load average at start {os.getloadavg()}")
    for kind, size in sizes.items():
        if kind not in skip:
            report(kind, size, codes, args.rounds)


def report(kind: str, size: int, codes: dict[str, Path], rounds: int) -> None:
    """Measure ``kind`` for every code, taking turns, and print the medians."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in codes}
    for _ in range(rounds):
        for name, code in codes.items():
            runs[name].append(_child(kind, size, code))
    print(f"\n{kind} (size {size}, target {TARGETS[kind]}), median of {rounds}:")
    for name, figures in runs.items():
        print(f"  {name}: " + "  ".join(
            f"{key} {_median(figures, key):.3f}" for key in figures[0]))
    if len(codes) == 2:
        print(f"  new/old: {_median(runs['new'], kind) / _median(runs['old'], kind):.2f}")


def _median(figures: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(f[key] for f in figures))


if __name__ == "__main__":
    main()
