"""Offered load per department and interval, and the Erlang A staffing that meets targets.

The staffing search (:mod:`callsim.planning.staffing`) starts from these figures. Each
department queue is treated as an M/M/n+M queue per interval (stationary, SIPP-style): the
arrival rate of every caller who joins it, the mean agent work one join brings, and the mean
patience of those who join.

What a join brings (means in seconds, from each distribution's ``expected()``):

- a caller the department resolves: the handle time ``H``;
- a misrouted caller (first queue of a wrong department): the identify time ``I``, then what
  the policy says (its ``misrouted_load`` hook, :class:`~callsim.policies.protocol.MisroutedLoad`):
  when the first agent holds, the resolving queue's Erlang mean wait at its own start staffing,
  plus the first agent's own work (warm: the handoff ``C``);
- a transferred caller joining the resolving queue (the policy's ``joins`` share: cold leaves
  the drops out): ``H`` plus the second leg's work (cold: re-explain ``R``; warm: ``C``), with
  the policy's patience factor (warm: no abandonment on hold unless
  ``caller_abandons_on_hold``).

No policy is named here: the policy answers for itself.

Section 9 of the model (docs/model.md): an agent stays busy for the department's after-call
work ``W`` after every call it handles, resolved or transferred, so every join brings ``W`` on
top (the busy time of the Erlang queue is talk + after-call work: for waiting, a department
with exponential after-call work behaves as M/M/c with that service time). The Erlang figures
give the agents who must take calls; with ``available`` < 1 the staffing is the fewest agents
whose share taking calls (``agents x available``, rounded half up as the simulation does) is
that many.

Patience is mixed by arrival rate through its abandonment rate ``1 / mean``; callers who never
abandon add zero, so a queue where nobody abandons is Erlang C. A call type's
``patience_scale`` multiplies its first-queue mean patience in each interval (the patience after
a transfer is not scaled, as in the simulation). Its ``handle_scale`` multiplies its mean handle
time ``H`` in each interval, wherever ``H`` enters (resolved and transferred callers alike, as in
the simulation).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from callsim.analysis.erlang import QueueFigures, erlang_a, erlang_c, fewest_agents
from callsim.policies import registry
from callsim.policies.protocol import MisroutedLoad, misrouted_load
from callsim.scenario.schema import CallType, Scenario
from callsim.scenario.targets import Target

__all__ = ["QueueLoad", "after_call_work", "department_loads", "erlang_staffing",
           "fewest_for_target", "staffed_for"]

_MAX_AGENTS = 10_000


@dataclass(frozen=True)
class QueueLoad:
    """One department queue's load per interval.

    Attributes
    ----------
    arrival_rate
        Joins per second, one value per interval.
    mean_service
        Mean agent work per join (s), after-call work included.
    abandon_rate
        Mean abandonment rate of joiners (per second; 0 when nobody abandons).
    """

    arrival_rate: np.ndarray
    mean_service: np.ndarray
    abandon_rate: np.ndarray

    @property
    def erlangs(self) -> np.ndarray:
        """Offered load per interval (Erlangs): arrival rate x mean work."""
        return np.asarray(self.arrival_rate * self.mean_service)


def _theta(patience: float) -> float:
    return 0.0 if not math.isfinite(patience) else 1.0 / patience


def _transferred(ct: CallType, rate: np.ndarray, h: np.ndarray, patience: float,
                 load: MisroutedLoad) -> tuple[str, np.ndarray, np.ndarray, float]:
    factor = load.patience_factor
    theta = 0.0 if factor is None else _theta(patience * factor)
    return ct.resolved_by, rate * load.joins, h + load.second_agent, theta


def first_agent_holds(policy: str, scenario: Scenario) -> bool:
    """Whether the policy keeps the first agent on the line until a resolving agent answers.

    Read from the policy's ``misrouted_load`` hook (``True`` for ``warm``); only the Erlang
    starting point of the staffing search uses it.

    >>> from callsim import load_scenario
    >>> scenario = load_scenario("scenarios/billing_support.yaml")
    >>> first_agent_holds("warm", scenario), first_agent_holds("cold", scenario)
    (True, False)
    """
    return misrouted_load(registry.get(policy), scenario).holds


def department_loads(scenario: Scenario, policy: str,
                     hold: dict[str, np.ndarray] | None = None) -> dict[str, QueueLoad]:
    """Per department, the load of its queue in each interval.

    Parameters
    ----------
    scenario
        Validated scenario (Poisson arrivals per interval).
    policy
        The transfer policy: its ``misrouted_load`` hook says what a misrouted call brings.
    hold
        Mean warm hold (s) per interval when transferring to each department (default 0).

    Returns
    -------
    dict[str, QueueLoad]
        Keyed by department name.
    """
    n = scenario.horizon.n_intervals
    hold = hold or {d: np.zeros(n) for d in scenario.departments}
    rate = {d: np.zeros(n) for d in scenario.departments}
    work = {d: np.zeros(n) for d in scenario.departments}
    theta = {d: np.zeros(n) for d in scenario.departments}
    load = misrouted_load(registry.get(policy), scenario)
    identify = scenario.transfer.identify_time.expected()
    for name, ct in scenario.call_types.items():
        lam = np.asarray(scenario.arrival_rates(name), dtype=float) / 3600.0
        h = ct.handle_time.expected() * np.asarray(scenario.handle_scales(name), dtype=float)
        patience = ct.patience.expected() if ct.patience is not None else math.inf
        moved = sum(ct.misroute.values())
        first_theta = np.array([_theta(patience * f) for f in scenario.patience_scales(name)])
        streams: list[tuple[str, np.ndarray, np.ndarray, np.ndarray | float]] = [
            (ct.resolved_by, lam * (1.0 - moved), h, first_theta)]
        for dept, share in ct.misroute.items():
            first_work = np.full(n, identify)
            if load.holds:
                first_work = first_work + hold[ct.resolved_by] + load.first_agent
            elif load.first_agent:
                first_work = first_work + load.first_agent
            streams.append((dept, lam * share, first_work, first_theta))
            d, r, w, th = _transferred(ct, lam * share, h, patience, load)
            streams.append((d, r, w, float(th)))
        for dept, r_k, w_k, th_k in streams:
            rate[dept] += r_k
            work[dept] += r_k * w_k
            theta[dept] += r_k * th_k
    wrap = {d: after_call_work(scenario, d) for d in scenario.departments}
    with np.errstate(invalid="ignore", divide="ignore"):
        return {d: QueueLoad(rate[d], np.where(rate[d] > 0, work[d] / rate[d] + wrap[d], 0.0),
                             np.where(rate[d] > 0, theta[d] / rate[d], 0.0))
                for d in scenario.departments}


def after_call_work(scenario: Scenario, department: str) -> float:
    """Mean after-call work of ``department`` after every call it handles (s; 0 without)."""
    work = scenario.departments[department].after_call_work
    return 0.0 if work is None else float(work.expected())


def staffed_for(taking_calls: np.ndarray, available: float | tuple[float, ...]) -> np.ndarray:
    """Fewest agents per interval whose share ``available`` taking calls reaches ``taking_calls``.

    The inverse of :meth:`~callsim.scenario.schema.Scenario.agents_taking_calls` (``agents x
    available`` rounded half up): staffed agents, who are paid whether or not they take calls.

    >>> staffed_for(np.array([8, 9, 0, 5]), (0.8, 0.85, 0.5, 1.0)).tolist()
    [10, 10, 0, 5]
    """
    share = np.broadcast_to(np.asarray(available, dtype=float), taking_calls.shape)
    out = np.ceil((taking_calls - 0.5) / share - 1e-9).astype(np.int64)
    out = np.where(taking_calls > 0, np.maximum(out, 0), 0)
    short = np.floor(out * share + 0.5 + 1e-9) < taking_calls
    return np.asarray(np.where(short, out + 1, out), dtype=np.int64)


@lru_cache(maxsize=4096)
def _figures(rate: float, service: float, theta: float, agents: int,
             threshold: float) -> QueueFigures:
    if theta <= 0:
        return erlang_c(rate, service, agents, threshold)
    return erlang_a(rate, service, 1.0 / theta, agents, threshold)


def _value(fig: QueueFigures, metric: str) -> float:
    return {"service_level": fig.service_level, "abandon_rate": fig.p_abandon,
            "asa": fig.asa, "wait_mean": fig.wait_mean, "occupancy": fig.occupancy}[metric]


def fewest_for_target(rate: float, service: float, theta: float, target: Target,
                      threshold: float) -> int:
    """Fewest agents meeting ``target`` by Erlang A (Erlang C when ``theta`` is 0).

    Parameters
    ----------
    rate
        Joins per second.
    service
        Mean work per join (s).
    theta
        Abandonment rate (per s).
    target
        The target; every target metric improves with more agents.
    threshold
        Service-level threshold (s).

    Returns
    -------
    int
        0 when nobody joins; otherwise the smallest ``n`` whose figure meets the target
        (:func:`callsim.analysis.erlang.fewest_agents`, the one search).

    Raises
    ------
    ValueError
        No staffing up to 10,000 agents meets the target (``occupancy<=0``), said at once.
    """
    if rate <= 0 or service <= 0:
        return 0

    def meets(n: int) -> bool:
        value = _value(_figures(rate, service, theta, n, threshold), target.metric)
        return target.holds(value) and not math.isnan(value)

    fails = math.floor(rate * service) if theta <= 0 else 0
    return fewest_agents(meets, fails, _MAX_AGENTS, target.text)


def erlang_staffing(scenario: Scenario, policy: str, targets: list[Target]
                    ) -> tuple[dict[str, np.ndarray], dict[str, QueueLoad]]:
    """The Erlang A staffing per department and interval meeting every target.

    When the policy's first agent holds (warm), the hold a misrouted caller's first agent
    spends is the resolving queue's Erlang mean wait at the staffing found without it (one
    refinement step).

    Returns
    -------
    tuple
        Staffed agents per department (integer array per interval: enough that ``agents x
        available`` take calls) and the loads used (after-call work included).
    """
    threshold = float(scenario.service_level_threshold)
    loads = department_loads(scenario, policy)
    taking = _staff(loads, targets, threshold)
    if first_agent_holds(policy, scenario):
        hold = {d: np.array([_figures(float(r), float(s), float(t), int(n), threshold).wait_mean
                             if r > 0 and n > 0 else 0.0
                             for r, s, t, n in zip(load.arrival_rate, load.mean_service,
                                                   load.abandon_rate, taking[d], strict=True)])
                for d, load in loads.items()}
        hold = {d: np.where(np.isfinite(h), h, 0.0) for d, h in hold.items()}
        loads = department_loads(scenario, policy, hold)
        taking = _staff(loads, targets, threshold)
    staffing = {d: staffed_for(n, scenario.departments[d].available) for d, n in taking.items()}
    return staffing, loads


def _staff(loads: dict[str, QueueLoad], targets: list[Target], threshold: float
           ) -> dict[str, np.ndarray]:
    out = {}
    for d, load in loads.items():
        mine = [t for t in targets if t.applies_to(d)]
        out[d] = np.array([
            max([fewest_for_target(float(r), float(s), float(th), t, threshold) for t in mine],
                default=0)
            for r, s, th in zip(load.arrival_rate, load.mean_service, load.abandon_rate,
                                strict=True)
        ], dtype=np.int64)
    return out
