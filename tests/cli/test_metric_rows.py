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
