"""callsim: warm vs cold transfers of misrouted calls, simulated.

The public API, for notebooks and scripts:

>>> from callsim import load_scenario, simulate, compute_metrics
>>> scenario = load_scenario("scenarios/billing_support.yaml")
>>> result = simulate(scenario, policy="cold", seed=1)
>>> metrics = compute_metrics(result, scenario)
>>> 0 <= metrics["overall.abandon_rate"] <= 1
True
"""

from callsim.analysis.erlang import QueueFigures, agents_for_service_level, erlang_a, erlang_c
from callsim.analysis.metrics import compute_metrics, interval_metrics
from callsim.analysis.statistics import paired_differences, summarize, t_interval
from callsim.engine.call_center import simulate
from callsim.engine.records import Outcome, SimulationResult, Stage, TransferKind
from callsim.experiments.comparison import Comparison, compare
from callsim.experiments.grid import Grid
from callsim.experiments.replications import replicate
from callsim.experiments.sweeps import sweep
from callsim.report.writers import write_records
from callsim.scenario.errors import ScenarioError
from callsim.scenario.schema import Scenario, apply_overrides, build_scenario, load_scenario

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
