"""The headline's trade-off clause (issue 18 item 12): both sides, from the paired differences."""

from __future__ import annotations

import pandas as pd

from callsim.report.headline import tradeoff_phrase


def differences(**rows: tuple[float, bool]) -> pd.DataFrame:
    """``support_abandon_rate=(-0.006, True)`` -> a row of ``call_types.support.abandon_rate``."""
    out = []
    for key, (mean, significant) in rows.items():
        name, metric = key.split("__")
        out.append({"metric": f"call_types.{name}.{metric}", "mean": mean,
                    "significant": significant})
    return pd.DataFrame(out)


def test_the_price_paid_by_the_first_department_is_named() -> None:
    diffs = differences(support__abandon_rate=(-0.006, True), billing__abandon_rate=(0.003, True),
                        billing__service_level=(-0.014, True), support__service_level=(0.01, True))
    assert tradeoff_phrase(diffs) == ("in exchange, billing callers' abandonment rises 0.3 points "
                                      "and service level falls 1.4 points")


def test_changes_that_go_the_same_way_or_are_not_significant_are_no_price() -> None:
    diffs = differences(support__abandon_rate=(-0.006, True), billing__abandon_rate=(-0.001, True),
                        billing__service_level=(-0.014, False))
    assert tradeoff_phrase(diffs) == ("no call type's abandonment or service level gets "
                                      "significantly worse")


def test_when_b_is_behind_the_price_is_what_a_costs() -> None:
    diffs = differences(support__abandon_rate=(0.02, True), billing__service_level=(0.01, True))
    assert tradeoff_phrase(diffs) == "in exchange, billing callers' service level rises 1.0 points"


def test_no_gain_no_tradeoff() -> None:
    assert tradeoff_phrase(differences(billing__service_level=(-0.01, True))) == ""
