"""One replication from start to records: callers drawn, the call center run, tables built.

:func:`run_replication` runs whatever transfer policy it is given (the engine does not import
policies); :func:`callsim.simulate` is the entry point that takes a policy's name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from callsim.engine.arrivals import draw_callers
from callsim.engine.call_center import CallCenter, PolicyHooks
from callsim.engine.records import (
    ACTIVITY_COLUMNS,
    CODE_COLUMNS,
    SHIFT_COLUMNS,
    SimulationResult,
    Table,
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
        call_records=calls,
        shift_records=shifts,
        horizon=scenario.horizon.duration,
        warmup=scenario.horizon.warmup,
        end_time=end_time,
        policy=policy_name,
        seed=seed,
        replication=replication,
        activity_records=activity,
    )


def records(center: CallCenter) -> tuple[Table, Table, Table]:
    """The call, shift and activity records of a finished run, as the engine's numpy columns.

    Department and call-type columns keep the engine's codes (positions in the scenario's
    ``departments`` and ``call_types``, which the tables name); no DataFrame is built here.
    """
    callers = center.callers
    type_names = list(center.scenario.call_types)
    dept_names = [d.name for d in center.departments]
    n = center.n_first
    times = {name: np.asarray(column, dtype=np.float64) for name, column in center.times.items()}
    codes = {name: np.asarray(column, dtype=CODE_COLUMNS[name])
             for name, column in center.codes.items()}
    if len(callers) == n:  # no redials: every slot is a call, in arrival order
        made: np.ndarray | slice = slice(None)
        customer, attempt = np.arange(n, dtype=np.int32), np.ones(n, dtype=np.int8)
    else:  # the calls made, in arrival order (a customer's slots are (k - 1) * n + customer)
        arrival = times["arrival"]
        made = np.flatnonzero(~np.isnan(arrival))
        made = made[np.argsort(arrival[made], kind="stable")]
        customer, attempt = (made % n).astype(np.int32), (made // n + 1).astype(np.int8)
    calls = Table(
        {
            "call_id": np.arange(len(customer), dtype=np.int32),
            "call_type": callers.call_type[made],
            "first_department": callers.department[made],
            **{name: column[made] for name, column in times.items()},
            **{name: column[made] for name, column in codes.items()},
            "customer": customer,
            "attempt": attempt,
        },
        {"call_type": type_names, "first_department": dept_names},
    )
    rows = sorted(center.shifts, key=lambda r: (r[0], r[2], r[1]))
    shifts = _by_agent(rows, SHIFT_COLUMNS, dept_names)
    activity = _by_agent(center.activity, ACTIVITY_COLUMNS, dept_names)
    return calls, shifts, activity


def _by_agent(rows: Sequence[tuple[object, ...]], columns: Sequence[str], dept_names: list[str]
              ) -> Table:
    """Rows of agent records as columns.

    Department codes (named by ``dept_names``), agent numbers typed as in the call records,
    times (s) as floats, anything else (activity names) as objects.
    """
    values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
    dtypes: dict[str, str] = {"department": "int16", "agent": CODE_COLUMNS["agent"],
                              "start": "float64", "end": "float64"}
    return Table(
        {name: np.array(column, dtype=dtypes.get(name, "object"))
         for name, column in zip(columns, values, strict=True)},
        {"department": dept_names},
    )
