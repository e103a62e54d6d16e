"""Behaviour is unchanged bit for bit: the golden outputs recorded before the layer move.

New metrics and columns may be added later (they are part of later issues); every number that
was recorded must still be there with exactly the same value.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.golden.regenerate import HERE, SCENARIOS, documents, sweep_table


@pytest.fixture(scope="module")
def current_documents() -> dict[str, dict]:
    return documents()


@pytest.mark.parametrize("kind", ["run", "compare"])
@pytest.mark.parametrize("scenario", [p.stem for p in SCENARIOS])
def test_json_documents_are_unchanged(current_documents, kind, scenario):
    name = f"{kind}_{scenario}.json"
    expected = json.loads((HERE / name).read_text())
    actual = json.loads(json.dumps(current_documents[name], sort_keys=True))
    assert_contains(actual, expected, name)


def assert_contains(actual, expected, where: str) -> None:
    """Every key and value of ``expected`` is in ``actual``, exactly (new keys allowed)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), where
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} is missing"
            assert_contains(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list):  # e.g. per-interval entries, which may gain keys too
        assert isinstance(actual, list) and len(actual) == len(expected), where
        for i, (got, value) in enumerate(zip(actual, expected, strict=True)):
            assert_contains(got, value, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def test_sweep_table_is_unchanged(tmp_path):
    expected = pd.read_parquet(HERE / "sweep_small.parquet")
    actual = sweep_table(tmp_path)
    pd.testing.assert_frame_equal(actual[list(expected.columns)], expected, check_exact=True)
