"""Runtime departments: agents on duty, idle agents, queues and staffing changes.

A :class:`Department` is made per replication and holds only state; the call flow that moves
callers between departments lives in :mod:`callsim.engine.call_center` and
:mod:`callsim.policies`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence

# Call states while a replication runs (plain ints: they are compared on the hot path).
WAITING_FIRST = 1  # in the queue the IVR chose
WAITING_TRANSFERRED = 2  # in the resolving department's queue, alone (cold, or warm turned cold)
HOLDING = 3  # warm: in the resolving department's queue with the first agent attached
IN_SERVICE = 4
DONE = 5
CALLBACK_PENDING = 6  # off the line, a callback request of the resolving department (>= DONE:
# a caller in this state left the queue lines, which skip it)


class ClassLines:
    """A queue line served by caller priority class, first come first served within a class.

    Used in place of a department's ordinary line when call types carry several
    ``priority`` classes (a plain deque otherwise, which costs nothing): it offers the deque
    methods the engine uses, ``append``, ``popleft``, truth and iteration (in service order).

    Parameters
    ----------
    rank
        Per call (slot) the rank of its class, 0 for the highest.
    classes
        Number of distinct classes.

    Examples
    --------
    >>> line = ClassLines([1, 0, 1, 0], 2)
    >>> for call in range(4):
    ...     line.append(call)
    >>> [line.popleft() for _ in range(4)]
    [1, 3, 0, 2]
    """

    __slots__ = ("_lines", "_rank")

    def __init__(self, rank: Sequence[int], classes: int) -> None:
        self._rank = rank
        self._lines: tuple[deque[int], ...] = tuple(deque() for _ in range(classes))

    def append(self, call: int) -> None:
        """Put a caller at the back of its class."""
        self._lines[self._rank[call]].append(call)

    def popleft(self) -> int:
        """Take the caller at the front of the highest non-empty class."""
        for line in self._lines:
            if line:
                return line.popleft()
        raise IndexError("pop from an empty queue")

    def __bool__(self) -> bool:
        return any(self._lines)

    def __iter__(self) -> Iterator[int]:
        for line in self._lines:
            yield from line


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
        self.waiting: deque[int] | ClassLines = deque()
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
