"""Wall time of ``callsim report`` on the reference scenario with 100 replications.

Runs the command as a user would (a new process, every core), and splits the time into the
comparison itself and the rest (startup, rendering the HTML and its SVG figures), measured
in-process. Prints the times and the size of the file.

Usage: ``python benchmarks/report.py [--reps N]``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from callsim import load_scenario
from callsim.experiments.comparison import compare
from callsim.report.html import report_html

REFERENCE = Path(__file__).resolve().parents[1] / "scenarios" / "billing_support.yaml"
CALLSIM = Path(sys.executable).with_name("callsim")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.html"
        t0 = time.perf_counter()
        subprocess.run([str(CALLSIM), "report", str(REFERENCE), "--reps", str(args.reps),
                        "--seed", "1", "--out", str(out)], check=True, capture_output=True)
        total = time.perf_counter() - t0
        size = out.stat().st_size
    scenario = load_scenario(REFERENCE)
    t0 = time.perf_counter()
    comparison = compare(scenario, reps=args.reps, seed=1)
    simulated = time.perf_counter() - t0
    t0 = time.perf_counter()
    report_html(scenario, comparison, command="callsim report")
    rendered = time.perf_counter() - t0
    print(f"callsim report, {args.reps} replications x 2 policies: {total:6.2f} s wall "
          f"({size / 1024:.0f} KiB of HTML)")
    print(f"  of which compare(): {simulated:6.2f} s, rendering the HTML and figures: "
          f"{rendered:6.2f} s")


if __name__ == "__main__":
    main()
