"""Erlang C and Erlang A against published figures, identities and a small Monte Carlo."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.stats import poisson

import callsim.analysis.erlang as analytic
from callsim.analysis.erlang import (
    QueueFigures,
    agents_for_service_level,
    erlang_a,
    erlang_b,
    erlang_c,
    staffing_table,
    system_size_distribution,
)

# Published case (pyworkforce, CRAN ErlangC): 100 calls per 30 min, AHT 180 s.
LAM, AHT = 100 / 1800, 180.0
# Published Erlang A case: 10 calls/min, AHT 3 min, mean patience 2 min, 30 agents.
LAM_A, AHT_A, PATIENCE_A, AGENTS_A = 10 / 60, 180.0, 120.0, 30


def test_docstring_examples_run() -> None:
    assert doctest.testmod(analytic).failed == 0


def test_published_erlang_c_case() -> None:
    fig = erlang_c(LAM, AHT, 14, threshold=20)
    assert round(fig.p_wait, 7) == 0.1741319
    assert round(fig.service_level, 7) == 0.8883500
    assert round(fig.asa, 4) == 7.8359
    assert round(fig.occupancy, 7) == 0.7142857
    assert fig.offered_load == pytest.approx(10.0)
    assert round(erlang_c(LAM, AHT, 13).p_wait, 4) == 0.2853
    assert round(erlang_c(LAM, AHT, 15).p_wait, 4) == 0.1020


def test_erlang_c_closed_forms() -> None:
    fig = erlang_c(LAM, AHT, 14)
    gap = 14 / AHT - LAM
    assert fig.wait_if_delayed == pytest.approx(1 / gap)
    assert fig.wait_mean == fig.asa
    assert fig.queue_length == pytest.approx(LAM * fig.asa)
    assert fig.p_abandon == 0.0
    # Erlang C from Erlang B: C = B / (1 - rho (1 - B)).
    b = erlang_b(10.0, 14)
    assert fig.p_wait == pytest.approx(b / (1 - 10 / 14 * (1 - b)))


@pytest.mark.parametrize("agents", [0, 5, 10])
def test_erlang_c_unstable_does_not_raise(agents: int) -> None:
    fig = erlang_c(LAM, AHT, agents)
    assert (fig.p_wait, fig.service_level, fig.occupancy) == (1.0, 0.0, 1.0)
    assert math.isinf(fig.asa) and math.isinf(fig.wait_mean) and math.isinf(fig.queue_length)


def test_erlang_b_large_system_is_finite() -> None:
    assert 0 < erlang_b(9500.0, 10000) < 1e-3


def test_published_erlang_a_case() -> None:
    fig = erlang_a(LAM_A, AHT_A, PATIENCE_A, AGENTS_A)
    assert round(fig.p_wait, 4) == 0.4766
    assert round(fig.p_abandon, 4) == 0.0799
    assert fig.occupancy == pytest.approx(30 * (1 - fig.p_abandon) / 30)


def test_erlang_a_abandonment_identities() -> None:
    fig = erlang_a(LAM_A, AHT_A, PATIENCE_A, AGENTS_A)
    theta, rate = 1 / PATIENCE_A, AGENTS_A / AHT_A
    assert fig.p_abandon == pytest.approx(theta * fig.wait_mean, rel=1e-12)
    assert fig.wait_mean == pytest.approx(fig.queue_length / LAM_A, rel=1e-12)
    # An arrival with j waiting ahead abandons w.p. (j+1) theta / (n mu + (j+1) theta).
    queue = system_size_distribution(LAM_A, AHT_A, PATIENCE_A, AGENTS_A)[AGENTS_A:]
    j = np.arange(queue.size)
    per_arrival = queue @ ((j + 1) * theta / (rate + (j + 1) * theta))
    assert fig.p_abandon == pytest.approx(per_arrival, rel=1e-10)
    assert fig.asa < fig.wait_if_delayed


@pytest.mark.parametrize("agents", [1, 7, 30, 200])
def test_patience_equal_to_service_gives_poisson(agents: int) -> None:
    lam, aht = 0.1, 150.0  # A = 15
    p = system_size_distribution(lam, aht, aht, agents)
    assert p.sum() == pytest.approx(1.0)
    k = np.arange(p.size)
    np.testing.assert_allclose(p, poisson.pmf(k, lam * aht), rtol=1e-9, atol=1e-15)
    assert poisson.sf(p.size - 1, lam * aht) < 1e-13  # truncation lost nothing that matters


@pytest.mark.parametrize(
    ("lam", "aht", "agents"), [(LAM, AHT, 14), (LAM_A, AHT_A, 31), (2.0, 300, 650)]
)
def test_small_abandonment_converges_to_erlang_c(lam: float, aht: float, agents: int) -> None:
    c = erlang_c(lam, aht, agents).as_dict()
    a = erlang_a(lam, aht, 1e10, agents).as_dict()
    for key in ("p_wait", "wait_mean", "asa", "service_level", "occupancy", "queue_length"):
        assert a[key] == pytest.approx(c[key], rel=1e-5), key
    assert a["p_abandon"] < 1e-6
    assert erlang_a(lam, aht, math.inf, agents) == erlang_c(lam, aht, agents)


@pytest.mark.parametrize("patience", [None, 60.0, 600.0])
def test_service_level_at_zero_is_share_answered_at_once(patience: float | None) -> None:
    if patience is None:
        fig = erlang_c(LAM, AHT, 14, threshold=0)
    else:
        fig = erlang_a(LAM, AHT, patience, 14, threshold=0)
    assert fig.service_level == pytest.approx(1 - fig.p_wait, abs=1e-14)


def test_thousand_agents_do_not_overflow() -> None:
    fig = erlang_a(1000 / 180 * 0.98, 180, 120, 1000)
    assert all(math.isfinite(v) for v in fig.as_dict().values())
    assert 0 < fig.p_wait < 1 and 0 < fig.service_level < 1
    over = erlang_a(1000 / 180 * 1.3, 180, 600, 1000)  # overloaded: abandonment keeps it stable
    assert over.p_abandon == pytest.approx(0.3 / 1.3, rel=1e-6)
    assert over.occupancy == pytest.approx(1.0)


def test_zero_agents_everyone_abandons() -> None:
    fig = erlang_a(0.1, 180, 120, 0)
    assert fig.p_abandon == pytest.approx(1.0) and fig.service_level == 0.0
    assert math.isnan(fig.asa)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"arrival_rate": 0.0},
        {"arrival_rate": -1.0},
        {"mean_service": 0.0},
        {"agents": -1},
        {"agents": 2.5},
        {"threshold": -1.0},
        {"mean_patience": 0.0},
        {"mean_patience": float("nan")},
    ],
)
def test_invalid_arguments_raise(kwargs: dict[str, float]) -> None:
    args = {"arrival_rate": 0.1, "mean_service": 180.0, "mean_patience": 60.0, "agents": 20}
    with pytest.raises(ValueError):
        erlang_a(**{**args, **kwargs})  # type: ignore[arg-type]


def _figures(lam: float, aht: float, patience: float | None, n: int, t: float) -> QueueFigures:
    if patience is None:
        return erlang_c(lam, aht, n, t)
    return erlang_a(lam, aht, patience, n, t)


@settings(max_examples=60, deadline=None)
@given(
    lam=st.floats(0.005, 0.3),
    aht=st.floats(30, 600),
    patience=st.one_of(st.none(), st.floats(5, 2000)),
    n=st.integers(1, 40),
    t=st.floats(0, 120),
    dt=st.floats(0, 60),
)
@example(lam=0.0078125, aht=357.75, patience=5.0, n=26, t=0.0, dt=0.0)  # once summed to 1 + 2e-16
def test_service_level_monotone_in_agents_and_threshold(
    lam: float, aht: float, patience: float | None, n: int, t: float, dt: float
) -> None:
    base = _figures(lam, aht, patience, n, t).service_level
    assert 0.0 <= base <= 1.0
    assert _figures(lam, aht, patience, n + 1, t).service_level >= base - 1e-12
    assert _figures(lam, aht, patience, n, t + dt).service_level >= base - 1e-12


def test_agents_for_service_level_published_case() -> None:
    assert agents_for_service_level(LAM, AHT, 0.8, threshold=20) == 14
    assert erlang_c(LAM, AHT, 13).service_level < 0.8
    with pytest.raises(ValueError):
        agents_for_service_level(LAM, AHT, 1.0)
    with pytest.raises(ValueError):
        agents_for_service_level(LAM, AHT, 0.8, max_agents=12)


@pytest.mark.parametrize("target", [0.5, 0.8, 0.95])
def test_agents_for_service_level_erlang_a_is_minimal(target: float) -> None:
    n = agents_for_service_level(LAM_A, AHT_A, target, 20, mean_patience=PATIENCE_A)
    assert erlang_a(LAM_A, AHT_A, PATIENCE_A, n).service_level >= target
    assert erlang_a(LAM_A, AHT_A, PATIENCE_A, n - 1).service_level < target


def test_staffing_table_rows_match_figures() -> None:
    table = staffing_table(LAM, AHT, range(12, 17), threshold=20)
    assert list(table["agents"]) == [12, 13, 14, 15, 16]
    assert list(table.columns) == ["agents", *(k for k in erlang_c(LAM, AHT, 14).as_dict()
                                              if k != "agents")]
    row = table.set_index("agents").loc[14]
    assert row["p_wait"] == pytest.approx(0.1741319, abs=5e-8)
    with_patience = staffing_table(LAM, AHT, [14], threshold=20, mean_patience=PATIENCE_A)
    assert with_patience["p_abandon"].iloc[0] > 0


def test_erlang_a_service_level_and_asa_against_monte_carlo() -> None:
    """Sample arrivals from the stationary law (PASTA), then run each caller's position chain."""
    lam, mu, theta, n, t = LAM_A, 1 / AHT_A, 1 / PATIENCE_A, AGENTS_A, 20.0
    # Independent stationary law: plain product form, truncated far in the tail.
    weights = [1.0]
    for k in range(1, n + 200):
        weights.append(weights[-1] * lam / (min(k, n) * mu + max(k - n, 0) * theta))
    pi = np.array(weights) / sum(weights)
    rng = np.random.default_rng(20240501)
    calls = 40_000
    in_system = rng.choice(pi.size, size=calls, p=pi)
    within, answered_waits = 0, []
    for k in in_system:
        if k < n:
            within += 1
            answered_waits.append(0.0)
            continue
        ahead, clock = k - n, 0.0
        while True:
            advance, total = n * mu + ahead * theta, n * mu + (ahead + 1) * theta
            clock += rng.exponential(1 / total)
            if rng.random() * total >= advance:
                break  # the tagged caller abandons
            if ahead == 0:
                within += clock <= t
                answered_waits.append(clock)
                break
            ahead -= 1
    fig = erlang_a(lam, AHT_A, PATIENCE_A, n, threshold=t)
    share = within / calls
    assert abs(share - fig.service_level) < 4 * math.sqrt(share * (1 - share) / calls)
    waits = np.array(answered_waits)
    assert abs(waits.mean() - fig.asa) < 4 * waits.std() / math.sqrt(waits.size)
    assert abs(1 - waits.size / calls - fig.p_abandon) < 4 * math.sqrt(0.08 * 0.92 / calls)
