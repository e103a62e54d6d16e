"""Conditional warm (docs/model.md 3): timelines of both branches, limits, metrics, validation.

Base scenario (tests/engine/timeline.py): billing and support, one agent each; identify 10 s,
re-explain 5 s, handoff 20 s, billing handle 50 s, support handle 100 s, patience 1000 s.
"""

from __future__ import annotations

import pandas as pd
import pytest

from callsim import ScenarioError, build_scenario, compute_metrics, load_scenario, simulate
from callsim.engine.records import Outcome, TransferKind
from tests.engine.timeline import BASE, row, run_log

R = Outcome.RESOLVED
COND = "conditional"


def when(condition: str, **threshold: float) -> dict:
    return {"transfer.conditional": {"warm_when": condition, **threshold}}


def test_agent_free_goes_warm_to_an_idle_agent(tmp_path):
    # Support idle at 10: warm handoff 10-30, support handles 100 -> ends 130.
    r = run_log(tmp_path, [(0, "misrouted")], when("agent_free"), policy=COND)
    call = row(r, 0)
    assert (call["transfer"], call["hold_end"], call["answer_after_transfer"]) == (10, 10, 10)
    assert (call["handoff_end"], call["end"]) == (30, 130)
    assert call["transfer_kind"] == TransferKind.WARM and call["outcome"] == R


def test_agent_free_goes_cold_when_all_are_busy(tmp_path):
    # Support busy until 100: cold at 10 (billing freed, answers the billing caller at 10),
    # support answers at 100, handles 100 + re-explain 5 -> 205.
    r = run_log(tmp_path, [(0, "support"), (0, "misrouted"), (5, "billing")], when("agent_free"),
                policy=COND)
    call = row(r, 1)
    assert (call["transfer"], call["answer_after_transfer"], call["end"]) == (10, 100, 205)
    assert call["hold_end"] is None and call["transfer_kind"] == TransferKind.COLD
    assert (row(r, 2)["answer"], row(r, 2)["end"]) == (10, 60)


@pytest.mark.parametrize(("max_queue", "kind", "answer_after_transfer", "end"), [
    # One support caller waits at 10: queue 1 <= 1 holds warm (answered after that caller at
    # 200, handoff 200-220, ends 320); with max_queue 0 it goes cold (answered 200, ends 305).
    (1, TransferKind.WARM, 200, 320),
    (0, TransferKind.COLD, 200, 305),
])
def test_queue_at_most(tmp_path, max_queue, kind, answer_after_transfer, end):
    calls = [(0, "support"), (0, "misrouted"), (1, "support")]
    r = run_log(tmp_path, calls, when("queue_at_most", max_queue=max_queue), policy=COND)
    call = row(r, 1)
    got = (call["transfer_kind"], call["answer_after_transfer"], call["end"])
    assert got == (kind, answer_after_transfer, end)
    assert call["hold_end"] == (200 if kind == TransferKind.WARM else None)


@pytest.mark.parametrize(("limit", "kind"), [(100, TransferKind.WARM), (99.9, TransferKind.COLD)])
def test_expected_wait_at_most(tmp_path, limit, kind):
    # Support busy, nobody waiting: (0 + 1) x 100 s / 1 agent = 100 s.
    r = run_log(tmp_path, [(0, "support"), (0, "misrouted")],
                when("expected_wait_at_most", max_expected_wait=limit), policy=COND)
    assert row(r, 1)["transfer_kind"] == kind


@pytest.mark.parametrize(("limit", "kind"), [(50, TransferKind.WARM), (49.9, TransferKind.COLD)])
def test_expected_wait_uses_the_handle_scale_of_the_interval_of_the_decision(tmp_path, limit,
                                                                              kind):
    # Two intervals, misrouted calls' handle time x0.5 then x2; the decision at 10 s is in the
    # first: (0 + 1) x 100 s x 0.5 / 1 agent = 50 s.
    changes = {**when("expected_wait_at_most", max_expected_wait=limit),
               "horizon.interval": 500, "call_types.misrouted.handle_scale": [0.5, 2.0]}
    r = run_log(tmp_path, [(0, "support"), (0, "misrouted")], changes, policy=COND)
    assert row(r, 1)["transfer_kind"] == kind


def test_no_agent_on_duty_goes_cold(tmp_path):
    r = run_log(tmp_path, [(0, "misrouted")],
                {**when("expected_wait_at_most", max_expected_wait=1e6),
                 "departments.support.agents": 0}, policy=COND)
    assert row(r, 0)["transfer_kind"] == TransferKind.COLD


def test_cold_branch_drops_with_the_cold_drop_probability(tmp_path):
    r = run_log(tmp_path, [(0, "support"), (0, "misrouted")],
                {**when("agent_free"), "transfer.cold.drop_probability": 1.0}, policy=COND)
    call = row(r, 1)
    assert call["outcome"] == Outcome.DROPPED and call["end"] == 10


@pytest.fixture(scope="module")
def short():
    return load_scenario("scenarios/billing_support.yaml", ["horizon.duration=2h"])


def test_queue_above_any_possible_queue_is_warm(short):
    huge = load_scenario("scenarios/billing_support.yaml", [
        "horizon.duration=2h", "transfer.conditional.warm_when=queue_at_most",
        "transfer.conditional.max_queue=1000000"])
    warm = simulate(short, "warm", seed=3)
    conditional = simulate(huge, COND, seed=3)
    pd.testing.assert_frame_equal(warm.calls, conditional.calls)
    pd.testing.assert_frame_equal(warm.shifts, conditional.shifts)


def test_metrics_count_the_kind_each_transfer_became(short):
    m = compute_metrics(simulate(short, COND, seed=3), short)
    warm, cold = m["overall.transfers_conditional_warm"], m["overall.transfers_conditional_cold"]
    assert warm > 0 and cold > 0
    assert (warm, cold) == (m["overall.transfers_warm"], m["overall.transfers_cold"])
    plain = compute_metrics(simulate(short, "warm", seed=3), short)
    assert plain["overall.transfers_conditional_warm"] == 0


@pytest.mark.parametrize(("section", "message"), [
    ({"warm_when": "agent_free", "max_queue": 3},
     "transfer.conditional.max_queue: applies only with warm_when: queue_at_most"),
    ({"warm_when": "queue_at_most"},
     "transfer.conditional.max_queue: is required with warm_when: queue_at_most"),
    ({"warm_when": "expected_wait_at_most"},
     "transfer.conditional.max_expected_wait: is required with warm_when: expected_wait_at_most"),
    ({"warm_when": "sometimes"}, "transfer.conditional.warm_when:"),
    ({"warm_when": "queue_at_most", "max_queue": -1}, "transfer.conditional.max_queue:"),
])
def test_validation(section, message):
    raw = {**BASE, "transfer": {**BASE["transfer"], "conditional": section}}
    with pytest.raises(ScenarioError) as err:
        build_scenario(raw, source="s.yaml", base_dir=".")
    lines = str(err.value).splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"s.yaml: {message}")


def test_compare_any_set_of_policies_differences_against_the_first():
    import json

    from typer.testing import CliRunner

    from callsim.cli.app import app

    result = CliRunner().invoke(app, [
        "compare", "scenarios/conditional_warm.yaml", "--policy", "cold", "--policy", "warm",
        "--policy", "conditional", "--reps", "2", "--workers", "1", "--json",
        "--set", "horizon.duration=1h"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert list(doc["policies"]) == ["cold", "warm", "conditional"]
    assert list(doc["differences_vs_first"]) == ["warm - cold", "conditional - cold"]
    warm = doc["policies"]["warm"]["metrics"]["overall"]["wait_mean"]["mean"]
    cold = doc["policies"]["cold"]["metrics"]["overall"]["wait_mean"]["mean"]
    got = doc["differences_vs_first"]["warm - cold"]["overall"]["wait_mean"]["mean"]
    assert got == pytest.approx(warm - cold)
    # --policy and --policies are one option (issue 18 item 15): the names add up.
    both = CliRunner().invoke(app, ["compare", "scenarios/conditional_warm.yaml", "--policy",
                                    "cold", "--policies", "warm,bogus"])
    assert both.exit_code == 2 and "unknown policy 'bogus'" in both.output
