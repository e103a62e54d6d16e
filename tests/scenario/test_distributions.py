"""Distributions: parameters as durations, sample moments, constraints, empirical files."""

from __future__ import annotations

import math
import pickle
from pathlib import Path

import numpy as np
import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from callsim.scenario.distributions import (
    Deterministic,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Uniform,
)
from callsim.scenario.errors import validation_problems

N = 200_000
ADAPTER = TypeAdapter(Distribution)


def _lognormal_kurtosis(cv: float) -> float:
    s2 = math.log1p(cv**2)
    return math.exp(4 * s2) + 2 * math.exp(3 * s2) + 3 * math.exp(2 * s2) - 6


# (distribution, theoretical mean, theoretical sd, excess kurtosis), all in seconds
CASES = [
    (Exponential(mean="3min"), 180.0, 180.0, 6.0),
    (Lognormal(mean="4min", sd="3min"), 240.0, 180.0, _lognormal_kurtosis(0.75)),
    (Lognormal(mean="6min", sd="5min"), 360.0, 300.0, _lognormal_kurtosis(5 / 6)),
    (Gamma(mean="65s", sd="30s"), 65.0, 30.0, 6 / (65 / 30) ** 2),
    (Gamma(mean=10, sd=20), 10.0, 20.0, 6 / 0.25),
    (Uniform(low="30s", high="1.5min"), 60.0, 60 / math.sqrt(12), -1.2),
]


@pytest.mark.parametrize(("dist", "mean", "sd", "kurtosis"), CASES, ids=lambda c: str(c)[:30])
def test_sample_moments(dist: object, mean: float, sd: float, kurtosis: float) -> None:
    x = dist.sample(np.random.default_rng(20240601), N)
    assert x.dtype == np.float64 and x.shape == (N,)
    assert dist.expected() == pytest.approx(mean)
    # The sample mean has standard error sd / sqrt(n).
    assert abs(x.mean() - mean) < 4 * sd / math.sqrt(N)
    # By the delta method the sample sd has standard error sd * sqrt((kurtosis + 2) / (4 n)),
    # kurtosis being the excess kurtosis: a 4-standard-error band, not a guess.
    assert abs(x.std(ddof=1) - sd) < 4 * sd * math.sqrt((kurtosis + 2) / (4 * N))


def test_empirical_moments() -> None:
    values = np.array([10.0, 20.0, 60.0, 120.0])
    dist = Empirical(values=list(values))
    x = dist.sample(np.random.default_rng(7), N)
    mean, sd = values.mean(), values.std()
    kurtosis = ((values - mean) ** 4).mean() / sd**4 - 3
    assert dist.expected() == pytest.approx(mean)
    assert set(np.unique(x)) == set(values)
    assert abs(x.mean() - mean) < 4 * sd / math.sqrt(N)
    assert abs(x.std(ddof=1) - sd) < 4 * sd * math.sqrt((kurtosis + 2) / (4 * N))


@pytest.mark.parametrize(
    "dist", [Deterministic(value="45s"), Lognormal(mean=45, sd=0), Uniform(low=45, high=45)]
)
def test_constant_distributions(dist: object) -> None:
    x = dist.sample(np.random.default_rng(1), 1000)
    assert np.all(x == 45.0) and dist.expected() == 45.0


@pytest.mark.parametrize("dist", [c[0] for c in CASES] + [Empirical(values=[1, 2])])
def test_same_seed_same_sample_and_empty_batches(dist: object) -> None:
    a = dist.sample(np.random.default_rng(3), 100)
    b = dist.sample(np.random.default_rng(3), 100)
    assert np.array_equal(a, b)
    assert dist.sample(np.random.default_rng(3), 0).shape == (0,)
    assert (a >= 0).all()


def test_parsed_from_mappings_with_duration_strings() -> None:
    dist = ADAPTER.validate_python({"dist": "lognormal", "mean": "4min", "sd": "3min"})
    assert dist == Lognormal(mean=240, sd=180)
    assert ADAPTER.validate_python({"dist": "exponential", "mean": "45s"}).mean == 45.0


def test_frozen_and_picklable() -> None:
    dist = Empirical(values=[1, 2, 3])
    dist.sample(np.random.default_rng(0), 10)  # fills the cached array
    with pytest.raises(ValidationError):
        dist.values = (4,)  # type: ignore[misc]
    copy = pickle.loads(pickle.dumps(dist))
    copy.sample(np.random.default_rng(0), 10)
    assert copy == dist and copy != Empirical(values=[1, 2, 4])


class _Holder(BaseModel):
    d: Distribution


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"dist": "exponential", "mean": 0}, "f.yaml: d.mean: must be > 0"),
        ({"dist": "exponential"}, "f.yaml: d.mean: field required"),
        ({"dist": "lognormal", "mean": 3, "sd": "-1s"}, "f.yaml: d.sd: must be >= 0"),
        ({"dist": "gamma", "mean": 3, "sd": 0}, "f.yaml: d.sd: must be > 0"),
        ({"dist": "deterministic", "value": -1}, "f.yaml: d.value: must be >= 0"),
        ({"dist": "uniform", "low": -1, "high": 3}, "f.yaml: d.low: must be >= 0"),
        ({"dist": "uniform", "low": 5, "high": 3}, "f.yaml: d.high: must be >= low"),
        ({"dist": "empirical"}, "f.yaml: d.values: give values or file"),
        ({"dist": "empirical", "values": [1], "file": "x.csv"}, "f.yaml: d.values: give either"),
        ({"dist": "empirical", "values": []}, "f.yaml: d.values: must not be empty"),
        ({"dist": "empirical", "values": [1, "x"]}, "f.yaml: d.values.1: invalid duration 'x'"),
        ({"dist": "exponential", "mean": 3, "sd": 1}, "f.yaml: d.sd: extra field not permitted"),
        ({"dist": "weibull", "mean": 3}, "f.yaml: d: unknown dist 'weibull' (use one of: "),
        ({"mean": 3}, "f.yaml: d: field 'dist' required"),
        ("3 parsecs", "f.yaml: d: '3 parsecs' is neither a duration"),
        ([3], "f.yaml: d: must be a mapping"),
    ],
)
def test_constraint_errors_name_the_field(raw: object, expected: str) -> None:
    with pytest.raises(ValidationError) as info:
        _Holder.model_validate({"d": raw})
    lines = validation_problems(info.value, "f.yaml", _Holder)
    assert len(lines) == 1 and lines[0].startswith(expected), lines


def _empirical_from(tmp_path: Path, text: str) -> Empirical:
    (tmp_path / "times.csv").write_text(text)
    return ADAPTER.validate_python(
        {"dist": "empirical", "file": "times.csv"}, context={"base_dir": tmp_path}
    )


@pytest.mark.parametrize(
    "text",
    [
        "30\n60\n2min\n",
        "seconds\n30\n60\n120\n",
        "id,value\n1,30\n2,60\n\n3,120\n",
    ],
)
def test_empirical_from_file(tmp_path: Path, text: str) -> None:
    dist = _empirical_from(tmp_path, text)
    assert dist.values == (30.0, 60.0, 120.0) and dist.file == "times.csv"
    assert dist.expected() == 70.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b\n1,2\n", "expected one column or a column named 'value'"),
        ("value\n30\nlots\n", "times.csv row 3: invalid duration 'lots'"),
        ("value\n", "times.csv has no values"),
        ("", "times.csv has no values"),
    ],
)
def test_empirical_file_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        _empirical_from(tmp_path, text)
    assert message in str(info.value)
    assert info.value.errors()[0]["loc"][-1] == "file"


def test_empirical_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="nowhere.csv: file not found"):
        ADAPTER.validate_python(
            {"dist": "empirical", "file": "nowhere.csv"}, context={"base_dir": tmp_path}
        )
