"""Benchmark: simulation-based rosters of the reference day under both policies (issue 20).

Reference scenario read as 08:00-20:00 (24 half-hour intervals, 2 departments), a full-time
8 h shift type per department (starts every 30 min from 08:00 to 12:00, a 15 min break, a
30 min unpaid lunch and another 15 min break, each placed at a 15 min step) and a 4 h
part-time shift type shared by both departments (starts every 30 min from 08:00 to 16:00, one
15 min break, at most 10). Interval targets ``service_level>=0.8`` and
``abandon_rate<=0.05``. The two-step roster covers the Erlang A requirement (``erlang``, or
``staff``'s simulated one with ``--staff``); then each roster is improved by simulation
(``schedule(simulate=True)``; ``--two-step`` skips it). Target: at most 120 s on 2 cores.
Prints the programme's size, and per policy the simulated days, the programmes re-solved, the
solver's time, the proven gap, the costs and the wall time.

    .venv/bin/python benchmarks/schedule.py [--staff] [--two-step] [--workers 2] [--reps 10]
        [--gap 0.001]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from callsim import Execution, build_scenario, schedule
from callsim.planning.covering import programme
from callsim.scenario.loading import read_scenario_file
from callsim.scenario.schema import Scenario

REFERENCE = Path(__file__).resolve().parents[1] / "scenarios" / "billing_support.yaml"
TARGETS = ["service_level>=0.8", "abandon_rate<=0.05"]
BREAKS = [{"length": "15min", "earliest": "1h", "latest": "2.5h", "step": "15min"},
          {"length": "30min", "earliest": "3h", "latest": "4.5h", "step": "15min",
           "paid": False},
          {"length": "15min", "earliest": "5.5h", "latest": "7h", "step": "15min"}]
FULL = {"length": "8h", "earliest": "08:00", "latest": "12:00", "step": "30min",
        "breaks": BREAKS}
PART = {"departments": ["billing", "support"], "length": "4h", "earliest": "08:00",
        "latest": "16:00", "step": "30min", "wage_per_hour": 24, "max_count": 10,
        "breaks": [{"length": "15min", "earliest": "1.5h", "latest": "2.5h", "step": "15min"}]}


def reference_with_shifts() -> Scenario:
    """The reference day from 08:00 with the full-time and part-time shift types above."""
    raw = read_scenario_file(REFERENCE)
    raw["horizon"] = {**raw["horizon"], "start": "08:00"}
    raw["shifts"] = {"billing_full": {"departments": "billing", **FULL},
                     "support_full": {"departments": "support", **FULL}, "part_time": PART}
    return build_scenario(raw, "benchmark", REFERENCE.parent)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", action="store_true", help="requirement from staff()")
    parser.add_argument("--two-step", action="store_true", help="no simulation-based search")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--verify-reps", type=int, default=10)
    parser.add_argument("--gap", type=float, default=1e-3, help="solver's relative gap")
    args = parser.parse_args()
    scenario = reference_with_shifts()
    prog = programme(scenario)
    size = sum(1 + sum(len(b) for b in c.breaks) for c in prog.columns)
    print(f"programme: {len(prog.columns)} shift starts, {size} start and break variables, "
          f"{prog.n_slots} slots of {prog.slot / 60:g} min")
    start, cpu = time.perf_counter(), _cpu()
    result = schedule(scenario, "staff" if args.staff else "erlang", targets=TARGETS,
                      reps=args.reps, verify_reps=args.verify_reps, seed=1, mip_gap=args.gap,
                      execution=Execution(workers=args.workers), simulate=not args.two_step)
    elapsed, cpu = time.perf_counter() - start, _cpu() - cpu
    print(f"requirement {result.requirements}, {args.workers} workers, search reps {args.reps}, "
          f"verification reps {args.verify_reps}, gap {args.gap:g}: {elapsed:.1f} s wall, "
          f"{cpu:.1f} s CPU "
          "(this process and its workers; target: at most 120 s wall on 2 cores)")
    for name, roster in result.rosters.items():
        print(f"  {name}: cost {roster.cost:,.1f}, {roster.paid_hours:g} paid hours, "
              f"{int(roster.solution.counts.sum())} shifts, proven gap {roster.gap:.2%} "
              f"(last programme, {roster.solution.status})")
        story = roster.simulation
        if story is None:
            continue
        print(f"    two-step cost {story.two_step_cost:,.1f}, missed "
              f"{len(story.two_step_misses[['department', 'start']].drop_duplicates())} "
              "department-intervals; "
              f"{story.simulated_days} simulated days, {story.iterations} programmes re-solved "
              f"({story.solver_seconds:.1f} s of solver), {story.removed} shifts removed, "
              f"targets met in verification: {story.met}")


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the worker processes)."""
    own, children = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                     resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
