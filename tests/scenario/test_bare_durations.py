"""A bare duration where a distribution is expected means a deterministic time, everywhere.

``identify_time: 45s`` is ``{dist: deterministic, value: 45s}``: in the scenario file, in every
policy's options, in redials, in ``--set`` overrides and in sweep grids.
"""

from __future__ import annotations

import pytest

from callsim import ScenarioError, build_scenario
from callsim.experiments.grid import Grid
from callsim.experiments.sweeps import sweep
from callsim.scenario.distributions import Deterministic
from callsim.scenario.loading import read_scenario_file
from tests.shared import REFERENCE, reference

#: Every distribution field of a scenario, with a bare duration and the seconds it means.
FIELDS = {
    "call_types.billing.handle_time": ("4min", 240.0),
    "call_types.billing.patience": (90, 90.0),
    "call_types.support.redial.delay": ("2min", 120.0),
    "transfer.identify_time": ("45s", 45.0),
    "transfer.cold.reexplain_time": ("1min", 60.0),
    "transfer.warm.handoff_time": (30, 30.0),
    "transfer.callback.note_time": ("20s", 20.0),
    "transfer.callback.connect_time": ("0.5min", 30.0),
}


def at(scenario, path: str):
    node = scenario
    for key in path.split("."):
        node = node[key] if isinstance(node, dict) else getattr(node, key)
    return node


def test_every_distribution_field_takes_a_bare_duration_in_the_file():
    raw = read_scenario_file(REFERENCE)
    raw["call_types"]["support"]["redial"] = {"probability": 0.5, "delay": "1min"}
    for path, (value, _) in FIELDS.items():
        node = raw
        *parents, leaf = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    sc = build_scenario(raw, source="bare.yaml", base_dir=".")
    for path, (_, seconds) in FIELDS.items():
        assert at(sc, path) == Deterministic(value=seconds), path


@pytest.mark.parametrize("path", sorted(FIELDS))
def test_set_overrides_take_a_bare_duration(path):
    value, seconds = FIELDS[path]
    extra = (["call_types.support.redial.probability=0.5"] if "redial" in path else [])
    sc = reference(*extra, f"{path}={value}")
    assert at(sc, path) == Deterministic(value=seconds)


def test_a_word_that_is_no_duration_is_a_one_line_error():
    with pytest.raises(ScenarioError) as bad:
        reference("transfer.identify_time=soon")
    assert str(bad.value).count("\n") == 0
    assert "transfer.identify_time: 'soon' is neither a duration" in str(bad.value)


def test_sweep_grids_take_bare_durations(tmp_path):
    grid = Grid.from_specs(["transfer.identify_time=30s,1min"])
    rows = sweep(REFERENCE, grid, ["cold"], reps=2, seed=1, workers=1,
                 overrides=["horizon.duration=1h"])
    assert sorted(set(rows["transfer.identify_time"])) == ["1min", "30s"]
