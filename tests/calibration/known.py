"""A scenario with known parameters, and its simulated calls written as call records."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from callsim import build_scenario, simulate
from callsim.calibration.simulated import simulated_records
from callsim.scenario.schema import Scenario

#: Arrivals per hour of each call type in each half hour (6 h from 09:00).
BILLING_RATES = [80, 100, 120, 120, 110, 100, 90, 100, 110, 100, 80, 60]
SUPPORT_RATES = [100, 130, 150, 150, 140, 120, 110, 130, 140, 120, 100, 80]
HANDLE = {"billing": (240.0, 180.0), "support": (360.0, 300.0)}  # lognormal mean, sd (s)
PATIENCE = {"billing": 180.0, "support": 240.0}  # exponential means (s)
MISROUTE = 0.2  # support calls the IVR sends to billing


def known_raw(**changes: Any) -> dict[str, Any]:
    """The known scenario as a raw mapping (cold transfers, 6 h from 09:00)."""
    raw: dict[str, Any] = {
        "name": "known",
        "horizon": {"duration": "6h", "interval": "30min", "start": "09:00"},
        "departments": {
            "billing": {"agents": 10, "wage_per_hour": 28.0},
            "support": {"agents": 16, "wage_per_hour": 35.0},
        },
        "call_types": {
            "billing": {
                "arrivals_per_hour": BILLING_RATES, "resolved_by": "billing",
                "handle_time": {"dist": "lognormal", "mean": 240, "sd": 180},
                "patience": {"dist": "exponential", "mean": 180},
            },
            "support": {
                "arrivals_per_hour": SUPPORT_RATES, "resolved_by": "support",
                "handle_time": {"dist": "lognormal", "mean": 360, "sd": 300},
                "patience": {"dist": "exponential", "mean": 240},
                "misroute": {"billing": MISROUTE},
            },
        },
        "transfer": {"policy": "cold", "identify_time": {"dist": "gamma", "mean": 60, "sd": 25}},
    }
    raw.update(changes)
    return raw


def known_scenario(**changes: Any) -> Scenario:
    return build_scenario(known_raw(**changes), "<known>", Path("."))


def records_of(scenario: Scenario, days: int, seed: int, first: str = "2026-03-02") -> pd.DataFrame:
    """``days`` replications of ``scenario`` as consecutive days of call records."""
    frames = []
    for d in range(days):
        result = simulate(scenario, policy=scenario.transfer.policy, seed=seed, replication=d)
        day = pd.Timestamp(first) + pd.Timedelta(days=d)
        frames.append(simulated_records(result, scenario, day))
    return pd.concat(frames, ignore_index=True)


def lognormal_params(mean: float, sd: float) -> tuple[float, float]:
    """``(mu, sigma)`` of a lognormal with this mean and sd."""
    sigma2 = math.log1p((sd / mean) ** 2)
    return math.log(mean) - sigma2 / 2, math.sqrt(sigma2)
