"""The engine: one replication of the call center on SimPy's event loop.

Calls are not SimPy processes. Every step of a call is a :class:`simpy.events.Timeout` whose
callback moves the call on, and queue abandonment is checked lazily when an agent frees up (the
abandonment time recorded is the patience deadline, so it is exact). This keeps the cost per call
to a few events. Per-call facts are written once into numpy record columns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from simpy import Environment, Timeout

from callsim.engine.arrivals import Callers, draw_callers
from callsim.engine.departments import (
    DONE,
    HOLDING,
    IN_SERVICE,
    WAITING_FIRST,
    WAITING_TRANSFERRED,
    Department,
)
from callsim.engine.records import (
    CODE_COLUMNS,
    SHIFT_COLUMNS,
    Outcome,
    SimulationResult,
    Stage,
    TransferKind,
    empty_time_columns,
)
from callsim.engine.streams import Streams
from callsim.policies.transfer import POLICIES

_RESOLVED = int(Outcome.RESOLVED)
_NO_TRANSFER = int(TransferKind.NONE)

if TYPE_CHECKING:
    from collections.abc import Callable

    from simpy.events import Event

    from callsim.scenario.schema import Scenario

class CallCenter:
    """The runtime state of one replication: departments, callers and their records.

    Parameters
    ----------
    scenario
        Validated scenario.
    policy
        Transfer policy name (a key of :data:`callsim.policies.transfer.POLICIES`).
    callers
        Every caller of the replication, drawn up front.
    """

    def __init__(self, scenario: Scenario, policy: str, callers: Callers) -> None:
        self.env = Environment()
        self.scenario = scenario
        self.callers = callers
        self.shifts: list[tuple[int, int, float, float]] = []
        names = list(scenario.departments)
        self.departments = [Department(i, name, self.shifts) for i, name in enumerate(names)]
        self.resolver = [names.index(ct.resolved_by) for ct in scenario.call_types.values()]
        n = len(callers)
        self.n_calls = n
        self.times = empty_time_columns(n)
        # Arrival times as the clock reads them when each arrival fires (the drawn time up to
        # rounding), so no step of a call can precede its arrival; the same under every policy.
        self.times["arrival"] = callers.time.copy()
        self._arrival = self.times["arrival"]
        self.codes = {name: np.zeros(n, dtype=dtype) for name, dtype in CODE_COLUMNS.items()}
        self.codes["agent"][:] = -1
        self.codes["agent2"][:] = -1
        self.codes["outcome"][:] = Outcome.UNFINISHED
        # Hot-path views: every call reads these, so they are Python lists (fast item access);
        # record columns are bound once instead of looked up by name per event.
        self._time = callers.time.tolist()
        self._patience = callers.patience.tolist()
        self._handle = callers.handle.tolist()
        self._type = callers.call_type.tolist()
        self._dept = callers.department.tolist()
        self._answer = self.times["answer"]
        self._end = self.times["end"]
        self._agent = self.codes["agent"]
        self._outcome = self.codes["outcome"]
        self._stage = self.codes["abandon_stage"]
        self._kind = self.codes["transfer_kind"]
        self.state = bytearray(n)  # one call state per call (see callsim.engine.departments)
        self.deadline = np.full(n, np.inf)
        self.next_arrival = 0
        self._on_arrival = self._arrive
        self._on_resolved = self.resolved
        self._on_identified = self._identified
        self.policy = POLICIES[policy](self, scenario.transfer)

    # -- scheduling ---------------------------------------------------------------------------
    def after(self, delay: float, call: int, then: Callable[[Event], None]) -> None:
        """Call ``then`` with an event whose ``value`` is ``call`` after ``delay`` seconds."""
        Timeout(self.env, delay, call).callbacks.append(then)

    # -- arrivals and the first leg ----------------------------------------------------------
    def _arrive(self, _event: Event) -> None:
        i = self.next_arrival
        self.next_arrival = i + 1
        now = self.env.now
        self._arrival[i] = now
        self.state[i] = WAITING_FIRST
        self.deadline[i] = now + self._patience[i]
        dept = self.departments[self._dept[i]]
        if dept.idle:  # idle agents imply an empty queue
            self.answer(dept, dept.idle.pop(), i)
        else:
            dept.waiting.append(i)
        if i + 1 < self.n_calls:
            Timeout(self.env, self._time[i + 1] - now, -1).callbacks.append(self._on_arrival)

    def offer(self, dept: Department, call: int, priority: bool) -> None:
        """A caller (already in a waiting state) reaches a department's queue."""
        if dept.idle:  # idle agents imply an empty queue
            self.answer(dept, dept.idle.pop(), call)
        else:
            dept.enqueue(call, priority)

    def answer(self, dept: Department, agent: int, call: int) -> None:
        """An agent of ``dept`` answers a waiting caller."""
        state = self.state
        s = state[call]
        state[call] = IN_SERVICE
        if s != WAITING_FIRST:
            self.policy.answer_transferred(dept, agent, call, s == HOLDING)
            return
        env = self.env
        self._answer[call] = env.now
        self._agent[call] = agent
        if self.resolver[self._type[call]] == dept.index:
            Timeout(env, self._handle[call], call).callbacks.append(self._on_resolved)
        else:
            delay = self.callers.identify.item(call)
            Timeout(env, delay, call).callbacks.append(self._on_identified)

    def _identified(self, event: Event) -> None:
        call: int = event.value  # type: ignore[assignment]  # SimPy types it Any | None
        self.times["transfer"][call] = self.env.now
        dept = self.departments[self._dept[call]]
        self.policy.transfer(dept, self._agent.item(call), call)

    def resolved(self, event: Event) -> None:
        """Service over: the call is resolved and its (last) agent is released."""
        call: int = event.value  # type: ignore[assignment]  # SimPy types it Any | None
        self.finish(call, self.env.now, _RESOLVED)
        if self._kind.item(call) == _NO_TRANSFER:
            self.release(self.departments[self._dept[call]], self._agent.item(call))
        else:
            self.release(self.resolving_department(call), self.codes["agent2"].item(call))

    def resolving_department(self, call: int) -> Department:
        """The department that resolves the call's type."""
        return self.departments[self.resolver[self._type[call]]]

    # -- outcomes and agents ------------------------------------------------------------------
    def finish(self, call: int, when: float, outcome: int, stage: int = 0) -> None:
        """Record a call's single outcome (an :class:`Outcome`, and a :class:`Stage` if any)."""
        self.state[call] = DONE
        self._end[call] = when
        self._outcome[call] = outcome
        if stage:
            self._stage[call] = stage

    def release(self, dept: Department, agent: int) -> None:
        """An agent is done with a call: leave if due off shift, else take the next caller."""
        if dept.pending_off:
            dept.pending_off -= 1
            dept.go_off(agent, self.env.now)
        else:
            self._next_or_idle(dept, agent)

    def _next_or_idle(self, dept: Department, agent: int) -> None:
        call = self._next_caller(dept)
        if call < 0:
            dept.idle.append(agent)
        else:
            self.answer(dept, agent, call)

    def _next_caller(self, dept: Department) -> int:
        """Pop the next live caller (priority line first), settling abandonments on the way."""
        now = self.env.now
        state = self.state
        for line in (dept.priority_waiting, dept.waiting):
            while line:
                call = line.popleft()
                s = state[call]
                if s == HOLDING:
                    return call
                if s == DONE:  # abandoned on hold, already settled
                    continue
                deadline = self.deadline.item(call)
                if deadline < now:
                    stage = Stage.FIRST_QUEUE if s == WAITING_FIRST else Stage.AFTER_TRANSFER
                    self.finish(call, deadline, Outcome.ABANDONED, stage)
                    continue
                return call
        return -1

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
            self.set_staffing(dept, self.scenario.staffing(dept.name)[j])

    # -- the run ------------------------------------------------------------------------------
    def run(self) -> float:
        """Run the replication; return the clock when it stopped (s)."""
        h = self.scenario.horizon
        bounds = h.interval_bounds()
        for dept in self.departments:
            self.set_staffing(dept, self.scenario.staffing(dept.name)[0])
        for j in range(1, h.n_intervals):
            Timeout(self.env, bounds[j], j).callbacks.append(self._staff_interval)
        if len(self.callers):
            self.after(self.callers.time.item(0), -1, self._arrive)
        if h.drain:
            self.env.run()
        else:
            self.env.run(until=h.duration)
        end_time = max(self.env.now, h.duration)
        return self._settle_waiting(end_time, h.drain)

    def _settle_waiting(self, end_time: float, drain: bool) -> float:
        """Settle the callers still waiting when the run stops; return when the center closed.

        Without drain, callers whose patience ran out before the horizon abandoned then; the
        rest stay unfinished. With drain the event list ran dry while callers still wait only
        where nobody can answer them (no agent on duty, or agents holding for each other's
        departments in a circle of warm transfers). They abandon at their patience deadline,
        or, with unlimited patience or on hold, hang up when the center closes; a holding
        agent is released then.
        """
        state = np.frombuffer(self.state, dtype=np.uint8)
        waiting = (state == WAITING_FIRST) | (state == WAITING_TRANSFERRED)
        due = waiting & (np.isfinite(self.deadline) if drain else self.deadline < end_time)
        for call in np.flatnonzero(due):
            self.finish(int(call), self.deadline.item(call), Outcome.ABANDONED,
                        self._waiting_stage(int(call)))
        if due.any():
            end_time = max(end_time, float(self.deadline[due].max()))
        if drain:
            for call in np.flatnonzero(waiting & ~due):
                self.finish(int(call), end_time, Outcome.ABANDONED, self._waiting_stage(int(call)))
            for call in np.flatnonzero(state == HOLDING):
                self.times["hold_end"][call] = end_time
                self.finish(int(call), end_time, Outcome.ABANDONED, Stage.ON_HOLD)
        for dept in self.departments:
            dept.close(end_time)
        return end_time

    def _waiting_stage(self, call: int) -> Stage:
        return Stage.FIRST_QUEUE if self.state[call] == WAITING_FIRST else Stage.AFTER_TRANSFER

    def records(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The call records and shift records of the finished run."""
        c = self.callers
        type_names = list(self.scenario.call_types)
        dept_names = [d.name for d in self.departments]
        calls = pd.DataFrame(
            {
                "call_id": np.arange(len(c), dtype=np.int32),
                "call_type": pd.Categorical.from_codes(c.call_type, type_names),
                "first_department": pd.Categorical.from_codes(c.department, dept_names),
                **self.times,
                **self.codes,
            }
        )
        rows = sorted(self.shifts, key=lambda r: (r[0], r[2], r[1]))
        shifts = pd.DataFrame(rows, columns=list(SHIFT_COLUMNS))
        shifts["department"] = pd.Categorical.from_codes(
            shifts["department"].to_numpy(dtype=np.int16), dept_names
        )
        shifts["agent"] = shifts["agent"].astype(np.int16)
        return calls, shifts


def simulate(
    scenario: Scenario, policy: str | None = None, seed: int = 0, replication: int = 0
) -> SimulationResult:
    """Run one replication of a scenario.

    Parameters
    ----------
    scenario
        Validated scenario.
    policy
        ``"cold"`` or ``"warm"``; default: the scenario's ``transfer.policy``.
    seed
        Base seed (non-negative integer).
    replication
        Replication number: replication ``r`` of every policy sees the same callers.

    Returns
    -------
    SimulationResult
        Per-call and per-shift records (times in seconds).

    Examples
    --------
    >>> from callsim import load_scenario
    >>> scenario = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=1h"])
    >>> cold = simulate(scenario, policy="cold", seed=1)
    >>> warm = simulate(scenario, policy="warm", seed=1)
    >>> cold.calls["arrival"].equals(warm.calls["arrival"])  # the same callers
    True
    >>> cold.end_time >= cold.horizon == 3600.0  # drained after the horizon
    True
    """
    policy = policy or scenario.transfer.policy
    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; choose from {', '.join(POLICIES)}")
    callers = draw_callers(scenario, Streams(seed, replication))
    center = CallCenter(scenario, policy, callers)
    end_time = center.run()
    calls, shifts = center.records()
    return SimulationResult(
        calls=calls,
        shifts=shifts,
        horizon=scenario.horizon.duration,
        warmup=scenario.horizon.warmup,
        end_time=end_time,
        policy=policy,
        seed=seed,
        replication=replication,
    )
