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
}


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

    def __init__(self, seed: int, replication: int = 0) -> None:
        if seed < 0 or replication < 0:
            raise ValueError("seed and replication must be non-negative integers")
        self.seed = int(seed)
        self.replication = int(replication)

    def generator(self, site: str | int, key: str | None = None) -> np.random.Generator:
        """A fresh generator for a sampling site, optionally per call type name.

        ``site`` is the name of one of the engine's :data:`SITES`, or a site number.
        """
        number = SITES[site] if isinstance(site, str) else site
        spawn_key: tuple[int, ...] = (self.replication, number)
        if key is not None:
            spawn_key += (name_key(key),)
        sequence = np.random.SeedSequence(self.seed, spawn_key=spawn_key)
        return np.random.Generator(np.random.PCG64(sequence))
