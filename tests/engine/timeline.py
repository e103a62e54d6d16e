"""Helpers for exact-timeline tests: a two-department scenario replaying a call log."""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pandas as pd

from callsim import build_scenario, simulate

DET = "deterministic"


def det(value: float) -> dict:
    """A deterministic distribution (s)."""
    return {"dist": DET, "value": value}


BASE = {
    "name": "timeline",
    "horizon": {"duration": 1000, "interval": 1000},
    "departments": {
        "billing": {"agents": 1, "wage_per_hour": 30.0},
        "support": {"agents": 1, "wage_per_hour": 30.0},
    },
    "call_types": {
        # 'billing' callers reach billing; 'misrouted' support callers always land in billing;
        # 'support' callers reach support directly.
        "billing": {"arrivals_per_hour": 0, "resolved_by": "billing",
                    "handle_time": det(50), "patience": det(1000)},
        "misrouted": {"arrivals_per_hour": 0, "resolved_by": "support",
                      "handle_time": det(100), "patience": det(1000),
                      "misroute": {"billing": 1.0}},
        "support": {"arrivals_per_hour": 0, "resolved_by": "support",
                    "handle_time": det(100), "patience": det(1000)},
    },
    "transfer": {
        "policy": "cold",
        "identify_time": det(10),
        "cold": {"reexplain_time": det(5), "drop_probability": 0.0},
        "warm": {"handoff_time": det(20)},
    },
}


def run_log(tmp_path: Path, calls: list[tuple], changes: dict | None = None, policy=None):
    """Replay ``calls`` (rows of ``(time, call_type[, handle_time[, patience]])``).

    ``changes`` maps dotted paths to values applied to :data:`BASE`. Returns the result.
    """
    raw = copy.deepcopy(BASE)
    for path, value in (changes or {}).items():
        node = raw
        *parents, leaf = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    rows = []
    for row in calls:
        time, call_type, handle, patience = (*row, None, None)[:4]
        rows.append({"time": time, "call_type": call_type,
                     "handle_time": "" if handle is None else handle,
                     "patience": "" if patience is None else patience})
    pd.DataFrame(rows).to_csv(tmp_path / "log.csv", index=False)
    raw["arrivals_file"] = "log.csv"
    scenario = build_scenario(raw, source=str(tmp_path / "t.yaml"), base_dir=tmp_path)
    return simulate(scenario, policy=policy, seed=1)


def row(result, call_id: int) -> dict:
    """One call's record as a dict, NaN timestamps as None."""
    record = result.calls.iloc[call_id].to_dict()
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in record.items()}
