"""Callers: arrival times, types, IVR routing and every random attribute, drawn up front.

All draws happen here, in numpy batches, before the event loop starts, from streams that do not
depend on the transfer policy. The engine only reads these arrays, so the same seed gives the
same callers under every policy (common random numbers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from callsim.engine.streams import Streams

if TYPE_CHECKING:
    from callsim.engine.draws import Draw
    from callsim.scenario.schema import Scenario

#: Unit-rate exponential gaps are drawn in chunks of this size.
CHUNK = 8192


@dataclass(frozen=True)
class Callers:
    """Every arriving call's attributes, in arrival order (times in seconds).

    ``patience`` is the patience in the first queue (``inf``: the caller never abandons),
    ``identify`` the time a wrong department's agent needs to see the call is not theirs.
    ``drawn`` holds the per-call draws the transfer policy declared (:mod:`callsim.engine.draws`),
    by name, e.g. ``drawn["reexplain"]``. ``in_place`` is a uniform number per call compared
    with a cross-trained department's ``resolves`` share (empty when no department has one).

    With redials (``scenario.max_attempts`` > 1) there is a slot per customer and attempt:
    slot ``(k - 1) * customers + c`` is customer c's k-th call, ``time`` is NaN for k > 1 (the
    engine sets it if the call happens), ``redial_u`` and ``redial_delay`` (s) decide whether
    and when it happens. Attributes of slot (c, k) come from attempt k's streams.
    ``busyness`` is the day's factor on every arrival rate (1 without ``arrivals.busyness``).
    """

    time: np.ndarray
    call_type: np.ndarray
    department: np.ndarray
    patience: np.ndarray
    handle: np.ndarray
    identify: np.ndarray
    drawn: Mapping[str, np.ndarray] = field(default_factory=dict)
    in_place: np.ndarray = field(default_factory=lambda: np.empty(0))
    customers: int = -1
    redial_u: np.ndarray = field(default_factory=lambda: np.empty(0))
    redial_delay: np.ndarray = field(default_factory=lambda: np.empty(0))
    busyness: float = 1.0

    def __len__(self) -> int:
        return len(self.time)

    @property
    def first_calls(self) -> int:
        """Customers: the first calls, slots ``0..n-1`` (every slot without redials)."""
        return len(self.time) if self.customers < 0 else self.customers


def poisson_times(rates: np.ndarray, bounds: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Arrival times of a Poisson process with piecewise-constant rate, by inversion.

    Parameters
    ----------
    rates
        Rate in each interval (calls per second), shape ``(n,)``.
    bounds
        Interval boundaries (s), shape ``(n + 1,)``.
    rng
        Generator of unit-rate exponential gaps.

    Returns
    -------
    numpy.ndarray
        Sorted arrival times (s) in ``[0, bounds[-1])``.
    """
    cumulative = np.concatenate(([0.0], np.cumsum(rates * np.diff(bounds))))
    total = cumulative[-1]
    pieces: list[np.ndarray] = []
    reached = 0.0
    while reached < total:
        s = reached + np.cumsum(rng.standard_exponential(CHUNK))
        reached = s[-1]
        pieces.append(s[s < total])
    if not pieces:
        return np.empty(0)
    s = np.concatenate(pieces)
    j = np.searchsorted(cumulative, s, side="right") - 1
    times: np.ndarray = bounds[j] + (s - cumulative[j]) / rates[j]
    return times


def _pick(cumulative: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index of the category each uniform falls in, for rows of cumulative shares."""
    index: np.ndarray = np.minimum((u[:, None] >= cumulative).sum(axis=1), cumulative.shape[1] - 1)
    return index


def busyness_factor(cv: float, streams: Streams) -> float:
    """The day's busyness factor B ~ Gamma(mean 1, coefficient of variation ``cv``).

    Drawn from its own stream (the same for every policy of a replication); exactly 1, with no
    draw at all, when ``cv`` is 0, so that no other stream moves.
    """
    if cv == 0:
        return 1.0
    shape = 1.0 / cv**2
    return float(streams.generator("busyness").gamma(shape, 1.0 / shape))


def arrivals(scenario: Scenario, streams: Streams, busyness: float = 1.0
             ) -> tuple[np.ndarray, np.ndarray]:
    """Arrival times (s) and call type indices, from the call log or the Poisson profile.

    Poisson arrivals are drawn for all call types together at the summed rate of each interval
    (times ``busyness``); each arrival's type is then drawn with the types' shares of that
    interval's rate.
    """
    log = scenario.call_log
    if log is not None:
        return log.time, log.call_type.astype(np.int16)
    h = scenario.horizon
    bounds = h.interval_bounds()
    rates = np.array([scenario.arrival_rates(k) for k in scenario.call_types], dtype=float) / 3600
    if busyness != 1.0:
        rates *= busyness
    total = rates.sum(axis=0)
    time = poisson_times(total, bounds, streams.generator("arrivals"))
    j = np.minimum(np.searchsorted(bounds, time, side="right") - 1, h.n_intervals - 1)
    shares = np.cumsum(rates / np.where(total > 0, total, 1.0), axis=0).T
    u = streams.generator("call_type").random(len(time))
    return time, _pick(shares[j], u).astype(np.int16)


def draw_callers(scenario: Scenario, streams: Streams, draws: Sequence[Draw] = ()) -> Callers:
    """Draw every caller of one replication.

    Parameters
    ----------
    scenario
        Validated scenario.
    streams
        Random streams of the replication.
    draws
        The transfer policy's own per-call draws (``Callers.drawn``).
    """
    busyness = busyness_factor(scenario.arrivals.busyness_cv, streams)
    time, call_type = arrivals(scenario, streams, busyness)
    first = _attributes(scenario, streams, call_type, draws)
    if scenario.time_of_day_patience:
        first["patience"] *= patience_factors(scenario, time, call_type)
    handle_factor = (handle_factors(scenario, time, call_type)
                     if scenario.time_of_day_handle else None)
    if handle_factor is not None:
        first["handle"] *= handle_factor
    log = scenario.call_log
    if log is not None:  # values the log gives replace the draws (which still happen, for CRN)
        given = ~np.isnan(log.handle_time)
        first["handle"][given] = log.handle_time[given]
        given = ~np.isnan(log.patience)
        first["patience"][given] = log.patience[given]
    attempts = scenario.max_attempts
    if attempts == 1:
        return Callers(time=time, call_type=call_type, busyness=busyness, **first)
    return _with_redials(scenario, streams, draws, time, call_type, first, attempts, busyness,
                         handle_factor)


def patience_factors(scenario: Scenario, time: np.ndarray, call_type: np.ndarray) -> np.ndarray:
    """Each call's ``patience_scale``: its type's factor in the interval of its arrival ``time``.

    Times at or past the horizon's end take the last interval's factor.
    """
    return _factors([scenario.patience_scales(k) for k in scenario.call_types], scenario,
                    time, call_type)


def handle_factors(scenario: Scenario, time: np.ndarray, call_type: np.ndarray) -> np.ndarray:
    """Each call's ``handle_scale``: its type's factor in the interval of its arrival ``time``.

    Times at or past the horizon's end take the last interval's factor.
    """
    return _factors([scenario.handle_scales(k) for k in scenario.call_types], scenario,
                    time, call_type)


def _factors(per_type: list[tuple[float, ...]], scenario: Scenario, time: np.ndarray,
             call_type: np.ndarray) -> np.ndarray:
    h = scenario.horizon
    table = np.array(per_type, dtype=float)
    j = np.minimum(np.searchsorted(h.interval_bounds(), time, side="right") - 1,
                   h.n_intervals - 1)
    factors: np.ndarray = table[call_type.astype(np.intp), np.maximum(j, 0)]
    return factors


def _with_redials(
    scenario: Scenario, streams: Streams, draws: Sequence[Draw], time: np.ndarray,
    call_type: np.ndarray, first: dict[str, Any], attempts: int, busyness: float,
    handle_factor: np.ndarray | None = None,
) -> Callers:
    """Callers with a slot per customer and attempt: slot ``(k - 1) * n + customer``.

    Attempt k's attributes (and whether and when it happens) come from attempt k's streams.
    A redial's handle time takes its first call's ``handle_factor`` (None: no factors).
    """
    n = len(time)
    parts = [first]
    redial_u, redial_delay = [np.ones(n)], [np.zeros(n)]
    for k in range(2, attempts + 1):
        at = streams.for_attempt(k)
        parts.append(_attributes(scenario, at, call_type, draws))
        if handle_factor is not None:
            parts[-1]["handle"] *= handle_factor
        redial_u.append(at.generator("redial").random(n))
        redial_delay.append(_redial_delays(scenario, at, call_type))
    joined: dict[str, Any] = {
        name: np.concatenate([part[name] for part in parts])
        for name in ("department", "patience", "handle", "identify", "in_place")
    }
    joined["drawn"] = {name: np.concatenate([part["drawn"][name] for part in parts])
                       for name in first["drawn"]}
    return Callers(
        time=np.concatenate([time, np.full(n * (attempts - 1), np.nan)]),
        call_type=np.tile(call_type, attempts),
        customers=n,
        redial_u=np.concatenate(redial_u),
        redial_delay=np.concatenate(redial_delay),
        busyness=busyness,
        **joined,
    )


def _redial_delays(scenario: Scenario, streams: Streams, call_type: np.ndarray) -> np.ndarray:
    """The delay (s) before each customer's call of ``streams``' attempt, per call type."""
    delay = np.full(len(call_type), np.inf)
    for k, (name, ct) in enumerate(scenario.call_types.items()):
        if ct.redial is not None:
            mask = call_type == k
            rng = streams.generator("redial_delay", name)
            delay[mask] = ct.redial.delay.sample(rng, int(mask.sum()))
    return delay


def _attributes(
    scenario: Scenario, streams: Streams, call_type: np.ndarray, draws: Sequence[Draw]
) -> dict[str, Any]:
    """Every per-call attribute but the arrival time, for calls of the given types."""
    n = len(call_type)
    dept_names = list(scenario.departments)
    department = np.empty(n, dtype=np.int16)
    u_route = streams.generator("route").random(n)
    handle = np.empty(n)
    patience = np.empty(n)
    for k, (name, ct) in enumerate(scenario.call_types.items()):
        mask = call_type == k
        m = int(mask.sum())
        targets = [dept_names.index(d) for d in ct.misroute] + [dept_names.index(ct.resolved_by)]
        shares = np.cumsum(list(ct.misroute.values()) + [1.0])[None, :]
        department[mask] = np.asarray(targets, dtype=np.int16)[_pick(shares, u_route[mask])]
        handle[mask] = ct.handle_time.sample(streams.generator("handle", name), m)
        if ct.patience is None:
            patience[mask] = np.inf
        else:
            patience[mask] = ct.patience.sample(streams.generator("patience", name), m)
    return {
        "department": department,
        "patience": patience,
        "handle": handle,
        "identify": scenario.transfer.identify_time.sample(streams.generator("identify"), n),
        "drawn": {draw.name: draw.make(scenario, streams, call_type) for draw in draws},
        "in_place": (
            streams.generator("in_place").random(n)
            if any(d.resolves for d in scenario.departments.values())
            else np.empty(0)
        ),
    }
