"""Wall time of ``compare`` on the reference scenario with 1 and 2 workers.

200 replications of ``scenarios/billing_support.yaml`` under cold and warm (400 runs), run
once in-process and once on 2 worker processes. Prints wall time, replications per second and
the 2-worker speed-up (target >= 1.8x), and checks both give the same numbers.

Usage: ``python benchmarks/compare.py [--reps N]``
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from callsim import Execution, load_scenario
from callsim.experiments.comparison import compare

REFERENCE = Path(__file__).resolve().parents[1] / "scenarios" / "billing_support.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    args = parser.parse_args()
    scenario = load_scenario(REFERENCE)
    results = {}
    times = {}
    for workers in (1, 2):
        t0 = time.perf_counter()
        results[workers] = compare(scenario, reps=args.reps, seed=1,
                                   execution=Execution(workers=workers))
        times[workers] = time.perf_counter() - t0
        print(f"{workers} worker(s): {times[workers]:6.2f} s  "
              f"{args.reps / times[workers]:6.1f} replications/s (x2 policies)")
    pd.testing.assert_frame_equal(results[1].summary, results[2].summary)
    print(f"speed-up with 2 workers: {times[1] / times[2]:.2f}x (target >= 1.8); "
          "summaries identical")


if __name__ == "__main__":
    main()
