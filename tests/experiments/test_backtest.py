"""Back-test: ``compare`` on a small scenario reproduces the pinned summary and differences."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.experiments.backtest.regenerate import COLUMNS, EXPECTED, backtest_table

NUMBERS = ["mean", "ci_low", "ci_high"]


def test_compare_matches_the_pinned_numbers():
    expected = pd.read_csv(EXPECTED, keep_default_na=False, na_values=["NaN"])
    actual = backtest_table()
    assert list(expected.columns) == COLUMNS
    # Same rows in the same order: tables, policies and metric keys.
    keys = ["table", "policy", "metric"]
    assert actual[keys].to_numpy().tolist() == expected[keys].to_numpy().tolist()
    assert set(actual["table"]) == {"summary", "differences"}
    assert set(actual["policy"]) == {"cold", "warm", "warm - cold"}
    np.testing.assert_allclose(actual[NUMBERS].to_numpy(float), expected[NUMBERS].to_numpy(float),
                               rtol=1e-9, atol=1e-12, equal_nan=True)
