"""``simulate``: one replication of a scenario under a transfer policy named in the registry.

It lives here, in the first layer that knows both the engine and the policies: the engine runs
whatever policy object it is given (:func:`callsim.engine.replication.run_replication`) and
never imports a policy; this function resolves the name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from callsim.policies import registry

if TYPE_CHECKING:
    from callsim.engine.records import SimulationResult
    from callsim.scenario.schema import Scenario

__all__ = ["simulate"]


def simulate(
    scenario: Scenario, policy: str | None = None, seed: int = 0, replication: int = 0
) -> SimulationResult:
    """Run one replication of a scenario.

    Parameters
    ----------
    scenario
        Validated scenario.
    policy
        A registered transfer policy (``"cold"``, ``"warm"``, ...); default: the scenario's
        ``transfer.policy``.
    seed
        Base seed (non-negative integer).
    replication
        Replication number: replication ``r`` of every policy sees the same callers.

    Returns
    -------
    SimulationResult
        Per-call and per-shift records (times in seconds).

    Raises
    ------
    ValueError
        Unknown policy, or a negative seed or replication.

    Examples
    --------
    >>> from callsim import load_scenario
    >>> scenario = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=1h"])
    >>> cold = simulate(scenario, policy="cold", seed=1)
    >>> warm = simulate(scenario, policy="warm", seed=1)
    >>> cold.calls["arrival"].equals(warm.calls["arrival"])  # the same callers
    True
    >>> cold.end_time >= cold.horizon == 3600.0  # drained after the horizon
    True
    """
    from callsim.engine.replication import run_replication  # pandas loads only to simulate

    name = policy or scenario.transfer.policy
    cls = registry.get(name)
    return run_replication(
        scenario, lambda center: cls(center, scenario), cls.draws, name, seed, replication
    )
