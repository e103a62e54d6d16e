"""DESIGN.md "How to add an experiment that fans out replications", done in this one file.

A tiny experiment, the mean first-queue wait of one policy at several billing staffing levels,
is written the way the how-to says: a measure (a module-level function, so workers can
unpickle it), units, and the batch runner of an :class:`Execution`. No task type, no task
size, no executor code: it runs in this process, on a pool and on Dask alike, with the same
progress and work limit as every other experiment.
"""

from __future__ import annotations

import numpy as np
import pytest

from callsim.engine.records import SimulationResult
from callsim.experiments.execution import Execution, Run, Unit
from callsim.experiments.work import WorkLimitError
from callsim.policies.simulation import simulate
from callsim.scenario.document import with_overrides
from callsim.scenario.loading import load_scenario
from callsim.scenario.schema import Scenario
from tests.shared import REFERENCE

LEVELS = (9, 11, 13)


def first_wait(result: SimulationResult, scenario: Scenario, run: Run) -> float:
    """The measure: mean wait of answered calls before their first agent (seconds)."""
    calls = result.calls
    answered = calls["answer"].notna()
    return float((calls["answer"] - calls["arrival"])[answered].mean())


def waits_by_staffing(scenario: Scenario, levels: tuple[int, ...], reps: int, seed: int = 0,
                      execution: Execution | None = None) -> dict[int, float]:
    """The experiment: mean first wait under ``warm`` at each billing staffing level."""
    execution = execution or Execution()
    scenarios = [with_overrides(scenario, [f"departments.billing.agents={n}"]) for n in levels]
    execution.check_work(scenarios, reps)  # the one work estimate, before anything runs
    units = [Unit(s, ("warm",), seed, tuple(range(reps))) for s in scenarios]
    with execution.runner() as runner:
        answers = runner.run(units, first_wait)  # per unit, in replication order
    return {n: float(np.mean(a)) for n, a in zip(levels, answers, strict=True)}


@pytest.fixture(scope="module")
def short() -> Scenario:
    return load_scenario(REFERENCE, ["horizon.duration=2h"])


def test_the_experiment_measures_what_a_direct_simulation_gives(short: Scenario) -> None:
    got = waits_by_staffing(short, (11,), reps=2, seed=3, execution=Execution(workers=1))
    staffed = with_overrides(short, ["departments.billing.agents=11"])
    direct = [first_wait(simulate(staffed, "warm", seed=3, replication=r), staffed,
                         Run("warm", r, 3)) for r in range(2)]
    assert got == {11: float(np.mean(direct))}


def test_same_numbers_on_any_executor_and_fewer_waits_with_more_agents(short: Scenario) -> None:
    seen: list[tuple[int, int]] = []
    one = waits_by_staffing(short, LEVELS, reps=3, seed=1,
                            execution=Execution(workers=1, progress=lambda d, t: seen.append(
                                (d, t))))
    two = waits_by_staffing(short, LEVELS, reps=3, seed=1, execution=Execution(workers=2))
    assert one == two
    assert one[9] > one[11] > one[13]  # the same callers wait less with more billing agents
    assert sum(d for d, _ in seen) == len(LEVELS) * 3 and seen[-1][1] == len(LEVELS) * 3


def test_the_work_limit_applies(short: Scenario) -> None:
    with pytest.raises(WorkLimitError, match="above the limit of 10 calls"):
        waits_by_staffing(short, LEVELS, reps=3, execution=Execution(max_calls=10))
