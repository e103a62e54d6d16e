"""What many tests share: the repository's paths and the reference scenario.

Import from here (``from tests.shared import REFERENCE``) instead of rebuilding paths from
``__file__`` in each test module; fixtures built on these live in ``tests/conftest.py``.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from click.testing import Result
from typer.testing import CliRunner

from callsim import Scenario, load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
#: The reference scenario of MODEL.md: billing takes misrouted support calls, a 12 h day.
REFERENCE = SCENARIOS / "billing_support.yaml"
#: One M/M/14+M queue over 200 h, for comparisons with Erlang C and Erlang A.
STEADY = SCENARIOS / "steady_state.yaml"


@lru_cache(maxsize=32)
def reference(*overrides: str) -> Scenario:
    """The reference scenario with ``--set`` style overrides (validated once, then cached)."""
    return load_scenario(REFERENCE, overrides=list(overrides))


def invoke_cli(*args: str) -> Result:
    """Run ``callsim ARGS...`` in-process, on a wide terminal so rich keeps metric names whole."""
    from callsim.cli.app import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def assert_one_line_error(result: Result, *words: str) -> None:
    """The CLI refused its input as the project promises: exit 2, no traceback, one line that
    holds every one of ``words``."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    for word in words:
        assert word in lines[0], lines[0]


def assert_same_simulation(a: Scenario, b: Scenario, seed: int,
                           policies: tuple[str, ...] = ("cold", "warm")) -> None:
    """``a`` and ``b`` give identical call records and shifts under every policy and ``seed``
    (an option at its neutral value is no option at all)."""
    import pandas as pd

    from callsim import simulate

    for policy in policies:
        run_a, run_b = simulate(a, policy, seed=seed), simulate(b, policy, seed=seed)
        pd.testing.assert_frame_equal(run_a.calls, run_b.calls)
        pd.testing.assert_frame_equal(run_a.shifts, run_b.shifts)


@contextmanager
def finishes_within(seconds: float) -> Iterator[None]:
    """Fail (TimeoutError) if the block runs longer than ``seconds``: a guard against hangs.

    Not a speed check (speed belongs in benchmarks/): the bound is far above the expected
    time, so only work that never ends, or grows without limit, trips it on a loaded machine.
    """
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s: a hang or unbounded work")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
