"""Transfer policies: what happens once an agent has identified a misrouted call.

A policy receives the call at the end of identification (:meth:`transfer`) and when an agent of
the resolving department answers it (:meth:`answer_transferred`). New policies (conditional warm,
callbacks, ...) are new classes registered in :data:`POLICIES`; the engine does not change.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from callsim.engine.departments import HOLDING, IN_SERVICE, WAITING_TRANSFERRED
from callsim.engine.records import Outcome, Stage, TransferKind

if TYPE_CHECKING:
    from simpy.events import Event

    from callsim.engine.call_center import CallCenter
    from callsim.engine.departments import Department
    from callsim.scenario.schema import Transfer


class ColdTransfer:
    """Blind transfer: the first agent is freed at once; the caller queues alone.

    The transfer fails with ``drop_probability``; otherwise the caller joins the resolving
    department's queue (ahead of non-transferred callers with ``priority``) with a fresh patience,
    and the agent who answers handles for handle time + re-explain time.
    """

    def __init__(self, center: CallCenter, options: Transfer) -> None:
        self.center = center
        self.drop_probability = options.cold.drop_probability
        self.priority = options.cold.priority

    def transfer(self, dept: Department, agent: int, call: int) -> None:
        """Identification is over: free the agent and push the caller on."""
        c = self.center
        c.codes["transfer_kind"][call] = TransferKind.COLD
        c.release(dept, agent)
        now = c.env.now
        if c.callers.drop.item(call) < self.drop_probability:
            c.finish(call, now, Outcome.DROPPED)
            return
        queue_alone(c, call, now + c.callers.patience2.item(call))
        c.offer(c.resolving_department(call), call, self.priority)

    def answer_transferred(self, dept: Department, agent: int, call: int, holding: bool) -> None:
        """An agent of the resolving department answers: handle time + re-explain time."""
        answer_alone(self.center, agent, call)


class WarmTransfer:
    """Attended transfer: the first agent holds until a resolving agent answers, then briefs.

    Options: ``handoff_time`` (both agents), ``priority``, ``caller_abandons_on_hold`` (fresh
    patience; abandoning frees the holding agent) and ``max_hold`` (the hold turns cold: the
    first agent leaves, the caller keeps the place with a fresh patience and must re-explain).
    """

    def __init__(self, center: CallCenter, options: Transfer) -> None:
        self.center = center
        self.priority = options.warm.priority
        self.abandons_on_hold = options.warm.caller_abandons_on_hold
        self.max_hold = options.warm.max_hold

    def transfer(self, dept: Department, agent: int, call: int) -> None:
        """Identification is over: hand off now if a resolving agent is idle, else hold."""
        c = self.center
        c.codes["transfer_kind"][call] = TransferKind.WARM
        target = c.resolving_department(call)
        if target.idle:
            self._handoff(target.idle.pop(), call)
            return
        c.state[call] = HOLDING
        target.enqueue(call, self.priority)
        if self.abandons_on_hold:
            patience = c.callers.patience2.item(call)
            if math.isfinite(patience):
                c.after(patience, call, self._abandon_on_hold)
        if self.max_hold is not None:
            c.after(self.max_hold, call, self._hold_timeout)

    def answer_transferred(self, dept: Department, agent: int, call: int, holding: bool) -> None:
        """A resolving agent answers: a handoff if the first agent holds, else as for cold."""
        if holding:
            self._handoff(agent, call)
        else:
            answer_alone(self.center, agent, call)

    def _handoff(self, agent: int, call: int) -> None:
        c = self.center
        now = c.env.now
        c.state[call] = IN_SERVICE
        c.times["hold_end"][call] = now
        c.times["answer2"][call] = now
        c.codes["agent2"][call] = agent
        c.after(c.callers.handoff.item(call), call, self._handoff_done)

    def _handoff_done(self, event: Event) -> None:
        c = self.center
        call: int = event.value  # type: ignore[assignment]  # SimPy types it Any | None
        c.times["handoff_end"][call] = c.env.now
        self._release_first_agent(call)
        c.after(c.callers.handle.item(call), call, c.resolved)

    def _end_hold(self, event: Event) -> int:
        """The call a hold event is about, its hold ended now; -1 if it is no longer held."""
        c = self.center
        call: int = event.value  # type: ignore[assignment]  # SimPy types it Any | None
        if c.state[call] != HOLDING:  # answered (or settled) before this event fired
            return -1
        c.times["hold_end"][call] = c.env.now
        return call

    def _abandon_on_hold(self, event: Event) -> None:
        call = self._end_hold(event)
        if call < 0:
            return
        self.center.finish(call, self.center.env.now, Outcome.ABANDONED, Stage.ON_HOLD)
        self._release_first_agent(call)

    def _hold_timeout(self, event: Event) -> None:
        call = self._end_hold(event)
        if call < 0:
            return
        c = self.center
        now = c.env.now
        c.codes["transfer_kind"][call] = TransferKind.WARM_TO_COLD
        queue_alone(c, call, now + c.callers.patience3.item(call))  # keeps its place in line
        self._release_first_agent(call)

    def _release_first_agent(self, call: int) -> None:
        c = self.center
        dept = c.departments[c.callers.department.item(call)]
        c.release(dept, c.codes["agent"].item(call))


def queue_alone(center: CallCenter, call: int, deadline: float) -> None:
    """Mark a transferred caller as waiting without an agent, until ``deadline`` (s)."""
    center.state[call] = WAITING_TRANSFERRED
    center.deadline[call] = deadline


def answer_alone(center: CallCenter, agent: int, call: int) -> None:
    """A resolving agent answers a caller who waited alone: handle + re-explain time."""
    center.times["answer2"][call] = center.env.now
    center.codes["agent2"][call] = agent
    c = center.callers
    center.after(c.handle.item(call) + c.reexplain.item(call), call, center.resolved)


POLICIES: dict[str, type[ColdTransfer] | type[WarmTransfer]] = {
    "cold": ColdTransfer,
    "warm": WarmTransfer,
}
