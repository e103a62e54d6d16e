"""Sweep grids: value specs, ``--vary`` specs, sweep files, and their one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from callsim.experiments.grid import (
    Axis,
    Grid,
    GridError,
    parse_interval,
    parse_values,
    point_overrides,
    read_sweep_file,
)


def one_line(exc: pytest.ExceptionInfo[GridError]) -> str:
    message = str(exc.value)
    assert message and "\n" not in message, message
    return message


# --- parse_values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("8,10,12", (8, 10, 12)),
        ("cold,warm", ("cold", "warm")),
        ("0.1,0.2", (0.1, 0.2)),
        (" 8 , 10 ", (8, 10)),
        ("8,", (8,)),  # an empty item is skipped
        ("12", (12,)),
        ("0.25", (0.25,)),
        ("warm", ("warm",)),
        ("8:16", (8, 9, 10, 11, 12, 13, 14, 15, 16)),
        ("8:16:2", (8, 10, 12, 14, 16)),
        ("8:15:2", (8, 10, 12, 14)),  # the stop is included only when on the step
        ("8:16:2.0", (8, 10, 12, 14, 16)),
        ("16:16", (16,)),
        ("-2:2", (-2, -1, 0, 1, 2)),
        (" 8 : 12 : 2 ", (8, 10, 12)),
        ("0:0.4:3", (0.0, 0.2, 0.4)),
        ("0.0:1:2", (0.0, 1.0)),
        ("1e-1:3e-1:3", (0.1, 0.2, 0.3)),
    ],
)
def test_parse_values(spec, expected):
    values = parse_values(spec)
    assert values == expected
    assert [type(v) for v in values] == [type(v) for v in expected]


def test_integer_ranges_are_ints():
    assert all(type(v) is int for v in parse_values("8:16:2"))


def test_float_grid_has_count_points_and_exact_endpoints():
    values = parse_values("0:0.4:9")
    assert len(values) == 9
    assert values[0] == 0.0 and values[-1] == 0.4  # exactly, not 0.4000000000000001
    assert all(type(v) is float for v in values)
    assert values == (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
    assert list(values) == sorted(values)


def test_float_grid_may_descend():
    assert parse_values("0.4:0:3") == (0.4, 0.2, 0.0)


def test_yaml_items_keep_clock_times_as_strings():
    # The project's YAML loader has no base-60 numbers: 8:30 inside a list stays text.
    assert parse_values("8:30,9:00") == ("8:30", "9:00")


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("16:8", "empty grid"),
        ("", "empty grid"),
        (" , ,", "empty grid"),
        ("0:0.4", "start:stop:count"),
        ("0.0:1", "start:stop:count"),
        ("0:0.4:2.5", "integer >= 2"),
        ("0:0.4:1", "integer >= 2"),
        ("0:0.4:0", "integer >= 2"),
        ("0:0.4:-3", "integer >= 2"),
        ("8:16:0", "positive integer"),
        ("8:16:-2", "positive integer"),
        ("8:16:1.5", "positive integer"),
    ],
)
def test_parse_values_errors(spec, words):
    with pytest.raises(GridError) as exc:
        parse_values(spec)
    message = one_line(exc)
    assert words in message
    assert f"'{spec}'" in message  # names the offending spec


def test_grid_error_is_a_value_error():
    assert issubclass(GridError, ValueError)


# --- Grid.from_specs and points ------------------------------------------------------------------


def test_from_specs_axes_and_paths():
    grid = Grid.from_specs(["departments.billing.agents=8:12:2", " transfer.policy = cold,warm"])
    assert grid.axes == (Axis("departments.billing.agents", (8, 10, 12)),
                         Axis("transfer.policy", ("cold", "warm")))
    assert grid.paths == ["departments.billing.agents", "transfer.policy"]
    assert grid.describe() == [{"path": "departments.billing.agents", "values": [8, 10, 12]},
                               {"path": "transfer.policy", "values": ["cold", "warm"]}]


def test_points_last_axis_fastest():
    grid = Grid.from_specs(["a=1,2", "b=x,y,z", "c=0.5"])
    assert grid.points() == [
        {"a": 1, "b": "x", "c": 0.5}, {"a": 1, "b": "y", "c": 0.5}, {"a": 1, "b": "z", "c": 0.5},
        {"a": 2, "b": "x", "c": 0.5}, {"a": 2, "b": "y", "c": 0.5}, {"a": 2, "b": "z", "c": 0.5},
    ]
    assert [list(p) for p in grid.points()] == [["a", "b", "c"]] * 6  # keys in axis order


def test_single_axis_points():
    assert Grid.from_specs(["a=3:5"]).points() == [{"a": 3}, {"a": 4}, {"a": 5}]


def test_point_overrides_are_set_style():
    assert point_overrides({"a.b": 12, "c": 0.1, "d": "warm"}) == ["a.b=12", "c=0.1", 'd="warm"']


@pytest.mark.parametrize("text", ["departments.billing.agents", "=8,10", "  =8"])
def test_from_specs_missing_path_or_equals(text):
    with pytest.raises(GridError) as exc:
        Grid.from_specs([text])
    message = one_line(exc)
    assert f"`vary` {text}" in message and "PATH=SPEC" in message


def test_from_specs_bad_values_name_the_path():
    with pytest.raises(GridError) as exc:
        Grid.from_specs(["a=1,2", "departments.billing.agents=16:8"])
    assert one_line(exc) == "`vary` departments.billing.agents: '16:8': empty grid"


def test_from_specs_duplicate_path():
    with pytest.raises(GridError) as exc:
        Grid.from_specs(["a=1,2", "b=3", "a=4"])
    assert one_line(exc) == "`vary` a: given twice"


def test_from_specs_nothing_to_sweep():
    with pytest.raises(GridError) as exc:
        Grid.from_specs([])
    assert "nothing to sweep" in one_line(exc)


# --- sweep files -------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "sweep.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_read_sweep_file(tmp_path):
    path = write(tmp_path, """
vary:
  departments.billing.agents: 8:12:2
  call_types.support.misroute.billing: [0.0, 0.2]
  transfer.warm.max_hold: 60
  horizon.duration: 2h,4h
policies: [warm, cold]
reps: 7
seed: 3
""")
    spec = read_sweep_file(path)
    assert set(spec) == {"grid", "policies", "reps", "seed"}
    assert spec["grid"].axes == (
        Axis("departments.billing.agents", (8, 10, 12)),
        Axis("call_types.support.misroute.billing", (0.0, 0.2)),
        Axis("transfer.warm.max_hold", (60,)),
        Axis("horizon.duration", ("2h", "4h")),
    )
    assert spec["policies"] == ["warm", "cold"]
    assert spec["reps"] == 7 and spec["seed"] == 3
    assert len(spec["grid"].points()) == 3 * 2 * 1 * 2


def test_read_sweep_file_optional_keys_and_policy_text(tmp_path):
    assert set(read_sweep_file(write(tmp_path, "vary: {a: 1:3}\n"))) == {"grid"}
    spec = read_sweep_file(write(tmp_path, "vary: {a: 1}\npolicies: cold,warm\nseed: 0\n"))
    assert spec["policies"] == ["cold", "warm"] and spec["seed"] == 0


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("vary: {a: 1,2}\nrepetitions: 3\n", "repetitions: unknown key"),
        ("vary: {a: 1,2}\nreps: 3\nworkers: 2\n", "workers: unknown key"),
        ("policies: [cold, warm]\n", "vary: a mapping"),
        ("vary: [a, b]\n", "vary: a mapping"),
        ("vary: a=1,2\n", "vary: a mapping"),
        ("- 1\n- 2\n", "vary: a mapping"),
        ("", "vary: a mapping"),
        ("vary: {a: 1,2}\nreps: -1\n", "reps: must be an integer >= 1"),
        ("vary: {a: 1,2}\nreps: ten\n", "reps: must be an integer >= 1"),
        ("vary: {a: 1,2}\nreps: 2.5\n", "reps: must be an integer >= 1"),
        ("vary: {a: 1,2}\nreps: true\n", "reps: must be an integer >= 1"),
        ("vary: {a: 1,2}\nseed: -3\n", "seed: must be an integer >= 0"),
        ("vary: {a: 16:8}\n", "vary.a: '16:8': empty grid"),
        ("vary: {a: []}\n", "vary.a: empty grid"),
        ("vary: {a: 0:0.4}\n", "vary.a: '0:0.4': a float grid needs start:stop:count"),
        ("vary: {a: [1, 2\n", "cannot read"),
    ],
)
def test_read_sweep_file_errors(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(GridError) as exc:
        read_sweep_file(path)
    message = one_line(exc)
    assert message.startswith(f"{path}: "), message  # names the file
    assert words in message


def test_read_sweep_file_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(GridError) as exc:
        read_sweep_file(path)
    assert one_line(exc) == f"{path}: file not found"


def test_read_sweep_file_empty_vary_names_the_file(tmp_path):
    path = write(tmp_path, "vary: {}\n")
    with pytest.raises(GridError) as exc:
        read_sweep_file(path)
    assert one_line(exc).startswith(f"{path}: vary: nothing to sweep")


def test_read_sweep_file_needs_a_replication(tmp_path):
    path = write(tmp_path, "vary: {a: 1,2}\nreps: 0\nseed: 0\n")
    with pytest.raises(GridError) as exc:
        read_sweep_file(path)
    assert one_line(exc) == f"{path}: reps: must be an integer >= 1"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("30s:2min:3", (30.0, 75.0, 120.0)),
        ("10s:4min:2", (10.0, 240.0)),
        ("10%:40%:4", (0.1, 0.2, 0.3, 0.4)),
        ("10%,20%", (0.1, 0.2)),
        ("30s,1min", ("30s", "1min")),  # strings, read as durations by the scenario, as --set
    ],
)
def test_grids_take_values_as_set_does(spec, expected):
    # Issue 18 item 5: "invalid duration '30s:2min:3'" while --set takes durations.
    values = parse_values(spec)
    if isinstance(expected[0], float):
        assert values == pytest.approx(expected)
    else:
        assert values == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("transfer.warm.handoff_time.mean=10s:4min", (10.0, 240.0, False)),
        ("call_types.support.misroute.billing=10%:40%", (0.1, 0.4, False)),
        ("departments.billing.agents=0:1e3", (0.0, 1000.0, True)),
    ],
)
def test_a_break_even_interval_takes_values_as_set_does(text, expected):
    _, lo, hi, integer = parse_interval(text)
    assert lo == pytest.approx(expected[0]) and hi == pytest.approx(expected[1])
    assert integer is expected[2]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("transfer.warm.handoff_time.mean=10 parsecs:4min", "not a number, a duration"),
        ("departments.billing.agents=8.5:10", "agents takes whole numbers"),
        ("transfer.warm.handoff_time.mean=4min:10s", "LO must be below HI"),
        ("x=1:2:3", "expected FIELD=LO:HI"),
    ],
)
def test_a_break_even_interval_names_the_problem(text, words):
    with pytest.raises(GridError) as exc:
        parse_interval(text)
    assert words in one_line(exc)


def test_a_range_with_units_needs_a_count():
    with pytest.raises(GridError) as exc:
        parse_values("30s:2min")
    assert "start:stop:count" in one_line(exc)
