"""Durations and clock times: numbers are seconds, strings carry a unit."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from callsim.scenario.durations import (
    UNITS,
    ClockTime,
    PositiveSeconds,
    Seconds,
    parse_clock,
    parse_duration,
)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (90, 90.0),
        (2.5, 2.5),
        ("90", 90.0),
        ("45s", 45.0),
        ("45 s", 45.0),
        ("10sec", 10.0),
        ("250ms", 0.25),
        ("3min", 180.0),
        (" 3 min ", 180.0),
        ("1.5h", 5400.0),
        ("2hr", 7200.0),
        ("1d", 86400.0),
        (".5h", 1800.0),
        ("1e3", 1000.0),
        ("0", 0.0),
        ("-3s", -3.0),  # parsed; the Seconds type rejects it
        ("3MIN", 180.0),
        (np.int64(7), 7.0),  # sweeps may build values with numpy
        (np.float32(0.5), 0.5),
    ],
)
def test_units_and_numbers(value: object, seconds: float) -> None:
    assert parse_duration(value) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "value", ["3 parsecs", "", "min", "3 min 2 s", "1,5h", "abc", "inf", None, True, [1], "3m"]
)
def test_bad_durations(value: object) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(value)


def test_message_names_the_value_and_the_units() -> None:
    with pytest.raises(ValueError) as info:
        parse_duration("3 parsecs")
    assert str(info.value).startswith("invalid duration '3 parsecs' (use seconds or a unit: ")
    assert "min" in str(info.value)


def test_bare_m_is_refused_as_ambiguous() -> None:
    with pytest.raises(ValueError, match="ambiguous"):
        parse_duration("5m")


def test_non_finite_numbers_are_refused() -> None:
    with pytest.raises(ValueError, match="finite"):
        parse_duration(math.inf)


@given(st.floats(min_value=0, max_value=1e6), st.sampled_from(sorted(UNITS)))
def test_number_with_unit_is_number_times_unit(x: float, unit: str) -> None:
    assert parse_duration(f"{x!r}{unit}") == pytest.approx(x * UNITS[unit])


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("00:00", 0), ("08:00", 28800), ("8:30", 30600), ("23:59:59", 86399), ("24:00", 86400),
     ("12:00:30.5", 43230.5), (3600, 3600)],
)
def test_clock_times(value: object, seconds: float) -> None:
    assert parse_clock(value) == seconds


@pytest.mark.parametrize(
    "value", ["25:00", "24:01", "12:60", "12:00:60", "noon", "12", "", -1, None]
)
def test_bad_clock_times(value: object) -> None:
    with pytest.raises(ValueError, match="invalid clock time"):
        parse_clock(value)


def test_pydantic_types() -> None:
    seconds, positive, clock = (TypeAdapter(t) for t in (Seconds, PositiveSeconds, ClockTime))
    assert seconds.validate_python("4min") == 240.0
    assert seconds.validate_python(0) == 0.0
    assert positive.validate_python("1.5h") == 5400.0
    assert clock.validate_python("08:00") == 28800.0
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        seconds.validate_python("-1s")
    with pytest.raises(ValidationError, match="greater than 0"):
        positive.validate_python("0s")
    with pytest.raises(ValidationError, match="invalid duration '3 parsecs'"):
        seconds.validate_python("3 parsecs")
