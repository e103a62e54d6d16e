"""Runtime departments: agents on duty, idle agents, queues and staffing changes.

A :class:`Department` is made per replication and holds only state; the call flow that moves
callers between departments lives in :mod:`callsim.engine.call_center` and
:mod:`callsim.policies`.
"""

from __future__ import annotations

from collections import deque

# Call states while a replication runs (plain ints: they are compared on the hot path).
WAITING_FIRST = 1  # in the queue the IVR chose
WAITING_TRANSFERRED = 2  # in the resolving department's queue, alone (cold, or warm turned cold)
HOLDING = 3  # warm: in the resolving department's queue with the first agent attached
IN_SERVICE = 4
DONE = 5
CALLBACK_PENDING = 6  # off the line, a callback request of the resolving department (>= DONE:
# a caller in this state left the queue lines, which skip it)


class Department:
    """Agents and queues of one department during one replication.

    Agents are numbered from 0 within the department; a number is reused when its agent went off
    duty. Idle agents are a stack (the agent freed last answers next).

    Parameters
    ----------
    index
        Position of the department in the scenario.
    name
        Department name.
    shifts
        Shared list receiving one ``(department, agent, start, end)`` row per spell on duty.
    """

    __slots__ = (
        "index",
        "name",
        "idle",
        "waiting",
        "priority_waiting",
        "pending_off",
        "on_duty_since",
        "spare",
        "shifts",
        "callbacks",
        "callbacks_first",
    )

    def __init__(self, index: int, name: str, shifts: list[tuple[int, int, float, float]]) -> None:
        self.index = index
        self.name = name
        self.idle: list[int] = []
        self.waiting: deque[int] = deque()
        self.priority_waiting: deque[int] = deque()
        self.pending_off = 0
        self.on_duty_since: dict[int, float] = {}
        self.spare: list[int] = []
        self.shifts = shifts
        self.callbacks: deque[int] = deque()  # due callback requests, oldest first
        self.callbacks_first = False  # a free agent takes a due request before a live caller

    @property
    def scheduled(self) -> int:
        """Agents on duty who are not about to leave."""
        return len(self.on_duty_since) - self.pending_off

    def enqueue(self, call: int, priority: bool) -> None:
        """Put a caller at the back of the ordinary or the priority line."""
        (self.priority_waiting if priority else self.waiting).append(call)

    def come_on(self, now: float) -> int:
        """Bring one agent on duty and return its number (not yet idle or busy)."""
        # Every number given out is on duty or spare, so the next new one is their count.
        agent = self.spare.pop() if self.spare else len(self.on_duty_since)
        self.on_duty_since[agent] = now
        return agent

    def go_off(self, agent: int, now: float) -> None:
        """Take an agent off duty and record the spell."""
        start = self.on_duty_since.pop(agent)
        self.shifts.append((self.index, agent, start, now))
        self.spare.append(agent)

    def close(self, now: float) -> None:
        """Record the spells of everyone still on duty when the run ends."""
        for agent in list(self.on_duty_since):
            self.go_off(agent, now)
        self.idle.clear()
