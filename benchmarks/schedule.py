"""Benchmark: two-step rosters of the reference day under both policies (issue 20).

Reference scenario read as 08:00-20:00 (24 half-hour intervals, 2 departments), a full-time
8 h shift type per department (starts every 30 min from 08:00 to 12:00, a 15 min break, a
30 min unpaid lunch and another 15 min break, each placed at a 15 min step) and a 4 h
part-time shift type shared by both departments (starts every 30 min from 08:00 to 16:00, one
15 min break, at most 10). The requirement is the Erlang A staffing (``--requirements
erlang``, no simulation) or ``staff``'s simulated one (``--staff``). Prints the programme's
size, the solver's time, the cost and the proven gap per policy. The simulation-based roster
(issue 20 items 3-5, target: 120 s on 2 cores) is not built yet.

    .venv/bin/python benchmarks/schedule.py [--staff] [--workers 2]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from callsim import build_scenario, schedule
from callsim.planning.covering import programme
from callsim.scenario.loading import read_scenario_file

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


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--staff", action="store_true", help="requirement from staff()")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    raw = read_scenario_file(REFERENCE)
    raw["horizon"] = {**raw["horizon"], "start": "08:00"}
    raw["shifts"] = {"billing_full": {"departments": "billing", **FULL},
                     "support_full": {"departments": "support", **FULL}, "part_time": PART}
    scenario = build_scenario(raw, "benchmark", REFERENCE.parent)
    prog = programme(scenario)
    size = sum(1 + sum(len(b) for b in c.breaks) for c in prog.columns)
    print(f"programme: {len(prog.columns)} shift starts, {size} start and break variables, "
          f"{prog.n_slots} slots of {prog.slot / 60:g} min")
    start = time.perf_counter()
    result = schedule(scenario, "staff" if args.staff else "erlang", targets=TARGETS,
                      workers=args.workers, seed=1)
    elapsed = time.perf_counter() - start
    print(f"requirement {result.requirements}: {elapsed:.1f} s in all")
    for name, roster in result.rosters.items():
        print(f"  {name}: cost {roster.cost:,.1f}, {roster.paid_hours:g} paid hours, "
              f"{int(roster.solution.counts.sum())} shifts, proven gap {roster.gap:.2%}, "
              f"solver {roster.solution.seconds:.2f} s ({roster.solution.status})")


if __name__ == "__main__":
    main()
