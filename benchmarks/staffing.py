"""Benchmark: re-staff the reference scenario under both policies (issue 9's speed target).

Reference scenario (24 half-hour intervals, 2 departments), interval targets
``service_level>=0.8`` and ``abandon_rate<=0.05``, 2 workers. Target: at most 30 s and fewer
than 1,000 simulated days per policy. Prints the time, the simulated days and the iterations.

    .venv/bin/python benchmarks/staffing.py [--reps 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from callsim import Execution, load_scenario, staff

REFERENCE = Path(__file__).resolve().parents[1] / "scenarios" / "billing_support.yaml"
TARGETS = ["service_level>=0.8", "abandon_rate<=0.05"]


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=20)
    parser.add_argument("--verify-reps", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    scenario = load_scenario(REFERENCE)
    start, cpu = time.perf_counter(), _cpu()
    result = staff(scenario, TARGETS, policies=["cold", "warm"], reps=args.reps,
                   verify_reps=args.verify_reps, seed=args.seed,
                   execution=Execution(workers=args.workers))
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    print(f"staff, reference scenario, {args.workers} workers, search reps {args.reps}, "
          f"verification reps {args.verify_reps}: {elapsed:.1f} s wall, {cpu:.1f} s CPU "
          "(this process and its workers; target: at most 30 s on 2 workers)")
    for policy, found in result.policies.items():
        print(f"  {policy}: {found.runs} simulated days (target < 1,000), "
              f"{found.iterations} iterations, "
              f"agent-hours {found.agent_hours.round(1).tolist()}, "
              f"staff cost {found.staff_cost:,.0f}, total cost {found.total_cost[0]:,.0f}, "
              f"targets met: {found.meets_targets}")
    diff = result.differences()
    print(f"  warm - cold total cost: {diff['total_cost']['mean']:+,.0f} "
          f"{diff['total_cost']['ci95']}")


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the worker processes)."""
    own, children = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                     resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
