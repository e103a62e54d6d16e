"""Simulated calls as call records under the options beyond cold and warm (docs/model.md section 3).

Base scenario (tests/engine/timeline.py): billing and support, one agent each; identify 10 s,
billing handle 50 s, support handle 100 s. A misrouted support caller arrives at 0 in billing.
"""

from __future__ import annotations

import math

from callsim.calibration.simulated import simulated_records
from tests.engine.timeline import BASE, det, run_log
from tests.policies.test_callback import scenario_with


def first_row(result, scenario) -> dict:
    return simulated_records(result, scenario).iloc[0].to_dict()


def test_resolved_in_place_is_no_transfer_and_handled_to_the_end(tmp_path):
    # Billing identifies 0-10, then resolves it itself: 100 x 1.5 = 150 -> ends at 160.
    resolves = {"misrouted": {"share": 1.0, "handle_factor": 1.5}}
    r = run_log(tmp_path, [(0, "misrouted")], {"departments.billing.resolves": resolves})
    rec = first_row(r, scenario_with({}))
    assert rec["handled"] == 160 and rec["outcome"] == "answered"
    assert isinstance(rec["transfer_kind"], float) and math.isnan(rec["transfer_kind"])
    assert isinstance(rec["transferred_to"], float) and math.isnan(rec["transferred_to"])


def test_callback_request_is_a_cold_transfer_handled_until_the_note_is_written(tmp_path):
    # Billing identifies 0-10 and writes the case down 10-25, then is freed.
    changes = {"transfer.callback": {"note_time": det(15), "connect_time": det(5)}}
    r = run_log(tmp_path, [(0, "misrouted")], changes, policy="callback")
    rec = first_row(r, scenario_with(changes))
    assert (rec["handled"], rec["transfer_kind"], rec["transferred_to"]) == (25, "cold", "support")


def test_warm_stays_warm(tmp_path):
    r = run_log(tmp_path, [(0, "misrouted")], policy="warm")
    rec = first_row(r, scenario_with({}))
    assert (rec["transfer_kind"], rec["transferred_to"]) == ("warm", "support")
    assert BASE["transfer"]["warm"]["handoff_time"] == det(20) and rec["handled"] == 30
