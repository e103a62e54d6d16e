"""Warm (attended) transfer: the first agent holds until a resolving agent answers, then briefs.

docs/model.md section 3: if an agent of the resolving department is idle the handoff starts at once;
otherwise the caller joins its queue (at the back, or ahead of non-transferred callers with
``priority``) with the first agent on the line, who stays busy ("holding"). When a resolving
agent answers, both spend the handoff time together; then the first agent is freed and the
resolving agent handles for the handle time (no re-explaining). With ``caller_abandons_on_hold``
the caller may hang up on hold (fresh patience as after a cold transfer; the holding agent is
freed). With ``max_hold`` a hold that lasts that long turns cold: the first agent leaves, the
caller keeps the place with a fresh patience and must re-explain; with ``on_max_hold: callback``
it ends instead with the first agent freed and the caller hanging up with a callback request
(:mod:`callsim.policies.callback`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from callsim.engine.draws import Draw, patience, per_call
from callsim.engine.records import Outcome, Stage, TransferKind
from callsim.policies.callback import CallbackDesk
from callsim.policies.cold import PATIENCE_AFTER_TRANSFER, REEXPLAIN, cold_options
from callsim.policies.protocol import MisroutedLoad, options_of
from callsim.policies.registry import register
from callsim.scenario.distributions import Deterministic, Distribution
from callsim.scenario.durations import PositiveSeconds
from callsim.scenario.errors import field_errors

if TYPE_CHECKING:
    from simpy.events import Event

    from callsim.engine.call_center import CallCenter
    from callsim.engine.departments import Department
    from callsim.scenario.schema import Scenario

__all__ = ["WarmOptions", "WarmTransfer", "warm_options"]


class WarmOptions(BaseModel):
    """``transfer.warm``: handoff time (s), abandoning on hold, priority, max hold (s)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    handoff_time: Distribution = Field(default_factory=lambda: Deterministic(value=0))
    caller_abandons_on_hold: StrictBool = False
    priority: StrictBool = False
    max_hold: PositiveSeconds | None = None
    on_max_hold: Literal["cold", "callback"] = "cold"

    @model_validator(mode="after")
    def _on_max_hold_needs_max_hold(self) -> WarmOptions:
        if self.on_max_hold != "cold" and self.max_hold is None:
            raise field_errors("warm", [(("on_max_hold",), "applies only with max_hold set")])
        return self


def warm_options(scenario: Scenario) -> WarmOptions:
    """The scenario's ``transfer.warm`` section."""
    return options_of(scenario, "warm", WarmOptions)


#: Time (s) both agents spend on the handoff.
HANDOFF = per_call("handoff", lambda sc: warm_options(sc).handoff_time, site=9)
#: Fresh patience (s) when a hold turns cold at ``max_hold``: patience x cold patience_factor.
PATIENCE_AFTER_HOLD = patience(
    "patience_after_hold", lambda sc: cold_options(sc).patience_factor, site=5
)


@register
class WarmTransfer:
    """Attended transfer. See the module docstring; options :class:`WarmOptions`."""

    name: ClassVar[str] = "warm"
    options: ClassVar[type[BaseModel] | None] = WarmOptions
    draws: ClassVar[tuple[Draw, ...]] = (
        PATIENCE_AFTER_TRANSFER, PATIENCE_AFTER_HOLD, REEXPLAIN, HANDOFF, *CallbackDesk.draws
    )
    compare_position: ClassVar[int | None] = 1

    @classmethod
    def misrouted_load(cls, scenario: Scenario) -> MisroutedLoad:
        """The first agent holds, then both brief (handoff); no abandonment on hold by default."""
        options, cold = warm_options(scenario), cold_options(scenario)
        handoff = options.handoff_time.expected()
        return MisroutedLoad(first_agent=handoff, holds=True, second_agent=handoff,
                             patience_factor=(cold.patience_factor
                                              if options.caller_abandons_on_hold else None))

    def __init__(self, center: CallCenter, scenario: Scenario) -> None:
        self.center = center
        options = warm_options(scenario)
        self.priority = options.priority
        self.abandons_on_hold = options.caller_abandons_on_hold
        self.max_hold = options.max_hold
        self.desk = CallbackDesk(center, scenario) if options.on_max_hold == "callback" else None
        drawn = center.callers.drawn
        self.patience_on_hold = drawn["patience_after_transfer"]
        self.patience_after_hold = drawn["patience_after_hold"]
        self.reexplain = drawn["reexplain"]
        self.handoff = drawn["handoff"]
        self.handle = center.callers.handle

    def transfer(self, dept: Department, agent: int, call: int) -> None:
        """Identification is over: hand off now if a resolving agent is idle, else hold."""
        center = self.center
        center.mark_transfer(call, TransferKind.WARM)
        target = center.resolving_department(call)
        resolving_agent = center.take_idle_agent(target)
        if resolving_agent >= 0:
            self._handoff(resolving_agent, call)
            return
        center.hold(call, target, self.priority)
        if self.abandons_on_hold:
            patience = self.patience_on_hold.item(call)
            if math.isfinite(patience):
                center.after(patience, call, self._abandon_on_hold)
        if self.max_hold is not None:
            center.after(self.max_hold, call, self._hold_timeout)

    def answer_transferred(self, dept: Department, agent: int, call: int, holding: bool) -> None:
        """A resolving agent answers: the handoff if the first agent holds, else as for cold."""
        if holding:
            self._handoff(agent, call)
        else:  # the hold turned cold at max_hold
            self.center.connect(call, agent)
            self.center.resolve_after(call, self.handle.item(call) + self.reexplain.item(call))

    def _handoff(self, agent: int, call: int) -> None:
        center = self.center
        center.end_hold(call)
        center.connect(call, agent)
        center.after(self.handoff.item(call), call, self._handoff_done)

    def _handoff_done(self, event: Event) -> None:
        call: int = event.value  # type: ignore[assignment]  # SimPy types it Any | None
        center = self.center
        center.end_handoff(call)
        center.release_first_agent(call)
        center.resolve_after(call, self.handle.item(call))

    def _end_hold(self, event: Event) -> int:
        """The call a hold event is about, its hold ended now; -1 if it is no longer held."""
        call: int = event.value  # type: ignore[assignment]  # SimPy types it Any | None
        if not self.center.is_held(call):  # answered (or settled) before this event fired
            return -1
        self.center.end_hold(call)
        return call

    def _abandon_on_hold(self, event: Event) -> None:
        call = self._end_hold(event)
        if call < 0:
            return
        self.center.finish(call, self.center.now, Outcome.ABANDONED, Stage.ON_HOLD)
        self.center.release_first_agent(call)

    def _hold_timeout(self, event: Event) -> None:
        call = self._end_hold(event)
        if call < 0:
            return
        center = self.center
        if self.desk is not None:  # on_max_hold: callback
            center.mark_transfer(call, TransferKind.HOLD_TO_CALLBACK)
            self.desk.request(call)  # leaves the queue line
        else:
            center.mark_transfer(call, TransferKind.WARM_TO_COLD)
            center.wait_alone(call, self.patience_after_hold.item(call))  # keeps its place
        center.release_first_agent(call)
