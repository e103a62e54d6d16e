"""Which metric rows the terminal tables show (issue 18 item 10): callsim.cli.metric_rows."""

from __future__ import annotations

import math

import pandas as pd

from callsim.cli.metric_rows import hidden_note, shown_keys, unused_metrics


def frame(values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"mean": values})


def test_a_metric_is_unused_only_when_zero_in_every_row_of_every_policy():
    cold = frame({"overall.redials": 0.0, "call_types.a.transfers_warm": 0.0,
                  "overall.callback_delay_mean": math.nan, "overall.customers": 10.0,
                  "overall.calls_per_customer": 1.0, "overall.drop_rate": 0.01})
    warm = frame({"overall.redials": 0.0, "call_types.a.transfers_warm": 3.0,
                  "overall.callback_delay_mean": math.nan, "overall.customers": 10.0,
                  "overall.calls_per_customer": 1.0, "overall.drop_rate": 0.0})
    hidden = unused_metrics([cold, warm])
    assert hidden == ["redials", "callback_delay_mean", "customers", "calls_per_customer"]
    assert shown_keys(list(cold.index), hidden) == ["call_types.a.transfers_warm",
                                                    "overall.drop_rate"]


def test_with_redials_the_customer_metrics_stay():
    used = frame({"overall.redials": 4.0, "overall.customers": 10.0,
                  "overall.calls_per_customer": 1.4})
    assert unused_metrics([used]) == []
    assert hidden_note([]) == ""
    assert "Redials" in hidden_note(["redials"]) and "--all-metrics" in hidden_note(["redials"])


# -- issue 18 item 11: costs in words, with the scenario's currency --------------------------------


def test_costs_say_their_currency_and_period():
    from callsim.report.headline import cost_unit
    from callsim.scenario.loading import load_scenario
    from tests.shared import REFERENCE

    reference = load_scenario(REFERENCE)
    assert reference.costs.currency is None
    assert cost_unit(reference) == "per 12 h horizon"
    day = reference.model_copy(update={
        "horizon": reference.horizon.model_copy(update={"duration": 86400.0}),
        "costs": reference.costs.model_copy(update={"currency": "EUR"})})
    assert cost_unit(day) == "EUR per day"


def test_compare_heads_costs_with_the_currency_and_puts_it_in_the_answer():
    from tests.shared import REFERENCE, invoke_cli

    result = invoke_cli("compare", str(REFERENCE), "--reps", "3", "--seed", "1", "--workers",
                        "1", "--set", "horizon.duration=2h", "--set", "costs.currency=EUR")
    assert result.exit_code == 0, result.output
    assert "│ costs (EUR per 2 h horizon)" in result.stdout
    first = result.stdout.splitlines()[0]
    assert " EUR " in first and "EUR)" in first


def test_a_currency_with_a_space_is_refused():
    from tests.shared import REFERENCE, invoke_cli

    result = invoke_cli("run", str(REFERENCE), "--set", "costs.currency=US dollar")
    assert result.exit_code == 2
    assert "costs.currency" in result.output and "Traceback" not in result.output
