"""Callbacks (docs/model.md 3): exact timelines with deterministic times, metrics, validation.

Base scenario (tests/engine/timeline.py): billing and support, one agent each; identify 10 s,
billing handle 50 s, support handle 100 s. Here: note time 15 s, connect time 5 s.
"""

from __future__ import annotations

import pytest

from callsim import ScenarioError, build_scenario, compute_metrics
from callsim.engine.records import Outcome, TransferKind
from tests.engine.timeline import BASE, det, row, run_log


def callback(**options) -> dict:
    return {"transfer.callback": {"note_time": det(15), "connect_time": det(5), **options}}


def scenario_with(changes: dict):
    raw = {**BASE, "transfer": {**BASE["transfer"], **{k.split(".")[1]: v for k, v in
                                                       changes.items()}}}
    return build_scenario(raw, source="s.yaml", base_dir=".")


def test_reached_at_the_first_attempt(tmp_path):
    # Billing identifies 0-10, notes 10-25 (then answers the billing caller at 25 -> 75);
    # support idle dials 25-30, reaches the customer, handles 100 -> 130. No re-explaining.
    r = run_log(tmp_path, [(0, "misrouted"), (5, "billing")], callback(), policy="callback")
    call = row(r, 0)
    times = (call["transfer"], call["hold_end"], call["answer_after_transfer"], call["end"])
    assert times == (10, 25, 30, 130)
    assert call["transfer_kind"] == TransferKind.CALLBACK and call["outcome"] == Outcome.RESOLVED
    assert (row(r, 1)["answer"], row(r, 1)["end"]) == (25, 75)
    activity = r.activity.to_dict("records")
    assert [(a["department"], a["activity"], a["start"], a["end"]) for a in activity] == [
        ("support", "calling_back", 25, 30)]
    m = compute_metrics(r, scenario_with(callback()))
    assert m["overall.callbacks"] == 1 and m["overall.callback_delay_mean"] == 5
    assert m["departments.support.calling_back"] == pytest.approx(5 / 3600)
    assert m["departments.billing.identifying"] == pytest.approx(25 / 3600)
    assert m["overall.wait_mean"] == (0 + 20) / 2  # off the line while waiting for the call back


def test_live_callers_first_then_the_request(tmp_path):
    # Support is busy 0-100 and a support caller waits from 1: the request (due 25) is taken
    # after that caller (100-200): dial 200-205, handle -> 305. With first: true, at 100.
    calls = [(0, "support"), (0, "misrouted"), (1, "support")]
    r = run_log(tmp_path, calls, callback(), policy="callback")
    assert (row(r, 1)["answer_after_transfer"], row(r, 1)["end"]) == (205, 305)
    assert row(r, 2)["answer"] == 100
    r = run_log(tmp_path, calls, callback(first=True), policy="callback")
    assert (row(r, 1)["answer_after_transfer"], row(r, 1)["end"]) == (105, 205)
    assert row(r, 2)["answer"] == 205


def test_every_attempt_fails(tmp_path):
    r = run_log(tmp_path, [(0, "misrouted")], callback(reach_probability=0.0, attempts=3,
                                                       retry_delay=60), policy="callback")
    call = row(r, 0)
    # Three failed attempts: dials 25-30, 90-95, 155-160 -> unreached at 160.
    assert call["outcome"] == Outcome.UNREACHED and call["end"] == 160
    assert call["answer_after_transfer"] is None
    starts = sorted(r.activity["start"].tolist())
    assert starts == [25, 90, 155]


def test_unreached_counts_as_lost(tmp_path):
    changes = callback(reach_probability=0.0)
    r = run_log(tmp_path, [(0, "misrouted")], changes, policy="callback")
    m = compute_metrics(r, scenario_with(changes))
    assert row(r, 0)["end"] == 30
    assert m["overall.unreached_rate"] == 1 and m["overall.lost_rate"] == 1
    assert m["overall.abandon_rate"] == 0


def test_retry_reached_on_the_second_attempt(tmp_path, monkeypatch):
    from callsim.policies import callback as module

    real = module.CallbackDesk.__init__

    def fixed(self, center, scenario):
        real(self, center, scenario)
        self.reach = self.reach.copy()
        self.reach[:, 0], self.reach[:, 1] = 0.9, 0.1  # first attempt fails, second reaches

    monkeypatch.setattr(module.CallbackDesk, "__init__", fixed)
    r = run_log(tmp_path, [(0, "misrouted")], callback(reach_probability=0.5, attempts=2,
                                                       retry_delay=60), policy="callback")
    # Dial 25-30 fails; due again at 90, dial 90-95 reaches, handle 100 -> 195.
    call = row(r, 0)
    assert (call["hold_end"], call["answer_after_transfer"], call["end"]) == (25, 95, 195)
    assert call["outcome"] == Outcome.RESOLVED


def test_warm_hold_turns_callback_at_max_hold(tmp_path):
    # Support busy 0-100; the warm hold starts at 10 and reaches max_hold 30 at 40: billing is
    # freed, the customer hangs up with a request; support frees at 100, dials 100-105, handles
    # -> 205 (no re-explaining).
    changes = {**callback(), "transfer.warm": {"handoff_time": det(20), "max_hold": 30,
                                               "on_max_hold": "callback"}}
    r = run_log(tmp_path, [(0, "support"), (0, "misrouted"), (20, "billing")], changes,
                policy="warm")
    call = row(r, 1)
    times = (call["transfer"], call["hold_end"], call["answer_after_transfer"], call["end"])
    assert times == (10, 40, 105, 205)
    assert call["transfer_kind"] == TransferKind.HOLD_TO_CALLBACK
    assert (row(r, 2)["answer"], row(r, 2)["end"]) == (40, 90)
    m = compute_metrics(r, scenario_with(changes))
    assert m["overall.callbacks"] == 1 and m["overall.callback_delay_mean"] == 65
    assert m["departments.billing.holding"] == pytest.approx(30 / 3600)
    # Waits: support caller 0, misrouted 30 on hold, billing caller 20 (from 20 to 40).
    assert m["overall.wait_mean"] == pytest.approx((0 + 30 + 20) / 3)


def test_drain_makes_pending_callbacks(tmp_path):
    # Support busy 0-1050, past the horizon (1000); the request (due 25) is made during the
    # drain: dial 1050-1055, handle -> 1155.
    r = run_log(tmp_path, [(0, "support", 1050), (0, "misrouted")], callback(),
                policy="callback")
    assert (row(r, 1)["answer_after_transfer"], row(r, 1)["end"]) == (1055, 1155)
    assert row(r, 1)["outcome"] == Outcome.RESOLVED
    r = run_log(tmp_path, [(0, "support", 1050), (0, "misrouted")],
                {**callback(), "horizon.drain": False}, policy="callback")
    assert row(r, 1)["outcome"] == Outcome.UNFINISHED


@pytest.mark.parametrize(("section", "message"), [
    ({"callback": {"reach_probability": 1.5}}, "transfer.callback.reach_probability:"),
    ({"callback": {"attempts": 0}}, "transfer.callback.attempts:"),
    ({"warm": {"on_max_hold": "callback"}},
     "transfer.warm.on_max_hold: applies only with max_hold set"),
    ({"warm": {"max_hold": 30, "on_max_hold": "later"}}, "transfer.warm.on_max_hold:"),
])
def test_validation(section, message):
    raw = {**BASE, "transfer": {**BASE["transfer"], **section}}
    with pytest.raises(ScenarioError) as err:
        build_scenario(raw, source="s.yaml", base_dir=".")
    lines = str(err.value).splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"s.yaml: {message}"), lines
