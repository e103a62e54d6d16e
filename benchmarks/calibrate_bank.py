"""Seconds of ``calibrate --fit`` on the bank's two weeks (target <= 60 s on 2 cores).

The Anonymous Bank's export (``../shared/data/anonymous_bank_1999-02-01_to_14.tsv``, read
with ``scenarios/records/anonymous_bank.map.yaml``), its ten Sunday-Thursday days (1-4, 7,
8-11 and 14 February 1999, 14,965 calls): every estimate, then the joint fit by simulation
(shares of agents available per 2 h block, after-call work scale). Each measurement runs in a
fresh process and prints wall time and CPU time (the process and its worker processes). On a
shared machine the wall time depends on the load; the CPU time over the workers is what an
idle machine would take.

With ``--old PATH`` (a checkout of older code, e.g. ``git worktree add --detach /tmp/old
main``) the older code is measured in the same run, taking turns with this one, so both see
the same load. Older code that has no ``execution`` argument runs as it always did.

Usage: ``python benchmarks/calibrate_bank.py [--workers 1 2] [--old PATH] [--rounds 1]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXPORT = "anonymous_bank_1999-02-01_to_14.tsv"
DAYS = "sun-thu"

#: Run in a fresh process with the code under test first on the path.
CHILD = """
import inspect, json, resource, sys, time
from callsim import calibrate
from callsim.experiments.execution import Execution
export, mapping, days, workers = sys.argv[1:5]
options = {}
if "execution" in inspect.signature(calibrate).parameters:
    options["execution"] = Execution(workers=int(workers))
t0 = time.perf_counter()
result = calibrate(export, days=days, mapping=mapping, fit=True, **options)
wall = time.perf_counter() - t0
cpu = sum(getattr(resource.getrusage(who), f) for who in
          (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime"))
fit = result.availability
import callsim
print(json.dumps({"wall": wall, "cpu": cpu, "calls": len(result.records),
                  "code": callsim.__file__,
                  "days": len(result.records.days), "scale": fit.scale,
                  "shares": [b.share for b in fit.blocks],
                  "parallel": "execution" in options}))
"""


def export_path() -> Path:
    """The export beside this checkout, or beside the main checkout of a git worktree."""
    roots = [ROOT]
    git = ROOT / ".git"
    if git.is_file():  # a worktree: "gitdir: MAIN/.git/worktrees/NAME"
        roots.append(Path(git.read_text().split(":", 1)[1].strip()).parents[2])
    for root in roots:
        path = root.parent / "shared" / "data" / EXPORT
        if path.is_file():
            return path
    sys.exit(f"../shared/data/{EXPORT} not found beside {ROOT}")


def measure(code: Path, workers: int) -> dict[str, Any]:
    """One calibration with the fit, by the code at ``code``, in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    mapping = ROOT / "scenarios" / "records" / "anonymous_bank.map.yaml"
    done = subprocess.run([sys.executable, "-c", CHILD, str(export_path()), str(mapping), DAYS,
                           str(workers)], env=env, cwd=code, capture_output=True, text=True,
                          check=True)
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--old", type=Path, help="checkout of older code to measure too")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    codes = [("new", ROOT)] + ([("old", args.old.resolve())] if args.old else [])
    print(f"calibrate --fit on {EXPORT}, days {DAYS!r}; load {os.getloadavg()[0]:.1f}")
    for _ in range(args.rounds):
        for label, code in codes:
            for workers in args.workers if label == "new" else [1]:
                m = measure(code, workers)
                used = workers if m["parallel"] else 1
                how = f"{workers} worker(s)" if m["parallel"] else "serial (no execution)"
                print(f"{label:>3} {how:<22} {m['calls']:,} calls on {m['days']} days: "
                      f"{m['wall']:.1f} s wall, {m['cpu']:.1f} s CPU (idle estimate: CPU / "
                      f"{used} = {float(m['cpu']) / used:.1f} s; target <= 60 s); after-call "
                      f"work x{m['scale']:g}; load {os.getloadavg()[0]:.1f}; {m['code']}")


if __name__ == "__main__":
    main()
