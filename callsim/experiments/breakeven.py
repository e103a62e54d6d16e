"""``breakeven()``: where ``a - b`` (warm - cold) of a metric changes sign as one field varies.

The paired difference is evaluated on a coarse grid of the field, every point on the same
replications (common random numbers across points and policies), then the first bracket
where the mean difference changes sign is bisected with the same seeds. The crossing is the
linear interpolation inside the last bracket. With targets, both policies are re-staffed at
every value (:func:`callsim.experiments.staffing.staff`) and the difference is that of the
re-staffed policies (staff cost on rostered agents plus lost-call cost for ``total_cost``).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from callsim.analysis.catalogue import metric as catalogue_metric
from callsim.analysis.metrics import metric_keys
from callsim.analysis.statistics import t_interval
from callsim.experiments.comparison import difference_pair
from callsim.experiments.executors import make_executor
from callsim.experiments.grid import Grid, GridError, check_paths
from callsim.experiments.replications import Batch, ReplicationTask, run_replications
from callsim.experiments.staffing import StaffingError, resolve_targets, staff
from callsim.experiments.work import check_work
from callsim.policies import registry
from callsim.scenario.errors import ScenarioError
from callsim.scenario.limits import MAX_CALLS
from callsim.scenario.loading import build_scenario, read_scenario_file
from callsim.scenario.schema import Scenario

__all__ = ["BreakEven", "BreakEvenError", "breakeven", "parse_vary"]

#: Fields that take whole numbers (varied over integers, bisected to neighbouring values).
INTEGER_FIELDS = frozenset({"agents", "attempts", "max_attempts"})

#: Called with (points evaluated, points planned).
BreakEvenProgress = Callable[[int, int], None]


class BreakEvenError(ValueError):
    """Bad break-even input (field, range, metric); the message is one line."""


def parse_vary(spec: str) -> tuple[str, float, float, bool]:
    """``FIELD=LO:HI`` -> ``(field, lo, hi, integer)``.

    Integer for a whole-number field (:data:`INTEGER_FIELDS`) with whole-number ends.

    Raises
    ------
    BreakEvenError
        Not of that shape, or ``LO >= HI``.
    """
    field, sep, rng = spec.partition("=")
    lo_text, colon, hi_text = rng.partition(":")
    try:
        lo, hi = float(lo_text), float(hi_text)
    except ValueError:
        lo = hi = math.nan
    if not sep or not colon or not field.strip() or not (math.isfinite(lo) and math.isfinite(hi)):
        raise BreakEvenError(f"--vary {spec}: expected FIELD=LO:HI, e.g. "
                             "call_types.support.misroute.billing=0:0.4")
    if lo >= hi:
        raise BreakEvenError(f"--vary {spec}: LO must be below HI")
    integer = field.strip().rpartition(".")[2] in INTEGER_FIELDS and all(
        t.strip().lstrip("+-").isdigit() for t in (lo_text, hi_text))
    return field.strip(), lo, hi, integer


def metric_key(scenario: Scenario, name: str) -> str:
    """A metric name as a flat key.

    ``total_cost`` -> ``costs.total_cost``, ``lost_rate`` -> ``overall.lost_rate``; flat keys
    are taken as they are.

    Raises
    ------
    BreakEvenError
        An unknown metric.
    """
    keys = metric_keys(scenario)
    for key in (name, f"costs.{name}", f"overall.{name}"):
        if key in keys:
            return key
    raise BreakEvenError(f"--metric {name}: unknown metric (e.g. total_cost, lost_rate, "
                         "wait_mean, departments.billing.occupancy)")


@dataclass(frozen=True)
class BreakEven:
    """Where ``a - b`` of a metric changes sign as ``field`` varies.

    Attributes
    ----------
    field, metric
        The varied scenario field and the metric's flat key.
    a, b
        The policies; differences are ``a - b``.
    points
        One row per evaluated value, sorted: ``value``, ``mean``, ``ci_low``, ``ci_high``,
        ``n`` (paired replications).
    crossing
        Interpolated value where the mean difference changes sign, or ``None``.
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

    def to_dict(self) -> dict[str, Any]:
        """The ``callsim breakeven --json`` document."""
        def num(x: float) -> float | None:
            return float(x) if np.isfinite(x) else None

        return {
            "field": self.field,
            "metric": self.metric,
            "difference": f"{self.a} - {self.b}",
            "crossing": self.crossing,
            "range": list(self.range) if self.range is not None else None,
            "better_below": self.better_below,
            "better": self.better,
            "restaffed": self.restaffed,
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
    """What every evaluation shares."""

    raw: dict[str, Any]
    source: str
    base_dir: Path
    overrides: tuple[str, ...]
    field: str
    integer: bool
    key: str
    policies: tuple[str, str]
    reps: int
    seed: int
    workers: int
    executor: str
    scheduler: str | None
    targets: tuple[str, ...] | None
    staff_reps: int
    constant: bool = False
    max_calls: float | None = MAX_CALLS


def _scenario_at(setup: _Setup, value: float) -> Scenario:
    shown = int(round(value)) if setup.integer else value
    try:
        return build_scenario(setup.raw, setup.source, setup.base_dir,
                              [*setup.overrides, f"{setup.field}={json.dumps(shown)}"])
    except ScenarioError as exc:
        raise BreakEvenError(f"{exc.problems[0]} (at {setup.field}={shown})") from None


def _paired(rows_a: pd.Series, rows_b: pd.Series) -> tuple[float, float, float, int]:
    diff = rows_a.to_numpy(dtype=float) - rows_b.to_numpy(dtype=float)
    mean, lo, hi = t_interval(diff)
    return mean, lo, hi, int(np.count_nonzero(~np.isnan(diff)))


def _evaluate_plain(setup: _Setup, values: Sequence[float]) -> list[tuple[float, ...]]:
    """Paired differences at each value: both policies on replications ``0 .. reps-1``."""
    scenarios = [_scenario_at(setup, v) for v in values]
    block = max(1, math.ceil(setup.reps * len(values) / (3 * max(1, setup.workers))))
    tasks: list[PointTask] = []
    owners: list[int] = []
    for i, sc in enumerate(scenarios):
        for start in range(0, setup.reps, block):
            reps = list(range(start, min(setup.reps, start + block)))
            tasks.append(PointTask(len(tasks), ReplicationTask(sc, setup.policies, setup.seed,
                                                               tuple(reps))))
            owners.append(i)
    rows: list[list[dict[str, object]]] = [[] for _ in values]
    runner = make_executor(setup.executor, setup.workers, setup.scheduler)
    try:
        for k, batch in runner.run(run_point_task, tasks):
            rows[owners[k]].extend(batch.rows)
    finally:
        runner.close()
    out: list[tuple[float, ...]] = []
    for found in rows:
        table = pd.DataFrame(found).sort_values(["replication", "policy"], kind="stable")
        a, b = (table[table["policy"] == p].set_index("replication")[setup.key]
                for p in setup.policies)
        out.append(_paired(a, b.reindex(a.index)))
    return out


@dataclass(frozen=True)
class PointTask:
    """Some replications of one evaluated value, tagged with the task's number."""

    index: int
    task: ReplicationTask


def run_point_task(task: PointTask) -> tuple[int, Batch]:
    """Run one :class:`PointTask` (what a worker does); answers come back in any order."""
    return task.index, run_replications(task.task)


def _evaluate_restaffed(setup: _Setup, values: Sequence[float], tick: Callable[[int], None]
                        ) -> list[tuple[float, ...]]:
    """Paired differences after re-staffing both policies to the targets at each value."""
    out: list[tuple[float, ...]] = []
    key = "staffing.total_cost" if setup.key == "costs.total_cost" else setup.key
    for value in values:
        try:
            result = staff(_scenario_at(setup, value), setup.targets, list(setup.policies),
                           constant=setup.constant, reps=setup.staff_reps,
                           verify_reps=setup.reps, seed=setup.seed,
                           workers=setup.workers, executor=setup.executor,
                           scheduler=setup.scheduler, max_calls=setup.max_calls)
        except StaffingError as exc:
            raise BreakEvenError(str(exc)) from None
        a, b = (result.policies[p].per_replication[key] for p in setup.policies)
        out.append(_paired(a, b))
        tick(1)
    return out


def _evaluate(setup: _Setup, values: Sequence[float], tick: Callable[[int], None]
              ) -> list[tuple[float, ...]]:
    """Paired differences at each value; ``tick(n)`` as ``n`` more values are done."""
    if setup.targets:
        return _evaluate_restaffed(setup, values, tick)
    out = _evaluate_plain(setup, values)
    tick(len(values))
    return out


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
    """The policy a mean difference ``a - b`` favours.

    The catalogue gives the direction; lower is better when the metric has none.
    """
    a_higher = mean > 0
    higher_is_better = catalogue_metric(setup.key).higher_is_better is True
    return setup.policies[0] if a_higher == higher_is_better else setup.policies[1]


def _summarize(setup: _Setup, points: dict[float, tuple[float, ...]], lo: float, hi: float,
               bracket: tuple[float, float] | None) -> BreakEven:
    frame = pd.DataFrame([(v, *p) for v, p in sorted(points.items())],
                         columns=["value", "mean", "ci_low", "ci_high", "n"])
    significant = (frame["ci_low"] > 0) | (frame["ci_high"] < 0)
    a, b = setup.policies
    if bracket is None:
        differ = frame["mean"] != 0
        signs = set(np.sign(frame.loc[differ, "mean"]))
        better = (_better(setup, float(frame.loc[differ, "mean"].iloc[0]))
                  if len(signs) == 1 and significant[differ].all() else None)
        return BreakEven(setup.field, setup.key, a, b, frame, None, None, None, better,
                         bool(setup.targets))
    x0, x1 = bracket
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
    scenario: str | Path,
    vary: str,
    metric: str = "total_cost",
    policies: Sequence[str] | None = None,
    reps: int = 20,
    seed: int = 0,
    targets: Sequence[str] | None = None,
    grid: int = 5,
    steps: int = 4,
    overrides: Sequence[str] = (),
    staff_reps: int = 6,
    constant: bool = False,
    workers: int = 1,
    executor: str = "processes",
    scheduler: str | None = None,
    progress: BreakEvenProgress | None = None,
    max_calls: float | None = MAX_CALLS,
) -> BreakEven:
    """Find where ``warm - cold`` (or second minus first policy) of a metric changes sign.

    Parameters
    ----------
    scenario
        Scenario file.
    vary
        ``FIELD=LO:HI``: a numeric scenario field (a misroute share, a staffing level, a
        handoff time in seconds...) and its range; integer ends give an integer field.
    metric
        Metric name or flat key (default ``total_cost``, currency per run).
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
        Coarse grid points, then bisection steps inside the first sign change.
    overrides
        ``--set`` overrides applied before the field.
    staff_reps
        Search replications of each re-staffing.
    constant
        Re-staff with one level per department for the whole horizon (faster).
    workers, executor, scheduler
        Where simulations run; the numbers do not depend on them.
    progress
        Called with (values just evaluated, values planned).
    max_calls
        Refuse, before running, a coarse grid expected to simulate more calls than this
        (bisection steps and the re-staffing search beyond its first round not counted;
        ``None``: no limit).

    Raises
    ------
    BreakEvenError, ScenarioError
        Bad field, range, metric or scenario (one line each).
    WorkLimitError
        The work is above ``max_calls``; nothing runs.

    Examples
    --------
    >>> b = breakeven("tests/experiments/breakeven_known.yaml",
    ...               "transfer.warm.handoff_time.value=0:100",
    ...               "call_types.support.resolution_time_mean", reps=2, grid=3, steps=2)
    >>> round(b.crossing), b.better_below
    (60, 'warm')
    """
    setup, lo, hi = _setup(scenario, vary, metric, policies, reps, seed, targets, overrides,
                           staff_reps, workers, executor, scheduler)
    setup = dataclasses.replace(setup, constant=constant, max_calls=max_calls)
    values = _grid(lo, hi, grid, setup.integer)
    runs = 2 * (reps + (staff_reps if setup.targets else 0))
    check_work([_scenario_at(setup, v) for v in values], runs, max_calls)
    planned = len(values) + steps

    def tick(done: int) -> None:
        if progress:
            progress(done, planned)

    points = dict(zip(values, _evaluate(setup, values, tick), strict=True))
    bracket = _bracket(points)
    for _ in range(steps):
        if bracket is None or bracket[1] - bracket[0] <= (1 if setup.integer else 0):
            break
        mid = (bracket[0] + bracket[1]) / 2
        mid = float(math.floor(mid)) if setup.integer else mid
        points[mid] = _evaluate(setup, [mid], tick)[0]
        bracket = _bracket({k: points[k] for k in (bracket[0], mid, bracket[1])})
    return _summarize(setup, points, lo, hi, bracket)


def _setup(scenario: str | Path, vary: str, metric: str, policies: Sequence[str] | None, reps: int,
           seed: int, targets: Sequence[str] | None, overrides: Sequence[str],
           staff_reps: int, workers: int, executor: str, scheduler: str | None
           ) -> tuple[_Setup, float, float]:
    field, lo, hi, integer = parse_vary(vary)
    path = Path(scenario)
    raw = read_scenario_file(path)
    try:
        check_paths(raw, Grid.from_specs([f"{field}={lo:g}"]), str(path))
    except GridError as exc:
        raise BreakEvenError(str(exc)) from None
    pair = difference_pair(list(dict.fromkeys(policies or registry.default_comparison())))
    if pair is None:
        raise BreakEvenError("--policies: give exactly two policies")
    unknown = [p for p in pair if p not in registry.names()]
    if unknown:
        raise BreakEvenError(f"--policies: unknown policy {unknown[0]!r} (choose from "
                             f"{', '.join(registry.names())})")
    a, b = pair
    if reps < 2:
        raise BreakEvenError("--reps must be >= 2 (paired confidence intervals)")
    base = build_scenario(raw, str(path), path.parent, list(overrides))
    if targets:
        try:
            resolve_targets(base, targets)
        except StaffingError as exc:
            raise BreakEvenError(str(exc)) from None
    setup = _Setup(raw, str(path), path.parent, tuple(overrides), field, integer,
                   metric_key(base, metric), (a, b), reps, seed, workers, executor, scheduler,
                   tuple(targets) if targets else None, staff_reps)
    _scenario_at(setup, lo)
    _scenario_at(setup, hi)
    return setup, lo, hi
