"""Time-of-day handle time: a factor on handle time per block of the day, from handled calls.

Calls are shorter early and late in the day (on the Anonymous Bank, calls answered at
07:00-08:00 took two thirds of their call types' mean). The scenario's
``call_types.K.handle_scale`` multiplies each call's handle time by the factor of the interval
the call arrives in (docs/model.md section 4): handle time in block b is ``s_b x H`` with H the
call type's handle time.

The factor of a block is estimated by indirect standardisation over the calls answered and not
transferred: each call is expected to take its call type's (and answering queue's) mean over
the whole day, ``m_i``; a block's factor is its handled time over the time expected,
``s_b = sum h_i / sum m_i`` (the call types' mix in the block does not bias it). Its 95% CI is
the ratio estimator's (linearised): ``s_b -/+ 1.96 sqrt(sum (h_i - s_b m_i)^2) / sum m_i``. A
block with fewer than :data:`MIN_CALLS` such calls is not identified: its factor is 1 (``too
few``). Blocks are one hour (:data:`BLOCK`): the records' factors change from hour to hour
(07:00 0.66, 08:00 0.91, 09:00 1.01, 21:00 0.90 on the bank's first week) so two-hour blocks
would mix 07:00 with 08:00 and 20:00 with 21:00, while half hours hold half the calls (a CI
1.4 times as wide; a handle time's coefficient of variation is about 1, so a block of 200 calls
has a CI of about +-14%). The factors are relative to the day's handle time: the scenario's
handle times are then fitted to the handle times divided by their block's factor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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

__all__ = ["BLOCK", "MIN_CALLS", "HandleBlock", "HandleScale", "estimate_handle_scale"]

#: Length of a block (s): one hour, two intervals of 30 min.
BLOCK = 3600.0
#: Fewer handled calls in a block than this: its factor is not identified (kept at 1).
MIN_CALLS = 100
_Z = 1.959963984540054


@dataclass(frozen=True)
class HandleBlock:
    """The handle-time factor of one block of intervals (``first`` to ``last`` inclusive).

    ``mean`` is the block's mean handle time (s), ``expected`` the mean its calls would have
    had at their call types' whole-day means.
    """

    first: int
    last: int
    calls: int
    mean: float
    expected: float
    scale: float
    low: float
    high: float

    @property
    def identified(self) -> bool:
        """Whether the block has enough handled calls to estimate its factor."""
        return self.calls >= MIN_CALLS and self.scale > 0

    def line(self, window: Horizon) -> str:
        """One line: clock range, factor and its CI, calls and mean handle time."""
        span = clock_span(window, self.first, self.last)
        if not self.identified:
            return f"{span} 1 (too few: {self.calls:,} calls handled, < {MIN_CALLS})"
        return (f"{span} {self.scale:.3f} (95% CI {self.low:.3f}-{self.high:.3f}; "
                f"{self.calls:,} calls handled, mean {self.mean:.0f} s, "
                f"{self.expected:.0f} s expected)")


@dataclass(frozen=True)
class HandleScale(BlockFactors):
    """Handle-time factors per block of the day (every call type alike).

    Attributes
    ----------
    blocks
        Each block's factor, CI and evidence.
    window
        The intervals (for clock times).
    day_mean
        Mean handle time (s) over the whole day (all call types).
    applied
        Whether the calibrated scenario uses the factors (``calibrate(handle_by_time=True)``);
        else they are evidence only, written as comments.
    """

    blocks: tuple[HandleBlock, ...]
    window: Horizon
    day_mean: float
    applied: bool = True

    @property
    def used(self) -> bool:
        """Whether the scenario carries the factors: identified and applied."""
        return self.applied and self.identified

    def head(self) -> str:
        """What the factors are (the first line of the comment)."""
        return (f"handle_scale: time-of-day factor on handle time per block (whole day mean "
                f"{self.day_mean:.0f} s, standardised by call type; factor = handled time / "
                "time expected at the call types' day means)"
                + ("" if self.applied else
                   ", NOT applied (calibrate's `handle_by_time` applies it)") + ":")


def estimate_handle_scale(records: CallRecords, window: Horizon,
                          block: float = BLOCK) -> HandleScale | None:
    """Handle-time factors per block of ``block`` seconds from the calls answered, not transferred.

    Parameters
    ----------
    records
        Calls with ``clock``, ``call_type``, ``queue``, ``answered``, ``handled`` and
        ``transferred_to``.
    window
        The planning intervals.
    block
        Block length (s), rounded to whole intervals (at least one).

    Returns
    -------
    HandleScale or None
        None when no answered call has a known handle time.
    """
    frame = records.frame
    keep = (frame["answered"].to_numpy(dtype=bool) & frame["handled"].notna().to_numpy()
            & frame["transferred_to"].isna().to_numpy())
    idx = interval_index(frame["clock"].to_numpy(dtype=float), window)
    keep &= idx >= 0
    if not keep.any():
        return None
    calls = pd.DataFrame({"kind": frame["call_type"].astype(str).to_numpy()[keep],
                          "queue": frame["queue"].astype(str).to_numpy()[keep],
                          "handled": frame["handled"].to_numpy(dtype=float)[keep]})
    calls["expected"] = calls.groupby(["kind", "queue"])["handled"].transform("mean")
    width = block_width(block, window)
    calls["block"] = idx[keep] // width
    blocks = tuple(_block(int(b), width, window.n_intervals, group)
                   for b, group in calls.groupby("block"))
    return HandleScale(blocks, window, float(calls["handled"].mean()))


def _block(b: int, width: int, n: int, group: pd.DataFrame) -> HandleBlock:
    first, last = block_bounds(b, width, n)
    handled = group["handled"].to_numpy(dtype=float)
    expected = group["expected"].to_numpy(dtype=float)
    total = float(expected.sum())
    if total <= 0:
        return HandleBlock(first, last, len(group), float(handled.mean()), 0.0, 1.0,
                           math.nan, math.nan)
    scale = float(handled.sum()) / total
    half = _Z * math.sqrt(float(((handled - scale * expected) ** 2).sum())) / total
    return HandleBlock(first, last, len(group), float(handled.mean()),
                       float(expected.mean()), scale, max(scale - half, 0.0), scale + half)
