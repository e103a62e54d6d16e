"""The engine's event list: SimPy's clock and event order, without an event object per step.

Every step of a call is a callback due at a time. :class:`EventList` keeps them in a heap of
``(time, number, callback, value)`` entries, numbered in scheduling order, and :meth:`run`
pops them in SimPy's order (time, then scheduling order: what ``Environment.run`` does with
timeouts, all of one priority), moving the SimPy ``Environment``'s clock, and calls each
callback with one reused SimPy :class:`~simpy.events.Event` whose ``value`` is the entry's
value. Running a replication this way gives the same records, bit for bit, as a ``Timeout``
per step on ``Environment.run``; it leaves out what the engine never uses (an object, a
callback list and a check for failure per step), about a third of the engine's time.
``run(until=t)`` stops before the first entry due at ``t`` or later and leaves the clock at
``t``, as SimPy does. SimPy's own event queue is not run: a step that schedules a SimPy event
(``env.timeout``, ``env.process``) is an error at the end of the run, never silently skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from itertools import count
from typing import Any

from simpy import Environment
from simpy.events import Event

#: What a step calls: given the reused event, whose ``value`` is what the step was scheduled with.
Callback = Callable[[Event], None]


class EventList:
    """Callbacks due at times, run in SimPy's order on the clock of ``env``.

    Parameters
    ----------
    env
        The SimPy environment whose clock (``env.now``) the run moves.

    Examples
    --------
    >>> events = EventList(Environment())
    >>> seen = []
    >>> events.after(2.0, "b", lambda e: seen.append((events.env.now, e.value)))
    >>> events.after(1.0, "a", lambda e: seen.append((events.env.now, e.value)))
    >>> events.run(until=10.0)
    >>> seen, events.env.now
    ([(1.0, 'a'), (2.0, 'b')], 10.0)
    """

    __slots__ = ("env", "heap", "next_number", "_event")

    def __init__(self, env: Environment) -> None:
        self.env = env
        #: The entries ``(time, number, callback, value)`` (a heap; push with :meth:`after`).
        self.heap: list[tuple[float, int, Callback, Any]] = []
        #: The next entry number (bound here so the hot path can inline :meth:`after`).
        self.next_number = count().__next__
        self._event = Event(env)
        self._event._ok = True

    def after(self, delay: float, value: Any, then: Callback) -> None:
        """Call ``then`` ``delay`` seconds from now with an event whose ``value`` is ``value``."""
        heappush(self.heap, (self.env._now + delay, self.next_number(), then, value))

    def run(self, until: float | None = None) -> None:
        """Run the steps in order until none is left, or up to (not including) ``until``."""
        env, heap, event = self.env, self.heap, self._event
        if until is None:
            while heap:
                env._now, _, then, event._value = heappop(heap)
                then(event)
        else:
            stop = float(until)
            while heap and heap[0][0] < stop:
                env._now, _, then, event._value = heappop(heap)
                then(event)
            env._now = stop
        if env._queue:  # SimPy's own events would never run: a step made one (e.g. a plug-in)
            raise RuntimeError("a step scheduled a SimPy event (env.timeout, env.process); "
                               "schedule every step with CallCenter.after")
