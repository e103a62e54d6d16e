"""Per-call and per-shift records: the only facts a replication produces.

Everything else (waits, rates, occupancy, costs) is derived from these tables in
:mod:`callsim.analysis.metrics`. Times are seconds from the start of the horizon; a step
that did not happen is ``NaN``. See ``docs/DESIGN.md`` for the column meanings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:  # numpy and pandas load only when records are built (the policies and, through
    # them, the scenario schema import the codes; validating a scenario needs neither)
    import numpy as np
    import pandas as pd


class Outcome(IntEnum):
    """How a call ended."""

    RESOLVED = 0
    ABANDONED = 1
    DROPPED = 2
    UNFINISHED = 3  # only with ``drain: false``
    UNREACHED = 4  # a callback whose every attempt failed (a lost call)


class Stage(IntEnum):
    """Where an abandoned caller gave up."""

    NONE = 0
    FIRST_QUEUE = 1
    AFTER_TRANSFER = 2
    ON_HOLD = 3


class TransferKind(IntEnum):
    """Which transfer a misrouted call went through."""

    NONE = 0
    COLD = 1
    WARM = 2
    WARM_TO_COLD = 3  # warm hold that reached ``max_hold``
    IN_PLACE = 4  # not transferred: a cross-trained agent of the wrong department resolved it
    CALLBACK = 5  # the first agent wrote a callback request (``policy: callback``)
    HOLD_TO_CALLBACK = 6  # warm hold that reached ``max_hold`` with ``on_max_hold: callback``


#: Timestamp columns of the call records, in order.
TIME_COLUMNS: tuple[str, ...] = (
    "arrival",
    "answer",
    "transfer",
    "hold_end",
    "answer_after_transfer",
    "handoff_end",
    "end",
)

#: Small integer columns and their dtypes.
CODE_COLUMNS: dict[str, str] = {
    "agent": "int32",
    "agent_after_transfer": "int32",
    "transfer_kind": "int8",
    "outcome": "int8",
    "abandon_stage": "int8",
}

SHIFT_COLUMNS: tuple[str, ...] = ("department", "agent", "start", "end")

#: Columns of the activity records: an agent's time (s) in an activity that the call records do
#: not show (logged by transfer policies through ``CallCenter.record_activity``).
ACTIVITY_COLUMNS: tuple[str, ...] = ("department", "agent", "activity", "start", "end")


@dataclass(frozen=True)
class Table:
    """A record table as the engine wrote it: numpy columns, and the names behind coded columns.

    Analysis reads the columns as they are (a coded column's codes index its names, ``-1`` for
    none); the DataFrame, with coded columns as categoricals of their names, is built only when
    someone asks for it (:meth:`frame`).

    Attributes
    ----------
    columns
        One numpy array per column, all of the same length, in column order.
    names
        For each coded column, the names its codes stand for.
    """

    columns: dict[str, np.ndarray]
    names: dict[str, list[str]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), ()))

    def __contains__(self, column: object) -> bool:
        return column in self.columns

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame (coded columns as categoricals of their names)."""
        import pandas as pd

        return pd.DataFrame({
            name: (pd.Categorical.from_codes(column, self.names[name]) if name in self.names
                   else column)
            for name, column in self.columns.items()
        })


#: Records as the engine gives them (a :class:`Table`) or as a DataFrame (built elsewhere).
Records: TypeAlias = "Table | pd.DataFrame"


def as_frame(records: Records) -> pd.DataFrame:
    """``records`` as a DataFrame."""
    return records.frame() if isinstance(records, Table) else records


@dataclass(frozen=True)
class SimulationResult:
    """What one replication produces.

    The three record tables are kept as the engine wrote them (:class:`Table`, numpy columns);
    :attr:`calls`, :attr:`shifts` and :attr:`activity` give them as DataFrames, built on first
    use. A result can also be made from DataFrames.

    Attributes
    ----------
    call_records
        One row per arriving call (columns: ``call_id``, ``call_type``, ``first_department``,
        the time columns of :data:`TIME_COLUMNS` in seconds, :data:`CODE_COLUMNS`, and with
        the engine's records ``customer`` and ``attempt``).
    shift_records
        One row per agent spell on duty: ``department``, ``agent``, ``start``, ``end`` (s).
    horizon
        Arrival horizon (s).
    warmup
        Calls arriving before this time (s) are excluded from statistics.
    end_time
        Simulation clock when the run stopped (s): the horizon, or later when draining.
    policy
        Transfer policy the run used.
    seed
        Base seed of the run.
    replication
        Replication number.
    activity_records
        One row per logged agent activity: ``department``, ``agent``, ``activity``, ``start``,
        ``end`` (s); empty for policies that log none (cold, warm).
    derived
        Values analysis derived from the records, kept so that the metrics and the interval
        profile of one run derive them once (:func:`callsim.analysis.segments.call_arrays`).
    """

    call_records: Records
    shift_records: Records
    horizon: float
    warmup: float
    end_time: float
    policy: str
    seed: int
    replication: int
    activity_records: Records = field(default_factory=lambda: no_activity())
    derived: dict[object, object] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def calls(self) -> pd.DataFrame:
        """The call records as a DataFrame (``call_type`` and ``first_department`` categorical)."""
        return as_frame(self.call_records)

    @cached_property
    def shifts(self) -> pd.DataFrame:
        """The shift records as a DataFrame (``department`` categorical)."""
        return as_frame(self.shift_records)

    @cached_property
    def activity(self) -> pd.DataFrame:
        """The activity records as a DataFrame (``department`` categorical)."""
        return as_frame(self.activity_records)


def no_activity() -> pd.DataFrame:
    """An empty activity table (:data:`ACTIVITY_COLUMNS`)."""
    import pandas as pd

    return pd.DataFrame(columns=list(ACTIVITY_COLUMNS))
