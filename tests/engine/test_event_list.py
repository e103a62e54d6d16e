"""The engine's event list runs callbacks in SimPy's order and moves its clock as SimPy does."""

import numpy as np
import pytest
from simpy import Environment, Timeout

from callsim.engine.event_list import EventList


def _schedule(after, rng, log, now, depth):
    """Schedule a few steps with tied times; each step logs itself and schedules more."""
    for k in range(3):
        delay = float(rng.choice([0.0, 1.0, 2.5]))

        def step(event, k=k, depth=depth):
            log.append((now(), event.value))
            if depth < 4:
                _schedule(after, rng, log, now, depth + 1)

        after(delay, (depth, k, delay), step)


@pytest.mark.parametrize("until", [None, 6.0])
def test_same_order_and_clock_as_simpy_timeouts_ties_included(until):
    simpy_log, own_log = [], []
    env = Environment()
    _schedule(lambda d, v, f: Timeout(env, d, v).callbacks.append(f),
              np.random.default_rng(3), simpy_log, lambda: env.now, 0)
    env.run(until=until)
    events = EventList(Environment())
    _schedule(events.after, np.random.default_rng(3), own_log, lambda: events.env.now, 0)
    events.run(until=until)
    assert own_log == simpy_log and len(own_log) > 20
    assert events.env.now == env.now


def test_a_step_that_schedules_a_simpy_event_is_an_error_not_skipped():
    events = EventList(Environment())
    events.after(1.0, None, lambda e: events.env.timeout(5.0))
    with pytest.raises(RuntimeError, match="CallCenter.after"):
        events.run()
