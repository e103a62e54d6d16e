"""docs/model.md's example of a calibrated scenario (section 9 fields, time-of-day patience)."""

from __future__ import annotations

import re

import yaml

from callsim import build_scenario, simulate
from tests.shared import ROOT

MODEL_MD = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")


def test_the_calibrated_scenario_example_validates_and_runs():
    block = re.search(r"A calibrated scenario.*?```yaml\n(.*?)```", MODEL_MD, re.S)
    assert block is not None, "docs/model.md lost its calibrated scenario example"
    raw = {"name": "example", "horizon": {"duration": "1h", "interval": "15min"},
           **yaml.safe_load(block.group(1))}
    scenario = build_scenario(raw, "model.md", ROOT)
    assert scenario.arrivals.busyness_cv == 0.12
    assert scenario.agents_taking_calls("retail") == (6, 9, 10, 11)
    assert scenario.call_types["private"].priority == 2
    assert scenario.patience_scales("private") == (1.2, 1.0, 0.6, 1.0)
    assert scenario.handle_scales("private") == (0.7, 1.0, 1.0, 0.8)
    result = simulate(scenario, "cold", seed=1)
    assert (result.activity["activity"] == "after_call_work").any()
