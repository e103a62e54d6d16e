"""The call center: one replication on the engine's event list, and the API policies act through.

Calls are not SimPy processes. Every step of a call is an event scheduled with
:meth:`CallCenter.after` on the :class:`~callsim.engine.event_list.EventList` (SimPy's order
and clock, without an object per event), whose callback moves the call on, and queue
abandonment is checked lazily when an agent frees up (the abandonment time recorded is the
patience deadline, so it is exact). This keeps the cost per call to a few events. Per-call
facts are written once into numpy record columns.

The engine owns the first leg of every call (first queue, answer, identification or
resolution) and the agents; what happens to a misrouted call once identified belongs to a
transfer policy (:mod:`callsim.policies`). The engine does not import policies: it is given an
object with the two hooks of :class:`PolicyHooks`, and the policy acts on the center only
through the methods under "transfer policy API" below (no record columns, no call states).
"""

from __future__ import annotations

import math
from heapq import heappush
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from simpy import Environment

from callsim.engine.after_call_work import WrapUps
from callsim.engine.arrivals import Callers, patience_factors
from callsim.engine.departments import (
    CALLBACK_PENDING,
    DONE,
    HOLDING,
    IN_SERVICE,
    WAITING_FIRST,
    WAITING_TRANSFERRED,
    ClassLines,
    Department,
)
from callsim.engine.event_list import EventList
from callsim.engine.records import CODE_COLUMNS, TIME_COLUMNS, Outcome, Stage, TransferKind

_RESOLVED = int(Outcome.RESOLVED)
_NO_TRANSFER = int(TransferKind.NONE)
_IN_PLACE = int(TransferKind.IN_PLACE)

if TYPE_CHECKING:
    from collections.abc import Callable

    from simpy.events import Event

    from callsim.engine.streams import Streams
    from callsim.scenario.schema import Scenario


class PolicyHooks(Protocol):
    """What the engine calls on a transfer policy (see :mod:`callsim.policies.protocol`)."""

    def transfer(self, dept: Department, agent: int, call: int) -> None:
        """Identification by ``agent`` of ``dept`` is over: move the misrouted call on."""

    def answer_transferred(self, dept: Department, agent: int, call: int, holding: bool) -> None:
        """An agent of the resolving department answers a transferred caller.

        ``holding``: the first agent is still on the line (a warm hold).
        """


class CallCenter:
    """The runtime state of one replication: departments, callers and their records.

    Parameters
    ----------
    scenario
        Validated scenario.
    callers
        Every caller of the replication, drawn up front.
    streams
        The replication's random streams (after-call work draws from them as agents finish).

    Call :meth:`install` with the transfer policy before :meth:`run`.
    """

    def __init__(self, scenario: Scenario, callers: Callers, streams: Streams) -> None:
        self.env = Environment()
        self.events = EventList(self.env)
        self.scenario = scenario
        self.callers = callers
        self.shifts: list[tuple[int, int, float, float]] = []
        self.activity: list[tuple[int, int, str, float, float]] = []
        names = list(scenario.departments)
        self.departments = [Department(i, name, self.shifts) for i, name in enumerate(names)]
        self.resolver = [names.index(ct.resolved_by) for ct in scenario.call_types.values()]
        # Agents who take calls per department and interval (staffing x available).
        self._agents = [scenario.agents_taking_calls(name) for name in names]
        n = len(callers)
        self.n_calls = n
        self.n_first = callers.first_calls  # customers; the other slots are their redials
        self._arrival_time: list[float] = callers.time.tolist()
        self._record_columns(n)
        self._bind_hot_path(callers)
        self._priority_classes(callers)
        self._wrap_ups = [
            None if dept.after_call_work is None
            else WrapUps(dept.after_call_work, streams.generator("after_call_work", name))
            for name, dept in scenario.departments.items()
        ]
        self._wrapping = any(w is not None for w in self._wrap_ups)
        if self._wrapping:  # release wraps up first (bound here: no cost without wrap-ups)
            self._free = self.release
            self.release = self._wrap_up  # type: ignore[method-assign]
        self.state = bytearray(n)  # one call state per call (see callsim.engine.departments)
        self.deadline = [math.inf] * n  # when each waiting caller's patience runs out (s)

    def _record_columns(self, n: int) -> None:
        """The record columns of ``n`` calls (``times`` and ``codes``, in record order).

        Numpy arrays, but those every call writes or reads are Python lists while the run goes
        (an item costs a third of a numpy one); :func:`~callsim.engine.replication.records`
        makes them numpy.
        """
        self.times: dict[str, Any] = {
            name: [math.nan] * n if name in ("answer", "end") else np.full(n, np.nan)
            for name in TIME_COLUMNS}
        # Arrival times as the clock reads them when each arrival fires (the drawn time up to
        # rounding), so no step of a call can precede its arrival; the same under every policy.
        self.times["arrival"] = list(self._arrival_time)
        self.codes: dict[str, Any] = {name: np.zeros(n, dtype=dtype)
                                      for name, dtype in CODE_COLUMNS.items()}
        self.codes["agent"] = [-1] * n
        self.codes["agent_after_transfer"][:] = -1
        self.codes["outcome"] = [int(Outcome.UNFINISHED)] * n
        self.codes["transfer_kind"] = [_NO_TRANSFER] * n

    def _bind_hot_path(self, callers: Callers) -> None:
        """Bind what every call reads, once, instead of looking it up by name per event.

        Caller attributes become Python lists (fast item access); record columns and event
        callbacks are bound to attributes.
        """
        self._patience = callers.patience.tolist()
        self._handle = callers.handle.tolist()
        self._type: list[int] = callers.call_type.tolist()
        self._first_dept: list[int] = callers.department.tolist()
        # Whether the department the IVR chose resolves the call (no identification needed).
        resolver = np.array(self.resolver, dtype=np.int64)
        self._resolved_first: list[bool] = (
            resolver[callers.call_type.astype(np.int64)] == callers.department).tolist()
        self._bind_records()
        self._on_arrival = self._arrive
        self._heap, self._number = self.events.heap, self.events.next_number  # self.after inlined
        self._on_resolved = self._resolved
        self._on_identified = self._identified
        self._in_place = self._in_place_rules()
        if self._in_place:
            self._on_identified = self._identified_cross_trained
        self._redials = self._redial_rules()
        self._scaled_patience = self._redials is not None and self.scenario.time_of_day_patience
        self._eager = self._redials is not None  # abandonment as events: a redial needs its time

    def _bind_records(self) -> None:
        """Bind the record columns to attributes (the hot ones are Python lists, see __init__)."""
        times, codes = self.times, self.codes
        self._arrival: list[float] = times["arrival"]
        self._first_answer: list[float] = times["answer"]
        self._transfer_time: np.ndarray = times["transfer"]
        self._hold_end: np.ndarray = times["hold_end"]
        self._second_answer: np.ndarray = times["answer_after_transfer"]
        self._handoff_end: np.ndarray = times["handoff_end"]
        self._end: list[float] = times["end"]
        self._first_agent: list[int] = codes["agent"]
        self._second_agent: np.ndarray = codes["agent_after_transfer"]
        self._outcome: list[int] = codes["outcome"]
        self._stage: np.ndarray = codes["abandon_stage"]
        self._kind: list[int] = codes["transfer_kind"]

    def _priority_classes(self, callers: Callers) -> None:
        """With several ``priority`` classes, every ordinary queue line serves by class."""
        priorities = [ct.priority for ct in self.scenario.call_types.values()]
        classes = sorted(set(priorities), reverse=True)
        if len(classes) == 1:
            return  # one class: the plain first-come-first-served deque
        rank_of_type = np.array([classes.index(p) for p in priorities], dtype=np.int64)
        rank: list[int] = rank_of_type[callers.call_type].tolist()
        for dept in self.departments:
            dept.waiting = ClassLines(rank, len(classes))

    def _redial_rules(self) -> list[tuple[float, int] | None] | None:
        """Per call type ``(probability, max_attempts)`` of redials; None when nobody redials."""
        if self.scenario.max_attempts == 1:
            return None
        return [
            (ct.redial.probability, ct.redial.max_attempts) if ct.redial is not None else None
            for ct in self.scenario.call_types.values()
        ]

    def _in_place_rules(self) -> dict[tuple[int, int], tuple[float, float]]:
        """``(department, call type) -> (share, handle_factor)`` of cross-trained agents."""
        types = list(self.scenario.call_types)
        return {
            (d, types.index(k)): (rule.share, rule.handle_factor)
            for d, dept in enumerate(self.scenario.departments.values())
            for k, rule in dept.resolves.items()
        }

    def install(self, policy: PolicyHooks) -> None:
        """Give the center its transfer policy (its hooks are bound once, for speed)."""
        self.policy = policy
        self._transfer = policy.transfer
        self._answer_transferred = policy.answer_transferred

    # -- scheduling: the one way events are made ----------------------------------------------
    def after(self, delay: float, call: int, then: Callable[[Event], None]) -> None:
        """Call ``then`` with an event whose ``value`` is ``call`` after ``delay`` seconds."""
        self.events.after(delay, call, then)

    @property
    def now(self) -> float:
        """The simulation clock (s)."""
        return self.env.now

    # -- the first leg: arrival, first queue, answer, identification ---------------------------
    def _arrive(self, event: Event) -> None:
        """A call arrives: a customer's first call, or a redial (slots from ``n_first`` on).

        It joins the queue of the department the IVR chose, or an idle agent answers it. First
        calls arrive in slot order, each scheduling the next; redials are scheduled one by one
        when a call is lost (:meth:`_maybe_redial`). The slot is the event's value, read from
        the attribute behind SimPy's ``value`` property (a Python call per arrival).
        """
        i: int = event._value
        now = self.env._now
        self._arrival[i] = now
        dept = self.departments[self._first_dept[i]]
        if dept.idle:  # idle agents imply an empty queue: answered now (self.answer, inlined)
            self.state[i] = IN_SERVICE
            self._first_answer[i] = now
            self._first_agent[i] = dept.idle.pop()
            if self._resolved_first[i]:
                heappush(self._heap, (now + self._handle[i], self._number(), self._on_resolved,
                                      i))
            else:
                heappush(self._heap, (now + self.callers.identify.item(i), self._number(),
                                      self._on_identified, i))
        else:  # a deadline only for callers who wait (nothing reads it once answered)
            self.state[i] = WAITING_FIRST
            self.deadline[i] = now + self._patience[i]
            dept.waiting.append(i)
            if self._eager:
                self._abandon_at(i)
        i += 1
        if i < self.n_first:  # the next first call (self.after, inlined on the hot path)
            heappush(self._heap, (now + (self._arrival_time[i] - now), self._number(),
                                  self._on_arrival, i))

    # -- redials (only with call_types.K.redial) ------------------------------------------------
    def _maybe_redial(self, call: int, when: float) -> None:
        """A customer's call was lost at ``when``: schedule their next call if they make one.

        Made with the redial probability (attempt k's own draw), ``delay`` after the loss, while
        calls are left (``max_attempts``) and only if it comes before the end of the horizon.
        """
        assert self._redials is not None
        rule = self._redials[self._type[call]]
        n = self.n_first
        following = call + n
        if rule is None or call // n + 1 >= rule[1] or following >= self.n_calls:
            return
        callers = self.callers
        if callers.redial_u.item(following) >= rule[0]:
            return
        at = when + callers.redial_delay.item(following)
        if at < self.scenario.horizon.duration:
            if self._scaled_patience:  # the redial's interval is known only now
                self._patience[following] *= patience_factors(
                    self.scenario, np.array([at]), np.array([self._type[following]])).item()
            self.after(max(at - self.env.now, 0.0), following, self._on_arrival)

    def _abandon_at(self, call: int) -> None:
        """Abandon as an event at the caller's deadline (with redials: the loss time matters)."""
        patience = self.deadline[call] - self.env.now
        if patience < np.inf:
            self.after(patience, call, self._abandon_now)

    def _abandon_now(self, event: Event) -> None:
        call: int = event.value  # type: ignore[assignment]  # SimPy types it Any | None
        s = self.state[call]
        deadline = self.deadline[call]
        if (s == WAITING_FIRST or s == WAITING_TRANSFERRED) and deadline <= self.env.now:
            self.finish(call, deadline, Outcome.ABANDONED, self._waiting_stage(call))

    def answer(self, dept: Department, agent: int, call: int) -> None:
        """An agent of ``dept`` answers a waiting caller."""
        state = self.state
        was = state[call]
        state[call] = IN_SERVICE
        if was != WAITING_FIRST:
            self._answer_transferred(dept, agent, call, was == HOLDING)
            return
        now = self.env._now
        self._first_answer[call] = now
        self._first_agent[call] = agent
        if self._resolved_first[call]:  # self.after, inlined
            heappush(self._heap, (now + self._handle[call], self._number(), self._on_resolved,
                                  call))
        else:
            heappush(self._heap, (now + self.callers.identify.item(call), self._number(),
                                  self._on_identified, call))

    def _identified(self, event: Event) -> None:
        call: int = event.value  # type: ignore[assignment]  # SimPy types it Any | None
        self._transfer_time[call] = self.env.now
        self._transfer(self.departments[self._first_dept[call]], self._first_agent[call], call)

    def _identified_cross_trained(self, event: Event) -> None:
        """Identification is over where agents are cross-trained: resolve in place or transfer.

        With the department's ``resolves`` share for the call type, the agent handles the call
        for handle time x ``handle_factor``; otherwise the transfer policy takes over.
        """
        call: int = event.value  # type: ignore[assignment]  # SimPy types it Any | None
        rule = self._in_place.get((self._first_dept[call], self._type[call]))
        if rule is not None and self.callers.in_place.item(call) < rule[0]:
            self._transfer_time[call] = self.env.now
            self._kind[call] = _IN_PLACE
            self.after(self._handle[call] * rule[1], call, self._on_resolved)
            return
        self._identified(event)

    def _resolved(self, event: Event) -> None:
        """Service over: the call is resolved and its (last) agent is released."""
        call: int = event._value  # the attribute behind ``value`` (hot path)
        self.state[call] = DONE  # self.finish(call, now, RESOLVED), inlined on the hot path
        self._end[call] = self.env._now
        self._outcome[call] = _RESOLVED
        kind = self._kind[call]
        if kind == _NO_TRANSFER or kind == _IN_PLACE:
            dept, agent = self.departments[self._first_dept[call]], self._first_agent[call]
        else:
            dept, agent = self.resolving_department(call), self._second_agent.item(call)
        if (self._wrapping or dept.pending_off or dept.callbacks or dept.waiting
                or dept.priority_waiting):
            self.release(dept, agent)
        else:  # nothing else to do: the agent is idle (self.release, inlined on the hot path)
            dept.idle.append(agent)

    # -- transfer policy API: the only ways a policy acts on the center -------------------------
    def resolving_department(self, call: int) -> Department:
        """The department that resolves the call's type."""
        return self.departments[self.resolver[self._type[call]]]

    def first_department(self, call: int) -> Department:
        """The department whose agent answered the call first (where the IVR sent it)."""
        return self.departments[self._first_dept[call]]

    def first_agent(self, call: int) -> int:
        """The agent who answered the call first."""
        return self._first_agent[call]

    def take_idle_agent(self, dept: Department) -> int:
        """An idle agent of ``dept``, now no longer idle; -1 if none is idle."""
        return dept.idle.pop() if dept.idle else -1

    def idle_agents(self, dept: Department) -> int:
        """How many agents of ``dept`` are idle now."""
        return len(dept.idle)

    def on_duty(self, dept: Department) -> int:
        """How many agents of ``dept`` are on duty now (busy, idle or finishing a last call)."""
        return len(dept.on_duty_since)

    def waiting(self, dept: Department) -> int:
        """How many callers wait in ``dept``'s queue now: both lines, holds included.

        Counts live callers only (not those whose patience ran out): O(queue length).
        """
        now = self.env.now
        state, deadline = self.state, self.deadline
        count = 0
        for line in (dept.priority_waiting, dept.waiting):
            for call in line:
                s = state[call]
                if s == HOLDING or (s <= WAITING_TRANSFERRED and deadline[call] >= now):
                    count += 1
        return count

    def mark_transfer(self, call: int, kind: TransferKind) -> None:
        """Record which kind of transfer the call went through (the latest kind counts)."""
        self._kind[call] = int(kind)

    def queue_alone(self, call: int, dept: Department, patience: float, priority: bool) -> None:
        """The caller waits for ``dept`` without an agent, for at most ``patience`` seconds.

        Answered at once if an agent of ``dept`` is idle; else joins the back of its ordinary
        or (``priority``) priority line.
        """
        self.wait_alone(call, patience)
        if dept.idle:  # idle agents imply an empty queue
            self.answer(dept, dept.idle.pop(), call)
        else:
            dept.enqueue(call, priority)

    def wait_alone(self, call: int, patience: float) -> None:
        """A caller already in a queue now waits there without an agent (a hold turned cold).

        The caller keeps their place, for at most ``patience`` seconds from now.
        """
        self.state[call] = WAITING_TRANSFERRED
        self.deadline[call] = self.env.now + patience
        if self._eager:
            self._abandon_at(call)

    def hold(self, call: int, dept: Department, priority: bool) -> None:
        """The caller waits for ``dept`` with the first agent on the line (who stays busy)."""
        self.state[call] = HOLDING
        dept.enqueue(call, priority)

    def is_held(self, call: int) -> bool:
        """Whether the caller is still on hold (not answered, not settled)."""
        return self.state[call] == HOLDING

    def end_hold(self, call: int) -> None:
        """The hold ends now (answered, abandoned or turned cold)."""
        self._hold_end[call] = self.env.now

    def connect(self, call: int, agent: int) -> None:
        """An agent of the resolving department is now on the call (its second leg starts)."""
        self.state[call] = IN_SERVICE
        self._second_answer[call] = self.env.now
        self._second_agent[call] = agent

    def end_handoff(self, call: int) -> None:
        """The two agents' handoff is over."""
        self._handoff_end[call] = self.env.now

    def resolve_after(self, call: int, duration: float) -> None:
        """The connected agent resolves the call after ``duration`` seconds, then is released."""
        self.after(duration, call, self._on_resolved)

    def release_first_agent(self, call: int) -> None:
        """The agent who answered the call first is done with it."""
        self.release(self.departments[self._first_dept[call]], self._first_agent[call])

    def record_activity(self, dept: Department, agent: int, activity: str, start: float,
                        end: float) -> None:
        """Log an agent's time (s) in an activity the call records do not show (e.g. dialling)."""
        self.activity.append((dept.index, agent, activity, start, end))

    def finish(self, call: int, when: float, outcome: int, stage: int = 0) -> None:
        """Record a call's single outcome (an :class:`Outcome`, and a :class:`Stage` if any)."""
        self.state[call] = DONE
        self._end[call] = when
        self._outcome[call] = int(outcome)
        if stage:
            self._stage[call] = stage
        if self._eager and outcome != _RESOLVED:
            self._maybe_redial(call, when)

    def request_callback(self, call: int, dept: Department,
                         dial: Callable[[Department, int, int], None], first: bool) -> None:
        """The customer hangs up with a callback request, due now, to ``dept``.

        The caller leaves any queue line. An idle agent of ``dept`` takes the request at once;
        otherwise it joins the back of ``dept``'s callback list, and a freed agent takes the
        oldest due request when no live caller waits (``first``: before live callers). Taking a
        request calls ``dial(dept, agent, call)``; the agent stays busy until released.
        """
        self.state[call] = CALLBACK_PENDING
        self._dial = dial
        dept.callbacks_first = first
        if dept.idle:  # idle agents imply an empty queue and an empty callback list
            dial(dept, dept.idle.pop(), call)
        else:
            dept.callbacks.append(call)


    def _wrap_up(self, dept: Department, agent: int) -> None:
        """The agent does the department's after-call work, logged as an activity, then is free."""
        wrap_ups = self._wrap_ups[dept.index]
        duration = 0.0 if wrap_ups is None else wrap_ups.draw()
        if duration <= 0:
            self._free(dept, agent)
            return
        now = self.env.now
        self.activity.append((dept.index, agent, "after_call_work", now, now + duration))
        self.events.after(duration, (dept, agent), self._wrapped_up)

    def _wrapped_up(self, event: Event) -> None:
        wrapped: tuple[Department, int] = event.value  # type: ignore[assignment]  # Any | None
        self._free(*wrapped)

    def release(self, dept: Department, agent: int) -> None:
        """An agent is done with a call: leave if due off shift, else take the next caller.

        With after-call work the instance's ``release`` is :meth:`_wrap_up`, which ends here.
        """
        if dept.pending_off:
            dept.pending_off -= 1
            dept.go_off(agent, self.env.now)
            return
        if dept.callbacks:
            self._next_or_idle(dept, agent)
            return
        if not (dept.waiting or dept.priority_waiting):  # nobody waits: most releases
            dept.idle.append(agent)
            return
        call = self._next_caller(dept)  # self._next_or_idle without callbacks, inlined
        if call < 0:
            dept.idle.append(agent)
        else:
            self.answer(dept, agent, call)

    # -- agents and queues ---------------------------------------------------------------------
    def _next_or_idle(self, dept: Department, agent: int) -> None:
        if dept.callbacks and dept.callbacks_first:
            self._dial(dept, agent, dept.callbacks.popleft())
            return
        call = self._next_caller(dept)
        if call >= 0:
            self.answer(dept, agent, call)
        elif dept.callbacks:
            self._dial(dept, agent, dept.callbacks.popleft())
        else:
            dept.idle.append(agent)

    def _next_caller(self, dept: Department) -> int:
        """Pop the next live caller (priority line first), settling abandonments on the way."""
        now = self.env._now
        state = self.state
        for line in (dept.priority_waiting, dept.waiting):
            while line:
                call = line.popleft()
                s = state[call]
                if s == HOLDING:
                    return call
                if s > HOLDING:  # settled, a callback request, or in service through one
                    continue
                deadline = self.deadline[call]
                if deadline < now:
                    self.finish(call, deadline, Outcome.ABANDONED, self._waiting_stage(call))
                    continue
                return call
        return -1

    def _waiting_stage(self, call: int) -> Stage:
        return Stage.FIRST_QUEUE if self.state[call] == WAITING_FIRST else Stage.AFTER_TRANSFER

    def set_staffing(self, dept: Department, level: int) -> None:
        """Change the number of agents on duty; agents leaving mid-call finish it first."""
        change = level - dept.scheduled
        now = self.env.now
        if change > 0:
            kept = min(change, dept.pending_off)
            dept.pending_off -= kept
            for _ in range(change - kept):
                self._next_or_idle(dept, dept.come_on(now))
        else:
            leaving = -change
            while leaving and dept.idle:
                dept.go_off(dept.idle.pop(), now)
                leaving -= 1
            dept.pending_off += leaving

    def _staff_interval(self, event: Event) -> None:
        j: int = event.value  # type: ignore[assignment]  # SimPy types it Any | None
        for dept in self.departments:
            self.set_staffing(dept, self._agents[dept.index][j])

    def _staff_step(self, event: Event) -> None:
        levels: tuple[int, ...] = event.value  # type: ignore[assignment]  # Any | None
        for dept in self.departments:
            self.set_staffing(dept, levels[dept.index])

    def _schedule_staffing(self) -> None:
        """Staff every department now and schedule its changes (interval starts, or a roster).

        With a ``roster`` the changes come at its shifts' and breaks' exact times
        (:meth:`Scenario.staffing_steps`); an agent due off (a break, the shift's end) while
        on a call finishes it first, and the first agent free goes (docs/model.md section 11).
        """
        if self.scenario.rostered_departments:
            times, levels = self.scenario.staffing_steps()
            for dept in self.departments:
                self.set_staffing(dept, levels[0][dept.index])
            for at, level in zip(times[1:], levels[1:], strict=True):
                self.events.after(at, level, self._staff_step)
            return
        bounds = self.scenario.horizon.interval_bounds()
        for dept in self.departments:
            self.set_staffing(dept, self._agents[dept.index][0])
        for j in range(1, self.scenario.horizon.n_intervals):
            self.after(bounds[j], j, self._staff_interval)

    # -- the run -------------------------------------------------------------------------------
    def run(self) -> float:
        """Run the replication; return the clock when it stopped (s)."""
        h = self.scenario.horizon
        self._schedule_staffing()
        if len(self.callers):
            self.after(self.callers.time.item(0), 0, self._on_arrival)
        if h.drain:
            self.events.run()
        else:
            self.events.run(until=h.duration)
        end_time = self._settle_waiting(max(self.env.now, h.duration), h.drain)
        if self._wrapping and not h.drain:  # wrap-ups cut short by the end of the run
            self.activity = [(d, a, kind, start, min(end, end_time))
                             for d, a, kind, start, end in self.activity]
        return end_time

    def _settle_waiting(self, end_time: float, drain: bool) -> float:
        """Settle the callers still waiting when the run stops; return when the center closed.

        Without drain, callers whose patience ran out before the horizon abandoned then; the
        rest stay unfinished. With drain the event list ran dry while callers still wait only
        where nobody can answer them (no agent on duty, or agents holding for each other's
        departments in a circle of warm transfers). They abandon at their patience deadline;
        with unlimited patience (``patience: null``) they never abandon, so they are still
        waiting when the drain ends: unfinished, never an abandonment that did not happen
        (``overall.unfinished_rate`` says the queue never emptied). Callers on hold hang up
        when the center closes and the holding agent is released then. Callback requests
        still pending then (their department has nobody on duty) are ``unreached``; without
        drain pending requests stay unfinished.
        """
        state = np.frombuffer(self.state, dtype=np.uint8)
        waiting = (state == WAITING_FIRST) | (state == WAITING_TRANSFERRED)
        deadline = np.array(self.deadline)
        due = waiting & (np.isfinite(deadline) if drain else deadline < end_time)
        for call in np.flatnonzero(due).tolist():
            stage = self._waiting_stage(call)
            self.finish(call, self.deadline[call], Outcome.ABANDONED, stage)
        if due.any():
            end_time = max(end_time, float(deadline[due].max()))
        if drain:  # waiting & ~due: patience-less callers stay unfinished
            for call in np.flatnonzero(state == HOLDING).tolist():
                self._hold_end[call] = end_time
                self.finish(call, end_time, Outcome.ABANDONED, Stage.ON_HOLD)
            for call in np.flatnonzero(state == CALLBACK_PENDING).tolist():
                self.finish(call, end_time, Outcome.UNREACHED)  # nobody on duty to call back
        for dept in self.departments:
            dept.close(end_time)
        return end_time
