"""Simulated calls written in the call-record format, as a phone system would have logged them.

Used by the backtest (the simulated side goes through the same statistics as the observed one),
by the round-trip tests and by the script that made ``scenarios/records/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from callsim.calibration.mapping import ColumnMap
from callsim.calibration.records import records_frame
from callsim.engine.records import Outcome, SimulationResult, TransferKind
from callsim.experiments.execution import Execution
from callsim.experiments.replications import replicate

if TYPE_CHECKING:
    from callsim.scenario.schema import Scenario

__all__ = ["simulated_frame", "simulated_records"]

_FIRST_DAY = pd.Timestamp("2000-01-03")


def simulated_records(
    result: SimulationResult | pd.DataFrame,
    scenario: Scenario,
    day: str | pd.Timestamp = "2026-03-02",
) -> pd.DataFrame:
    """The calls of one replication as call records (one row per call, first queue).

    Parameters
    ----------
    result
        One replication's records, or just its ``calls`` table.
    scenario
        Its scenario (``horizon.start`` places t = 0 on the clock; ``call_types`` give the
        department a transferred call went to).
    day
        The date the replication stands for.

    Returns
    -------
    pandas.DataFrame
        Columns of the call-record format: ``arrived`` (timestamp), ``queue``, ``outcome``,
        ``waited`` and ``handled`` (s), ``transferred_to``, ``transfer_kind``, ``call_type``,
        ``agent`` (``queue-number``). Calls left unfinished and never answered (only with
        ``drain: false``) have no outcome a phone system would log and are left out.

    Notes
    -----
    ``handled`` is the first agent's time on the call: until the end of service when that agent
    resolved it (cross-trained agents resolving in place included: no transfer), until the
    transfer (cold), until the callback request is written (``policy: callback``, logged as a
    cold transfer: the agent is freed and the case passed on), or until released after the
    handoff or hold (warm, and holds turned cold or callback).
    """
    calls = result.calls if isinstance(result, SimulationResult) else result
    arrival = calls["arrival"].to_numpy()
    answer = calls["answer"].to_numpy()
    end = calls["end"].to_numpy()
    answered = ~np.isnan(answer)
    outcome = calls["outcome"].to_numpy()
    logged = answered | (outcome != Outcome.UNFINISHED)
    release = calls["handoff_end"].to_numpy()
    for column in ("hold_end", "transfer", "end"):
        release = np.where(np.isnan(release), calls[column].to_numpy(), release)
    kind = calls["transfer_kind"].to_numpy()
    in_place = kind == TransferKind.IN_PLACE  # a cross-trained agent resolved it: no transfer
    release = np.where(in_place, end, release)
    transferred = (kind != TransferKind.NONE) & ~in_place
    call_type = calls["call_type"].astype(str).to_numpy()
    resolver = {k: ct.resolved_by for k, ct in scenario.call_types.items()}
    queue = calls["first_department"].astype(str).to_numpy()
    agent = calls["agent"].to_numpy()
    start = pd.Timestamp(day).normalize() + pd.Timedelta(seconds=scenario.horizon.start)
    freed = np.isin(kind, [TransferKind.COLD, TransferKind.CALLBACK])
    kind_text = pd.Series(np.select([freed, transferred], ["cold", "warm"], default=""))
    agent_id = pd.Series(queue).str.cat(pd.Series(agent).astype(str), sep="-")
    frame = pd.DataFrame(
        {
            "arrived": start + pd.to_timedelta(arrival, unit="s"),
            "queue": queue,
            "outcome": np.where(answered, "answered", "abandoned"),
            "waited": np.where(answered, answer, end) - arrival,
            "handled": np.where(answered, release - answer, np.nan),
            "transferred_to": pd.Series(call_type).map(resolver).where(transferred),
            "transfer_kind": kind_text.where(transferred),
            "call_type": call_type,
            "agent": agent_id.where(agent >= 0),
        }
    )
    return frame[logged].reset_index(drop=True)


def simulated_frame(scenario: Scenario, reps: int, seed: int, execution: Execution | None,
                    day: pd.Timestamp | None = None) -> pd.DataFrame:
    """``reps`` simulated days of ``scenario`` as checked records, with a ``replication`` column.

    Replication r is the day ``2000-01-03 + r``, or ``day`` for all of them (a replayed day).
    """
    runs = replicate(scenario, [scenario.transfer.policy], reps=reps, seed=seed,
                     keep_calls=True, execution=execution)
    assert runs.calls is not None
    frames = []
    for r, calls in runs.calls.groupby("replication"):
        frame = simulated_records(calls, scenario, _FIRST_DAY + pd.Timedelta(days=int(r)))
        frames.append(frame.assign(replication=int(r)))
    raw = pd.concat(frames, ignore_index=True)
    frame = records_frame(raw.drop(columns="replication"), ColumnMap(), "<simulated>")
    frame["replication"] = raw["replication"].to_numpy()
    if day is not None:
        frame["day"] = pd.Timestamp(day)
    return frame
