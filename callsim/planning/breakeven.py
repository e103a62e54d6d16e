"""``breakeven()``: where ``b - a`` (warm - cold) of a metric changes sign as one field varies.

``a`` is the first policy named and ``b`` the second: the paired difference is ``b - a``, as
everywhere in callsim (``warm - cold`` for the default pair).

The paired difference is evaluated on a coarse grid of the field, every point on the same
replications (common random numbers across points and policies), then the first bracket
where the mean difference changes sign is bisected with the same seeds. The crossing is the
linear interpolation inside the last bracket. With targets, both policies are re-staffed at
every value (:func:`callsim.planning.staffing.staff`) and the difference is that of the
re-staffed policies (staff cost on rostered agents plus lost-call cost for ``total_cost``).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from callsim.analysis.metric_names import find_metric
from callsim.analysis.metrics import metric_keys
from callsim.analysis.statistics import (
    difference_label,
    paired_differences,
)
from callsim.experiments.execution import BatchRunner, Execution, Unit
from callsim.experiments.grid import Grid, GridError, check_paths, parse_interval
from callsim.experiments.replications import metric_row
from callsim.planning.staffing import StaffingError, resolve_targets, staff_on
from callsim.policies import registry
from callsim.scenario.catalogue import metric as catalogue_metric
from callsim.scenario.document import document, with_overrides
from callsim.scenario.errors import ScenarioError
from callsim.scenario.limits import MAX_POINTS
from callsim.scenario.schema import Scenario

__all__ = ["BreakEven", "BreakEvenError", "Evaluate", "breakeven", "parse_vary", "search",
           "useful_steps"]


class BreakEvenError(ValueError):
    """Bad break-even input (field, range, metric); the message is one line."""


def parse_vary(spec: str) -> tuple[str, float, float, bool]:
    """``FIELD=LO:HI`` -> ``(field, lo, hi, integer)``.

    The grid module reads it (:func:`~callsim.experiments.grid.parse_interval`), as it reads
    a sweep's ``--vary``.

    Raises
    ------
    BreakEvenError
        Not of that shape, or ``LO >= HI``.
    """
    try:
        return parse_interval(spec)
    except GridError as exc:
        raise BreakEvenError(str(exc)) from None


def metric_key(scenario: Scenario, name: str) -> str:
    """A metric name as a flat key.

    ``total_cost`` -> ``costs.total_cost``, ``lost_rate`` -> ``overall.lost_rate``; flat keys
    are taken as they are.

    Raises
    ------
    BreakEvenError
        An unknown metric.
    """
    key = find_metric(name, metric_keys(scenario))
    if key is not None:
        return key
    raise BreakEvenError(f"`metric` {name}: unknown metric (e.g. total_cost, lost_rate, "
                         "wait_mean, departments.billing.occupancy)")


@dataclass(frozen=True)
class BreakEven:
    """Where ``b - a`` of a metric changes sign as ``field`` varies.

    Attributes
    ----------
    field, metric
        The varied scenario field and the metric's flat key.
    a, b
        The policies, ``a`` the first named; differences are ``b - a`` (:attr:`label`).
    points
        One row per evaluated value, sorted: ``value``, ``mean``, ``ci_low``, ``ci_high``,
        ``n`` (paired replications), ``significant``.
    crossing
        Interpolated value where the mean difference changes sign, or ``None``; only where the
        evidence supports a crossing: a bracketing value's paired CI includes 0.
    range
        Around the crossing, from the nearest evaluated value below whose paired CI excludes 0
        to the nearest one above (the ends of the field's range when there is none); ``None``
        without a crossing.
    better_below
        The policy better below the crossing, or ``None``.
    better
        Without a crossing: the policy better at every evaluated value where the policies
        differ at all, significantly everywhere, else ``None``.
    restaffed
        Whether both policies were re-staffed to targets at every value.
    jump
        For a difference that moves in steps (a whole-number field, or both policies
        re-staffed at every value): when the two values around the sign change both have
        significant differences, ``crossing`` is ``None`` and ``range`` holds them: the sign
        changes there, but no value has a difference compatible with 0, and interpolating
        across a staffing step would invent one. ``jump`` is True when the values are as close
        as the field allows (whole numbers one apart), False when the bisection steps ran out
        first. A continuous field without re-staffing is interpolated (the difference moves
        continuously with it).
    rostered
        Whether both policies were re-rostered at every value and the difference is of total
        cost at their rosters (:mod:`callsim.planning.breakeven_schedule`).
    """

    field: str
    metric: str
    a: str
    b: str
    points: pd.DataFrame
    crossing: float | None
    range: tuple[float, float] | None
    better_below: str | None
    better: str | None
    restaffed: bool
    jump: bool = False
    rostered: bool = False

    @property
    def label(self) -> str:
        """The difference's name, ``"b - a"`` (e.g. ``"warm - cold"``)."""
        return difference_label((self.b, self.a))

    def verdict(self, name: str | None = None) -> str:
        """One sentence: the crossing and its range, or which policy wins everywhere.

        ``name`` is how the field is named (default its path); values read in its units.
        """
        from callsim.experiments.grid import field_text

        def show(value: float) -> str:
            return field_text(self.field, value)

        name = name or self.field
        above = self.b if self.better_below == self.a else self.a
        if self.crossing is not None and self.range is not None:
            lo, hi = self.range
            return (f"break-even at {name} = {show(self.crossing)} (the paired CI may "
                    f"include 0 from {show(lo)} to {show(hi)}); {self.better_below} is better "
                    f"below, {above} above")
        if self.range is not None:
            lo, hi = self.range
            how = ("the difference jumps there (e.g. where the staffing changes): no value "
                   "between" if self.jump else
                   "not located: more bisection steps would narrow it; so far no value")
            return (f"the sign changes between {name} = {show(lo)} and {show(hi)}, both "
                    f"differences significant; {how} has a difference compatible with 0. "
                    f"{self.better_below} is better at {show(lo)} and below, {above} at "
                    f"{show(hi)} and above")
        if self.better is not None:
            return f"no crossing: {self.better} is better over the whole range"
        return "no crossing found, and the difference is not significant everywhere"

    def to_dict(self) -> dict[str, Any]:
        """The ``callsim breakeven --json`` document."""
        def num(x: float) -> float | None:
            return float(x) if np.isfinite(x) else None

        return {
            "field": self.field,
            "metric": self.metric,
            "difference": self.label,
            "crossing": self.crossing,
            "range": list(self.range) if self.range is not None else None,
            "better_below": self.better_below,
            "better": self.better,
            "restaffed": self.restaffed,
            "rostered": self.rostered,
            "sign_change_without_crossing": self.crossing is None and self.range is not None,
            "jump": self.jump,
            "points": [{"value": float(r.value),
                        "difference": {"mean": num(r.mean), "ci95": [num(r.ci_low),
                                                                    num(r.ci_high)]}}
                       for r in self.points.itertuples()],
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as strict JSON."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)


@dataclass(frozen=True)
class _Setup:
    """What every evaluation shares; ``policies`` is ``(a, b)``, differences ``b - a``."""

    base: Scenario
    field: str
    integer: bool
    key: str
    policies: tuple[str, str]
    reps: int
    seed: int
    targets: tuple[str, ...] | None
    staff_reps: int
    constant: bool = False


def _scenario_at(setup: _Setup, value: float) -> Scenario:
    shown = int(round(value)) if setup.integer else value
    try:
        return with_overrides(setup.base, [f"{setup.field}={json.dumps(shown)}"])
    except ScenarioError as exc:
        raise BreakEvenError(f"{exc.problems[0]} (at {setup.field}={shown})") from None


def _paired(setup: _Setup, table: pd.DataFrame, key: str) -> tuple[float, ...]:
    """Mean, CI, pairs and significance (1 or 0) of the difference ``B - A`` of ``key``.

    Significance is :func:`~callsim.analysis.statistics.significant`, as everywhere.
    """
    a, b = setup.policies
    row = paired_differences(table, (b, a), metrics=[key]).iloc[0]
    return (float(row["mean"]), float(row["ci_low"]), float(row["ci_high"]), int(row["n"]),
            float(row["significant"]))


def _evaluate_plain(setup: _Setup, runner: BatchRunner, values: Sequence[float]
                    ) -> list[tuple[float, ...]]:
    """Paired differences at each value: both policies on replications ``0 .. reps-1``."""
    units = [Unit(_scenario_at(setup, v), setup.policies, setup.seed, tuple(range(setup.reps)))
             for v in values]
    return [_paired(setup, pd.DataFrame(rows), setup.key)
            for rows in runner.run(units, metric_row)]


def _evaluate_restaffed(setup: _Setup, runner: BatchRunner, values: Sequence[float]
                        ) -> list[tuple[float, ...]]:
    """Paired differences after re-staffing both policies to the targets at each value."""
    out: list[tuple[float, ...]] = []
    key = "staffing.total_cost" if setup.key == "costs.total_cost" else setup.key
    for value in values:
        try:
            result = staff_on(runner, _scenario_at(setup, value), setup.targets,
                              list(setup.policies), constant=setup.constant,
                              reps=setup.staff_reps, verify_reps=setup.reps, seed=setup.seed)
        except StaffingError as exc:
            raise BreakEvenError(str(exc)) from None
        out.append(_paired(setup, pd.concat([result.policies[p].per_replication
                                             for p in setup.policies]), key))
    return out


def _evaluate(setup: _Setup, runner: BatchRunner, values: Sequence[float]
              ) -> list[tuple[float, ...]]:
    """Paired differences at each value."""
    if setup.targets:
        return _evaluate_restaffed(setup, runner, values)
    return _evaluate_plain(setup, runner, values)


def _grid(lo: float, hi: float, points: int, integer: bool) -> list[float]:
    values = np.linspace(lo, hi, max(2, points))
    if integer:
        return sorted({float(round(v)) for v in values})
    return [float(v) for v in values]


def _bracket(points: dict[float, tuple[float, ...]]) -> tuple[float, float] | None:
    """The first pair of values around a sign change of the mean difference.

    Values where the mean is exactly 0 (the policies behave alike there, e.g. no misroutes)
    are skipped; one between two opposite signs is the crossing itself.
    """
    xs = [x for x in sorted(points) if points[x][0] != 0]
    for x0, x1 in zip(xs, xs[1:], strict=False):
        if np.sign(points[x0][0]) * np.sign(points[x1][0]) < 0:
            between = [x for x in points if x0 < x < x1 and points[x][0] == 0]
            return (between[0], between[0]) if between else (x0, x1)
    return None


def _better(setup: _Setup, mean: float) -> str:
    """The policy a mean difference ``b - a`` favours.

    The catalogue gives the direction; lower is better when the metric has none.
    """
    side = catalogue_metric(setup.key).preferred(mean, assume_lower=True)  # mean: B - A
    return setup.policies[1] if side == "b" else setup.policies[0]


def _summarize(setup: _Setup, points: dict[float, tuple[float, ...]], lo: float, hi: float,
               bracket: tuple[float, float] | None) -> BreakEven:
    frame = pd.DataFrame([(v, *p) for v, p in sorted(points.items())],
                         columns=["value", "mean", "ci_low", "ci_high", "n", "significant"])
    frame["significant"] = frame["significant"].astype(bool)
    significant = frame["significant"]
    a, b = setup.policies
    if bracket is None:
        differ = frame["mean"] != 0
        signs = set(np.sign(frame.loc[differ, "mean"]))
        better = (_better(setup, float(frame.loc[differ, "mean"].iloc[0]))
                  if len(signs) == 1 and significant[differ].all() else None)
        return BreakEven(setup.field, setup.key, a, b, frame, None, None, None, better,
                         bool(setup.targets))
    x0, x1 = bracket
    if x0 != x1 and points[x0][4] and points[x1][4] and (setup.integer or setup.targets):
        # Both ends significant, opposite signs, and a difference that moves in steps (whole
        # numbers, or staffing that changes with the value): a sign change, not a crossing.
        return BreakEven(setup.field, setup.key, a, b, frame, None, (x0, x1),
                         _better(setup, points[x0][0]), None, bool(setup.targets),
                         jump=_narrowest(setup, bracket))
    m0, m1 = points[x0][0], points[x1][0]
    crossing = x0 if x1 == x0 else x0 + (x1 - x0) * m0 / (m0 - m1)
    below = frame[(frame["value"] < crossing) & significant]["value"]
    above = frame[(frame["value"] > crossing) & significant]["value"]
    rng = (float(below.max()) if len(below) else lo, float(above.min()) if len(above) else hi)
    first = frame[frame["value"] < crossing]["mean"]
    better_below = _better(setup, float(first.iloc[-1])) if len(first) else None
    return BreakEven(setup.field, setup.key, a, b, frame, float(crossing), rng, better_below,
                     None, bool(setup.targets))


def breakeven(
    scenario: Scenario,
    vary: str,
    metric: str = "total_cost",
    policies: Sequence[str] | None = None,
    reps: int = 20,
    seed: int = 0,
    targets: Sequence[str] | None = None,
    grid: int = 5,
    steps: int = 4,
    staff_reps: int = 6,
    constant: bool = False,
    execution: Execution | None = None,
) -> BreakEven:
    """Find where ``warm - cold`` (or second minus first policy) of a metric changes sign.

    Parameters
    ----------
    scenario
        Validated scenario; every value is its document (:mod:`callsim.scenario.document`)
        with the field set.
    vary
        ``FIELD=LO:HI``: a numeric scenario field (a misroute share, a staffing level, a
        handoff time in seconds...) and its range; integer ends give an integer field.
    metric
        Metric name or flat key (default ``total_cost``, currency per horizon).
    policies
        Two policies (default: the registry's default comparison, cold and warm); differences
        are second minus first (``warm - cold`` for the default).
    reps
        Paired replications per value (with targets: of the verification run).
    seed
        Base seed: the same replications at every value.
    targets
        Re-staff both policies to these targets at every value (the fair comparison).
    grid, steps
        Coarse grid points, then bisection steps inside the first sign change. Bisection
        stops early once the middle would repeat an end (:func:`useful_steps`); the grid
        and the useful steps together are at most
        :data:`~callsim.scenario.limits.MAX_POINTS` values.
    staff_reps
        Search replications of each re-staffing.
    constant
        Re-staff with one level per department for the whole horizon (faster).
    execution
        Workers, executor, work limit and progress (default: every core); the numbers do not
        depend on it. The work limit refuses, before running, a grid and bisection expected
        to simulate more calls than ``max_calls``, counted at the busier end of the range for
        every value (the re-staffing search beyond its first round not counted).

    Raises
    ------
    BreakEvenError, ScenarioError
        Bad field, range, metric or scenario, too many values (one line each).
    WorkLimitError
        The work is above ``max_calls``; nothing runs.

    Examples
    --------
    >>> from callsim import load_scenario
    >>> b = breakeven(load_scenario("tests/planning/breakeven_known.yaml"),
    ...               "transfer.warm.handoff_time.value=0:100",
    ...               "call_types.support.resolution_time_mean", reps=2, grid=3, steps=2)
    >>> round(b.crossing), b.better_below
    (60, 'warm')
    """
    setup, lo, hi = _setup(scenario, vary, metric, policies, reps, seed, targets, staff_reps)
    setup = dataclasses.replace(setup, constant=constant)
    runs = 2 * (reps + (staff_reps if setup.targets else 0))
    return search(setup, (lo, hi), grid, steps, runs, _evaluate, execution)


#: Paired differences (mean, CI low, CI high, pairs, significant) at each value.
Evaluate = Callable[[_Setup, BatchRunner, Sequence[float]], list[tuple[float, ...]]]


def search(setup: _Setup, ends: tuple[float, float], grid: int, steps: int, runs: int,
           evaluate: Evaluate, execution: Execution | None = None) -> BreakEven:
    """The coarse grid, then bisection of the first sign change, with ``evaluate``.

    The search of :func:`breakeven` and of rosters compared at every value
    (:mod:`callsim.planning.breakeven_schedule`): the values are counted and bounded, and the
    work (``runs`` simulated horizons per value) checked, before anything runs.
    """
    lo, hi = ends
    steps = min(steps, useful_steps(lo, hi, grid, setup.integer))
    _check_points(lo, hi, grid, steps, setup.integer)
    execution = execution or Execution()
    execution.check_work([_busiest(setup, lo, hi)], runs * (_grid_size(lo, hi, grid,
                                                                         setup.integer) + steps))
    values = _grid(lo, hi, grid, setup.integer)
    with execution.runner() as runner:
        points = dict(zip(values, evaluate(setup, runner, values), strict=True))
        _check_defined(setup, points)
        bracket = _bracket(points)
        for _ in range(steps):
            if bracket is None or _settled(setup, points, bracket):
                break
            mid = _middle(bracket, setup.integer)
            if mid is None:
                break
            points[mid] = evaluate(setup, runner, [mid])[0]
            bracket = _bracket({k: points[k] for k in (bracket[0], mid, bracket[1])})
    return _summarize(setup, points, lo, hi, bracket)


def _check_defined(setup: _Setup, points: dict[float, tuple[float, ...]]) -> None:
    """Refuse a metric undefined at every value: no crossing can be looked for, none is absent.

    ``callback_delay_mean`` without callbacks has no call to measure (NaN everywhere); "no
    crossing" would read as if the policies were equal.
    """
    if all(math.isnan(point[0]) for point in points.values()):
        raise BreakEvenError(f"metric {setup.key}: undefined here, at every value of "
                             f"{setup.field} (no call it measures: a feature this scenario "
                             "does not use?)")


def _middle(bracket: tuple[float, float], integer: bool) -> float | None:
    """The next value to evaluate inside ``bracket``, or ``None`` when it would repeat an end.

    Bisection stops as soon as the middle no longer differs from both ends: an integer field
    once the ends are neighbours, a real one once the float between them is one of them.
    """
    low, high = bracket
    mid = (low + high) / 2
    mid = float(math.floor(mid)) if integer else mid
    return None if mid <= low or mid >= high else mid


def useful_steps(lo: float, hi: float, grid: int, integer: bool) -> int:
    """The most bisection steps that can still give a new value inside one grid bracket.

    Each step halves the bracket, at first ``(hi - lo) / (grid - 1)`` wide; an integer field
    stops at width 1, a real one at the float resolution of the range (``(hi - lo)`` times
    2**-52), so 52 steps at most, whatever ``--steps`` asks.

    Examples
    --------
    >>> useful_steps(0, 100, 5, integer=True), useful_steps(0.0, 0.4, 5, integer=False)
    (5, 50)
    """
    intervals = max(2, grid) - 1
    halvings = math.log2((hi - lo) / intervals) if integer else 52 - math.log2(intervals)
    return max(0, math.ceil(halvings - 1e-9)) if hi > lo else 0


def _grid_size(lo: float, hi: float, grid: int, integer: bool) -> int:
    """Values of the coarse grid, counted before it is built.

    An integer field has no more than ``hi - lo + 1``.
    """
    return min(grid, int(hi - lo) + 1) if integer else grid


def _check_points(lo: float, hi: float, grid: int, steps: int, integer: bool) -> None:
    """Refuse more than :data:`~callsim.scenario.limits.MAX_POINTS` values, before building any.

    Raises
    ------
    BreakEvenError
        Too many grid values (bisection steps included).
    """
    total = _grid_size(lo, hi, grid, integer) + steps
    if total > MAX_POINTS:
        raise BreakEvenError(f"`grid` {grid}: {total:,} values to evaluate (with {steps} "
                             f"bisection steps), more than the limit of {MAX_POINTS:,}")


def _busiest(setup: _Setup, lo: float, hi: float) -> Scenario:
    """The end of the range expected to simulate more calls.

    The work estimate charges it for every value: the expected calls grow or shrink steadily
    with a field (an arrival rate, a horizon), so no value in between is busier.
    """
    ends = [_scenario_at(setup, lo), _scenario_at(setup, hi)]
    return max(ends, key=lambda s: s.expected_calls())
def _narrowest(setup: _Setup, bracket: tuple[float, float]) -> bool:
    """Whether the bracket is as narrow as the field allows (adjacent whole numbers)."""
    return bracket[1] - bracket[0] <= (1 if setup.integer else 0)


def _settled(setup: _Setup, points: dict[float, tuple[float, ...]],
             bracket: tuple[float, float]) -> bool:
    """Whether to stop bisecting.

    The bracket is as narrow as allowed, or an end's CI includes 0 (the evidence supports a
    crossing there).
    """
    return _narrowest(setup, bracket) or not all(points[x][4] for x in bracket)


def _setup(scenario: Scenario, vary: str, metric: str, policies: Sequence[str] | None,
           reps: int, seed: int, targets: Sequence[str] | None, staff_reps: int
           ) -> tuple[_Setup, float, float]:
    field, lo, hi, integer = parse_vary(vary)
    doc = document(scenario)
    try:
        check_paths(doc.raw, Grid.from_specs([f"{field}={lo:g}"]), doc.source)
    except GridError as exc:
        raise BreakEvenError(str(exc)) from None
    names = list(policies or registry.default_comparison())
    if len(names) == 2 and names[0] == names[1]:
        raise BreakEvenError(f"`policies` {names[0]},{names[1]}: the same policy twice; "
                             "give two different policies")
    if len(names) != 2:
        raise BreakEvenError(f"`policies` {','.join(names)}: give exactly two policies, "
                             f"not {len(names)}")
    problem = registry.policy_problem(names)  # two different names: only an unknown one
    if problem:
        raise BreakEvenError(problem)
    if reps < 2:
        raise BreakEvenError("`reps` must be >= 2 (paired confidence intervals)")
    if targets:
        try:
            resolve_targets(scenario, targets)
        except StaffingError as exc:
            raise BreakEvenError(str(exc)) from None
    setup = _Setup(scenario, field, integer, metric_key(scenario, metric),
                   (names[0], names[1]), reps, seed, tuple(targets) if targets else None,
                   staff_reps)
    _scenario_at(setup, lo)
    _scenario_at(setup, hi)
    return setup, lo, hi
