"""Pinned numbers: `compare` on a small scenario reproduces the committed summary and
differences."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.golden.pinned_compare.regenerate import COLUMNS, EXPECTED, backtest_table

NUMBERS = ["mean", "ci_low", "ci_high"]


def test_compare_matches_the_pinned_numbers():
    expected = pd.read_csv(EXPECTED, keep_default_na=False, na_values=["NaN"])
    actual = backtest_table()
    assert list(expected.columns) == COLUMNS
    # Every pinned row, in the same order (metrics added later are allowed, as in tests/golden).
    keys = ["table", "policy", "metric"]
    pinned = set(map(tuple, expected[keys].to_numpy().tolist()))
    actual = actual[[tuple(k) in pinned for k in actual[keys].to_numpy().tolist()]]
    assert actual[keys].to_numpy().tolist() == expected[keys].to_numpy().tolist()
    assert set(actual["table"]) == {"summary", "differences"}
    assert set(actual["policy"]) == {"cold", "warm", "warm - cold"}
    np.testing.assert_allclose(actual[NUMBERS].to_numpy(float), expected[NUMBERS].to_numpy(float),
                               rtol=1e-9, atol=1e-12, equal_nan=True)
