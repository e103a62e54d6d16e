"""Rewrite ``small_compare_expected.csv``, the back-test of ``compare`` on a small scenario.

Regenerate only on purpose: when a change to the model, the random streams or the statistics is
meant to change the numbers. Run ``python tests/golden/pinned_compare/regenerate.py`` from the
repository root, review the diff of the CSV, and say why the numbers changed in the commit message.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from callsim.experiments.comparison import compare
from callsim.experiments.execution import Execution
from callsim.scenario.loading import load_scenario

#: Replications in this process (the numbers are the same on any executor).
SERIAL = Execution(workers=1)

HERE = Path(__file__).resolve().parent
SCENARIO = HERE / "small_compare.yaml"
EXPECTED = HERE / "small_compare_expected.csv"
REPS, SEED = 5, 2024
COLUMNS = ["table", "policy", "metric", "mean", "ci_low", "ci_high"]
FLOAT_FORMAT = "%.10g"


def backtest_table() -> pd.DataFrame:
    """The summary and the paired differences of the back-test, in one long table."""
    result = compare(load_scenario(SCENARIO), reps=REPS, seed=SEED, execution=SERIAL)
    assert result.difference is not None
    summary = result.summary.assign(table="summary")
    differences = result.differences.assign(table="differences",
                                            policy=" - ".join(result.difference))
    return pd.concat([summary, differences], ignore_index=True)[COLUMNS]


def main() -> None:
    backtest_table().to_csv(EXPECTED, index=False, float_format=FLOAT_FORMAT, na_rep="NaN")
    print(f"wrote {EXPECTED}")


if __name__ == "__main__":
    main()
