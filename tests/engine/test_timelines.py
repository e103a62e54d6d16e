"""Exact timelines with deterministic distributions, computed by hand in each test.

Base scenario (tests/timeline.py): billing and support, one agent each; identify 10 s,
re-explain 5 s, handoff 20 s, billing handle 50 s, support handle 100 s, patience 1000 s.
"""

from __future__ import annotations

import pytest

from callsim.engine.records import Outcome, Stage, TransferKind
from tests.engine.timeline import det, row, run_log

R, A, D = Outcome.RESOLVED, Outcome.ABANDONED, Outcome.DROPPED


def test_cold_transfer_frees_the_first_agent_at_once(tmp_path):
    # 0: misrouted caller, billing answers at 0, identifies until 10, pushed to support (idle):
    #    answered at 10, handles 100 + re-explain 5 -> ends 115.
    # 1: billing caller at 5 waits for the billing agent, freed at 10 -> 10 + 50 = 60.
    r = run_log(tmp_path, [(0, "misrouted"), (5, "billing")])
    call = row(r, 0)
    times = (call["answer"], call["transfer"], call["answer_after_transfer"], call["end"])
    assert times == (0, 10, 10, 115)
    assert call["hold_end"] is None and call["handoff_end"] is None
    assert call["transfer_kind"] == TransferKind.COLD and call["outcome"] == R
    assert (call["agent"], call["agent_after_transfer"]) == (0, 0)
    assert (row(r, 1)["answer"], row(r, 1)["end"]) == (10, 60)


def test_warm_transfer_holds_then_hands_off(tmp_path):
    # 0: support caller at 0 keeps the support agent until 100.
    # 1: misrouted caller at 0: billing answers 0, identifies to 10, holds until support frees at
    #    100, handoff 100-120 (billing freed at 120), support handles 100 -> ends 220.
    # 2: billing caller at 50 waits for the holding billing agent: answered 120, ends 170.
    r = run_log(tmp_path, [(0, "support"), (0, "misrouted"), (50, "billing")], policy="warm")
    call = row(r, 1)
    assert (call["answer"], call["transfer"], call["hold_end"]) == (0, 10, 100)
    assert (call["answer_after_transfer"], call["handoff_end"], call["end"]) == (100, 120, 220)
    assert call["transfer_kind"] == TransferKind.WARM and call["outcome"] == R
    assert (row(r, 2)["answer"], row(r, 2)["end"]) == (120, 170)
    assert row(r, 0)["end"] == 100


def test_warm_transfer_to_an_idle_agent_hands_off_at_once(tmp_path):
    r = run_log(tmp_path, [(0, "misrouted")], policy="warm")
    call = row(r, 0)
    assert (call["transfer"], call["hold_end"], call["answer_after_transfer"]) == (10, 10, 10)
    assert (call["handoff_end"], call["end"]) == (30, 130)


def test_dropped_cold_transfer(tmp_path):
    r = run_log(tmp_path, [(0, "misrouted"), (5, "billing")],
                {"transfer.cold.drop_probability": 1.0})
    call = row(r, 0)
    assert call["outcome"] == D and call["end"] == 10 and call["answer_after_transfer"] is None
    assert call["abandon_stage"] == Stage.NONE
    assert row(r, 1)["answer"] == 10


def test_abandonment_in_the_first_queue(tmp_path):
    # 0 holds billing until 50; 1 (patience 30) gives up at 40; 2 is answered at 50.
    r = run_log(tmp_path, [(0, "billing"), (10, "billing", None, 30), (20, "billing")])
    call = row(r, 1)
    assert call["outcome"] == A and call["end"] == 40
    assert call["abandon_stage"] == Stage.FIRST_QUEUE and call["answer"] is None
    assert (row(r, 2)["answer"], row(r, 2)["end"]) == (50, 100)


def test_abandonment_after_a_cold_transfer(tmp_path):
    # Support is busy until 100; the transferred caller (fresh patience 30 x factor 2 = 60,
    # from 10) gives up at 70.
    r = run_log(tmp_path, [(0, "support"), (0, "misrouted")],
                {"call_types.misrouted.patience": det(30), "transfer.cold.patience_factor": 2.0})
    call = row(r, 1)
    assert call["outcome"] == A and call["end"] == 70
    assert call["abandon_stage"] == Stage.AFTER_TRANSFER and call["answer_after_transfer"] is None


def test_abandonment_on_hold_frees_the_holding_agent(tmp_path):
    # Hold starts at 10 with fresh patience 30: the caller leaves at 40 and so does billing's
    # agent, who answers the billing caller waiting since 20 at 40.
    r = run_log(tmp_path, [(0, "support"), (0, "misrouted"), (20, "billing")],
                {"call_types.misrouted.patience": det(30),
                 "transfer.warm.caller_abandons_on_hold": True}, policy="warm")
    call = row(r, 1)
    assert call["outcome"] == A and call["abandon_stage"] == Stage.ON_HOLD
    assert (call["hold_end"], call["end"]) == (40, 40)
    assert row(r, 2)["answer"] == 40


def test_callers_do_not_abandon_on_hold_by_default(tmp_path):
    r = run_log(tmp_path, [(0, "support"), (0, "misrouted")],
                {"call_types.misrouted.patience": det(30)}, policy="warm")
    assert row(r, 1)["outcome"] == R and row(r, 1)["hold_end"] == 100


def test_max_hold_turns_a_warm_transfer_cold(tmp_path):
    # Hold from 10; at max_hold 30 (t=40) billing's agent leaves, the caller keeps the place
    # with fresh patience 1000 and is answered at 100: handle 100 + re-explain 5 -> 205.
    r = run_log(tmp_path, [(0, "support"), (0, "misrouted"), (20, "billing")],
                {"transfer.warm.max_hold": 30}, policy="warm")
    call = row(r, 1)
    assert call["transfer_kind"] == TransferKind.WARM_TO_COLD
    assert (call["hold_end"], call["answer_after_transfer"], call["end"]) == (40, 100, 205)
    assert call["handoff_end"] is None and call["outcome"] == R
    assert row(r, 2)["answer"] == 40


def test_max_hold_conversion_gets_a_fresh_patience(tmp_path):
    # Converted at 40 with fresh patience 30 -> gives up at 70, after_transfer.
    r = run_log(tmp_path, [(0, "support"), (0, "misrouted")],
                {"transfer.warm.max_hold": 30, "call_types.misrouted.patience": det(30)},
                policy="warm")
    call = row(r, 1)
    assert call["outcome"] == A and call["end"] == 70
    assert call["abandon_stage"] == Stage.AFTER_TRANSFER


@pytest.mark.parametrize("priority, first_answered", [(False, 0), (True, 1)])
def test_transferred_callers_with_priority_jump_the_line(tmp_path, priority, first_answered):
    # Support busy until 100. Caller A (support, at 5) and the transferred caller B (at 10)
    # wait; at 100 support answers A without priority, B with priority.
    r = run_log(tmp_path, [(0, "support"), (0, "misrouted"), (5, "support")],
                {"transfer.cold.priority": priority})
    transferred, direct = row(r, 1), row(r, 2)
    times = (direct["answer"], transferred["answer_after_transfer"])
    assert times[first_answered] == 100
    assert times[1 - first_answered] == (205 if first_answered else 200)


def test_agent_going_off_shift_finishes_the_call(tmp_path):
    # Billing staffed 1 then 0 from t=60. The call answered at 30 (handle 50) ends at 80: the
    # agent leaves at 80. The caller arriving at 70 (patience 20) finds nobody: abandons at 90.
    r = run_log(tmp_path, [(30, "billing"), (70, "billing", None, 20)],
                {"horizon.duration": 120, "horizon.interval": 60,
                 "departments.billing.agents": [1, 0], "departments.support.agents": [1, 1]})
    assert row(r, 0)["end"] == 80
    assert row(r, 1)["outcome"] == A and row(r, 1)["end"] == 90
    billing = r.shifts[r.shifts["department"] == "billing"]
    assert billing[["agent", "start", "end"]].values.tolist() == [[0, 0.0, 80.0]]


def test_staffing_up_serves_the_queue(tmp_path):
    # Support has nobody until 60; the support caller waiting since 10 is answered at 60.
    r = run_log(tmp_path, [(10, "support")],
                {"horizon.duration": 120, "horizon.interval": 60,
                 "departments.billing.agents": [1, 1], "departments.support.agents": [0, 1]})
    assert (row(r, 0)["answer"], row(r, 0)["end"]) == (60, 160)


def test_drain_false_leaves_calls_unfinished(tmp_path):
    r = run_log(tmp_path, [(0, "support"), (10, "support")],
                {"horizon.duration": 50, "horizon.interval": 50, "horizon.drain": False})
    assert row(r, 0)["outcome"] == Outcome.UNFINISHED and row(r, 0)["end"] is None
    assert row(r, 1)["outcome"] == Outcome.UNFINISHED
    assert r.end_time == 50


def test_warmup_is_recorded_for_statistics(tmp_path):
    r = run_log(tmp_path, [(0, "billing")], {"horizon.warmup": 100})
    assert r.warmup == 100 and len(r.calls) == 1
