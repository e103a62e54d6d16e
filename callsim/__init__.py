"""callsim: warm vs cold transfers of misrouted calls, simulated.

The public API, for notebooks and scripts:

>>> from callsim import load_scenario, simulate, compute_metrics
>>> scenario = load_scenario("scenarios/billing_support.yaml")
>>> result = simulate(scenario, policy="cold", seed=1)
>>> metrics = compute_metrics(result, scenario)
>>> 0 <= metrics["overall.abandon_rate"] <= 1
True

Names are imported on first use (a module ``__getattr__``), so ``import callsim`` and the
command line start fast: pandas, SciPy and matplotlib load only when something needs them.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from callsim.scenario import option_models

if TYPE_CHECKING:
    from pydantic import BaseModel

    from callsim.analysis.erlang import QueueFigures, agents_for_service_level, erlang_a, erlang_c
    from callsim.analysis.metrics import compute_metrics, interval_metrics
    from callsim.analysis.statistics import paired_differences, summarize, t_interval
    from callsim.calibration.backtest import Backtest, backtest
    from callsim.calibration.calibrated import Calibration
    from callsim.calibration.estimate import calibrate
    from callsim.calibration.records import CallRecords, read_records
    from callsim.engine.records import Outcome, SimulationResult, Stage, TransferKind
    from callsim.experiments.comparison import Comparison, compare
    from callsim.experiments.execution import Execution
    from callsim.experiments.grid import Grid
    from callsim.experiments.replications import replicate
    from callsim.experiments.runs import RunResult, run
    from callsim.experiments.sweeps import sweep
    from callsim.planning.breakeven import BreakEven, breakeven
    from callsim.planning.roster import ScheduleError, ScheduleResult, schedule
    from callsim.planning.staffing import StaffingError, staff
    from callsim.planning.staffing_result import StaffingResult
    from callsim.policies.simulation import simulate
    from callsim.report.writers import write_records
    from callsim.scenario.errors import ScenarioError
    from callsim.scenario.loading import apply_overrides, build_scenario, load_scenario
    from callsim.scenario.schema import Scenario

#: Where each public name lives (imported on first use).
_EXPORTS: dict[str, str] = {
    "Backtest": "callsim.calibration.backtest",
    "BreakEven": "callsim.planning.breakeven",
    "Calibration": "callsim.calibration.calibrated",
    "CallRecords": "callsim.calibration.records",
    "Comparison": "callsim.experiments.comparison",
    "Execution": "callsim.experiments.execution",
    "Grid": "callsim.experiments.grid",
    "Outcome": "callsim.engine.records",
    "QueueFigures": "callsim.analysis.erlang",
    "RunResult": "callsim.experiments.runs",
    "Scenario": "callsim.scenario.schema",
    "ScenarioError": "callsim.scenario.errors",
    "ScheduleError": "callsim.planning.roster",
    "ScheduleResult": "callsim.planning.roster",
    "SimulationResult": "callsim.engine.records",
    "StaffingError": "callsim.planning.staffing",
    "StaffingResult": "callsim.planning.staffing_result",
    "Stage": "callsim.engine.records",
    "TransferKind": "callsim.engine.records",
    "agents_for_service_level": "callsim.analysis.erlang",
    "apply_overrides": "callsim.scenario.loading",
    "backtest": "callsim.calibration.backtest",
    "breakeven": "callsim.planning.breakeven",
    "build_scenario": "callsim.scenario.loading",
    "calibrate": "callsim.calibration.estimate",
    "compare": "callsim.experiments.comparison",
    "compute_metrics": "callsim.analysis.metrics",
    "erlang_a": "callsim.analysis.erlang",
    "erlang_c": "callsim.analysis.erlang",
    "interval_metrics": "callsim.analysis.metrics",
    "load_scenario": "callsim.scenario.loading",
    "paired_differences": "callsim.analysis.statistics",
    "read_records": "callsim.calibration.records",
    "replicate": "callsim.experiments.replications",
    "schedule": "callsim.planning.roster",
    "run": "callsim.experiments.runs",
    "simulate": "callsim.policies.simulation",
    "staff": "callsim.planning.staffing",
    "summarize": "callsim.analysis.statistics",
    "sweep": "callsim.experiments.sweeps",
    "t_interval": "callsim.analysis.statistics",
    "write_records": "callsim.report.writers",
}

__all__ = [
    "Backtest",
    "BreakEven",
    "Calibration",
    "CallRecords",
    "Comparison",
    "Execution",
    "Grid",
    "Outcome",
    "QueueFigures",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "ScheduleError",
    "ScheduleResult",
    "SimulationResult",
    "StaffingError",
    "StaffingResult",
    "Stage",
    "TransferKind",
    "agents_for_service_level",
    "apply_overrides",
    "backtest",
    "breakeven",
    "build_scenario",
    "calibrate",
    "compare",
    "compute_metrics",
    "erlang_a",
    "erlang_c",
    "interval_metrics",
    "load_scenario",
    "paired_differences",
    "read_records",
    "replicate",
    "schedule",
    "run",
    "simulate",
    "staff",
    "summarize",
    "sweep",
    "t_interval",
    "write_records",
]


def _policy_options() -> Mapping[str, type[BaseModel] | None]:
    """Every registered transfer policy's options model (the registry loads on first use)."""
    from callsim.policies.registry import options_models

    return options_models()


# The scenario layer validates `transfer.NAME` sections against the registered policies without
# importing the layer above it: the root, above every layer, hands it this source.
option_models.use_policy_options(_policy_options)


def __getattr__(name: str) -> Any:
    """Import a public name (or ``__version__``) on first use (PEP 562) and keep it."""
    if name == "__version__":
        from callsim._version import package_version

        globals()[name] = value = package_version()
        return value
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'callsim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
