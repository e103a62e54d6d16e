"""The Erlang-A speed-up counted in instructions (valgrind callgrind), which a busy machine
cannot disturb.

``erlang_a.py`` times both models in seconds; on a shared machine the plain SimPy model alone
varies from 3.6 to 4.9 s between processes, so its speed-up moves by a whole unit from one run
to the next. Here each model runs under callgrind twice, with ``--small`` and ``--large`` calls,
and the difference of the two instruction totals divided by the difference in calls is the cost
of one call (start-up, imports and set-up cancel out). The same inputs give the same figures on
the same machine, whatever else runs.

Usage: ``python benchmarks/erlang_a_instructions.py [--small N] [--large N]`` (needs valgrind;
about three minutes).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODEL = "rate=1.0, service=50.0, agents=55, patience=120.0"
PROGRAMS = {
    "callsim": ("from erlang_a import erlang_a_scenario\nfrom callsim import simulate\n"
                f"simulate(erlang_a_scenario(CALLS, {MODEL}), seed=1)\n"),
    "plain SimPy": ("from erlang_a import plain_simpy\n"
                    f"plain_simpy(CALLS, {MODEL}, seed=1)\n"),
}


def instructions(program: str, calls: int) -> int:
    """Instructions callgrind counts for ``program`` with ``calls`` calls."""
    code = f"import sys\nsys.path.insert(0, {str(HERE)!r})\nCALLS = {calls}\n{program}"
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
         sys.executable, "-c", code], capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no total:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=5_000)
    parser.add_argument("--large", type=int, default=45_000)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    per_call = {}
    for name, program in PROGRAMS.items():
        small, large = (instructions(program, n) for n in (args.small, args.large))
        per_call[name] = (large - small) / (args.large - args.small)
        print(f"{name:<12} {per_call[name]:>10,.0f} instructions per call")
    ratio = per_call["plain SimPy"] / per_call["callsim"]
    print(f"speed-up     {ratio:>10.2f} x fewer instructions per call")


if __name__ == "__main__":
    main()
