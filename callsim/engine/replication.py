"""One replication from start to records: callers drawn, the call center run, tables built.

:func:`run_replication` runs whatever transfer policy it is given (the engine does not import
policies); :func:`callsim.simulate` is the entry point that takes a policy's name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from callsim.engine.arrivals import draw_callers
from callsim.engine.call_center import CallCenter, PolicyHooks
from callsim.engine.records import (
    ACTIVITY_COLUMNS,
    CODE_COLUMNS,
    SHIFT_COLUMNS,
    SimulationResult,
)
from callsim.engine.streams import Streams

if TYPE_CHECKING:
    from callsim.engine.draws import Draw
    from callsim.scenario.schema import Scenario

__all__ = ["records", "run_replication"]


def run_replication(
    scenario: Scenario,
    make_policy: Callable[[CallCenter], PolicyHooks],
    draws: Sequence[Draw],
    policy_name: str,
    seed: int = 0,
    replication: int = 0,
) -> SimulationResult:
    """Run one replication with a transfer policy made for its call center.

    Parameters
    ----------
    scenario
        Validated scenario.
    make_policy
        Builds the policy's hooks for the center (called once, before the run).
    draws
        The policy's per-call draws (``callers.drawn``).
    policy_name
        Recorded in the result.
    seed, replication
        Base seed and replication number (non-negative): replication ``r`` of every policy
        sees the same callers.

    Returns
    -------
    SimulationResult
        Per-call, per-shift and activity records (times in seconds).
    """
    streams = Streams(seed, replication)
    callers = draw_callers(scenario, streams, draws)
    center = CallCenter(scenario, callers, streams)
    center.install(make_policy(center))
    end_time = center.run()
    calls, shifts, activity = records(center)
    return SimulationResult(
        calls=calls,
        shifts=shifts,
        horizon=scenario.horizon.duration,
        warmup=scenario.horizon.warmup,
        end_time=end_time,
        policy=policy_name,
        seed=seed,
        replication=replication,
        activity=activity,
    )


def records(center: CallCenter) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The call, shift and activity records of a finished run."""
    callers = center.callers
    type_names = list(center.scenario.call_types)
    dept_names = [d.name for d in center.departments]
    n = center.n_first
    if len(callers) == n:  # no redials: every slot is a call, in arrival order
        made: np.ndarray | slice = slice(None)
        customer, attempt = np.arange(n, dtype=np.int32), np.ones(n, dtype=np.int8)
    else:  # the calls made, in arrival order (a customer's slots are (k - 1) * n + customer)
        arrival = center.times["arrival"]
        made = np.flatnonzero(~np.isnan(arrival))
        made = made[np.argsort(arrival[made], kind="stable")]
        customer, attempt = (made % n).astype(np.int32), (made // n + 1).astype(np.int8)
    calls = pd.DataFrame(
        {
            "call_id": np.arange(len(customer), dtype=np.int32),
            "call_type": pd.Categorical.from_codes(callers.call_type[made], type_names),
            "first_department": pd.Categorical.from_codes(callers.department[made], dept_names),
            **{name: column[made] for name, column in center.times.items()},
            **{name: column[made] for name, column in center.codes.items()},
            "customer": customer,
            "attempt": attempt,
        }
    )
    rows = sorted(center.shifts, key=lambda r: (r[0], r[2], r[1]))
    shifts = _by_agent(pd.DataFrame(rows, columns=list(SHIFT_COLUMNS)), dept_names)
    activity = _by_agent(pd.DataFrame(center.activity, columns=list(ACTIVITY_COLUMNS)), dept_names)
    return calls, shifts, activity


def _by_agent(frame: pd.DataFrame, dept_names: list[str]) -> pd.DataFrame:
    """Department codes as a categorical of names, agent numbers typed as in the call records."""
    frame["department"] = pd.Categorical.from_codes(
        frame["department"].to_numpy(dtype=np.int16), dept_names
    )
    frame["agent"] = frame["agent"].astype(CODE_COLUMNS["agent"])
    return frame
