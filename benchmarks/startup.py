"""Start-up time of the command line: ``callsim --help`` and ``callsim validate``.

Each command runs 5 times as a fresh process (the installed ``callsim`` script next to this
Python); the median wall time is printed with the target (<= 0.3 s each), and the median CPU
time of the process (user + system), which a busy machine inflates less than wall time.

Before timing, each command runs once untimed with ``PYTHONDONTWRITEBYTECODE`` unset, so that
callsim's modules have their bytecode cache (``__pycache__``) as in any installed copy after its
first run. Without it (an environment that sets ``PYTHONDONTWRITEBYTECODE`` on a fresh clone)
every run compiles callsim's modules from source: about 0.05 s more for ``validate``.

Usage: ``python benchmarks/startup.py [--runs N]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("callsim")
COMMANDS = {
    "callsim --help": ["--help"],
    "callsim validate scenarios/billing_support.yaml": [
        "validate", str(ROOT / "scenarios" / "billing_support.yaml")],
}
TARGET = 0.3  # s


def timed(args: list[str]) -> tuple[float, float]:
    """Wall and CPU time (s) of one run of ``callsim ARGS``."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run([str(SCRIPT), *args], check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system)
    return wall, cpu


def warm_bytecode_cache(args: list[str]) -> None:
    """Run ``callsim ARGS`` once, writing the bytecode cache of the modules it imports."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([str(SCRIPT), *args], check=True, stdout=subprocess.DEVNULL, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (noisy if high)")
    for name, argv in COMMANDS.items():
        warm_bytecode_cache(argv)
        runs = [timed(argv) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        verdict = "ok" if wall <= TARGET else "over target"
        print(f"{name}: median of {args.runs}: {wall:.3f} s wall, {cpu:.3f} s CPU "
              f"(target <= {TARGET} s: {verdict})")


if __name__ == "__main__":
    main()
