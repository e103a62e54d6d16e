"""Sweep throughput and overhead on the reference scenario.

20 points (billing agents 8..17 x support->billing misroute 0.1, 0.3) x 2 policies x 25
replications = 1,000 runs. Prints the wall time with 1 and 2 workers (target speed-up >= 1.8x)
and the overhead of the sweep machinery (validation, tasks, durable part files, final tables)
over calling the engine directly for the same runs (target <= 10%).

Usage: ``python benchmarks/sweep.py [--reps N]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from callsim import Execution, compute_metrics, load_scenario, simulate
from callsim.experiments.grid import Grid, point_overrides
from callsim.experiments.sweeps import sweep

REFERENCE = Path(__file__).resolve().parents[1] / "scenarios" / "billing_support.yaml"
GRID = ["departments.billing.agents=8:17", "call_types.support.misroute.billing=0.1,0.3"]


def direct(grid: Grid, reps: int, seed: int) -> float:
    """Seconds to run every (point, replication, policy) by calling the engine directly."""
    scenarios = [load_scenario(REFERENCE, point_overrides(p)) for p in grid.points()]
    t0 = time.perf_counter()
    for scenario in scenarios:
        for r in range(reps):
            for policy in ("cold", "warm"):
                compute_metrics(simulate(scenario, policy, seed, r), scenario)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=25)
    args = parser.parse_args()
    grid = Grid.from_specs(GRID)
    n_runs = len(grid.points()) * args.reps * 2
    print(f"{len(grid.points())} points x 2 policies x {args.reps} replications = {n_runs} runs")
    engine = direct(grid, args.reps, seed=1)
    print(f"engine called directly: {engine:6.2f} s")
    tables, times = {}, {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            tables[workers] = sweep(load_scenario(REFERENCE), grid, reps=args.reps, seed=1,
                                    execution=Execution(workers=workers),
                                    out=Path(tmp) / "results.parquet")
            times[workers] = time.perf_counter() - t0
        print(f"sweep, {workers} worker(s):  {times[workers]:6.2f} s  "
              f"({n_runs / times[workers]:.0f} runs/s)")
    pd.testing.assert_frame_equal(tables[1], tables[2])
    print(f"speed-up with 2 workers: {times[1] / times[2]:.2f}x (target >= 1.8); tables identical")
    print(f"sweep overhead per replication over the engine: {100 * (times[1] / engine - 1):.1f}% "
          "(target <= 10%)")


if __name__ == "__main__":
    main()
