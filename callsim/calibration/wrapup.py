"""After-call work (wrap-up) from the gaps between an agent's consecutive calls.

Exports show talk time only; after a call the agent writes notes before taking the next one.
When the caller an agent answered next was already waiting when the agent finished its
previous call, an idle agent would have answered at once, so the gap between the two calls is
time the agent was not free: after-call work (and short unavailability the records cannot tell
from it). Those gaps, within an on-duty spell (shorter than
:data:`~callsim.calibration.staffing.BREAK`), are the sample; their fit
(:func:`~callsim.calibration.fitting.fit_durations`) is the department's ``after_call_work``.
Other gaps hold idle time too (the agent waited for a call, or the callers waiting when it
finished were answered by others meanwhile) and are left out: "callers were waiting when the
agent finished" alone gives gaps three times as long on the bank (mean 25 s against 8 s), most
of them idle time after the queue had emptied.
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
        Gaps used (the next caller was waiting, within a spell); ``ignored``: the other gaps.
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


def _gaps(served: pd.DataFrame, agent_department: dict[str, str]) -> pd.DataFrame:
    """Each call's gap to its agent's next call (s), within a spell: agent, department, stop."""
    arrival = _absolute(served)
    start = arrival + np.nan_to_num(served["waited"].to_numpy(dtype=float))
    calls = pd.DataFrame({"agent": served["agent"].astype(str).to_numpy(), "start": start,
                          "arrival": arrival,
                          "stop": start + served["handled"].to_numpy(dtype=float)})
    calls["department"] = calls["agent"].map(agent_department)
    calls = calls.dropna(subset=["department"]).sort_values(["agent", "start"])
    following = calls.groupby("agent")
    calls["gap"] = following["start"].shift(-1) - calls["stop"]
    calls["next_waiting"] = following["arrival"].shift(-1) <= calls["stop"]
    return calls[(calls["gap"] >= 0) & (calls["gap"] <= BREAK)]


def estimate_after_call_work(records: CallRecords,
                             agent_department: dict[str, str]) -> dict[str, AfterCallWork]:
    """After-call work per department from the gaps of its agents (each in its home pool).

    A gap counts when the agent's next call was already waiting when the agent finished.
    """
    frame = records.frame
    if "agent" not in records.present or "handled" not in records.present:
        return {}
    served = frame[frame["answered"] & frame["agent"].notna() & frame["handled"].notna()]
    out = {}
    for department, group in _gaps(served, agent_department).groupby("department"):
        exact = group["next_waiting"].to_numpy(dtype=bool)
        sample = group["gap"].to_numpy()[exact]
        fit = fit_durations(sample) if sample.size >= MIN_GAPS else None
        out[str(department)] = AfterCallWork(int(sample.size), int((~exact).sum()), fit)
    return out
