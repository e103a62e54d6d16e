"""``breakeven_schedule()``: where the total-cost difference of two policies' rosters changes sign.

At every evaluated value of the field, both policies are rostered again
(:func:`~callsim.planning.roster.schedule`: their requirement for the targets, then the
cheapest covering roster), and the rosters are simulated on the same replications
(:func:`~callsim.planning.roster_comparison.compare_rosters_on`): the difference is ``B - A``
of roster cost plus lost-call cost, A the first policy named. The grid, the bisection of the
first sign change, the work check and the verdict are those of
:func:`~callsim.planning.breakeven.breakeven` (:func:`~callsim.planning.breakeven.search`);
rosters change in steps, so a sign change between two significant differences is a jump, not
interpolated.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from callsim.experiments.execution import BatchRunner, Execution
from callsim.planning.breakeven import (
    BreakEven,
    BreakEvenError,
    _paired,
    _scenario_at,
    _Setup,
    _setup,
    search,
)
from callsim.planning.roster import ScheduleError, schedule
from callsim.planning.roster_comparison import compare_rosters_on
from callsim.planning.staffing import StaffingError, resolve_targets
from callsim.scenario.schema import Scenario

__all__ = ["REQUIREMENTS", "breakeven_schedule"]

#: Requirements re-computed at every value (a given file would not move with the field).
REQUIREMENTS = ("erlang", "staff")


@dataclass(frozen=True)
class _Rostering:
    """How to roster at each value: the requirement and the solver's limits."""

    requirements: str
    time_limit: float
    mip_gap: float

    def __call__(self, setup: _Setup, runner: BatchRunner, values: Sequence[float]
                 ) -> list[tuple[float, ...]]:
        """Paired differences of total cost at each value, both policies re-rostered."""
        out = []
        for value in values:
            scenario = _scenario_at(setup, value)
            try:
                result = schedule(scenario, self.requirements, targets=setup.targets,
                                  policies=setup.policies, reps=setup.staff_reps,
                                  verify_reps=setup.reps, seed=setup.seed,
                                  execution=runner.execution.reporting(None),
                                  time_limit=self.time_limit, mip_gap=self.mip_gap)
                compared = compare_rosters_on(runner, result, setup.policies, setup.reps,
                                              setup.seed, first=setup.staff_reps)
            except (ScheduleError, StaffingError) as exc:
                raise BreakEvenError(f"{exc} (at {setup.field}={value:g})") from None
            out.append(_paired(setup, compared.per_replication, "total_cost"))
        return out


def breakeven_schedule(
    scenario: Scenario,
    vary: str,
    policies: Sequence[str] | None = None,
    requirements: str | Path = "staff",
    targets: Sequence[str] | None = None,
    reps: int = 20,
    seed: int = 0,
    grid: int = 5,
    steps: int = 4,
    staff_reps: int = 6,
    time_limit: float = 60.0,
    mip_gap: float = 1e-4,
    execution: Execution | None = None,
) -> BreakEven:
    """Find where ``B - A`` of total cost at each policy's roster changes sign as a field varies.

    Parameters
    ----------
    scenario
        Validated scenario with ``shifts:``.
    vary
        ``FIELD=LO:HI``, as for :func:`~callsim.planning.breakeven.breakeven`.
    policies
        Two policies (default cold and warm); differences are second minus first.
    requirements
        ``staff`` (the default, as for ``schedule()``: ``staff()``'s simulated staffing,
        ``staff_reps`` search replications) or ``erlang`` (Erlang A figures, faster).
    targets
        The targets the requirement meets (default: the scenario's ``targets:``).
    reps
        Paired replications of each comparison (replications ``staff_reps ..
        staff_reps+reps-1``, the same at every value).
    seed, grid, steps
        Base seed, coarse grid points and bisection steps, as for ``breakeven()``.
    staff_reps
        Search replications of the ``staff`` requirement.
    time_limit, mip_gap
        The solver's limits per roster, as for ``schedule()``.
    execution
        Workers, executor, work limit and progress; the numbers do not depend on it. The
        work limit is checked before anything runs: per value, both comparisons, and with
        the ``staff`` requirement its first search round and verification.

    Returns
    -------
    BreakEven
        With ``metric`` ``costs.total_cost``, ``restaffed`` and ``rostered`` true.

    Raises
    ------
    BreakEvenError
        Bad field, range, policies, requirement or targets, too many values, or no roster at
        a value (one line each).
    WorkLimitError
        The work is above ``max_calls``; nothing runs.

    Examples
    --------
    >>> from callsim import load_scenario
    >>> sc = load_scenario("tests/planning/roster_compare.yaml")
    >>> b = breakeven_schedule(sc, "transfer.warm.handoff_time.mean=10:300", requirements="erlang",
    ...                        reps=3, grid=2, steps=0, execution=Execution(workers=1))
    >>> b.rostered, b.label, len(b.points)
    (True, 'warm - cold', 2)
    """
    if str(requirements) not in REQUIREMENTS:
        raise BreakEvenError(f"`requirements` {requirements}: a break-even with `schedule` "
                             "re-rosters at every value from erlang or staff, not a given file")
    try:
        texts = tuple(targets or scenario.targets)
        resolve_targets(scenario, texts)
    except StaffingError as exc:
        raise BreakEvenError(str(exc)) from None
    setup, lo, hi = _setup(scenario, vary, "total_cost", policies, reps, seed, texts,
                           staff_reps)
    staffing = 2 * (staff_reps + reps) if requirements == "staff" else 0
    found = search(setup, (lo, hi), grid, steps, 2 * reps + staffing,
                   _Rostering(str(requirements), time_limit, mip_gap), execution)
    return dataclasses.replace(found, rostered=True)
