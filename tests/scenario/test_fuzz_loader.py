"""Property-based fuzzing of the scenario loader (issue 11).

Hypothesis mutates valid scenario documents the way careless or unlucky users do: wrong types,
extreme numbers, NaN and infinities, missing keys, keys given twice, deep nesting and unicode.
Whatever the document, ``callsim validate`` must either accept it (exit 0) or print one line
per problem, each naming the file, and exit 2: never a traceback, never a hang. Every accepted
scenario small enough to run briefly is simulated and its call records are checked (one outcome
per call, finite ordered times, finite costs); a larger one must be refused by the work
estimate with a one-line error.

``make test`` runs a bounded number of examples (``CALLSIM_FUZZ_EXAMPLES``, default 150);
``make fuzz`` runs 10,000 and prints how many documents were valid and invalid.
"""

from __future__ import annotations

import copy
import math
import os
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from callsim import compute_metrics, simulate
from callsim.cli.app import app
from callsim.engine.records import Outcome
from callsim.experiments.work import WorkLimitError, check_work
from callsim.scenario.errors import ScenarioError
from callsim.scenario.loading import load_scenario
from tests.shared import ROOT

EXAMPLES = int(os.environ.get("CALLSIM_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
#: A valid scenario is simulated when it is this small (expected calls, intervals).
RUN_CALLS, RUN_INTERVALS = 2_000, 500
#: Tallies of the outcomes (printed by ``make fuzz``).
TALLY: Counter[str] = Counter()
runner = CliRunner()


def _base(name: str, **horizon: Any) -> dict[str, Any]:
    raw = yaml.safe_load((ROOT / "scenarios" / name).read_text())
    raw["horizon"].update(horizon)
    return raw


#: Valid documents to mutate, shortened so one run takes a few milliseconds.
BASES = [
    _base("billing_support.yaml", duration="1h", interval="30min"),
    _base("replay_example.yaml"),
    {
        "name": "two intervals",
        "horizon": {"duration": 3600, "interval": 1800, "warmup": 60, "drain": False},
        "departments": {"a": {"agents": [2, 0], "wage_per_hour": 20},
                        "b": {"agents": 1, "wage_per_hour": 30}},
        "call_types": {"x": {"arrivals_per_hour": [30, 60], "resolved_by": "a",
                             "handle_time": {"dist": "gamma", "mean": 120, "sd": 60},
                             "misroute": {"b": 0.3}},
                       "y": {"arrivals_per_hour": 20, "resolved_by": "b",
                             "handle_time": {"dist": "uniform", "low": 30, "high": 90},
                             "patience": {"dist": "empirical", "values": [30, 60, "2min"]}}},
        "transfer": {"policy": "warm", "identify_time": {"dist": "deterministic", "value": 20},
                     "warm": {"max_hold": 60, "caller_abandons_on_hold": True}},
        "costs": {"lost_call": 5},
    },
]

NASTY_NUMBERS = st.sampled_from([
    0, -1, 1, 0.0, -0.0, 1e-300, 5e-324, 1e300, 1.7976931348623157e308, 2**31, 2**63, 2**64,
    10**100, float("nan"), float("inf"), float("-inf"), 1e9, 1e10, 100_000, 100_001,
])
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
SCALARS = st.one_of(NASTY_NUMBERS, st.integers(-10**6, 10**6),
                    st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
                    TEXT, st.sampled_from(["4min", "1e9 h", "nan", "inf", "08:00", "m", "yes"]))


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=4),
    st.dictionaries(TEXT, SCALARS, max_size=3),
    st.integers(40, 80).map(_nested),  # deep nesting, around MAX_NESTING
    st.sampled_from([{"dist": "gamma", "mean": 60, "sd": 1e-300},
                     {"dist": "lognormal", "mean": 1e-300, "sd": 1e9},
                     {"dist": "empirical", "file": ""}, {"dist": "empirical", "values": []},
                     {"dist": "exponential"}, {"dist": "weibull", "mean": 1}]),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside mappings and lists."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            found += _paths(child, (*prefix, i))
    return found


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path[:-1]:
        doc = doc[key]
    return doc


def _value(draw: st.DrawFn) -> Any:
    """A fresh value: ``sampled_from`` hands out the same dict each time, and a later mutation
    of the document must not edit the strategy's own constant (hypothesis then sees data
    generation that depends on external state)."""
    return copy.deepcopy(draw(VALUES))


def _mutate(draw: st.DrawFn, doc: Any, kind: str) -> bool:
    """Apply one mutation of ``kind`` to ``doc`` in place; False when there is nothing left."""
    paths = _paths(doc)
    if kind == "scale":
        paths = [q for q in paths if _is_number(_parent(doc, q)[q[-1]])] or paths
    if not paths:
        return False
    path = draw(st.sampled_from(paths))
    parent, key = _parent(doc, path), path[-1]
    if kind == "scale" and _is_number(parent[key]):
        scaled = parent[key] * draw(st.sampled_from([0, 0.5, 2, 3, 10]))  # plausible variants
        parent[key] = round(scaled) if isinstance(parent[key], int) else scaled
    elif kind in ("set", "scale") or not isinstance(parent, dict):
        parent[key] = _value(draw)
    elif kind == "delete":
        del parent[key]
    elif kind == "add":
        parent[draw(TEXT) or "x"] = _value(draw)
    else:  # rename
        parent[draw(TEXT) or "y"] = parent.pop(key)
    return True


def _duplicate_a_line(draw: st.DrawFn, text: str) -> str:
    """Repeat one ``key: value`` line: the same key given twice in its mapping."""
    lines = text.splitlines()
    simple = [i for i, line in enumerate(lines) if re.match(r"^\s*[\w-]+: \S", line)]
    if not simple:
        return text
    i = draw(st.sampled_from(simple))
    lines.insert(i + 1, lines[i])
    return "\n".join(lines) + "\n"


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A mutated valid document, as YAML text."""
    doc = yaml.safe_load(yaml.safe_dump(draw(st.sampled_from(BASES))))  # a deep copy
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["scale", "scale", "set", "set", "delete", "add", "rename"]))
        if not _mutate(draw, doc, kind):
            break
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, default_flow_style=False)
    return _duplicate_a_line(draw, text) if draw(st.integers(0, 3)) == 0 else text


@pytest.fixture(scope="module")
def folder() -> Any:
    path = Path(tempfile.mkdtemp(prefix="callsim-fuzz-"))
    shutil.copy(ROOT / "scenarios" / "replay_example.csv", path)
    yield path
    shutil.rmtree(path, ignore_errors=True)
    if os.environ.get("CALLSIM_FUZZ_REPORT"):
        print(f"\nfuzz: {sum(TALLY.values())} documents: " +
              ", ".join(f"{k} {v}" for k, v in sorted(TALLY.items())))


@FUZZ
@given(text=mutated())
def test_any_document_is_valid_or_one_line_errors_with_exit_2(folder: Path, text: str) -> None:
    path = folder / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}\n{text}")
    lines = result.output.strip().splitlines()
    if result.exit_code == 2:
        TALLY["invalid"] += 1
        assert lines and all(line.startswith(f"{path}: ") for line in lines), result.output
        with pytest.raises(ScenarioError):
            load_scenario(path)
        return
    assert result.exit_code == 0, result.output
    assert len(lines) == 1 and lines[0].startswith("OK"), result.output
    run_briefly(load_scenario(path))


def run_briefly(scenario: Any) -> None:
    """Simulate a small valid scenario and check the call invariants; refuse a large one."""
    if not scenario.expected_calls() <= RUN_CALLS:
        TALLY["valid, refused by the work estimate"] += 1
        with pytest.raises(WorkLimitError) as info:
            check_work([scenario], 1, RUN_CALLS)
        assert "\n" not in str(info.value)
        return
    check_work([scenario], 1, RUN_CALLS)  # few calls: within the estimate whatever the grid
    if not scenario.horizon.n_intervals <= RUN_INTERVALS:  # fine grids: slow, not checked here
        TALLY["valid, too many intervals to simulate briefly"] += 1
        return
    TALLY["valid, simulated"] += 1
    result = simulate(scenario, seed=1)
    calls = result.calls
    outcome = calls["outcome"].to_numpy()
    assert set(np.unique(outcome)) <= set(Outcome)
    end = calls["end"].to_numpy()
    assert np.array_equal(np.isnan(end), outcome == Outcome.UNFINISHED)  # one outcome each
    if scenario.horizon.drain:  # only callers who never abandon and nobody answers stay
        patient = {k for k, ct in scenario.call_types.items() if ct.patience is None}
        unfinished = calls.loc[outcome == Outcome.UNFINISHED, "call_type"].astype(str)
        assert set(unfinished) <= patient
    chain = calls[["arrival", "answer", "transfer", "end"]].to_numpy(dtype=np.float64)
    assert not np.isinf(chain).any()
    for row in chain:
        present = row[~np.isnan(row)]
        assert np.all(np.diff(present) >= 0), row
    metrics = compute_metrics(result, scenario)
    costs = {k: v for k, v in metrics.items() if k.endswith("_cost")}
    assert costs and all(math.isfinite(v) for v in costs.values()), costs
