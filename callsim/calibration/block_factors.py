"""Time-of-day factors estimated per block of intervals (``patience_scale``, ``handle_scale``).

A block covers intervals ``first`` to ``last`` of the calibration window and carries a factor
``scale`` that is used only when ``identified`` (enough evidence); :class:`BlockFactors` turns
the blocks into one factor per interval, and into the factor of calls arriving at given clock
times, the same way for every kind of factor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from callsim.calibration.arrivals import interval_index
from callsim.scenario.schema import Horizon


class Block(Protocol):
    """One block's factor: intervals ``first`` to ``last`` (inclusive)."""

    @property
    def first(self) -> int: ...  # noqa: D102

    @property
    def last(self) -> int: ...  # noqa: D102

    @property
    def scale(self) -> float: ...  # noqa: D102

    @property
    def identified(self) -> bool: ...  # noqa: D102

    def line(self, window: Horizon) -> str: ...  # noqa: D102


def block_width(block: float, window: Horizon) -> int:
    """Intervals in a block of ``block`` seconds: rounded, at least one."""
    return max(1, round(block / window.interval))


def block_bounds(b: int, width: int, n: int) -> tuple[int, int]:
    """First and last interval (inclusive) of block ``b`` of ``width`` intervals, of ``n``."""
    return b * width, min((b + 1) * width, n) - 1


def clock_span(window: Horizon, first: int, last: int) -> str:
    """Intervals ``first`` to ``last`` on the clock: ``"12:00-14:00"``."""
    return f"{window.clock(first)}-{window.clock(last + 1)}"


class BlockFactors:
    """Factors per interval from ``blocks`` over ``window``; 1 where a block is not identified.

    Mixed into the frozen dataclasses that hold ``blocks`` and ``window`` as fields; they say
    what their factors are in :meth:`head`.
    """

    blocks: Sequence[Block]
    window: Horizon

    @property
    def identified(self) -> bool:
        """Whether at least one block's factor is estimated (else the model keeps 1)."""
        return any(b.identified for b in self.blocks)

    @property
    def per_interval(self) -> tuple[float, ...]:
        """The factor of each interval of the window (1 in unidentified blocks)."""
        out = [1.0] * self.window.n_intervals
        for b in self.blocks:
            for i in range(b.first, b.last + 1):
                out[i] = b.scale if b.identified else 1.0
        return tuple(out)

    def head(self) -> str:
        """The first line of :meth:`comment`: what the factors are and how they were made."""
        raise NotImplementedError

    def comment(self) -> list[str]:
        """Lines for the scenario file and calibrate's output: :meth:`head`, then the blocks."""
        return [self.head(), *(b.line(self.window) for b in self.blocks)]

    def factors(self, clock: np.ndarray) -> np.ndarray:
        """The factor of calls arriving at ``clock`` (s since midnight; 1 outside the window)."""
        idx = interval_index(np.asarray(clock, dtype=float), self.window)
        table = np.asarray(self.per_interval + (1.0,))
        picked: np.ndarray = table[idx]  # -1 (outside) picks the trailing 1
        return picked
