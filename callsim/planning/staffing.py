"""``staff()``: the cheapest staffing per policy that meets service targets, verified.

For each policy: the Erlang A figure per department and interval
(:func:`callsim.analysis.offered_load.erlang_staffing`), corrected by simulation
(:mod:`callsim.planning.staffing_search`) on replications ``0 .. reps-1``, then a
verification run on fresh replications (``reps .. reps+verify_reps-1``, the same for every
policy, so policy differences are paired) that reports every targeted metric with its 95% CI.
Staff cost is the simulation's ``costs.staff_cost`` on the verification replications: staffed
time plus rostered agents off the phones (``ceil(on phones / (1 - shrinkage))`` minus the
agents on the phones), at the wage.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from callsim.analysis.offered_load import QueueLoad, erlang_staffing
from callsim.analysis.statistics import difference_pair, t_interval
from callsim.experiments.execution import BatchRunner, Execution
from callsim.experiments.replications import Replications, replicate_on
from callsim.planning.staffing_result import PolicyStaffing, StaffingResult, target_checks
from callsim.planning.staffing_runs import StaffingRunner, with_staffing
from callsim.planning.staffing_search import SearchSpec, search
from callsim.policies import registry
from callsim.scenario.limits import MAX_AGENTS
from callsim.scenario.schema import Scenario
from callsim.scenario.targets import Target, TargetError, parse_target

__all__ = ["StaffingError", "resolve_targets", "staff", "staff_on"]

#: Called with (policy, iteration, targets still unmet).
StaffProgress = Callable[[str, int, int], None]
SCOPES = ("interval", "horizon")


class StaffingError(ValueError):
    """Bad staffing input (targets, bounds, scope); the message is one line."""


def resolve_targets(scenario: Scenario, targets: Sequence[str] | None) -> tuple[Target, ...]:
    """The targets to meet.

    ``targets`` when given (they replace the scenario's), else the scenario's ``targets:``
    list.

    Raises
    ------
    StaffingError
        A target that does not parse, names an unknown department, or no target at all.
    """
    texts = list(targets) if targets else list(scenario.targets)
    parsed = []
    for text in texts:
        try:
            target = parse_target(text)
        except TargetError as exc:
            raise StaffingError(f"`targets` {exc}") from None
        if target.department is not None and target.department not in scenario.departments:
            raise StaffingError(f"`targets` {text!r}: no department named "
                                f"'{target.department}'")
        parsed.append(target)
    if not parsed:
        raise StaffingError("no target: give `targets` (e.g. service_level>=0.8) or a "
                            "targets: list in the scenario")
    return tuple(parsed)


def _bounds(scenario: Scenario, values: Mapping[str, int] | None, default: int, option: str
            ) -> np.ndarray:
    out = np.full(len(scenario.departments), default, dtype=np.int64)
    names = list(scenario.departments)
    for name, value in (values or {}).items():
        if name not in scenario.departments:
            raise StaffingError(f"{option} {name}={value}: no department named '{name}'")
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise StaffingError(f"{option} {name}={value}: must be a whole number")
        if not 0 <= value <= MAX_AGENTS:
            raise StaffingError(f"{option} {name}={value}: must be in [0, {MAX_AGENTS}]")
        out[names.index(name)] = int(value)
    return out


def _check_order(scenario: Scenario, low: np.ndarray, high: np.ndarray,
                 max_agents: Mapping[str, int] | None) -> None:
    """Refuse a lower bound above the upper one, naming the department and both bounds."""
    for name, lo, hi in zip(scenario.departments, low, high, strict=True):
        if lo > hi:
            given = name in (max_agents or {})
            upper = (f"`max_agents` {name}={hi}" if given
                     else f"the default upper bound of {hi} (raise it with `max_agents`)")
            raise StaffingError(f"`min_agents` {name}={lo} is above {upper}")


def with_shrinkage(scenario: Scenario, shrinkage: float | None) -> Scenario:
    """``scenario`` with every department's ``shrinkage`` set to ``shrinkage`` (None: as is).

    The staffing runs, costs and written scenarios all carry it, so a written scenario costs
    what ``staff`` reported.
    """
    if shrinkage is None:
        return scenario
    if not 0 <= shrinkage < 1:
        raise StaffingError(f"`shrinkage` must be in [0, 1), got {shrinkage}")
    return scenario.with_departments({"shrinkage": float(shrinkage)})


def interval_hours(scenario: Scenario) -> np.ndarray:
    """Length of each planning interval in hours (the last may be shorter)."""
    h = scenario.horizon
    starts = np.arange(h.n_intervals) * h.interval
    return np.asarray((np.minimum(starts + h.interval, h.duration) - starts) / 3600.0)


def staff(
    scenario: Scenario,
    targets: Sequence[str] | None = None,
    policies: Sequence[str] | None = None,
    scope: str = "interval",
    constant: bool = False,
    min_agents: Mapping[str, int] | None = None,
    max_agents: Mapping[str, int] | None = None,
    shrinkage: float | None = None,
    reps: int = 20,
    verify_reps: int = 20,
    seed: int = 0,
    rounds: StaffProgress | None = None,
    execution: Execution | None = None,
) -> StaffingResult:
    """Staff every department per interval to meet the targets, under each policy.

    Parameters
    ----------
    scenario
        Validated scenario; its own ``agents`` are ignored.
    targets
        ``[DEPT:]METRIC(>=|<=)VALUE`` strings; when given they replace the scenario's
        ``targets:`` list.
    policies
        Policies to staff (default: the registry's default comparison, cold and warm).
    scope
        ``interval`` (every target in every planning interval) or ``horizon``.
    constant
        One level per department for the whole horizon.
    min_agents, max_agents
        Bounds per department name (defaults 0 and 1000).
    shrinkage
        Share of paid time off the phones for every department (default: each department's
        ``shrinkage``).
    reps
        Replications per candidate during the search.
    verify_reps
        Fresh replications of the verification run (at least 2).
    seed
        Base seed: the same seed gives the same staffing.
    rounds
        Called with (policy, iteration, targets still unmet) after each simulated round.
    execution
        Workers, executor, work limit and progress (default: every core); the numbers do not
        depend on it. The work limit refuses, before running, a scenario whose first search
        round and verification alone (``(reps + verify_reps)`` replications per policy, the
        least the search simulates) are expected to simulate more calls than ``max_calls``.

    Returns
    -------
    StaffingResult

    Raises
    ------
    StaffingError
        Bad targets, bounds, scope, policies or shrinkage.
    WorkLimitError
        The work is above ``execution.max_calls``; nothing runs.

    Examples
    --------
    >>> from callsim import load_scenario
    >>> sc = load_scenario("tests/planning/staffing_small.yaml")
    >>> r = staff(sc, ["service_level>=0.8"], policies=["cold"], reps=2, verify_reps=2)
    >>> r.table.columns.tolist()[:5]
    ['policy', 'department', 'interval', 'start', 'clock']
    >>> r.policies["cold"].staffing.shape  # departments x intervals
    (2, 2)
    """
    execution = execution or Execution()
    with execution.runner() as runner:
        return staff_on(runner, scenario, targets, policies, scope, constant, min_agents,
                        max_agents, shrinkage, reps, verify_reps, seed, rounds)


def staff_on(runner: BatchRunner, scenario: Scenario, targets: Sequence[str] | None = None,
             policies: Sequence[str] | None = None, scope: str = "interval",
             constant: bool = False, min_agents: Mapping[str, int] | None = None,
             max_agents: Mapping[str, int] | None = None, shrinkage: float | None = None,
             reps: int = 20, verify_reps: int = 20, seed: int = 0,
             rounds: StaffProgress | None = None) -> StaffingResult:
    """:func:`staff` on a batch runner an experiment already holds (e.g. a break-even)."""
    spec, names = _plan(scenario, targets, policies, scope, constant, min_agents,
                        max_agents, reps, verify_reps)
    scenario = with_shrinkage(scenario, shrinkage)
    runner.execution.check_work([scenario], (reps + verify_reps) * len(names))
    found = {p: _staff_policy(runner, scenario, p, spec, seed, verify_reps, rounds)
             for p in names}
    return StaffingResult(scenario=scenario, targets=spec.targets, scope=scope, constant=constant,
                          replications=reps, verify_replications=verify_reps, seed=seed,
                          policies=found, difference=difference_pair(list(found)))


def _plan(scenario: Scenario, targets: Sequence[str] | None, policies: Sequence[str] | None,
          scope: str, constant: bool, min_agents: Mapping[str, int] | None,
          max_agents: Mapping[str, int] | None, reps: int,
          verify_reps: int) -> tuple[SearchSpec, list[str]]:
    """Check the staffing input: the search spec and the policies.

    Raises
    ------
    StaffingError
        The first problem, as one line.
    """
    parsed = resolve_targets(scenario, targets)
    if scope not in SCOPES:
        raise StaffingError(f"`scope` must be interval or horizon, got {scope!r}")
    names = list(policies or registry.default_comparison())
    problem = registry.policy_problem(names)
    if problem:
        raise StaffingError(problem)
    if reps < 1 or verify_reps < 2:
        raise StaffingError("`reps` must be >= 1 and `verify_reps` >= 2")
    low = _bounds(scenario, min_agents, 0, "`min_agents`")
    high = _bounds(scenario, max_agents, 1000, "`max_agents`")
    _check_order(scenario, low, high, max_agents)
    spec = SearchSpec(parsed, tuple(scenario.departments), scope == "horizon", constant, low,
                      high, tuple(range(reps)))
    return spec, names


def _staff_policy(batches: BatchRunner, scenario: Scenario, policy: str, spec: SearchSpec,
                  seed: int, verify_reps: int,
                  progress: StaffProgress | None) -> PolicyStaffing:
    """Search and verify one policy's staffing."""
    try:
        start, loads = erlang_staffing(scenario, policy, list(spec.targets))
    except ValueError as exc:  # a target no staffing meets (occupancy<=0): refused at once
        raise StaffingError(str(exc)) from None
    first = np.array([start[d] for d in scenario.departments])
    occupancy = any(t.metric == "occupancy" for t in spec.targets)
    runner = StaffingRunner(batches, scenario, policy, seed, occupancy)
    report = (lambda i, unmet: progress(policy, i, unmet)) if progress else None
    outcome = search(runner, spec, first, report)
    staffed = with_staffing(scenario, outcome.staffing)
    verify = range(len(spec.replications), len(spec.replications) + verify_reps)
    batch = replicate_on(batches, staffed, [policy], verify, seed, intervals=True)
    found = _policy_result(staffed, policy, spec, outcome.staffing, first, loads, batch,
                           outcome.iterations, runner.runs + verify_reps)
    return dataclasses.replace(found, feasible=outcome.feasible)


def _policy_result(scenario: Scenario, policy: str, spec: SearchSpec, staffing: np.ndarray,
                   start: np.ndarray, loads: Mapping[str, QueueLoad], batch: Replications,
                   iterations: int, runs: int) -> PolicyStaffing:
    """The verified result of ``scenario`` (staffed with ``staffing``) under ``policy``.

    Staff cost and total cost are the simulation's own (``costs.staff_cost``: staffed time
    plus the rostered agents off the phones, at the wage), the mean over the verification
    replications: one definition, so a written scenario reproduces them.
    """
    hours = interval_hours(scenario)
    roster = np.array([scenario.rostered(d) for d in scenario.departments], dtype=np.int64)
    table = batch.table
    staff_cost = float(table["costs.staff_cost"].mean())
    total = table["costs.total_cost"].to_numpy(dtype=float)
    intervals = batch.intervals
    assert intervals is not None
    checks = target_checks(spec.targets, list(scenario.departments), spec.horizon, table,
                           intervals)
    return PolicyStaffing(
        policy=policy,
        staffing=staffing,
        erlang_start=start,
        rostered=roster,
        offered_load=np.array([loads[d].erlangs for d in scenario.departments]),
        agent_hours=(staffing * hours).sum(axis=1),
        rostered_hours=(roster * hours).sum(axis=1),
        staff_cost=staff_cost,
        total_cost=t_interval(total),
        per_replication=table.assign(**{"staffing.total_cost": total}),
        intervals=intervals,
        checks=checks,
        iterations=iterations,
        runs=runs,
    )
