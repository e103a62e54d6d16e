"""Cross-trained agents (docs/model.md 3, ``departments.D.resolves``): timeline, limit, validation.

Base scenario (tests/engine/timeline.py): billing and support, one agent each; identify 10 s,
billing handle 50 s, support handle 100 s.
"""

from __future__ import annotations

import pytest

from callsim import ScenarioError, build_scenario, compute_metrics, load_scenario, simulate
from callsim.engine.records import Outcome, TransferKind
from tests.engine.timeline import BASE, row, run_log
from tests.shared import assert_same_simulation

RESOLVES = "departments.billing.resolves"


@pytest.mark.parametrize("policy", ["cold", "warm", "conditional", "callback"])
def test_a_call_resolved_in_place(tmp_path, policy):
    # Billing identifies 0-10, then handles 100 x 1.5 = 150 itself -> ends 160; the billing
    # caller at 5 waits until 160 -> 210. No transfer, no second agent, under every policy.
    r = run_log(tmp_path, [(0, "misrouted"), (5, "billing")],
                {RESOLVES: {"misrouted": {"share": 1.0, "handle_factor": 1.5}}}, policy=policy)
    call = row(r, 0)
    assert (call["answer"], call["transfer"], call["end"]) == (0, 10, 160)
    assert call["answer_after_transfer"] is None and call["agent_after_transfer"] == -1
    assert call["transfer_kind"] == TransferKind.IN_PLACE and call["outcome"] == Outcome.RESOLVED
    assert (row(r, 1)["answer"], row(r, 1)["end"]) == (160, 210)


def test_in_place_metrics_and_busy_time(tmp_path):
    r = run_log(tmp_path, [(0, "misrouted")], {RESOLVES: {"misrouted": {"share": 1.0}}})
    scenario = build_scenario({**BASE, "departments": {
        "billing": {**BASE["departments"]["billing"], "resolves": {"misrouted": {"share": 1.0}}},
        "support": BASE["departments"]["support"]}}, source="s.yaml", base_dir=".")
    m = compute_metrics(r, scenario)
    assert m["overall.resolved_in_place"] == 1 and m["overall.transfers_cold"] == 0
    assert m["departments.billing.identifying"] == pytest.approx(10 / 3600)
    assert m["departments.billing.handling"] == pytest.approx(100 / 3600)
    assert m["overall.wait_mean"] == 0 and m["departments.support.handling"] == 0


def test_share_zero_is_no_option():
    scenario = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=2h"])
    zero = load_scenario("scenarios/billing_support.yaml", [
        "horizon.duration=2h", "departments.billing.resolves={support: {share: 0.0}}"])
    assert_same_simulation(scenario, zero, seed=5)


def test_share_resolves_about_that_share():
    scenario = load_scenario("scenarios/billing_support.yaml", [
        "horizon.duration=4h", "departments.billing.resolves={support: {share: 0.5}}"])
    m = compute_metrics(simulate(scenario, "cold", seed=2), scenario)
    misrouted = m["overall.resolved_in_place"] + m["overall.transfers_cold"]
    # Binomial(n, 1/2): 4 standard deviations either side.
    half, sd = misrouted / 2, (misrouted / 4) ** 0.5
    assert abs(m["overall.resolved_in_place"] - half) < 4 * sd


@pytest.mark.parametrize(("resolves", "message"), [
    ({"billing": {"share": 0.5}},
     "departments.billing.resolves.billing: 'billing' resolves billing calls already"),
    ({"nosuch": {"share": 0.5}}, "departments.billing.resolves.nosuch: no call type named"),
    ({"misrouted": {"share": 1.5}}, "departments.billing.resolves.misrouted.share:"),
    ({"misrouted": {"share": 0.5, "handle_factor": 0}},
     "departments.billing.resolves.misrouted.handle_factor:"),
    ({"misrouted": {}}, "departments.billing.resolves.misrouted.share:"),
])
def test_validation(resolves, message):
    raw = {**BASE, "departments": {
        "billing": {**BASE["departments"]["billing"], "resolves": resolves},
        "support": BASE["departments"]["support"]}}
    with pytest.raises(ScenarioError) as err:
        build_scenario(raw, source="s.yaml", base_dir=".")
    lines = str(err.value).splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"s.yaml: {message}"), lines
