"""Rosters run exactly by the engine, and rosters improved by simulation (issue 20 items 3-4)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from callsim.planning.roster import schedule
from callsim.scenario.loading import build_scenario, read_scenario_file
from tests.planning.test_roster import FULL_DAY
from tests.shared import REFERENCE


def test_the_written_scenario_runs_the_roster_exactly(tmp_path: Path) -> None:
    from callsim.scenario.loading import load_scenario

    sc = load_scenario(REFERENCE, FULL_DAY)
    rows = [{"start": f"{t // 2:02d}:{30 * (t % 2):02d}", "department": d, "agents": n}
            for t in range(24) for d, n in (("billing", 9 + t % 3), ("support", 6 + t // 6))]
    pd.DataFrame(rows).to_csv(tmp_path / "need.csv", index=False)
    result = schedule(sc, tmp_path / "need.csv")
    roster = result.rosters["requirements"]
    raw = read_scenario_file(REFERENCE)
    for key, value in (o.split("=", 1) for o in FULL_DAY):
        import yaml

        raw.setdefault("shifts", {})[key.split(".")[1]] = yaml.safe_load(value)
    written = build_scenario(result.scenario_for(raw, "requirements"), "w.yaml", REFERENCE.parent)
    times, levels = written.staffing_steps()
    slot = roster.programme.slot
    at = np.searchsorted(times, np.arange(roster.programme.n_slots) * slot, side="right") - 1
    on_phones = np.array(levels)[at].T
    np.testing.assert_array_equal(on_phones, roster.solution.available)
