"""Time-of-day patience: a factor on patience per block of the day, from censored waits.

Callers are more or less patient at different times of the day (on the Anonymous Bank, callers
at 12:00-14:00 abandon at 0.33 per minute of waiting, in the evening at 0.13). The scenario's
``call_types.K.patience_scale`` multiplies each caller's patience by the factor of the interval
the call arrives in (docs/model.md section 4), i.e. patience in block b is ``s_b x T`` with T
the call type's patience (an accelerated-failure-time model with one factor per block).

The factor of a block is estimated by indirect standardisation of the abandonment hazard per
second of waiting: each call type k has its whole-day rate ``H_k`` (abandonments over time
waited, answered calls censored at their wait); a block expects ``E_b = sum H_k x waiting`` of
its calls and observes ``O_b`` abandonments; its hazard ratio is ``O_b / E_b`` and its factor on
patience ``s_b = E_b / O_b`` (exact for exponential patience, where a factor s divides the
hazard by s; the call types' mix in the block does not bias it). Its 95% CI treats ``O_b`` as
Poisson, on the log scale: ``s_b x exp(-/+ 1.96 / sqrt(O_b))``. A block with fewer than
:data:`MIN_ABANDONED` abandonments cannot be told from the day: its factor is 1 (``too few``).
The factors are relative to the day's patience (only their ratios are identified): the
scenario's patience is then estimated from the waits divided by their block's factor (the
waits as they would have been at factor 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from callsim.calibration.arrivals import interval_index
from callsim.calibration.block_factors import (
    BlockFactors,
    block_bounds,
    block_width,
    clock_span,
)
from callsim.calibration.records import CallRecords
from callsim.scenario.schema import Horizon

__all__ = ["BLOCK", "MIN_ABANDONED", "BlockScale", "PatienceScale", "estimate_patience_scale"]

#: Length of a block (s): 2 h, the availability fit's blocks at 30 min intervals.
BLOCK = 7200.0
#: Fewer abandonments in a block than this: its factor is not identified (kept at 1).
MIN_ABANDONED = 20
_Z = 1.959963984540054
_SHORTEST = 0.05  # a wait of 0 s counts as 0.05 s (as the patience estimate does)


@dataclass(frozen=True)
class BlockScale:
    """The patience factor of one block of intervals (``first`` to ``last`` inclusive).

    ``hazard`` is the block's abandonments per minute of waiting; ``expected`` the abandonments
    its calls would have had at their call types' whole-day rates.
    """

    first: int
    last: int
    calls: int
    abandoned: int
    expected: float
    hazard: float
    scale: float
    low: float
    high: float

    @property
    def identified(self) -> bool:
        """Whether the block has enough abandonments to estimate its factor."""
        return self.abandoned >= MIN_ABANDONED

    def line(self, window: Horizon) -> str:
        """One line: clock range, factor and its CI, abandonments and hazard."""
        span = clock_span(window, self.first, self.last)
        if not self.identified:
            return (f"{span} 1 (too few: {self.abandoned} abandoned of {self.calls:,} calls, "
                    f"< {MIN_ABANDONED})")
        return (f"{span} {self.scale:.3f} (95% CI {self.low:.3f}-{self.high:.3f}; "
                f"{self.abandoned:,} abandoned of {self.calls:,} calls, "
                f"{self.hazard:.3f} per minute of waiting, {self.expected:.1f} expected)")


@dataclass(frozen=True)
class PatienceScale(BlockFactors):
    """Patience factors per block of the day (every call type alike).

    Attributes
    ----------
    blocks
        Each block's factor, CI and evidence.
    window
        The intervals (for clock times).
    day_hazard
        Abandonments per minute of waiting over the whole day (all call types).
    """

    blocks: tuple[BlockScale, ...]
    window: Horizon
    day_hazard: float

    def head(self) -> str:
        """What the factors are (the first line of the comment)."""
        return (f"patience_scale: time-of-day factor on patience per block (hazard of "
                f"abandonment per minute of waiting, whole day {self.day_hazard:.3f}, "
                "standardised by call type; factor = expected / observed abandonments):")


def estimate_patience_scale(records: CallRecords, window: Horizon,
                            block: float = BLOCK) -> PatienceScale | None:
    """Patience factors per block of ``block`` seconds from the records' first-queue waits.

    Parameters
    ----------
    records
        Calls with ``clock``, ``call_type``, ``answered`` and ``waited``.
    window
        The planning intervals.
    block
        Block length (s), rounded to whole intervals (at least one).

    Returns
    -------
    PatienceScale or None
        None when no call has a known wait or nobody abandoned.
    """
    frame = records.frame
    waited = frame["waited"].to_numpy(dtype=float)
    idx = interval_index(frame["clock"].to_numpy(dtype=float), window)
    keep = np.isfinite(waited) & (idx >= 0)
    if not keep.any():
        return None
    exposure = np.maximum(waited[keep], _SHORTEST)
    abandoned = ~frame["answered"].to_numpy(dtype=bool)[keep]
    if not abandoned.any():
        return None
    calls = pd.DataFrame({"kind": frame["call_type"].astype(str).to_numpy()[keep],
                          "exposure": exposure, "abandoned": abandoned})
    per_type = calls.groupby("kind")[["abandoned", "exposure"]].sum()
    rate = per_type["abandoned"] / per_type["exposure"]
    calls["expected"] = calls["exposure"] * calls["kind"].map(rate).to_numpy()
    width = block_width(block, window)
    calls["block"] = idx[keep] // width
    sums = calls.groupby("block")[["abandoned", "expected", "exposure"]].sum()
    counts = calls.groupby("block").size()
    blocks = tuple(_block(int(b), width, window.n_intervals, int(counts[b]), int(row.abandoned),
                          float(row.expected), float(row.exposure))
                   for b, row in sums.iterrows())
    day = 60.0 * float(calls["abandoned"].sum()) / float(calls["exposure"].sum())
    return PatienceScale(blocks, window, day)


def _block(b: int, width: int, n: int, calls: int, abandoned: int, expected: float,
           exposure: float) -> BlockScale:
    first, last = block_bounds(b, width, n)
    hazard = 60.0 * abandoned / exposure
    if abandoned == 0:
        return BlockScale(first, last, calls, 0, expected, hazard, 1.0, math.nan, math.nan)
    scale = expected / abandoned
    spread = math.exp(_Z / math.sqrt(abandoned))
    return BlockScale(first, last, calls, abandoned, expected, hazard, scale, scale / spread,
                      scale * spread)
