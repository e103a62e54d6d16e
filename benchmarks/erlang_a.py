"""Speed and memory of the engine on the Erlang-A model, against a plain idiomatic SimPy model.

Model: 1 call/s, exponential service with mean 50 s, 55 agents, exponential patience with mean
120 s, 200,000 calls. The plain model is the textbook SimPy shape: one process per call, a
``Resource`` request raced against a patience timeout. Prints calls per second for each, their
ratio, bytes of records per call and peak traced memory per call.

The last two lines run the reference scenario (``scenarios/billing_support.yaml``) as it is
(warm) and with section 4's options switched on (conditional warm when support's queue holds at
most 2 callers, warm holds capped at 2 minutes ending in a callback, billing resolving 30% of the
misrouted support calls, lost callers redialling) and print their calls per second.

Every time is the best of ``--repeat`` runs (default 3), for callsim and plain SimPy alike: on
a shared machine single runs vary by tens of percent.

Usage: ``python benchmarks/erlang_a.py [--calls N] [--repeat N]``
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

import numpy as np
import simpy

from callsim import build_scenario, erlang_a, load_scenario, simulate

#: The reference scenario with section 4's options.
OPTIONS = [
    "call_types.support.redial={probability: 0.7, delay: {dist: exponential, mean: 5min}}",
    "call_types.billing.redial={probability: 0.5, delay: 2min}",
    "transfer.conditional.warm_when=queue_at_most",
    "transfer.conditional.max_queue=2",
    "transfer.warm.max_hold=2min",
    "transfer.warm.on_max_hold=callback",
    "transfer.callback.reach_probability=0.85",
    "transfer.callback.attempts=3",
    "transfer.callback.retry_delay=10min",
    "departments.billing.resolves={support: {share: 0.3, handle_factor: 1.5}}",
]


def reference_run(options: list[str], policy: str, repeat: int,
                  replications: int = 20) -> tuple[int, float]:
    """Calls and best seconds of ``replications`` runs of the reference scenario."""
    scenario = load_scenario(Path(__file__).parents[1] / "scenarios" / "billing_support.yaml",
                             options)
    seconds, calls = timed(lambda: sum(
        len(simulate(scenario, policy, seed=1, replication=r).calls)
        for r in range(replications)), repeat)
    return calls, seconds


def erlang_a_scenario(calls: int, rate: float, service: float, agents: int, patience: float):
    """The benchmark model as a callsim scenario (one department, one call type)."""
    duration = calls / rate
    raw = {
        "name": "Erlang A benchmark",
        "horizon": {"duration": duration, "interval": duration},
        "departments": {"desk": {"agents": agents, "wage_per_hour": 30.0}},
        "call_types": {
            "call": {
                "arrivals_per_hour": rate * 3600.0,
                "resolved_by": "desk",
                "handle_time": {"dist": "exponential", "mean": service},
                "patience": {"dist": "exponential", "mean": patience},
            }
        },
        "transfer": {"policy": "cold"},
    }
    return build_scenario(raw, source="<benchmark>", base_dir=Path("."))


def plain_simpy(calls: int, rate: float, service: float, agents: int, patience: float, seed: int):
    """The idiomatic SimPy model; returns (calls simulated, abandoned).

    Like callsim it keeps one record per call (arrival, wait, answered), from which its
    statistics would be computed. Its random draws are made up front in numpy (cheaper than
    drawing inside each process), so the comparison does not flatter callsim.
    """
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1.0 / rate, calls).tolist()
    services = rng.exponential(service, calls).tolist()
    patiences = rng.exponential(patience, calls).tolist()
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=agents)
    records: list[tuple[float, float, bool]] = []

    def caller(i: int):
        arrival = env.now
        with desk.request() as request:
            result = yield request | env.timeout(patiences[i])
            answered = request in result
            records.append((arrival, env.now - arrival, answered))
            if answered:
                yield env.timeout(services[i])

    def source():
        for i in range(calls):
            yield env.timeout(gaps[i])
            env.process(caller(i))

    env.process(source())
    env.run()
    return len(records), sum(1 for r in records if not r[2])


def timed(run, repeat: int):
    """Best wall time (s) of ``repeat`` calls of ``run`` and its last result (as timeit does:
    the least disturbed run is the best estimate of the code's own cost)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each model; the best time of each counts (default 3)")
    args = parser.parse_args()
    model = dict(rate=1.0, service=50.0, agents=55, patience=120.0)
    scenario = erlang_a_scenario(args.calls, **model)

    t_callsim, result = timed(lambda: simulate(scenario, seed=args.seed), args.repeat)
    n = len(result.calls)
    t_plain, (n_plain, abandoned_plain) = timed(
        lambda: plain_simpy(args.calls, seed=args.seed, **model), args.repeat)

    record_bytes = result.calls.memory_usage(deep=True).sum() + result.shifts.memory_usage(
        deep=True
    ).sum()
    tracemalloc.start()
    simulate(scenario, seed=args.seed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    abandon = float((result.calls["outcome"] == 1).mean())
    print(f"model: 1 call/s, service 50 s, 55 agents, patience 120 s, {args.calls:,} calls; "
          f"best of {args.repeat} runs each")
    print(f"callsim     {n / t_callsim:>10,.0f} calls/s  ({n:,} calls in {t_callsim:.2f} s, "
          f"abandon {abandon:.4f})")
    print(f"plain SimPy {n_plain / t_plain:>10,.0f} calls/s  ({n_plain:,} calls in "
          f"{t_plain:.2f} s, abandon {abandoned_plain / n_plain:.4f})")
    theory = erlang_a(model["rate"], model["service"], model["patience"], model["agents"])
    print(f"Erlang A    P(abandon) {theory.p_abandon:.4f} (one long run each above)")
    print(f"speed-up    {(n / t_callsim) / (n_plain / t_plain):>10.1f} x   (target >= 4.5)")
    print(f"records     {record_bytes / n:>10.1f} bytes/call (target <= 200)")
    print(f"peak memory {peak / n:>10.1f} bytes/call (traced, whole replication)")
    for label, options, policy in (("reference, warm, no options", [], "warm"),
                                   ("reference + redials, conditional, callbacks, "
                                    "cross-trained", OPTIONS, "conditional")):
        calls, seconds = reference_run(options, policy, args.repeat)
        print(f"{label}: {calls / seconds:,.0f} calls/s ({calls:,} calls in {seconds:.2f} s)")


if __name__ == "__main__":
    main()
