"""Random streams: one ``SeedSequence`` per replication, one ``Generator`` per sampling site.

Each sampling site (arrival times, call types, IVR routing, patience, ...) draws from its own
generator, keyed by a fixed site number and, for draws that depend on the call type, a CRC32 of
the call type's name. Adding a site or a call type therefore never shifts another stream, and
the callers of replication ``r`` are the same under every transfer policy (common random
numbers).

Examples
--------
>>> s = Streams(seed=7, replication=0)
>>> a = s.generator("handle", "support").random()
>>> b = Streams(seed=7, replication=0).generator("handle", "support").random()
>>> a == b
True
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

#: Fixed site numbers of the engine's own draws; never renumber. Transfer policies declare their
#: draws themselves (:class:`callsim.engine.draws.Draw`): the built-in ones keep the numbers they
#: had before policies became plug-ins (4, 5, 8, 9, 10), new ones are keyed by their name.
SITES: dict[str, int] = {
    "arrivals": 0,
    "call_type": 1,
    "route": 2,
    "patience": 3,
    "handle": 6,
    "identify": 7,
    "in_place": 11,  # cross-trained agents: uniform draw against ``resolves.K.share``
    "redial": 12,  # redials: uniform draw against ``redial.probability``
    "redial_delay": 13,
    "after_call_work": 14,  # per department: the k-th wrap-up of its agents
    "busyness": 15,  # the day's busyness factor (one draw per replication)
}

#: Added to the attempt number (>= 2) in the spawn key of a customer's later calls.
ATTEMPT_KEY = 1_000_000


def name_key(name: str) -> int:
    """Stable integer key of a name (CRC32), for per-call-type streams."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """The random streams of one replication.

    Parameters
    ----------
    seed
        Base seed (non-negative integer) of the experiment.
    replication
        Replication number; replication ``r`` of every policy gets the same streams.
    """

    def __init__(self, seed: int, replication: int = 0, attempt: int = 1) -> None:
        if seed < 0 or replication < 0:
            raise ValueError("seed and replication must be non-negative integers")
        self.seed = int(seed)
        self.replication = int(replication)
        self.attempt = int(attempt)

    def for_attempt(self, attempt: int) -> Streams:
        """The streams of customers' ``attempt``-th calls (redials; 1: the first calls).

        Every site has its own stream per attempt, so a customer's k-th call draws the same
        attributes whenever and under whichever policy it happens.
        """
        return Streams(self.seed, self.replication, attempt)

    def generator(self, site: str | int, key: str | None = None) -> np.random.Generator:
        """A fresh generator for a sampling site, optionally per call type name.

        ``site`` is the name of one of the engine's :data:`SITES`, or a site number.
        """
        import numpy as np  # here, not at the top: validating a scenario needs no numpy

        number = SITES[site] if isinstance(site, str) else site
        spawn_key: tuple[int, ...] = (self.replication, number)
        if key is not None:
            spawn_key += (name_key(key),)
        if self.attempt > 1:
            spawn_key += (ATTEMPT_KEY + self.attempt,)
        sequence = np.random.SeedSequence(self.seed, spawn_key=spawn_key)
        return np.random.Generator(np.random.PCG64(sequence))
