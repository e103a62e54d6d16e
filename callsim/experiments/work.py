"""Estimating work before running it: refuse, with the estimate, what would not finish.

A scenario that validates can still ask for billions of calls (an arrival rate of 1e9 per
hour, a year-long horizon). Running it would exhaust memory or take days before anything is
reported. :func:`check_work` estimates the expected number of calls (from arrival rates,
horizon, replications and policies) and the memory of one replication, and raises
:class:`WorkLimitError` above ``max_calls`` (``--max-calls`` on the command line).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from callsim.scenario.limits import MAX_CALLS, MEMORY_PER_CALL

if TYPE_CHECKING:
    from callsim.scenario.schema import Scenario

__all__ = ["WorkEstimate", "WorkLimitError", "check_work", "estimate_work"]


class WorkLimitError(ValueError):
    """The work asked for is above the limit; the one-line message gives the estimate."""


@dataclass(frozen=True)
class WorkEstimate:
    """Expected calls in all (``calls``) and in the largest replication (``per_run``)."""

    calls: float
    per_run: float
    runs: int

    @property
    def memory_per_run(self) -> float:
        """Rough memory of the largest replication while it runs (bytes)."""
        return self.per_run * MEMORY_PER_CALL

    def describe(self) -> str:
        """``about 1.2e+10 calls (4e+09 per replication x 3 runs, ~4 TB of memory each)``."""
        runs = f"{self.runs} run{'' if self.runs == 1 else 's'}"
        return (f"about {self.calls:.3g} calls ({self.per_run:.3g} per replication x "
                f"{runs}, ~{_bytes(self.memory_per_run)} of memory each)")


def estimate_work(scenarios: Sequence[Scenario], runs_per_scenario: int) -> WorkEstimate:
    """Expected calls of ``runs_per_scenario`` replications (x policies) of each scenario."""
    per_scenario = [s.expected_calls() for s in scenarios]
    return WorkEstimate(
        calls=sum(per_scenario) * runs_per_scenario,
        per_run=max(per_scenario, default=0.0),
        runs=runs_per_scenario * len(per_scenario),
    )


def check_work(
    scenarios: Sequence[Scenario], runs_per_scenario: int, max_calls: float | None = MAX_CALLS
) -> WorkEstimate:
    """Estimate the work and refuse it above ``max_calls`` expected calls (None: no limit).

    Raises
    ------
    WorkLimitError
        ``this would simulate about ... calls ..., above the limit of ...``.
    """
    estimate = estimate_work(scenarios, runs_per_scenario)
    if max_calls is not None and not estimate.calls <= max_calls:
        raise WorkLimitError(f"this would simulate {estimate.describe()}, above the limit of "
                             f"{max_calls:.3g} calls: check the arrival rates and the horizon, "
                             "or raise the limit with `max_calls`")
    return estimate


def _bytes(n: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n / 1e3:.3g} kB"
