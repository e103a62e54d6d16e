"""``--calls-out``: codes as labelled categories, a clock-time column, a pandas round trip."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from callsim.cli.app import app
from tests.shared import REFERENCE

SCENARIO = str(REFERENCE)
#: The documented labels, in code order.
LABELS = {
    "outcome": ["resolved", "abandoned", "dropped", "unfinished", "unreached"],
    "abandon_stage": ["none", "first_queue", "after_transfer", "on_hold"],
    "transfer_kind": ["none", "cold", "warm", "warm_to_cold", "in_place", "callback",
                      "hold_to_callback"],
}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    folder = tmp_path_factory.mktemp("records")
    for name in ("calls.parquet", "calls.csv"):
        result = CliRunner().invoke(app, [
            "run", SCENARIO, "--seed", "4", "--workers", "1", "--set", "horizon.duration=2h",
            "--set", "horizon.start=08:00", "--calls-out", str(folder / name)])
        assert result.exit_code == 0, result.output
    return folder


def test_parquet_codes_are_labelled_categories(written):
    calls = pd.read_parquet(written / "calls.parquet")
    for column, labels in LABELS.items():
        assert isinstance(calls[column].dtype, pd.CategoricalDtype), column
        assert list(calls[column].cat.categories) == labels
    for column in ("call_type", "first_department"):
        assert isinstance(calls[column].dtype, pd.CategoricalDtype), column
        assert set(calls[column].cat.categories) == {"billing", "support"}
    assert set(calls["outcome"]) >= {"resolved"}


def test_clock_time_column_follows_arrival_from_horizon_start(written):
    calls = pd.read_parquet(written / "calls.parquet")
    columns = list(calls.columns)
    assert columns[columns.index("arrival") + 1] == "arrival_clock"
    first = calls.sort_values("arrival").iloc[0]
    seconds = 8 * 3600 + int(first["arrival"])  # the horizon starts at 08:00
    assert first["arrival_clock"] == (
        f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}")
    assert calls["arrival_clock"].str.fullmatch(r"(08|09):\d\d:\d\d").all()


def test_csv_holds_the_same_records_as_parquet(written):
    parquet = pd.read_parquet(written / "calls.parquet")
    csv = pd.read_csv(written / "calls.csv", dtype={c: "category" for c in LABELS})
    for column, labels in LABELS.items():
        csv[column] = csv[column].cat.set_categories(labels)
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False, check_categorical=False)
