"""Closed-form figures for one pool of agents: Erlang C (M/M/n) and Erlang A (M/M/n+M).

All rates are per second and all times are in seconds. These functions are the yardstick the
simulator is validated against and a quick staffing calculator in their own right.

Conventions shared with the simulator
-------------------------------------
- *Service level* within a threshold ``t`` is the share of **all** arriving callers who are
  answered by an agent within ``t`` seconds. Callers who abandon count in the denominator and never
  in the numerator.
- *ASA* (average speed of answer) is the mean waiting time of **answered** callers, including the
  zero waits of those answered at once.
- *Mean wait* (``wait_mean``) is the mean time in queue of all callers, answered or abandoned.

Examples
--------
>>> fig = erlang_c(arrival_rate=100 / 1800, mean_service=180, agents=14)
>>> round(fig.p_wait, 7), round(fig.service_level, 7)
(0.1741319, 0.88835)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.linalg import expm_multiply
from scipy.special import gammaln, logsumexp

__all__ = [
    "QueueFigures",
    "agents_for_service_level",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "fewest_agents",
    "staffing_table",
    "system_size_distribution",
]

_LOG_TAIL = math.log(1e-15)  # stationary terms below 1e-15 of the largest one are dropped
_MAX_QUEUE = 1_000_000  # refuse chains whose queue tail would need more states than this


@dataclass(frozen=True)
class QueueFigures:
    """Steady-state figures of one queue served by a pool of identical agents.

    Attributes
    ----------
    p_wait : float
        Probability that an arriving caller finds every agent busy and has to queue.
    p_abandon : float
        Probability that an arriving caller hangs up before being answered (0 for Erlang C).
    wait_mean : float
        Mean time in queue over all callers, answered or abandoned, in seconds.
    asa : float
        Average speed of answer: mean wait of answered callers (zeros included), in seconds.
    service_level : float
        Share of all arriving callers answered within the threshold.
    occupancy : float
        Mean share of agents busy: carried load divided by the number of agents.
    queue_length : float
        Time-average number of callers waiting.
    agents : int
        Number of agents.
    offered_load : float
        Offered load ``A = arrival_rate * mean_service`` in Erlangs.
    """

    p_wait: float
    p_abandon: float
    wait_mean: float
    asa: float
    service_level: float
    occupancy: float
    queue_length: float
    agents: int
    offered_load: float

    @property
    def wait_if_delayed(self) -> float:
        """Mean time in queue of callers who had to wait, in seconds (0 when nobody waits)."""
        return self.wait_mean / self.p_wait if self.p_wait > 0 else 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Return the fields, plus ``wait_if_delayed``, as a plain dictionary."""
        return {**asdict(self), "wait_if_delayed": self.wait_if_delayed}


def _check(arrival_rate: float, mean_service: float, agents: int, threshold: float) -> None:
    if not (math.isfinite(arrival_rate) and arrival_rate > 0):
        raise ValueError(f"arrival_rate must be a positive number per second, got {arrival_rate}")
    if not (math.isfinite(mean_service) and mean_service > 0):
        raise ValueError(f"mean_service must be a positive number of seconds, got {mean_service}")
    if isinstance(agents, bool) or int(agents) != agents or agents < 0:
        raise ValueError(f"agents must be a non-negative integer, got {agents}")
    if not (math.isfinite(threshold) and threshold >= 0):
        raise ValueError(f"threshold must be a non-negative number of seconds, got {threshold}")


def erlang_b(offered_load: float, agents: int) -> float:
    """Blocking probability of the Erlang loss system M/M/n/n.

    Uses the recursion ``B(k) = A B(k-1) / (k + A B(k-1))``, which is stable for any size.

    Parameters
    ----------
    offered_load : float
        Offered load ``A`` in Erlangs (arrival rate per second times mean service in seconds).
    agents : int
        Number of agents ``n >= 0``.

    Returns
    -------
    float
        ``B(n, A)``.
    """
    b = 1.0
    for k in range(1, int(agents) + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


def erlang_c(
    arrival_rate: float, mean_service: float, agents: int, threshold: float = 20.0
) -> QueueFigures:
    """Steady-state figures of M/M/n (Erlang C: callers never abandon).

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``lambda``, calls per second (> 0).
    mean_service : float
        Mean handling time ``1/mu`` in seconds (> 0).
    agents : int
        Number of agents ``n >= 0``.
    threshold : float, optional
        Service-level threshold ``t`` in seconds (default 20).

    Returns
    -------
    QueueFigures
        ``p_wait = C(n, A)``; ``asa = wait_mean = C / (n mu - lambda)``;
        ``service_level = 1 - C exp(-(n mu - lambda) t)``; ``occupancy = A / n``;
        ``queue_length = lambda * asa``; ``p_abandon = 0``.
        When the system is unstable (``A >= n``) the queue grows without bound: ``p_wait = 1``,
        waits and queue length are ``inf``, ``service_level = 0`` and ``occupancy = 1``.
        No exception is raised for instability.

    Raises
    ------
    ValueError
        If an argument is out of range (non-positive rate or service time, negative agents).

    Examples
    --------
    200 calls per hour, 3 min handling time, 14 agents (10 Erlangs):

    >>> figures = erlang_c(arrival_rate=200 / 3600, mean_service=180.0, agents=14)
    >>> round(figures.p_wait, 4), round(figures.service_level, 4), round(figures.asa, 2)
    (0.1741, 0.8884, 7.84)
    """
    _check(arrival_rate, mean_service, agents, threshold)
    n = int(agents)
    load = arrival_rate * mean_service
    if load >= n or n / mean_service - arrival_rate <= 0:  # the second: load == n, rounded
        inf = math.inf
        return QueueFigures(1.0, 0.0, inf, inf, 0.0, 1.0, inf, n, load)
    b = erlang_b(load, n)
    c = n * b / (n - load * (1.0 - b))
    gap = n / mean_service - arrival_rate  # n mu - lambda, per second
    asa = c / gap
    return QueueFigures(
        p_wait=c,
        p_abandon=0.0,
        wait_mean=asa,
        asa=asa,
        service_level=1.0 - c * math.exp(-gap * threshold),
        occupancy=load / n,
        queue_length=arrival_rate * asa,
        agents=n,
        offered_load=load,
    )


def _log_weights(lam: float, mu: float, theta: float, n: int) -> np.ndarray:
    """Unnormalised log stationary weights of the M/M/n+M chain, ``k = 0 .. n + J``."""
    k = np.arange(n + 1)
    low = k * math.log(lam / mu) - gammaln(k + 1)  # A^k / k! for k <= n
    pieces, last, peak, done, size = [low], float(low[-1]), float(low.max()), 0, 256
    while True:
        j = np.arange(done + 1, done + size + 1)
        steps = math.log(lam) - np.log(n * mu + j * theta)
        chunk = last + np.cumsum(steps)
        pieces.append(chunk)
        last, peak, done = float(chunk[-1]), max(peak, float(chunk.max())), done + size
        if steps[-1] < 0 and last < peak + _LOG_TAIL:
            break
        if done > _MAX_QUEUE:
            raise ValueError("patience too long for this overload: queue tail exceeds 1e6 states")
        size *= 2
    logs = np.concatenate(pieces)
    keep = np.nonzero(logs >= peak + _LOG_TAIL)[0][-1] + 1  # terms decrease past this point
    return logs[: max(keep, n + 1)]


def system_size_distribution(
    arrival_rate: float, mean_service: float, mean_patience: float, agents: int
) -> np.ndarray:
    """Stationary distribution of the number of callers in an M/M/n+M system.

    The chain is birth-death with birth rate ``lambda`` and death rate
    ``min(k, n) mu + max(k - n, 0) theta``. Weights are computed in log space, so thousands of
    agents do not overflow, and the queue tail is cut where terms fall below ``1e-15`` of the
    largest.

    Parameters
    ----------
    arrival_rate, mean_service, mean_patience, agents
        As for :func:`erlang_a`; ``mean_patience`` must be finite here.

    Returns
    -------
    numpy.ndarray
        ``p[k]`` = probability of ``k`` callers in the system (in service plus waiting); at least
        ``n + 1`` entries, summing to 1.
    """
    _check(arrival_rate, mean_service, agents, 0.0)
    if not (math.isfinite(mean_patience) and mean_patience > 0):
        raise ValueError(f"mean_patience must be a positive finite number, got {mean_patience}")
    logs = _log_weights(arrival_rate, 1.0 / mean_service, 1.0 / mean_patience, int(agents))
    return np.exp(logs - float(logsumexp(logs)))


def _answered_within(service_rate: float, theta: float, queue_states: int, t: float) -> np.ndarray:
    """``P(answered within t | j callers ahead)`` for ``j = 0 .. queue_states - 1``.

    The tagged caller's position is a pure-death chain: with ``m`` callers ahead it moves forward
    at rate ``n mu + m theta`` (an agent frees up or someone ahead abandons), is answered from
    ``m = 0`` at rate ``n mu``, and abandons at rate ``theta`` in every state. With the answered
    state absorbing and abandonment as killing, ``u(t) = exp(G t) e_answered``.
    """
    if t == 0 or service_rate == 0:
        return np.zeros(queue_states)
    m = np.arange(queue_states)
    size = queue_states + 1  # last index = answered
    rows = np.concatenate([m, m[1:], [0]])
    cols = np.concatenate([m, m[1:] - 1, [queue_states]])
    vals = np.concatenate([-(service_rate + (m + 1) * theta), service_rate + m[1:] * theta,
                           [service_rate]])
    gen = csr_matrix((vals * t, (rows, cols)), shape=(size, size))
    target = np.zeros(size)
    target[-1] = 1.0
    answered: np.ndarray = expm_multiply(gen, target)[:queue_states]
    clipped: np.ndarray = np.clip(answered, 0.0, 1.0)
    return clipped


def erlang_a(
    arrival_rate: float, mean_service: float, mean_patience: float, agents: int,
    threshold: float = 20.0,
) -> QueueFigures:
    """Steady-state figures of M/M/n+M (Erlang A: exponential patience).

    Parameters
    ----------
    arrival_rate : float
        Poisson arrival rate ``lambda``, calls per second (> 0).
    mean_service : float
        Mean handling time ``1/mu`` in seconds (> 0).
    mean_patience : float
        Mean patience ``1/theta`` in seconds (> 0); ``math.inf`` gives :func:`erlang_c`.
    agents : int
        Number of agents ``n >= 0``.
    threshold : float, optional
        Service-level threshold ``t`` in seconds (default 20).

    Returns
    -------
    QueueFigures
        With ``p`` from :func:`system_size_distribution` and ``Q`` the number waiting:

        - ``p_wait = P(k >= n)``, the share of arrivals finding all agents busy (PASTA);
        - ``queue_length = E[Q]``; ``wait_mean = E[Q] / lambda`` (Little, all callers);
        - ``p_abandon = theta E[Q] / lambda``;
        - ``asa``: mean wait of answered callers. A caller arriving with ``j`` waiting ahead is
          answered with probability ``n mu / (n mu + (j + 1) theta)`` after a mean wait of
          ``sum_{m=0..j} 1 / (n mu + (m + 1) theta)``; those answered at once count as zero.
          ``nan`` when no caller is ever answered (``agents = 0``);
        - ``service_level``: share of all arrivals answered within ``threshold``, from the exact
          phase-type law of the caller's position in queue (see the module notes);
        - ``occupancy = lambda (1 - p_abandon) / (mu n)`` (``nan`` for ``agents = 0``).

        The system is always stable; as ``theta -> 0`` every figure tends to Erlang C.

    Raises
    ------
    ValueError
        If an argument is out of range.

    Examples
    --------
    The Erlang C case above with callers who give up after 10 min on average:

    >>> figures = erlang_a(200 / 3600, mean_service=180.0, mean_patience=600.0, agents=14)
    >>> round(figures.p_abandon, 4), round(figures.service_level, 4)
    (0.0088, 0.9066)
    """
    if mean_patience == math.inf:
        return erlang_c(arrival_rate, mean_service, agents, threshold)
    _check(arrival_rate, mean_service, agents, threshold)
    p = system_size_distribution(arrival_rate, mean_service, mean_patience, agents)  # validates
    n, mu, theta = int(agents), 1.0 / mean_service, 1.0 / mean_patience
    queue = p[n:]  # queue[j] = P(n + j in system) = P(arrival finds j waiting ahead)
    j = np.arange(queue.size)
    rate_out = n * mu + (j + 1) * theta  # leaving rate of position j (advance or abandon)
    p_answer = n * mu / rate_out
    mean_wait_answered = np.cumsum(1.0 / rate_out)
    queue_length = float(j @ queue)
    answered = float(p[:n].sum() + queue @ p_answer)
    within = _answered_within(n * mu, theta, queue.size, threshold)
    return QueueFigures(
        p_wait=float(queue.sum()),
        p_abandon=theta * queue_length / arrival_rate,
        wait_mean=queue_length / arrival_rate,
        asa=float(queue @ (p_answer * mean_wait_answered)) / answered if answered > 0 else math.nan,
        service_level=min(1.0, max(0.0, float(p[:n].sum() + queue @ within))),  # rounding
        occupancy=min(1.0, (arrival_rate - theta * queue_length) / (mu * n)) if n else math.nan,
        queue_length=queue_length,
        agents=n,
        offered_load=arrival_rate * mean_service,
    )


def _figures(
    arrival_rate: float, mean_service: float, agents: int, threshold: float,
    mean_patience: float | None,
) -> QueueFigures:
    if mean_patience is None:
        return erlang_c(arrival_rate, mean_service, agents, threshold)
    return erlang_a(arrival_rate, mean_service, mean_patience, agents, threshold)


def agents_for_service_level(
    arrival_rate: float,
    mean_service: float,
    target_sl: float,
    threshold: float = 20.0,
    mean_patience: float | None = None,
    max_agents: int = 10000,
) -> int:
    """Fewest agents whose service level reaches a target.

    Parameters
    ----------
    arrival_rate : float
        Arrival rate, calls per second.
    mean_service : float
        Mean handling time in seconds.
    target_sl : float
        Target share of all callers answered within ``threshold``, strictly between 0 and 1.
    threshold : float, optional
        Service-level threshold in seconds (default 20).
    mean_patience : float or None, optional
        Mean patience in seconds for Erlang A; ``None`` (default) uses Erlang C.
    max_agents : int, optional
        Largest staffing searched (default 10000).

    Returns
    -------
    int
        The smallest ``n`` with ``service_level(n) >= target_sl``. Service level is increasing in
        ``n``, so a doubling search followed by bisection is used.

    Raises
    ------
    ValueError
        If the target is not in (0, 1) or no staffing up to ``max_agents`` reaches it.

    Examples
    --------
    Agents for 80% of callers answered within 20 s at 200 calls per hour of 3 min:

    >>> agents_for_service_level(200 / 3600, mean_service=180.0, target_sl=0.8)
    14
    >>> agents_for_service_level(200 / 3600, 180.0, 0.8, mean_patience=600.0)  # some give up
    13
    """
    if not 0 < target_sl < 1:
        raise ValueError(f"target_sl must be strictly between 0 and 1, got {target_sl}")

    def meets(n: int) -> bool:
        fig = _figures(arrival_rate, mean_service, n, threshold, mean_patience)
        return fig.service_level >= target_sl

    fails = math.floor(arrival_rate * mean_service) if mean_patience is None else 0
    return fewest_agents(meets, fails, max_agents, f"{target_sl:.0%}")


def fewest_agents(meets: Callable[[int], bool], fails: int, max_agents: int, goal: str) -> int:
    """The fewest agents ``n`` in ``(fails, max_agents]`` for which ``meets(n)``: the one search.

    Doubling from ``fails + 1``, then bisection: about ``2 log2(n)`` evaluations, so a goal no
    staffing meets (``occupancy<=0``) is reported after ~28 of them, never a walk to
    ``max_agents``. ``meets`` must be monotone (met with ``n`` agents, met with more), as every
    Erlang figure a target bounds is.

    Parameters
    ----------
    meets
        Whether ``n`` agents meet the goal.
    fails
        A count known to miss it (``floor(load)``: Erlang C is unstable at or below the load;
        0 for Erlang A, where one agent is the least).
    max_agents
        Largest staffing searched.
    goal
        The goal as text, for the error message.

    Raises
    ------
    ValueError
        No staffing up to ``max_agents`` meets the goal.

    Examples
    --------
    >>> fewest_agents(lambda n: n * n >= 50, 0, 100, "n^2 >= 50")
    8
    >>> fewest_agents(lambda n: False, 0, 10_000, "occupancy<=0")
    Traceback (most recent call last):
    ValueError: no staffing up to 10000 agents meets occupancy<=0
    """
    low, high = fails, fails + 1
    while high <= max_agents and not meets(high):
        if high == max_agents:
            high += 1
            break
        low, high = high, min(2 * high, max_agents)
    if high > max_agents:
        raise ValueError(f"no staffing up to {max_agents} agents meets {goal}")
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if meets(mid) else (mid, high)
    return high


def staffing_table(
    arrival_rate: float, mean_service: float, agents: Iterable[int], threshold: float = 20.0,
    mean_patience: float | None = None,
) -> pd.DataFrame:
    """Queue figures for several staffing levels, one row per agent count.

    Parameters
    ----------
    arrival_rate, mean_service, threshold, mean_patience
        As for :func:`agents_for_service_level` (rate per second, times in seconds).
    agents : Iterable[int]
        Agent counts, one row each, in the order given.

    Returns
    -------
    pandas.DataFrame
        Columns ``agents``, then the other :meth:`QueueFigures.as_dict` keys (times in seconds).
    """
    rows = [
        _figures(arrival_rate, mean_service, n, threshold, mean_patience).as_dict() for n in agents
    ]
    columns = ["agents", *(c for c in QueueFigures.__dataclass_fields__ if c != "agents"),
               "wait_if_delayed"]
    return pd.DataFrame(rows, columns=columns)
