"""callsim: warm vs cold transfers of misrouted calls, simulated.

The public API, for notebooks and scripts:

>>> from callsim import load_scenario, simulate, compute_metrics
>>> scenario = load_scenario("scenarios/billing_support.yaml")
>>> result = simulate(scenario, policy="cold", seed=1)
>>> metrics = compute_metrics(result, scenario)
>>> 0 <= metrics["overall.abandon_rate"] <= 1
True
"""

from callsim.analytic import QueueFigures, agents_for_service_level, erlang_a, erlang_c
from callsim.comparison import Comparison, compare
from callsim.errors import ScenarioError
from callsim.grid import Grid
from callsim.metrics import compute_metrics, interval_metrics
from callsim.model import simulate
from callsim.records import Outcome, SimulationResult, Stage, TransferKind, write_records
from callsim.replications import replicate
from callsim.scenario import Scenario, apply_overrides, build_scenario, load_scenario
from callsim.statistics import paired_differences, summarize, t_interval
from callsim.sweeps import sweep

__all__ = [
    "Comparison",
    "Grid",
    "Outcome",
    "QueueFigures",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "Stage",
    "TransferKind",
    "agents_for_service_level",
    "apply_overrides",
    "build_scenario",
    "compare",
    "compute_metrics",
    "erlang_a",
    "erlang_c",
    "interval_metrics",
    "load_scenario",
    "paired_differences",
    "replicate",
    "simulate",
    "summarize",
    "sweep",
    "t_interval",
    "write_records",
]
