"""The scenario file's frozen, validated models (reading a file: :mod:`callsim.scenario.loading`).

Validation errors become :class:`~callsim.scenario.errors.ScenarioError` lines
``FILE: field.path: message`` in the loader. All times are seconds; per-interval
fields (``agents``, ``arrivals_per_hour``) hold one value or one per interval.
See docs/model.md section 4 and docs/DESIGN.md ("Scenario interface").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Strict,
    StrictBool,
    StringConstraints,
    Tag,
    ValidationInfo,
    model_validator,
)

from callsim.scenario.calllog import CallLog, CallLogError, read_call_log
from callsim.scenario.distributions import Distribution
from callsim.scenario.durations import ClockTime, PositiveSeconds, Seconds, format_clock
from callsim.scenario.errors import field_errors
from callsim.scenario.inputs import note_file
from callsim.scenario.limits import (
    MAX_AGENTS,
    MAX_AMOUNT,
    MAX_BUSYNESS_CV,
    MAX_FACTOR,
    MAX_INTERVALS,
    MAX_PRIORITY,
    MAX_RATE,
)
from callsim.scenario.origin import ScenarioDocument
from callsim.scenario.roster import RosterEntry, change_times, levels, roster_problems
from callsim.scenario.shifts import ShiftType, shift_problems
from callsim.scenario.targets import Target, TargetError, parse_target
from callsim.scenario.transfer import Transfer

if TYPE_CHECKING:  # numpy loads when a scenario runs (`callsim validate` needs none)
    import numpy as np

__all__ = [
    "Arrivals",
    "Busyness",
    "CallType",
    "Costs",
    "Department",
    "Horizon",
    "InPlace",
    "Redial",
    "Scenario",
    "Transfer",
]

#: Department and call type names: dots separate the parts of metric keys.
Name = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$")]
def percent(value: Any) -> Any:
    """A share written in percent (``20%``) as the fraction (0.2); any other value as it is.

    ``--target`` and ``--vary`` take ``90%``; so does every share in a scenario file.

    Examples
    --------
    >>> percent("20%"), percent(" 7.5 % "), percent(0.3), percent("abc")
    (0.2, 0.075, 0.3, 'abc')
    """
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            return float(value.strip()[:-1]) / 100
        except ValueError:
            return value
    return value


# Numbers are strict (``yes`` is not 1, ``"12"`` is not 12) and finite, within limits.py.
Probability = Annotated[Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)],
                        BeforeValidator(percent)]
Rate = Annotated[float, Strict(), Field(ge=0, le=MAX_RATE, allow_inf_nan=False)]
AgentCount = Annotated[int, Strict(), Field(ge=0, le=MAX_AGENTS)]
#: Money (a wage per agent-hour, a cost per call).
Amount = Annotated[float, Strict(), Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]


def _shape(value: Any) -> str:
    return "list" if isinstance(value, list | tuple) else "one"


#: One value for the whole horizon, or a list with one value per interval.
Agents = Annotated[
    Annotated[AgentCount, Tag("one")] | Annotated[tuple[AgentCount, ...], Tag("list")],
    Discriminator(_shape),
]
Rates = Annotated[
    Annotated[Rate, Tag("one")] | Annotated[tuple[Rate, ...], Tag("list")],
    Discriminator(_shape),
]
#: A share of staffed agents who take calls: in (0, 1].
Share = Annotated[Annotated[float, Strict(), Field(gt=0, le=1, allow_inf_nan=False)],
                  BeforeValidator(percent)]
Shares = Annotated[
    Annotated[Share, Tag("one")] | Annotated[tuple[Share, ...], Tag("list")],
    Discriminator(_shape),
]
#: A factor on drawn patience or handle time (``call_types.K.patience_scale``,
#: ``handle_scale``): > 0.
Factor = Annotated[float, Strict(), Field(gt=0, le=MAX_FACTOR, allow_inf_nan=False)]
Factors = Annotated[
    Annotated[Factor, Tag("one")] | Annotated[tuple[Factor, ...], Tag("list")],
    Discriminator(_shape),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Horizon(_Model):
    """Simulated period. Times in seconds (or duration strings in the file).

    ``start`` is the clock time of t = 0 (seconds since midnight, written
    ``"08:00"``); it only serves to read clock times in replay files.
    """

    duration: PositiveSeconds
    interval: PositiveSeconds
    warmup: Seconds = 0.0
    drain: StrictBool = True
    start: ClockTime = 8 * 3600.0

    @property
    def n_intervals(self) -> int:
        """Number of planning intervals, ``ceil(duration / interval)`` (the last may be shorter)."""
        return max(1, math.ceil(self.duration / self.interval - 1e-9))

    def clock(self, i: int) -> str:
        """Clock time ``HH:MM`` of the start of interval ``i`` (``i = n_intervals``: the end).

        Examples
        --------
        >>> Horizon(duration=5400, interval=1800, start="08:00").clock(3)
        '09:30'
        """
        return format_clock(i * self.interval, self.start)

    def interval_bounds(self) -> np.ndarray:
        """Interval start times plus the horizon end, shape ``(n_intervals + 1,)`` (s from t = 0).

        The one definition of the planning intervals: the engine changes staffing and arrival
        rates at these times, and the per-interval metrics bin calls by them.

        Examples
        --------
        >>> Horizon(duration=5400, interval=3600).interval_bounds().tolist()
        [0.0, 3600.0, 5400.0]
        """
        import numpy as np  # here, not at the top: validating a scenario needs no numpy

        bounds: np.ndarray = np.minimum(np.arange(self.n_intervals + 1) * float(self.interval),
                                        float(self.duration))
        bounds[-1] = float(self.duration)
        return bounds

    @model_validator(mode="after")
    def _fits(self) -> Horizon:
        problems = []
        if self.warmup >= self.duration:
            problems.append((("warmup",), f"must be < duration ({self.duration:g} s)"))
        if self.interval > self.duration:
            problems.append((("interval",), f"must be <= duration ({self.duration:g} s)"))
        elif self.duration / self.interval > MAX_INTERVALS:
            problems.append((("interval",), f"gives {self.duration / self.interval:.3g} "
                             f"intervals, more than the limit of {MAX_INTERVALS}; use a longer "
                             "interval"))
        if problems:
            raise field_errors("horizon", problems)
        return self


class InPlace(_Model):
    """A misrouted call type a department's agents resolve themselves (cross-trained agents).

    With probability ``share`` the agent who identified the call resolves it, handling for
    handle time x ``handle_factor`` (no transfer, no re-explaining).
    """

    share: Probability
    handle_factor: Annotated[float, Strict()] = Field(
        default=1.0, gt=0, le=MAX_FACTOR, allow_inf_nan=False
    )


class Department(_Model):
    """A queue served by identical agents; ``wage_per_hour`` in currency per agent-hour.

    ``shrinkage`` is the share of paid time agents are off the phones (breaks, training,
    absence): ``agents`` counts agents on the phones, and staffing reports rostered agents
    ``ceil(agents / (1 - shrinkage))`` (docs/model.md section 4).

    ``resolves`` maps call types of other departments to the share its agents resolve in place
    when such a call is misrouted to them (docs/model.md section 3).

    ``after_call_work`` (a distribution, None: 0 s) keeps an agent busy after every call it is
    released from. ``available`` (one share or one per interval, in (0, 1]) is the share of
    ``agents`` who take calls: see :meth:`Scenario.agents_taking_calls`.

    ``roster`` (None: follow ``agents``) puts agents on and off the phones at the exact times of
    its shifts and breaks (:mod:`callsim.scenario.roster`); ``agents`` then only feeds the
    analytic figures (Erlang A).
    """

    agents: Agents
    wage_per_hour: Amount
    shrinkage: Annotated[float, BeforeValidator(percent)] = Field(default=0.0, ge=0, lt=1)
    resolves: dict[Name, InPlace] = Field(default_factory=dict)
    after_call_work: Distribution | None = None
    available: Shares = 1.0
    roster: tuple[RosterEntry, ...] | None = None


#: Upper bound of ``redial.max_attempts`` (attributes are drawn per customer and attempt).
MAX_ATTEMPTS = 20


#: Fields to replace per department, from its position and model
#: (:meth:`Scenario.with_departments`).
DepartmentFields = Callable[[int, Department], Mapping[str, Any]]


class Redial(_Model):
    """Customers who call again after a lost call (docs/model.md section 3).

    A customer whose call ends abandoned, dropped or unreached calls again with ``probability``
    after ``delay`` (s), at most ``max_attempts`` calls in all.
    """

    probability: Probability
    delay: Distribution
    max_attempts: Annotated[int, Strict(), Field(ge=1, le=MAX_ATTEMPTS)] = 3


class CallType(_Model):
    """A caller's reason: arrivals per hour, resolving department, durations (s), misroutes.

    ``arrivals_per_hour`` may be left out only when the scenario replays an
    ``arrivals_file``. ``patience`` None means the caller never abandons.
    ``misroute`` maps wrong departments to the share of calls the IVR sends there.
    ``priority``: callers of a higher class are answered first in every queue (FCFS within a
    class). ``patience_scale`` (one factor or one per interval) multiplies the first-queue
    patience of a caller by the factor of the interval the call arrives in (time-of-day
    patience); see :meth:`Scenario.patience_scales`. ``handle_scale`` likewise multiplies the
    handle time of a call by the factor of the interval the customer's first call arrived in
    (time-of-day handle time; a redial keeps its first call's factor); see
    :meth:`Scenario.handle_scales`.
    """

    arrivals_per_hour: Rates = 0.0
    resolved_by: Name
    handle_time: Distribution
    patience: Distribution | None = None
    misroute: dict[Name, Probability] = Field(default_factory=dict)
    redial: Redial | None = None
    priority: Annotated[int, Strict(), Field(ge=0, le=MAX_PRIORITY)] = 0
    patience_scale: Factors = 1.0
    handle_scale: Factors = 1.0

    @model_validator(mode="after")
    def _shares(self) -> CallType:
        total = sum(self.misroute.values())
        if total > 1 + 1e-9:
            message = f"shares sum to {total:g}, must be <= 1"
            raise field_errors("call type", [(("misroute",), message)])
        return self


class Busyness(_Model):
    """Day-to-day variation: one factor B ~ Gamma(mean 1, ``cv``) per replication.

    B multiplies every interval's arrival rate of every call type that day (a mixed Poisson
    day); ``cv`` 0 is the fixed-rate model.
    """

    cv: Annotated[float, Strict(), Field(ge=0, le=MAX_BUSYNESS_CV, allow_inf_nan=False)]


class Arrivals(_Model):
    """What moves the arrival rates of the whole centre (``busyness``)."""

    busyness: Busyness | None = None

    @property
    def busyness_cv(self) -> float:
        """The busyness factor's coefficient of variation (0: no busyness)."""
        return 0.0 if self.busyness is None else float(self.busyness.cv)


class Costs(_Model):
    """Cost of each abandoned or dropped call, and the currency amounts are in (words only)."""

    lost_call: Amount = 0.0
    currency: str | None = Field(default=None, min_length=1, max_length=12,
                                 pattern=r"^[^\s]+$")


class Scenario(_Model):
    """A whole validated scenario; see docs/DESIGN.md, "Scenario interface"."""

    name: str = Field(min_length=1)
    horizon: Horizon
    service_level_threshold: Seconds = 20.0
    departments: dict[Name, Department] = Field(min_length=1)
    call_types: dict[Name, CallType] = Field(min_length=1)
    transfer: Transfer = Field(default_factory=lambda: Transfer())
    costs: Costs = Field(default_factory=lambda: Costs())
    arrivals: Arrivals = Field(default_factory=lambda: Arrivals())
    arrivals_file: str | None = None
    targets: tuple[str, ...] = ()
    shifts: dict[Name, ShiftType] = Field(default_factory=dict)

    _call_log: CallLog | None = PrivateAttr(default=None)
    _files: tuple[Path, ...] = PrivateAttr(default=())
    _origin: ScenarioDocument | None = PrivateAttr(default=None)  # see scenario/document.py

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Scenario:
        problems = [*self._interval_problems(), *self._routing_problems(),
                    *self._target_problems(), *self._in_place_problems(),
                    *shift_problems(self.shifts, self.horizon.duration, self.horizon.start,
                                    {d: dep.wage_per_hour for d, dep in self.departments.items()}),
                    *self._roster_problems()]
        if problems:
            raise field_errors("scenario", problems)
        if self.arrivals_file is not None:
            path = Path((info.context or {}).get("base_dir", ".")) / self.arrivals_file
            try:
                if not self.arrivals_file.strip():
                    raise CallLogError(["must name a CSV file"])
                self._call_log = read_call_log(
                    path, list(self.call_types), self.horizon.duration, self.horizon.start
                )
            except CallLogError as exc:
                problems = [(("arrivals_file",), p) for p in exc.problems]
                raise field_errors("scenario", problems) from None
            note_file(info.context, path)
        return self

    def _interval_problems(self) -> Iterator[tuple[tuple[str, ...], str]]:
        n = self.horizon.n_intervals
        fields: list[tuple[tuple[str, ...], Any]] = [
            ((("departments", d, name), getattr(dep, name)))
            for d, dep in self.departments.items() for name in ("agents", "available")
        ]
        fields += [
            (("call_types", k, name), getattr(ct, name))
            for k, ct in self.call_types.items()
            for name in ("arrivals_per_hour", "patience_scale", "handle_scale")
        ]
        for loc, value in fields:
            if isinstance(value, tuple) and len(value) != n:
                yield loc, f"expected {n} values (one per interval), got {len(value)}"

    def _roster_problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        h = self.horizon
        for d, dep in self.departments.items():
            for loc, message in roster_problems(dep.roster or (), h.duration, h.start):
                yield ("departments", d, "roster", *loc), message

    def _routing_problems(self) -> Iterator[tuple[tuple[str, ...], str]]:
        misrouted = False
        for k, ct in self.call_types.items():
            if ct.resolved_by not in self.departments:
                yield ("call_types", k, "resolved_by"), f"no department named '{ct.resolved_by}'"
            if self.arrivals_file is None and "arrivals_per_hour" not in ct.model_fields_set:
                message = "field required (or give arrivals_file)"
                yield ("call_types", k, "arrivals_per_hour"), message
            for d, share in ct.misroute.items():
                loc = ("call_types", k, "misroute", d)
                if d not in self.departments:
                    yield loc, f"no department named '{d}'"
                elif d == ct.resolved_by:
                    yield loc, f"'{d}' resolves {k} calls: a misroute must name another department"
                misrouted = misrouted or share > 0
        if misrouted and "identify_time" not in self.transfer.model_fields_set:
            yield ("transfer", "identify_time"), "field required (some calls are misrouted)"
        if self.arrivals_file is not None and self.arrivals.busyness_cv > 0:
            message = "must be 0 with arrivals_file (a replayed call log is one given day)"
            yield ("arrivals", "busyness", "cv"), message

    def _target_problems(self) -> Iterator[tuple[tuple[str | int, ...], str]]:
        for i, text in enumerate(self.targets):
            try:
                target = parse_target(text)
            except TargetError as exc:
                yield ("targets", i), str(exc)
                continue
            if target.department is not None and target.department not in self.departments:
                yield ("targets", i), f"no department named '{target.department}'"

    @property
    def parsed_targets(self) -> tuple[Target, ...]:
        """The scenario's ``targets`` list, parsed (see :mod:`callsim.scenario.targets`)."""
        return tuple(parse_target(t) for t in self.targets)

    def _in_place_problems(self) -> Iterator[tuple[tuple[str, ...], str]]:
        for d, dept in self.departments.items():
            for k in dept.resolves:
                loc = ("departments", d, "resolves", k)
                if k not in self.call_types:
                    yield loc, f"no call type named '{k}'"
                elif self.call_types[k].resolved_by == d:
                    yield loc, f"'{d}' resolves {k} calls already: name another department's type"

    @property
    def max_attempts(self) -> int:
        """Most calls a customer can make: 1 without redials.

        Redials with probability 0 count as none, so they cost nothing and change nothing.
        """
        return max((ct.redial.max_attempts for ct in self.call_types.values()
                    if ct.redial is not None and ct.redial.probability > 0), default=1)

    def staffing(self, dept: str) -> tuple[int, ...]:
        """Agents on duty in each interval for department ``dept`` (length ``n_intervals``)."""
        return _per_interval(self.departments[dept].agents, self.horizon.n_intervals)

    @property
    def rostered_departments(self) -> bool:
        """Whether a department has a ``roster`` (the engine follows :meth:`staffing_steps`)."""
        return any(dep.roster is not None for dep in self.departments.values())

    def staffing_steps(self) -> tuple[list[float], list[tuple[int, ...]]]:
        """When agents taking calls change: the times (s, the first 0) and the agents from each on.

        A department follows its ``roster`` (agents on a shift and not on a break, at the exact
        times) or else ``agents`` per interval; either is scaled by the interval's ``available``
        share, rounded half up (:meth:`agents_taking_calls`). Times at or after the horizon's end
        are dropped: the last level stays for a drain, as with ``agents``.
        """
        import numpy as np  # here, not at the top: validating a scenario needs no numpy

        h = self.horizon
        bounds = h.interval_bounds()
        times = {float(t) for t in bounds[:-1]}
        for dep in self.departments.values():
            times.update(t for t in change_times(dep.roster or (), h.start) if t < h.duration)
        ordered = sorted(times)
        interval = np.searchsorted(bounds, ordered, side="right") - 1
        per_dept = []
        for d, dep in self.departments.items():
            share = _per_interval(dep.available, h.n_intervals)
            if dep.roster is None:
                taking = self.agents_taking_calls(d)
                per_dept.append([taking[j] for j in interval])
                continue
            raw = levels(dep.roster, h.start, ordered)
            per_dept.append(list(_per_interval_agents(
                tuple(raw), tuple(share[j] for j in interval))))
        return ordered, list(zip(*per_dept, strict=True))

    def agents_taking_calls(self, dept: str) -> tuple[int, ...]:
        """Agents who take calls in each interval: ``staffing x available``, rounded half up.

        ``floor(agents x available + 1/2)`` (10 x 0.85 = 8.5 gives 9, 10 x 0.84 gives 8);
        with ``available`` 1 these are the ``agents`` themselves. The engine serves with them.

        Examples
        --------
        >>> _per_interval_agents((10, 10, 3), (0.8, 0.85, 0.5))
        (8, 9, 2)
        """
        return _per_interval_agents(
            self.staffing(dept),
            _per_interval(self.departments[dept].available, self.horizon.n_intervals),
        )

    def rostered(self, dept: str) -> tuple[int, ...]:
        """Rostered agents in each interval: ``ceil(agents / (1 - shrinkage))``.

        The one definition of paid agents under shrinkage: the simulation's ``staff_cost``
        charges them (agents on duty plus the rostered agents off the phones), and
        ``callsim staff`` reports them.

        Examples
        --------
        >>> _rostered((3, 7, 0), 0.3)
        (5, 10, 0)
        """
        return _rostered(self.staffing(dept), float(self.departments[dept].shrinkage))

    def arrival_rates(self, call_type: str) -> tuple[float, ...]:
        """Arrivals per hour of ``call_type`` in each interval (length ``n_intervals``)."""
        rates = self.call_types[call_type].arrivals_per_hour
        return tuple(float(r) for r in _per_interval(rates, self.horizon.n_intervals))

    def patience_scales(self, call_type: str) -> tuple[float, ...]:
        """Factor on ``call_type``'s first-queue patience in each interval (1: as drawn)."""
        scale = self.call_types[call_type].patience_scale
        return tuple(float(s) for s in _per_interval(scale, self.horizon.n_intervals))

    @property
    def time_of_day_patience(self) -> bool:
        """Whether some call type's ``patience_scale`` differs from 1 (else nothing is scaled)."""
        return any(s != 1 for k in self.call_types for s in self.patience_scales(k))

    def handle_scales(self, call_type: str) -> tuple[float, ...]:
        """Factor on ``call_type``'s handle time in each interval (1: as drawn)."""
        scale = self.call_types[call_type].handle_scale
        return tuple(float(s) for s in _per_interval(scale, self.horizon.n_intervals))

    @property
    def time_of_day_handle(self) -> bool:
        """Whether some call type's ``handle_scale`` differs from 1 (else nothing is scaled)."""
        return any(s != 1 for k in self.call_types for s in self.handle_scales(k))

    @property
    def call_log(self) -> CallLog | None:
        """The replayed calls of ``arrivals_file``, or None for Poisson arrivals."""
        return self._call_log

    @property
    def files(self) -> tuple[Path, ...]:
        """Every data file the scenario read (empirical durations, replayed calls), sorted.

        The scenario's numbers depend on their contents: sweeps hash them for ``--resume``.
        """
        return self._files

    def expected_calls(self) -> float:
        """Expected arrivals in one replication: the replayed calls, or rate x time."""
        if self._call_log is not None:
            return float(len(self._call_log))
        bounds = [min(i * self.horizon.interval, self.horizon.duration)
                  for i in range(self.horizon.n_intervals)] + [self.horizon.duration]
        lengths = [b - a for a, b in zip(bounds, bounds[1:], strict=False)]
        return sum(rate * length / 3600 for k in self.call_types
                   for rate, length in zip(self.arrival_rates(k), lengths, strict=True))

    def with_departments(self, fields: Mapping[str, Any] | DepartmentFields) -> Scenario:
        """A copy whose departments have some fields replaced; the one way to vary them.

        ``fields`` is one mapping for every department (``{"shrinkage": 0.3}``) or a function
        of each department's position and model giving its own (``{"agents": row}``; ``{}``
        keeps it). The values are not validated again: give what the field accepts.

        Examples
        --------
        >>> from callsim.scenario.loading import load_scenario
        >>> s = load_scenario("scenarios/billing_support.yaml")
        >>> s.with_departments({"shrinkage": 0.3}).departments["support"].shrinkage
        0.3
        >>> s.with_departments(lambda i, d: {"agents": 10 + i}).staffing("support")[:2]
        (11, 11)
        """
        def changed(i: int, department: Department) -> Mapping[str, Any]:
            return fields(i, department) if callable(fields) else fields

        departments = {name: d.model_copy(update=dict(changed(i, d)))
                       for i, (name, d) in enumerate(self.departments.items())}
        return self.model_copy(update={"departments": departments})


def _per_interval(value: Any, n: int) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, tuple) else (value,) * n


def _rostered(agents: tuple[int, ...], shrinkage: float) -> tuple[int, ...]:
    """``ceil(a / (1 - shrinkage))`` per interval (1e-9 absorbs 7 / 0.7 = 10.000000001)."""
    return tuple(math.ceil(a / (1.0 - shrinkage) - 1e-9) for a in agents)


def _per_interval_agents(agents: tuple[int, ...], available: tuple[float, ...]) -> tuple[int, ...]:
    """Round half up ``agents x available`` per interval (1e-9 absorbs 10 x 0.85 = 8.4999...)."""
    return tuple(a if s == 1 else math.floor(a * s + 0.5 + 1e-9)
                 for a, s in zip(agents, available, strict=True))
