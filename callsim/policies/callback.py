"""Callbacks: the customer hangs up with a request, and the resolving department calls back.

docs/model.md section 3 ("Beyond cold and warm"). ``transfer.policy: callback``: after
identification the first agent spends ``callback.note_time`` writing the case down (counted as
identifying), is freed, and the customer hangs up with a request to the resolving department
t. ``transfer.warm.on_max_hold: callback`` ends a warm hold that reaches ``max_hold`` the same
way (:mod:`callsim.policies.warm` uses :class:`CallbackDesk` too).

t keeps a callback list (first come, first served; the engine's
:meth:`~callsim.engine.call_center.CallCenter.request_callback`): a freed agent takes a live
caller if one waits, else the oldest due request (``callback.first``: requests first). The agent
dials for ``connect_time`` ("calling back"); with ``reach_probability`` the customer answers and
the agent handles for the handle time (no re-explaining: the notes travelled); otherwise, with
attempts left (``attempts`` in all), the request is due again after ``retry_delay``, else the
call ends ``unreached`` (a lost call).

Records: ``hold_end`` is the request time (the first agent freed), ``answer_after_transfer`` /
``agent_after_transfer`` the attempt that reached the customer, ``transfer_kind`` 5 (callback)
or 6 (warm hold turned callback). Dialling time is logged as the activity ``calling_back``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, Strict, StrictBool

from callsim.engine.draws import Draw, Site, per_call
from callsim.engine.records import Outcome, TransferKind
from callsim.policies.cold import ColdTransfer
from callsim.policies.protocol import MisroutedLoad, options_of
from callsim.policies.registry import register
from callsim.scenario.distributions import Deterministic, Distribution
from callsim.scenario.durations import Seconds
from callsim.scenario.schema import Probability

if TYPE_CHECKING:
    import numpy as np
    from simpy.events import Event

    from callsim.engine.call_center import CallCenter
    from callsim.engine.departments import Department
    from callsim.scenario.schema import Scenario

__all__ = ["CallbackDesk", "CallbackOptions", "CallbackPolicy", "callback_options"]

#: Upper bound of ``callback.attempts`` (draws are made per call and attempt).
MAX_ATTEMPTS = 20


class CallbackOptions(BaseModel):
    """``transfer.callback``: note time, order, dialling time (s), reach, attempts, retry (s)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    note_time: Distribution = Field(default_factory=lambda: Deterministic(value=0))
    first: StrictBool = False
    connect_time: Distribution = Field(default_factory=lambda: Deterministic(value=0))
    reach_probability: Probability = 1.0
    attempts: Annotated[int, Strict(), Field(ge=1, le=MAX_ATTEMPTS)] = 1
    retry_delay: Seconds = 0.0


def callback_options(scenario: Scenario) -> CallbackOptions:
    """The scenario's ``transfer.callback`` section."""
    return options_of(scenario, "callback", CallbackOptions)


def _per_attempt(name: str, make: str) -> Draw:
    """A draw of one value per call and attempt, shape ``(calls, attempts)``."""

    def sample(scenario: Scenario, at: Site, call_type: np.ndarray) -> np.ndarray:
        import numpy as np  # once per replication

        options = callback_options(scenario)
        n, rng = len(call_type), at.generator()
        # Columns are attempts: a call's k-th attempt draws the same value whatever attempts is.
        values = [rng.random(n) if make == "uniform" else options.connect_time.sample(rng, n)
                  for _ in range(options.attempts)]
        return np.stack(values, axis=1) if values else np.empty((n, 0))

    return Draw(name, sample)


#: Time (s) the first agent spends writing the case down (``policy: callback``).
NOTE = per_call("callback_note", lambda sc: callback_options(sc).note_time)
#: Dialling time (s) of each attempt.
CONNECT = _per_attempt("callback_connect", "connect")
#: Uniform draw of each attempt, compared with ``reach_probability``.
REACH = _per_attempt("callback_reach", "uniform")


class CallbackDesk:
    """The resolving departments' side of callbacks: requests, dialling, retries.

    Parameters
    ----------
    center
        The call center (the policy's).
    scenario
        Validated scenario (``transfer.callback`` is read).
    """

    draws: ClassVar[tuple[Draw, ...]] = (CONNECT, REACH)

    def __init__(self, center: CallCenter, scenario: Scenario) -> None:
        self.center = center
        options = callback_options(scenario)
        self.first = options.first
        self.reach_probability = options.reach_probability
        self.attempts = options.attempts
        self.retry_delay = options.retry_delay
        self.connect = center.callers.drawn["callback_connect"]
        self.reach = center.callers.drawn["callback_reach"]
        self.handle = center.callers.handle
        self.tries: dict[int, int] = {}
        self.dialling: dict[int, tuple[Department, int, float]] = {}

    def request(self, call: int) -> None:
        """The customer hangs up now with a request to the call type's resolving department."""
        self.center.request_callback(
            call, self.center.resolving_department(call), self.dial, self.first
        )

    def dial(self, dept: Department, agent: int, call: int) -> None:
        """``agent`` of ``dept`` takes the request now and dials (connect time)."""
        attempt = self.tries.get(call, 0)
        self.tries[call] = attempt + 1
        self.dialling[call] = (dept, agent, self.center.now)
        self.center.after(self.connect.item(call, attempt), call, self._dialled)

    def _dialled(self, event: Event) -> None:
        call: int = event.value  # type: ignore[assignment]  # SimPy types it Any | None
        center = self.center
        dept, agent, start = self.dialling.pop(call)
        center.record_activity(dept, agent, "calling_back", start, center.now)
        attempt = self.tries[call] - 1
        if self.reach.item(call, attempt) < self.reach_probability:
            center.connect(call, agent)
            center.resolve_after(call, self.handle.item(call))
            return
        if attempt + 1 < self.attempts:
            center.after(self.retry_delay, call, self._retry)
        else:
            center.finish(call, center.now, Outcome.UNREACHED)
        center.release(dept, agent)

    def _retry(self, event: Event) -> None:
        call: int = event.value  # type: ignore[assignment]  # SimPy types it Any | None
        self.request(call)


@register
class CallbackPolicy:
    """Every misrouted call becomes a callback request. See the module docstring."""

    name: ClassVar[str] = "callback"
    options: ClassVar[type[BaseModel] | None] = CallbackOptions
    draws: ClassVar[tuple[Draw, ...]] = (NOTE, *CallbackDesk.draws)
    compare_position: ClassVar[int | None] = None

    @classmethod
    def misrouted_load(cls, scenario: Scenario) -> MisroutedLoad:
        """Cold's figure, an approximation the staffing search corrects by simulation."""
        return ColdTransfer.misrouted_load(scenario)

    def __init__(self, center: CallCenter, scenario: Scenario) -> None:
        self.center = center
        self.desk = CallbackDesk(center, scenario)
        self.note = center.callers.drawn["callback_note"]

    def transfer(self, dept: Department, agent: int, call: int) -> None:
        """Identification is over: the agent writes the case down, then the customer hangs up."""
        self.center.mark_transfer(call, TransferKind.CALLBACK)
        self.center.after(self.note.item(call), call, self._noted)

    def _noted(self, event: Event) -> None:
        call: int = event.value  # type: ignore[assignment]  # SimPy types it Any | None
        center = self.center
        center.end_hold(call)  # the request time: the first agent is freed
        self.desk.request(call)
        center.release_first_agent(call)

    def answer_transferred(self, dept: Department, agent: int, call: int, holding: bool) -> None:
        """Never called: callback customers do not queue (the desk dials them)."""
        raise AssertionError("a callback customer was answered from a queue")
