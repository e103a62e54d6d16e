"""Make the example call records of this folder from a scenario with known parameters.

    .venv/bin/python scenarios/records/generate.py

Simulates ``truth.yaml`` (cold transfers) for Monday 2 to Friday 6 March 2026, and for a quieter
weekend (arrivals x 0.4, staffing x 0.5), one replication per day, seed 2026. The calls are
written as an ACD export: other column names, day-first clock timestamps, ``HH:MM:SS``
durations in whole seconds, codes for outcomes, queues and transfer kinds, agent logins, and an
extra ``CallID`` column that callsim ignores. ``acd_map.yaml`` maps it back.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from callsim import load_scenario, simulate
from callsim.calibration.simulated import simulated_records

HERE = Path(__file__).resolve().parent
SEED = 2026
FIRST_DAY = pd.Timestamp("2026-03-02")  # a Monday
QUEUES = {"billing": "BILLING_EN", "support": "TECHSUPP_EN"}
WRAP_CODES = {"billing": "BIL", "support": "TEC"}
KINDS = {"cold": "BLIND", "warm": "CONSULT"}


def clock(seconds: pd.Series) -> pd.Series:
    """Whole seconds as ``HH:MM:SS`` (blank when unknown)."""
    whole = seconds.round()
    text = pd.to_timedelta(whole.fillna(0), unit="s").astype(str).str[-8:]
    return text.where(seconds.notna(), "")


def weekend(path: Path) -> list[str]:
    """``--set`` overrides for a quieter weekend day."""
    scenario = load_scenario(path)
    sets = []
    for name in scenario.call_types:
        rates = [round(0.4 * r, 1) for r in scenario.arrival_rates(name)]
        sets.append(f"call_types.{name}.arrivals_per_hour={rates}")
    for name in scenario.departments:
        agents = [max(1, math.ceil(0.5 * a)) for a in scenario.staffing(name)]
        sets.append(f"departments.{name}.agents={agents}")
    return sets


def export(records: pd.DataFrame) -> pd.DataFrame:
    """Call records in the ACD's layout."""
    arrived = records["arrived"].dt.floor("s")
    agents = records["agent"].str.replace("billing-", "B1", regex=False).str.replace(
        "support-", "S2", regex=False)
    return pd.DataFrame({
        "CallID": np.arange(len(records)) + 700001,
        "CallStartTime": arrived.dt.strftime("%d/%m/%Y %H:%M:%S"),
        "Skill": records["queue"].map(QUEUES),
        "Disposition": records["outcome"].map({"answered": "ANS", "abandoned": "ABN"}),
        "QueueTime": clock(records["waited"]),
        "TalkTime": clock(records["handled"]),
        "XferSkill": records["transferred_to"].map(QUEUES).fillna(""),
        "XferType": records["transfer_kind"].map(KINDS).fillna(""),
        "WrapCode": records["call_type"].map(WRAP_CODES),
        "AgentLogin": agents.fillna(""),
    })


def main() -> None:
    truth = HERE / "truth.yaml"
    frames = []
    for d in range(7):
        day = FIRST_DAY + pd.Timedelta(days=d)
        scenario = load_scenario(truth, weekend(truth) if day.dayofweek >= 5 else [])
        result = simulate(scenario, policy=scenario.transfer.policy, seed=SEED, replication=d)
        frames.append(simulated_records(result, scenario, day))
    records = pd.concat(frames, ignore_index=True)
    export(records).to_csv(HERE / "acd_week.csv", index=False)
    print(f"{len(records):,} calls -> {HERE / 'acd_week.csv'}")


if __name__ == "__main__":
    main()
