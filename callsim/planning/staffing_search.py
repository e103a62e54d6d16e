"""The staffing search: Erlang A start, simulated corrections, then removal of spare agents.

In the spirit of the Iterative Staffing Algorithm (Feldman, Mandelbaum, Massey, Whitt 2008):
simulate the current staffing on a fixed set of replications (common random numbers, so every
comparison sees the same callers), add an agent wherever a target is missed, repeat until
every target holds; then remove agents that are not needed, checking each removal by
simulation on the same replications, until no single agent-interval can go.

With interval targets, removals are tried in parallel batches: one department, every third
interval. An agent removed in interval ``j`` cannot change anything before ``j``, so a missed
target in intervals ``j .. j+2`` is blamed on that removal alone (a removal three intervals
earlier can only make things worse, which errs towards keeping agents). The accepted removals
are then checked together and put back near any interval they break. With horizon targets,
or one level for the whole horizon, removals are tried greedily, several at once while they
succeed and one at a time when they fail.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from callsim.planning.staffing_runs import AgentGrid, Estimate, StaffingRunner
from callsim.scenario.targets import Target

#: Called with (iteration, targets still unmet) after each simulated round.
SearchProgress = Callable[[int, int], None]

_STRIDE = 3
_MAX_ROUNDS = 60


@dataclass(frozen=True)
class SearchSpec:
    """What the search aims at.

    Attributes
    ----------
    targets
        Targets to meet.
    departments
        Department names, in scenario order (rows of a staffing).
    horizon
        Targets hold over the whole horizon (``scope: horizon``) instead of in every interval.
    constant
        One staffing level per department for the whole horizon.
    low, high
        Bounds on agents per department.
    replications
        Replication numbers every candidate is simulated on.
    """

    targets: tuple[Target, ...]
    departments: tuple[str, ...]
    horizon: bool
    constant: bool
    low: np.ndarray
    high: np.ndarray
    replications: tuple[int, ...]


@dataclass(frozen=True)
class SearchOutcome:
    """The staffing found, whether the search's own estimate meets every target, and effort."""

    staffing: AgentGrid
    feasible: bool
    iterations: int


class _Search:
    def __init__(self, runner: StaffingRunner, spec: SearchSpec,
                 progress: SearchProgress | None) -> None:
        self.runner, self.spec, self.progress = runner, spec, progress
        self.iterations = 0

    def evaluate(self, candidates: Sequence[AgentGrid]) -> list[Estimate]:
        self.iterations += 1
        return self.runner.evaluate(candidates, self.spec.replications)

    def failures(self, estimate: Estimate) -> np.ndarray:
        s = self.spec
        fail = estimate.failures(s.targets, s.departments, s.horizon)
        return fail if not s.horizon else np.repeat(fail[:, None], 1, axis=1)

    def report(self, unmet: int) -> None:
        if self.progress is not None:
            self.progress(self.iterations, unmet)

    def clip(self, staffing: AgentGrid) -> AgentGrid:
        s = self.spec
        out = np.clip(staffing, s.low[:, None], s.high[:, None])
        if s.constant:
            out = np.repeat(out.max(axis=1, keepdims=True), out.shape[1], axis=1)
        return np.asarray(out, dtype=np.int64)

    def raise_until_met(self, staffing: AgentGrid) -> tuple[AgentGrid, bool, Estimate]:
        """Add an agent wherever a target is missed until none is (or nothing can grow)."""
        s = self.spec
        while True:
            estimate = self.evaluate([staffing])[0]
            fail = self.failures(estimate)
            self.report(int(fail.sum()))
            if not fail.any():
                return staffing, True, estimate
            grow = np.zeros_like(staffing, dtype=bool)
            if s.constant or s.horizon:
                grow[fail.any(axis=1)] = True
            else:
                grow = fail.copy()
            grow &= staffing < s.high[:, None]
            if not grow.any() or self.iterations >= _MAX_ROUNDS:
                return staffing, False, estimate
            staffing = staffing + grow


def search(runner: StaffingRunner, spec: SearchSpec, start: AgentGrid,
           progress: SearchProgress | None = None) -> SearchOutcome:
    """Find a minimal staffing meeting every target, from ``start``.

    Parameters
    ----------
    runner
        Simulates candidate staffings (one scenario and policy, fixed seed).
    spec
        Targets, scope, bounds and the replications to simulate.
    start
        First staffing ``(departments, intervals)``, e.g. the Erlang A figures.
    progress
        Called after each simulated round with the iteration and the targets still unmet
        (department-intervals, or departments with horizon targets).

    Returns
    -------
    SearchOutcome
    """
    state = _Search(runner, spec, progress)
    staffing, feasible, estimate = state.raise_until_met(state.clip(np.asarray(start)))
    if feasible:
        if spec.constant or spec.horizon:
            staffing = _remove_greedily(state, staffing, estimate)
        else:
            staffing = _remove_in_batches(state, staffing)
    return SearchOutcome(staffing, feasible, state.iterations)


def _mask(shape: tuple[int, ...], cells: Sequence[tuple[int, int]]) -> np.ndarray:
    out = np.zeros(shape, dtype=np.int64)
    for d, j in cells:
        out[d, j] = 1
    return out


def _batch_acceptance(state: _Search, staffing: AgentGrid, candidates: set[tuple[int, int]]
                      ) -> set[tuple[int, int]]:
    """Try every candidate removal, in batches of one department and every third interval."""
    n_dept, n_int = staffing.shape
    batches = []
    for d in range(n_dept):
        for k in range(_STRIDE):
            cells = sorted(j for dd, j in candidates if dd == d and j % _STRIDE == k)
            if cells:
                batches.append((d, cells))
    trials = [staffing - _mask(staffing.shape, [(d, j) for j in cells]) for d, cells in batches]
    estimates = state.evaluate(trials)
    state.report(0)  # the current staffing meets every target; these are trial removals
    accepted = set()
    for (d, cells), estimate in zip(batches, estimates, strict=True):
        fail = state.failures(estimate)
        for i, j in enumerate(cells):
            end = cells[i + 1] if i + 1 < len(cells) else n_int
            if not fail[:, j:end].any():
                accepted.add((d, j))
    return accepted


def _remove_in_batches(state: _Search, staffing: AgentGrid) -> AgentGrid:
    """Interval targets: remove every agent-interval whose removal keeps every target."""
    low = state.spec.low
    candidates = {(d, j) for d, j in zip(*np.nonzero(staffing > low[:, None]), strict=True)}
    candidates = {(int(d), int(j)) for d, j in candidates}
    while candidates:
        accepted = _batch_acceptance(state, staffing, candidates)
        while accepted:
            combined = staffing - _mask(staffing.shape, sorted(accepted))
            fail = state.failures(state.evaluate([combined])[0])
            state.report(int(fail.sum()))
            if not fail.any():
                staffing = combined
                break
            failing = np.nonzero(fail.any(axis=0))[0]
            blamed = {(d, j) for d, j in accepted
                      if any(j <= f < j + _STRIDE for f in failing)}
            blamed = blamed or {(d, j) for d, j in accepted if j <= failing.max()}
            accepted -= blamed
        candidates = {(d, j) for d, j in accepted if staffing[d, j] > low[d]}
    return staffing


def _slack_order(state: _Search, staffing: AgentGrid, estimate: Estimate
                 ) -> list[np.ndarray]:
    """Removal units, most slack first: rows (constant) or agent-intervals."""
    s = state.spec
    score = np.zeros(staffing.shape)
    for target in s.targets:
        means = estimate.mean(target.metric, horizon=False)
        sign = 1.0 if target.op == ">=" else -1.0
        margin = np.nan_to_num(sign * (means - target.value) / max(abs(target.value), 1e-9),
                               nan=1.0)
        score += margin
    units = []
    if s.constant:
        for d in np.argsort(-score.sum(axis=1), kind="stable"):
            unit = np.zeros_like(staffing)
            unit[d] = 1
            units.append(unit)
        return units
    order = np.argsort(-score.ravel(), kind="stable")
    for flat in order:
        unit = np.zeros_like(staffing).ravel()
        unit[flat] = 1
        units.append(unit.reshape(staffing.shape))
    return units


def _remove_greedily(state: _Search, staffing: AgentGrid, estimate: Estimate) -> AgentGrid:
    """Horizon targets or constant levels: remove units while every target still holds."""
    low = state.spec.low[:, None]
    units = [u for u in _slack_order(state, staffing, estimate)
             if ((staffing - u) >= low).all()]
    chunk = max(1, len(units) // 2)
    while units:
        trial = units[:chunk]
        candidate = staffing - sum(trial, start=np.zeros_like(staffing))
        fail = state.failures(state.evaluate([candidate])[0])
        state.report(int(fail.sum()))
        if not fail.any():
            staffing = candidate
            units = units[chunk:] + [u for u in trial if ((staffing - u) >= low).all()]
        elif chunk == 1:
            units.pop(0)
        else:
            chunk = max(1, chunk // 2)
    return staffing
