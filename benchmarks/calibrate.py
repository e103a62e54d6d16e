"""Wall time of ``calibrate`` on one million call records (target <= 30 s).

Simulates ``scenarios/records/truth.yaml`` with 20 times the arrivals and agents (about
49,000 calls a day) for as many days as it takes to pass a million calls (21), writes the calls
as call records (CSV with ISO timestamps, and Parquet), then times ``calibrate()`` from each
file: reading, checking, every estimate and the commented scenario. Prints wall time and the
process's CPU time (on a shared machine the wall time depends on the load).

Usage: ``python benchmarks/calibrate.py [--calls N]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from callsim import calibrate, load_scenario, simulate
from callsim.calibration.simulated import simulated_records

SCALE = 20
TRUTH = Path(__file__).resolve().parents[1] / "scenarios" / "records" / "truth.yaml"


def records(calls: int) -> pd.DataFrame:
    """At least ``calls`` simulated calls as call records, one replication per day."""
    base = load_scenario(TRUTH)
    sets = [f"call_types.{k}.arrivals_per_hour={[SCALE * r for r in base.arrival_rates(k)]}"
            for k in base.call_types]
    sets += [f"departments.{d}.agents={[SCALE * a for a in base.staffing(d)]}"
             for d in base.departments]
    scenario = load_scenario(TRUTH, sets)
    frames, total, day = [], 0, 0
    while total < calls:
        result = simulate(scenario, policy="cold", seed=1, replication=day)
        frames.append(simulated_records(result, scenario,
                                        pd.Timestamp("2026-01-05") + pd.Timedelta(days=day)))
        total += len(frames[-1])
        day += 1
    return pd.concat(frames, ignore_index=True).iloc[:calls]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    frame = records(args.calls)
    print(f"simulated {len(frame):,} calls on {frame['arrived'].dt.normalize().nunique()} days "
          f"in {time.perf_counter() - t0:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        paths = {"CSV": Path(folder) / "calls.csv", "Parquet": Path(folder) / "calls.parquet"}
        frame.to_csv(paths["CSV"], index=False)
        frame.to_parquet(paths["Parquet"], index=False)
        for kind, path in paths.items():
            t0, c0 = time.perf_counter(), time.process_time()
            result = calibrate(path)
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            print(f"calibrate {len(result.records):,} records from {kind} "
                  f"({path.stat().st_size / 1e6:.0f} MB): {seconds:.1f} s wall, {cpu:.1f} s CPU "
                  "(target <= 30 s)")


if __name__ == "__main__":
    main()
