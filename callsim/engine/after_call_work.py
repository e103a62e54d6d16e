"""After-call work: the time an agent stays busy after every call it is released from.

Durations are drawn per department from the department's own stream, in batches, in the order
the department's agents finish calls: the k-th wrap-up of a department lasts the same under every
transfer policy (common random numbers; the calls it follows may differ between policies).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

    from callsim.scenario.distributions import Distribution

#: Wrap-up times are drawn this many at a time.
BATCH = 1024


class WrapUps:
    """The wrap-up times of one department, drawn lazily in batches.

    Parameters
    ----------
    distribution
        The department's ``after_call_work``.
    rng
        The department's own generator (site ``after_call_work``).
    """

    __slots__ = ("_distribution", "_rng", "_batch", "_next")

    def __init__(self, distribution: Distribution, rng: np.random.Generator) -> None:
        self._distribution = distribution
        self._rng = rng
        self._batch: list[float] = []
        self._next = 0

    def draw(self) -> float:
        """The next wrap-up time (s)."""
        if self._next == len(self._batch):
            self._batch = self._distribution.sample(self._rng, BATCH).tolist()
            self._next = 0
        value = self._batch[self._next]
        self._next += 1
        return value
