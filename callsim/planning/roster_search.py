"""Rosters improved by simulation (docs/model.md section 11; issue 20 items 3 and 4).

The two-step roster covers a requirement computed interval by interval; simulated, it may miss
a target where a queue carries over or a break falls. The search, in the spirit of the cutting
planes of Atlason, Epelman and Henderson (2004) and Cezik and L'Ecuyer (2008):

1. simulate the roster (``departments.D.roster``, run exactly by the engine) on the search
   replications, the same ones every round (common random numbers);
2. where a department misses a target in an interval, require one agent more there than the
   roster has (the cut ``coverage[d, t] >= scheduled[d, t] + 1``), re-solve the integer
   programme, and repeat;
3. when the search replications meet every target, verify on fresh replications; a miss there
   becomes a cut too (and the next verification uses fresh replications again);
4. then remove single agents (one shift, with its breaks) while the simulation shows they are
   not needed: each round tries every shift held by an agent on the search replications in one
   batch, keeps the removal that saves most, and verifies it on fresh replications.

A target is met in a cell on the mean day (the mean over replications), or, with
``confidence`` q, when it holds on at least a share q of the simulated days (each replication
is a day; with ``arrivals.busyness.cv`` > 0 the days differ in volume). Every simulation goes
through the experiment's batch runner (:class:`~callsim.planning.staffing_runs.StaffingRunner`),
so the roster never depends on the executor or the number of workers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from callsim.planning.covering import Programme, Solution, available_of, solve
from callsim.planning.roster_entries import roster_entries
from callsim.planning.staffing_runs import Estimate, StaffingRunner
from callsim.scenario.durations import format_clock
from callsim.scenario.roster import RosterEntry
from callsim.scenario.schema import Scenario
from callsim.scenario.targets import Target

__all__ = ["RosterSearch", "RosterSimulation", "SearchSettings", "roster_scenario"]

#: Called with (stage, round, cells missed): stage ``search``, ``verify`` or ``remove``.
RosterProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class SearchSettings:
    """How the simulation-based search runs (see :func:`callsim.planning.roster.schedule`)."""

    targets: tuple[Target, ...]
    seed: int
    reps: int
    verify_reps: int
    confidence: float | None
    max_iterations: int
    max_removals: int
    time_limit: float
    mip_gap: float

    @property
    def search(self) -> tuple[int, ...]:
        """The search replications (the same every round)."""
        return tuple(range(self.reps))

    def verification(self, k: int) -> tuple[int, ...]:
        """The ``k``-th set of fresh verification replications.

        They follow the search replications and the set ``staff()`` verifies on.
        """
        first = self.reps + (k + 1) * self.verify_reps
        return tuple(range(first, first + self.verify_reps))


@dataclass(frozen=True)
class RosterSimulation:
    """What simulating a roster found.

    Attributes
    ----------
    policy
        The transfer policy simulated.
    met
        Whether the final verification met every target.
    confidence
        The share of days each target must hold on, or ``None`` (the mean day).
    iterations
        Programmes solved after the two-step one (one per round of cuts).
    removed
        Agents (shifts) the removal stage took out.
    simulated_days
        Replications simulated in all (each one day), verifications included.
    two_step_cost
        Cost of the two-step roster.
    two_step_misses, misses
        Cells (``department``, ``interval``, ``start``, ``target``, ``value``) where the
        two-step roster, and the final roster, miss a target on the first and on the final
        verification replications (``value``: the mean, or the share of days met).
    verification
        The final verification replications.
    mean_day_cost
        With ``confidence``: the cost of the roster meeting every target on the mean day
        (the robustness costs ``cost - mean_day_cost``); else ``None``.
    requirement
        The requirement of the last programme (the two-step one plus the cuts).
    solver_seconds
        The solver's time over the programmes the search solved (the two-step one excluded).
    """

    policy: str
    met: bool
    confidence: float | None
    iterations: int
    removed: int
    simulated_days: int
    two_step_cost: float
    two_step_misses: pd.DataFrame
    misses: pd.DataFrame
    verification: tuple[int, ...]
    mean_day_cost: float | None
    requirement: np.ndarray
    solver_seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        """The ``simulation`` entry of a roster in ``callsim schedule --json``."""
        def cells(frame: pd.DataFrame) -> list[dict[str, object]]:
            return [{"department": r.department, "start": r.start, "target": r.target,
                     "value": float(r.value)} for r in frame.itertuples()]
        return {"policy": self.policy, "met": self.met, "confidence": self.confidence,
                "iterations": self.iterations, "removed": self.removed,
                "simulated_days": self.simulated_days, "two_step_cost": self.two_step_cost,
                "two_step_misses": cells(self.two_step_misses), "misses": cells(self.misses),
                "mean_day_cost": self.mean_day_cost}


def roster_scenario(scenario: Scenario, prog: Programme, sol: Solution) -> Scenario:
    """``scenario`` running the roster exactly (``departments.D.roster``), as a model copy."""
    entries = roster_entries(prog, sol)
    departments = {}
    for i, (name, dept) in enumerate(scenario.departments.items()):
        lowest = [int(sol.available[i, prog.interval_of_slot == t].min())
                  for t in range(scenario.horizon.n_intervals)]
        departments[name] = dept.model_copy(update={
            "agents": tuple(lowest),
            "roster": tuple(RosterEntry.model_validate(e) for e in entries[name])})
    return scenario.model_copy(update={"departments": departments})


def _cut_placements(placements: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Break placements of a column with its agent taking the latest break starts removed."""
    out = []
    for counts in placements:
        counts = counts.copy()
        counts[np.flatnonzero(counts)[-1]] -= 1
        out.append(counts)
    return tuple(out)


class RosterSearch:
    """The simulation-based search of one roster (see the module docstring).

    Parameters
    ----------
    runner
        Simulates candidate scenarios of one scenario and policy on the batch runner.
    prog
        The programme (shift types at their starts).
    settings
        Targets, replications, confidence and bounds.
    progress
        Told of every round.
    """

    def __init__(self, runner: StaffingRunner, prog: Programme, settings: SearchSettings,
                 progress: RosterProgress | None = None) -> None:
        self.runner, self.prog, self.settings = runner, prog, settings
        self.progress = progress
        self.departments = prog.departments
        self.verified = 0  # verification sets used
        self.iterations = 0
        self.solver_seconds = 0.0
        self.last: tuple[tuple[int, ...], Estimate] | None = None  # the latest verification

    def _tell(self, stage: str, k: int, missed: int) -> None:
        if self.progress is not None:
            self.progress(stage, k, missed)

    def estimates(self, solutions: Sequence[Solution], replications: Sequence[int]
                  ) -> list[Estimate]:
        """Simulated queue sums of every roster on the same replications."""
        base = self.runner.scenario
        return self.runner.evaluate_scenarios(
            [roster_scenario(base, self.prog, sol) for sol in solutions], replications)

    def values(self, estimate: Estimate, target: Target, confidence: float | None
               ) -> np.ndarray:
        """Per department and interval: the mean day's value, or the share of days met."""
        if confidence is None:
            return estimate.mean(target.metric, False)
        days = estimate.per_replication(target.metric, False)
        met = np.vectorize(target.holds, otypes=[bool])(days)
        return np.asarray(met.mean(axis=0), dtype=float)

    def _misses(self, estimate: Estimate, confidence: float | None
                ) -> list[tuple[int, int, Target, float]]:
        out = []
        for target in self.settings.targets:
            values = self.values(estimate, target, confidence)
            for d, name in enumerate(self.departments):
                if not target.applies_to(name):
                    continue
                for t, v in enumerate(values[d]):
                    ok = (v >= confidence - 1e-12) if confidence is not None else target.holds(v)
                    if not ok:
                        out.append((d, t, target, float(v)))
        return out

    def missed(self, estimate: Estimate, confidence: float | None) -> np.ndarray:
        """Cells (departments x intervals) where some target is missed."""
        h = self.runner.scenario.horizon
        out = np.zeros((len(self.departments), h.n_intervals), dtype=bool)
        for d, t, _, _ in self._misses(estimate, confidence):
            out[d, t] = True
        return out

    def miss_table(self, estimate: Estimate, confidence: float | None) -> pd.DataFrame:
        """The missed cells as a table (see :class:`RosterSimulation`)."""
        h = self.runner.scenario.horizon
        rows = [{"department": self.departments[d], "interval": t,
                 "start": format_clock(t * h.interval, h.start),
                 "target": target.label(self.departments[d]), "value": v}
                for d, t, target, v in self._misses(estimate, confidence)]
        return pd.DataFrame(rows, columns=["department", "interval", "start", "target", "value"])

    def scheduled(self, sol: Solution) -> np.ndarray:
        """The fewest agents answering each department in each interval."""
        n = self.runner.scenario.horizon.n_intervals
        return np.stack([sol.available[:, self.prog.interval_of_slot == t].min(axis=1)
                         for t in range(n)], axis=1)

    def cut(self, sol: Solution, need: np.ndarray, missed: np.ndarray) -> np.ndarray:
        """The requirement with one agent more than the roster has wherever a target missed."""
        out = need.copy()
        out[missed] = np.maximum(need, self.scheduled(sol))[missed] + 1
        return out

    def solve(self, need: np.ndarray) -> Solution:
        """The cheapest roster covering ``need`` (the settings' time limit and gap).

        The gap the solver proves is reported with the roster, so a programme cut short by
        the time limit is a roster with a wider (stated) gap, never a silent one.
        """
        sol = solve(self.prog, need, self.settings.time_limit, self.settings.mip_gap)
        self.solver_seconds += sol.seconds
        return sol

    def verify(self, sol: Solution, confidence: float | None) -> tuple[Estimate, np.ndarray]:
        """Simulate ``sol`` on the next set of fresh replications: the estimate and misses."""
        replications = self.settings.verification(self.verified)
        [estimate] = self.estimates([sol], replications)
        self.verified += 1
        self.last = (replications, estimate)
        return estimate, self.missed(estimate, confidence)

    def meet(self, sol: Solution, need: np.ndarray, confidence: float | None
             ) -> tuple[Solution, np.ndarray, bool]:
        """Cut and re-solve until a verification meets every target (or the rounds run out)."""
        for k in range(1, self.settings.max_iterations + 1):
            [estimate] = self.estimates([sol], self.settings.search)
            missed = self.missed(estimate, confidence)
            self._tell("search", k, int(missed.sum()))
            if not missed.any():
                _, missed = self.verify(sol, confidence)
                self._tell("verify", k, int(missed.sum()))
                if not missed.any():
                    return sol, need, True
            if k == self.settings.max_iterations:
                break
            need = self.cut(sol, need, missed)
            sol = self.solve(need)
            self.iterations += 1
        return sol, need, False

    def without_one(self, sol: Solution, j: int, need: np.ndarray) -> Solution:
        """``sol`` less one agent of column ``j`` (its latest break placements)."""
        counts = sol.counts.copy()
        counts[j] -= 1
        placements = list(sol.placements)
        placements[j] = _cut_placements(sol.placements[j])
        available = available_of(self.prog, counts, placements, need)
        return dataclasses.replace(sol, counts=counts, placements=tuple(placements),
                                   available=available,
                                   cost=sol.cost - self.prog.columns[j].cost)

    def _above_minimum(self, sol: Solution, shift: str) -> bool:
        total = sum(int(n) for c, n in zip(self.prog.columns, sol.counts, strict=True)
                    if c.shift == shift)
        return total > self.prog.counts[shift][0]

    def remove(self, sol: Solution, need: np.ndarray, confidence: float | None
               ) -> tuple[Solution, int]:
        """Take out single shifts the simulation shows are not needed; verified each time."""
        removed = 0
        for k in range(1, self.settings.max_removals + 1):
            held = [j for j in np.flatnonzero(sol.counts > 0).tolist()
                    if self._above_minimum(sol, self.prog.columns[j].shift)]
            candidates = [self.without_one(sol, j, need) for j in held]
            ests = self.estimates(candidates, self.settings.search)
            fine = [c for c, e in zip(candidates, ests, strict=True)
                    if not self.missed(e, confidence).any()]
            self._tell("remove", k, len(fine))
            if not fine:
                break
            best = min(fine, key=lambda c: c.cost)
            verified = self.last
            _, missed = self.verify(best, confidence)
            if missed.any():
                self.last = verified  # the roster kept is the one verified before
                break
            sol, removed = best, removed + 1
        return sol, removed

    def run(self, sol: Solution, requirement: np.ndarray) -> tuple[Solution, RosterSimulation]:
        """Improve the two-step roster ``sol`` of ``requirement``; the roster and its story."""
        confidence = self.settings.confidence
        two_step_cost = sol.cost
        estimate, _ = self.verify(sol, confidence)
        two_step = self.miss_table(estimate, confidence)
        need = np.ceil(np.asarray(requirement, dtype=float) - 1e-9)
        mean_day = None
        if confidence is not None:
            sol, need, _ = self.meet(sol, need, None)
            mean_day = sol.cost
        final, need, met = self.meet(sol, need, confidence)
        removed = 0
        if met:
            final, removed = self.remove(final, need, confidence)
        else:
            self.verify(final, confidence)
        assert self.last is not None
        replications, last = self.last
        misses = self.miss_table(last, confidence)
        return final, RosterSimulation(
            policy=self.runner.policy, met=met and misses.empty, confidence=confidence,
            iterations=self.iterations, removed=removed, simulated_days=self.runner.runs,
            two_step_cost=two_step_cost, two_step_misses=two_step, misses=misses,
            verification=replications, mean_day_cost=mean_day, requirement=need,
            solver_seconds=self.solver_seconds)
