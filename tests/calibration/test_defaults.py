"""What the records cannot show is said in the scenario file, never invented silently."""

from __future__ import annotations

from pathlib import Path

from callsim.calibration.estimate import calibrate
from tests.calibration.known import known_scenario, records_of


def test_minimal_records_give_marked_defaults_and_a_flagged_lower_bound(tmp_path: Path) -> None:
    frame = records_of(known_scenario(), 1, seed=2)
    frame = frame.drop(columns=["agent", "transferred_to", "transfer_kind", "call_type"])
    abandoned = frame.index[frame["outcome"] == "abandoned"]
    frame = frame.drop(abandoned[3:]).reset_index(drop=True)  # 3 abandonments left
    path = tmp_path / "minimal.csv"
    frame.to_csv(path, index=False)
    calibration = calibrate(path)
    text = calibration.text
    assert "LOWER BOUND: no agent ids" in text
    assert "misroute: {}  # DEFAULT: no call_type or transferred_to column" in text
    assert "policy: warm  # DEFAULT: no transfer kind in the records" in text
    assert "identify_time: {dist: gamma, mean: 65.00, sd: 30.00}  # DEFAULT" in text
    assert "callers abandoned (< 10): exponential censored estimate, very uncertain" in text
    defaults = "\n".join(calibration.defaults)
    assert "departments.billing.agents: a lower bound (no agent ids)" in defaults
    assert "call_types.billing.misroute" in defaults
    assert f"# {len(calibration.defaults)} value(s) could not be estimated" in text
    scenario = calibration.scenario()  # still a scenario `callsim run` accepts
    assert scenario.call_types["billing"].misroute == {}
