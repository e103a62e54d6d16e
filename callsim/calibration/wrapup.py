"""After-call work (wrap-up) from the gaps between an agent's consecutive calls.

Exports show talk time only; after a call the agent writes notes before taking the next one.
When the agent finished a call while callers of its department were waiting, an idle agent
would have answered one of them at once, so the gap until the agent's next call is time the
agent was not free: after-call work (and short unavailability the model cannot tell from it).
Those gaps, within an on-duty spell (shorter than :data:`~callsim.calibration.staffing.BREAK`),
are the sample; their fit (:func:`~callsim.calibration.fitting.fit_durations`) is the
department's ``after_call_work``. Gaps when nobody was waiting say nothing (the agent waited
for a call) and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from callsim.calibration.fitting import DurationFit, fit_durations
from callsim.calibration.records import CallRecords
from callsim.calibration.staffing import BREAK

__all__ = ["MIN_GAPS", "AfterCallWork", "estimate_after_call_work"]

#: Fewer gaps than this in a department: no estimate (the model's default, none).
MIN_GAPS = 30


@dataclass(frozen=True)
class AfterCallWork:
    """After-call work of one department.

    Attributes
    ----------
    gaps
        Gaps used (callers waiting, within a spell); ``ignored`` gaps with nobody waiting.
    fit
        The fitted distribution of those gaps (s), ``None`` with fewer than :data:`MIN_GAPS`.
    """

    gaps: int
    ignored: int
    fit: DurationFit | None


def _absolute(frame: pd.DataFrame) -> np.ndarray:
    """Seconds since the first day's midnight, so calls after midnight keep their order."""
    first = frame["day"].min()
    seconds: np.ndarray = ((frame["day"] - first).dt.total_seconds()
                           + frame["clock"]).to_numpy(dtype=float)
    return seconds


def _waiting_at(frame: pd.DataFrame, times: np.ndarray, department: str) -> np.ndarray:
    """How many callers of ``department`` were waiting at each time."""
    mine = frame[(frame["queue"].astype(str) == department).to_numpy()
                 & (frame["waited"].fillna(0) > 0).to_numpy()]
    start = np.sort(_absolute(mine)) if len(mine) else np.zeros(0)
    end = np.sort(_absolute(mine) + mine["waited"].to_numpy(dtype=float)) if len(mine) else start
    return (np.searchsorted(start, times, side="left")
            - np.searchsorted(end, times, side="right")).astype(np.int64)


def estimate_after_call_work(records: CallRecords,
                             agent_department: dict[str, str]) -> dict[str, AfterCallWork]:
    """After-call work per department from the gaps of its agents (each in its home pool)."""
    frame = records.frame
    if "agent" not in records.present or "handled" not in records.present:
        return {}
    served = frame[frame["answered"] & frame["agent"].notna() & frame["handled"].notna()]
    start = _absolute(served) + np.nan_to_num(served["waited"].to_numpy(dtype=float))
    calls = pd.DataFrame({"agent": served["agent"].astype(str).to_numpy(), "start": start,
                          "stop": start + served["handled"].to_numpy(dtype=float)})
    calls["department"] = calls["agent"].map(agent_department)
    calls = calls.dropna(subset=["department"]).sort_values(["agent", "start"])
    calls["gap"] = calls.groupby("agent")["start"].shift(-1) - calls["stop"]
    within = calls[(calls["gap"] >= 0) & (calls["gap"] <= BREAK)]
    out = {}
    for department, group in within.groupby("department"):
        waiting = _waiting_at(frame, group["stop"].to_numpy(), str(department)) > 0
        gaps = group["gap"].to_numpy()[waiting]
        fit = fit_durations(gaps) if gaps.size >= MIN_GAPS else None
        out[str(department)] = AfterCallWork(int(gaps.size), int((~waiting).sum()), fit)
    return out
