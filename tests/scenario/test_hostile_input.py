"""Hostile scenario files (issue 11): every fault is one line naming the file and the field.

Each case is one class of fault found by feeding callsim broken files: numbers that overflow
the engine (huge or tiny durations, counts and rates), values that are not what they seem
(booleans as numbers, NaN and infinities), YAML that safe loading still lets through (duplicate
keys, deep nesting, alias bombs) and files that are not files (FIFOs, folders, empty names).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from callsim.scenario.errors import ScenarioError
from callsim.scenario.limits import MAX_NESTING
from callsim.scenario.loading import load_scenario, read_scenario_file
from tests.shared import REFERENCE, finishes_within

#: (override, the field named, words of the message): each is a class of fault.
BAD_VALUES = [
    # Counts and amounts are strict: a boolean or a string is not a number.
    ("departments.billing.agents=yes", "departments.billing.agents", "whole number"),
    ("departments.billing.agents='12'", "departments.billing.agents", "whole number"),
    ("call_types.billing.arrivals_per_hour=true", "call_types.billing.arrivals_per_hour",
     "must be a number"),
    ("call_types.support.misroute.billing=false", "call_types.support.misroute.billing",
     "must be a number"),
    ("horizon.drain=1", "horizon.drain", "true or false"),
    ("transfer.cold.priority=yes please", "transfer.cold.priority", "true or false"),
    # Every number is finite: NaN and infinities are named as such, not as "must be >= 0".
    ("departments.billing.wage_per_hour=.nan", "departments.billing.wage_per_hour", "finite"),
    ("departments.billing.wage_per_hour=.inf", "departments.billing.wage_per_hour", "finite"),
    ("costs.lost_call=.inf", "costs.lost_call", "finite"),
    ("call_types.billing.arrivals_per_hour=.nan", "call_types.billing.arrivals_per_hour",
     "finite"),
    ("transfer.cold.patience_factor=.inf", "transfer.cold.patience_factor", "finite"),
    ("call_types.support.misroute.billing=.nan", "call_types.support.misroute.billing",
     "finite"),
    ("horizon.warmup=.nan", "horizon.warmup", "finite"),
    # Numbers within limits: no overflow, no MemoryError, no endless loop.
    ("departments.billing.agents=1000000000", "departments.billing.agents", "<= 100000"),
    ("departments.billing.wage_per_hour=1e308", "departments.billing.wage_per_hour", "<= 1e+09"),
    ("costs.lost_call=1e300", "costs.lost_call", "<= 1e+09"),
    ("horizon.duration=1e300", "horizon.duration", "<= 1e+09"),
    ("call_types.billing.patience={dist: exponential, mean: 1e300}",
     "call_types.billing.patience.mean", "<= 1e+09"),
    ("call_types.billing.arrivals_per_hour=1e300", "call_types.billing.arrivals_per_hour",
     "<= 1e+09"),
    ("transfer.cold.patience_factor=1e300", "transfer.cold.patience_factor", "<= 1e+06"),
    # Intervals: a horizon cut into millions of intervals would hang.
    ("horizon.interval=1ms", "horizon.interval", "more than the limit"),
    ("horizon.interval=0.1s", "horizon.interval", "more than the limit"),
    # Distributions: the parameters the sampler uses must be finite, their mean the one asked.
    ("call_types.billing.handle_time={dist: gamma, mean: 60, sd: 1e-300}",
     "call_types.billing.handle_time.sd", "too extreme"),
    ("call_types.billing.handle_time={dist: gamma, mean: 1e-300, sd: 1e9}",
     "call_types.billing.handle_time.sd", "too extreme"),
    ("call_types.billing.handle_time={dist: lognormal, mean: 1e-300, sd: 1e9}",
     "call_types.billing.handle_time.sd", "too extreme"),
    ("call_types.billing.handle_time={dist: lognormal, mean: 1e-300, sd: 1e300}",
     "call_types.billing.handle_time.sd", "<= 1e+09"),
    # Empirical values: the real fault only, no extra "must not be empty" line.
    ("call_types.billing.handle_time={dist: empirical, values: [abc]}",
     "call_types.billing.handle_time.values.0", "invalid duration 'abc'"),
    ("call_types.billing.handle_time={dist: empirical, values: []}",
     "call_types.billing.handle_time.values", "must not be empty"),
    ("call_types.billing.handle_time={dist: empirical, file: ''}",
     "call_types.billing.handle_time.file", "must name a CSV file"),
    ("call_types.billing.handle_time={dist: empirical, file: .}",
     "call_types.billing.handle_time.file", "is a folder, not a file"),
    ("arrivals_file=''", "arrivals_file", "must name a CSV file"),
]


@pytest.mark.parametrize(("override", "field", "words"), BAD_VALUES)
def test_bad_values_are_one_line_naming_the_field(override: str, field: str, words: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(REFERENCE, [override])
    problems = info.value.problems
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{REFERENCE}: {field}: "), problems
    assert words in problems[0], problems


GOOD_VALUES = [
    "departments.billing.agents=100000",
    "departments.billing.wage_per_hour=1e9",
    "call_types.billing.handle_time={dist: gamma, mean: 1e9, sd: 1e-9}",
    "call_types.billing.handle_time={dist: lognormal, mean: 1, sd: 1e9}",
    "call_types.billing.handle_time={dist: lognormal, mean: 60, sd: 1e-300}",
    "transfer.cold.patience_factor=2",
]


@pytest.mark.parametrize("override", GOOD_VALUES)
def test_extreme_but_usable_values_are_accepted(override: str) -> None:
    load_scenario(REFERENCE, [override])


@pytest.mark.parametrize(
    "handle",
    [{"dist": "gamma", "mean": 1e9, "sd": 1e-9}, {"dist": "lognormal", "mean": 1, "sd": 1e9}],
)
def test_accepted_extremes_sample_finite_values(handle: dict[str, Any]) -> None:
    import numpy as np

    from callsim.scenario.distributions import Gamma, Lognormal

    kind = {"gamma": Gamma, "lognormal": Lognormal}[handle.pop("dist")]
    values = kind(**handle).sample(np.random.default_rng(1), 1000)
    assert np.isfinite(values).all() and (values >= 0).all()


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def one_problem(path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        read_scenario_file(path)
    assert len(info.value.problems) == 1, info.value.problems
    return info.value.problems[0]


def test_duplicate_keys_are_refused_with_both_lines(tmp_path: Path) -> None:
    text = REFERENCE.read_text().replace("    agents: 16\n", "    agents: 16\n    agents: 18\n")
    first = text.splitlines().index("    agents: 16") + 1
    problem = one_problem(write(tmp_path, text))
    assert f"key 'agents' given twice (lines {first} and {first + 1})" in problem


def test_merge_keys_are_not_duplicates(tmp_path: Path) -> None:
    path = write(tmp_path, "base: &b {x: 1}\nother: {<<: *b, y: 2}\n")
    assert read_scenario_file(path)["other"] == {"x": 1, "y": 2}


@pytest.mark.parametrize("depth", [MAX_NESTING + 1, 20_000])
def test_deep_nesting_is_refused_quickly(tmp_path: Path, depth: int) -> None:
    with finishes_within(120):
        problem = one_problem(write(tmp_path, "name: " + "[" * depth + "]" * depth + "\n"))
    assert f"nested more than {MAX_NESTING} levels deep" in problem


def test_alias_bombs_are_refused(tmp_path: Path) -> None:
    lines = ["a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]"]
    for prev, name in zip("abcdef", "bcdefg", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    assert "more than" in one_problem(write(tmp_path, "\n".join(lines) + "\n"))


def test_recursive_aliases_are_refused(tmp_path: Path) -> None:
    assert "contains it" in one_problem(write(tmp_path, "name: &x [*x]\n"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "s.yaml"
    os.mkfifo(fifo)
    assert "not a regular file" in one_problem(fifo)


def test_a_folder_is_not_read(tmp_path: Path) -> None:
    assert "is a folder" in one_problem(tmp_path)


def test_binary_files_are_not_text(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(bytes(range(256)))
    assert "not a UTF-8 text file" in one_problem(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_as_empirical_file_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "handle.csv")
    raw = yaml.safe_load(REFERENCE.read_text())
    raw["call_types"]["billing"]["handle_time"] = {"dist": "empirical", "file": "handle.csv"}
    path = write(tmp_path, yaml.safe_dump(raw))
    with pytest.raises(ScenarioError, match="handle.csv: not a regular file"):
        load_scenario(path)


def test_referenced_files_are_listed(tmp_path: Path) -> None:
    (tmp_path / "handle.csv").write_text("value\n100\n200\n")
    raw = yaml.safe_load(REFERENCE.read_text())
    raw["call_types"]["billing"]["handle_time"] = {"dist": "empirical", "file": "handle.csv"}
    scenario = load_scenario(write(tmp_path, yaml.safe_dump(raw)))
    assert scenario.files == (tmp_path / "handle.csv",)
    assert load_scenario(REFERENCE).files == ()


def test_expected_calls_follow_rates_and_horizon() -> None:
    scenario = load_scenario(REFERENCE)
    assert scenario.expected_calls() == pytest.approx((110 + 130) * 12)


def test_a_year_of_one_second_intervals_is_refused() -> None:
    with pytest.raises(ScenarioError, match="horizon.interval: gives 3.15e\\+07 intervals"):
        load_scenario(REFERENCE, ["horizon.duration=365d", "horizon.interval=1s"])
