"""Scenario files: the reference loads as MODEL.md says, every error names its field."""

from __future__ import annotations

import copy
import hashlib
import pickle
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from callsim.cli import app as app_module
from callsim.cli.common import load_or_exit
from callsim.scenario.distributions import Deterministic, Exponential, Lognormal
from callsim.scenario.errors import ScenarioError
from callsim.scenario.loading import apply_overrides, build_scenario, load_scenario
from tests.shared import REFERENCE, ROOT, SCENARIOS

MODEL_MD = ROOT.parent / "shared" / "MODEL.md"
SOURCE = "scenarios/x.yaml"
DELETE = object()


@pytest.fixture
def raw() -> dict[str, Any]:
    return yaml.safe_load(REFERENCE.read_text())


def build(raw: dict[str, Any], overrides: tuple[str, ...] = (), base_dir: Path = SCENARIOS):
    return build_scenario(raw, SOURCE, base_dir, overrides)


def problems(raw: dict[str, Any], overrides: tuple[str, ...] = (), base_dir: Path = SCENARIOS):
    with pytest.raises(ScenarioError) as info:
        build(raw, overrides, base_dir)
    assert "Traceback" not in str(info.value)
    return info.value.problems


def mutate(raw: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    node = raw
    for key in path[:-1]:
        node = node.setdefault(key, {})
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return raw


# -- the reference scenario ---------------------------------------------------------------------


#: SHA-256 of the reference scenario block of the spec (MODEL.md section 5), pinned so that the
#: reference file is checked against the spec in every checkout, the spec beside it or not.
SPEC_REFERENCE_SHA256 = "94f011681b11846455bc41889ef47cb65aa1ec16eefd0f88e83becd80424965d"


def test_reference_file_is_model_md_verbatim() -> None:
    assert hashlib.sha256(REFERENCE.read_bytes()).hexdigest() == SPEC_REFERENCE_SHA256
    if MODEL_MD.exists():  # the spec itself, where it is beside the checkout: the pin is current
        block = re.search(r"```yaml\n(.*?)```", MODEL_MD.read_text(), re.S)
        assert block is not None
        assert hashlib.sha256(block.group(1).encode()).hexdigest() == SPEC_REFERENCE_SHA256


def test_reference_scenario_means_what_model_md_says() -> None:
    s = load_scenario(REFERENCE)
    assert s.name == "Billing takes support calls"
    assert (s.horizon.duration, s.horizon.interval, s.horizon.n_intervals) == (43200, 1800, 24)
    assert (s.horizon.warmup, s.horizon.drain, s.horizon.start) == (0, True, 8 * 3600)
    assert s.service_level_threshold == 20
    assert s.staffing("billing") == (12,) * 24 and s.staffing("support") == (16,) * 24
    assert s.arrival_rates("billing") == (110.0,) * 24
    assert s.arrival_rates("support") == (130.0,) * 24
    assert s.departments["billing"].wage_per_hour == 28.0
    support = s.call_types["support"]
    assert support.resolved_by == "support" and support.misroute == {"billing": 0.2}
    assert support.handle_time == Lognormal(mean=360, sd=300)
    assert support.patience == Exponential(mean=240)
    assert s.call_types["billing"].misroute == {}
    t = s.transfer
    assert t.policy == "warm" and t.identify_time == Exponential(mean=45)
    assert t.cold.reexplain_time == Exponential(mean=60) and t.cold.drop_probability == 0.02
    assert (t.cold.patience_factor, t.cold.priority) == (1.0, False)
    assert t.warm.handoff_time == Exponential(mean=30) and t.warm.max_hold is None
    assert (t.warm.caller_abandons_on_hold, t.warm.priority) == (False, False)
    assert s.costs.lost_call == 12.0 and s.arrivals_file is None and s.call_log is None


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_scenario_loads(path: Path) -> None:
    s = load_scenario(path)
    for dept in s.departments:
        assert len(s.staffing(dept)) == s.horizon.n_intervals
    for name in s.call_types:
        assert len(s.arrival_rates(name)) == s.horizon.n_intervals


def test_full_day_profile() -> None:
    s = load_scenario(SCENARIOS / "full_day.yaml")
    assert s.horizon.n_intervals == 24 and s.horizon.start == 8 * 3600
    rates = s.arrival_rates("support")
    assert max(rates) == rates[5] and rates[13] > rates[10]  # 10:30 peak, 14:30 bump
    assert s.call_types["billing"].misroute == {"support": 0.05}


def test_defaults(raw: dict[str, Any]) -> None:
    for key in ("warmup", "drain"):
        del raw["horizon"][key]
    del raw["service_level_threshold"], raw["costs"], raw["call_types"]["support"]["misroute"]
    raw["transfer"] = {}
    s = build(raw)
    assert (s.horizon.warmup, s.horizon.drain, s.horizon.start) == (0, True, 8 * 3600)
    assert s.service_level_threshold == 20 and s.costs.lost_call == 0
    t = s.transfer
    assert t.policy == "warm" and t.identify_time == Deterministic(value=0)
    assert t.cold.reexplain_time == Deterministic(value=0)
    assert (t.cold.drop_probability, t.cold.patience_factor, t.cold.priority) == (0, 1, False)
    assert t.warm.handoff_time == Deterministic(value=0) and t.warm.max_hold is None


def test_patience_may_be_null_or_omitted(raw: dict[str, Any]) -> None:
    raw["call_types"]["billing"]["patience"] = None
    del raw["call_types"]["support"]["patience"]
    s = build(raw)
    assert s.call_types["billing"].patience is None and s.call_types["support"].patience is None


def test_per_interval_lists(raw: dict[str, Any]) -> None:
    raw["departments"]["billing"]["agents"] = list(range(24))
    raw["call_types"]["billing"]["arrivals_per_hour"] = [float(i) for i in range(24)]
    s = build(raw)
    assert s.staffing("billing") == tuple(range(24))
    assert s.departments["billing"].agents == tuple(range(24))
    assert s.arrival_rates("billing")[5] == 5.0


def test_last_interval_may_be_shorter(raw: dict[str, Any]) -> None:
    raw["horizon"]["duration"] = 12 * 3600 + 600  # 12 h 10 min
    raw["departments"]["billing"]["agents"] = [12] * 25
    assert build(raw).horizon.n_intervals == 25


def test_frozen(raw: dict[str, Any]) -> None:
    s = build(raw)
    with pytest.raises(Exception, match="frozen"):
        s.name = "x"  # type: ignore[misc]


# -- every error names its field -----------------------------------------------------------------

ERRORS = [
    (("name",), DELETE, "name: field required"),
    (("colour",), "red", "colour: extra field not permitted"),
    (("horizon",), "12h", "horizon: must be a mapping"),
    (("horizon", "duration"), DELETE, "horizon.duration: field required"),
    (("horizon", "duration"), "3 parsecs", "horizon.duration: invalid duration '3 parsecs'"),
    (("horizon", "duration"), 0, "horizon.duration: must be > 0"),
    (("horizon", "warmup"), "12h", "horizon.warmup: must be < duration (43200 s)"),
    (("horizon", "interval"), "13h", "horizon.interval: must be <= duration (43200 s)"),
    (("horizon", "start"), "25:00", "horizon.start: invalid clock time '25:00'"),
    (("horizon", "drain"), "maybe", "horizon.drain: must be true or false"),
    (("horizon", "length"), "1h", "horizon.length: extra field not permitted"),
    (("horizon", "duraton"), "1h",
     "horizon.duraton: extra field not permitted (did you mean 'duration'?)"),
    (("service_level_threshold",), "-5s", "service_level_threshold: must be >= 0"),
    (("departments",), {}, "departments: must not be empty"),
    (("departments", "billing", "agents"), [12] * 23,
     "departments.billing.agents: expected 24 values (one per interval), got 23"),
    (("departments", "billing", "agents"), -1, "departments.billing.agents: must be >= 0"),
    (("departments", "billing", "agents"), 12.5, "departments.billing.agents: must be a whole"),
    (("departments", "billing", "agents"), "many", "departments.billing.agents: must be a whole"),
    (("departments", "billing", "agents"), [12] * 23 + [-1],
     "departments.billing.agents.23: must be >= 0"),
    (("departments", "billing", "agents"), DELETE, "departments.billing.agents: field required"),
    (("departments", "billing", "wage_per_hour"), DELETE,
     "departments.billing.wage_per_hour: field required"),
    (("departments", "billing", "wage_per_hour"), -1,
     "departments.billing.wage_per_hour: must be >= 0"),
    (("departments", "bill.ing"), {"agents": 1, "wage_per_hour": 1},
     "departments.bill.ing: invalid name"),
    (("call_types", "support", "arrivals_per_hour"), [130] * 10,
     "call_types.support.arrivals_per_hour: expected 24 values (one per interval), got 10"),
    (("call_types", "support", "arrivals_per_hour"), -5,
     "call_types.support.arrivals_per_hour: must be >= 0"),
    (("call_types", "support", "arrivals_per_hour"), DELETE,
     "call_types.support.arrivals_per_hour: field required (or give arrivals_file)"),
    (("call_types", "support", "resolved_by"), "sales",
     "call_types.support.resolved_by: no department named 'sales'"),
    (("call_types", "support", "misroute", "sales"), 0.1,
     "call_types.support.misroute.sales: no department named 'sales'"),
    (("call_types", "support", "misroute", "support"), 0.1,
     "call_types.support.misroute.support: 'support' resolves support calls"),
    (("call_types", "support", "misroute", "billing"), 1.5,
     "call_types.support.misroute.billing: must be <= 1"),
    (("call_types", "support", "misroute", "billing"), -0.1,
     "call_types.support.misroute.billing: must be >= 0"),
    (("call_types", "support", "misroute"), {"billing": 0.7, "other": 0.5},
     "call_types.support.misroute: shares sum to 1.2, must be <= 1"),
    (("call_types", "support", "handle_time", "sd"), -1,
     "call_types.support.handle_time.sd: must be >= 0"),
    (("call_types", "support", "handle_time", "dist"), "weibull",
     "call_types.support.handle_time: unknown dist 'weibull' (use one of: exponential"),
    (("call_types", "support", "handle_time"), {"mean": 3},
     "call_types.support.handle_time: field 'dist' required"),
    (("call_types", "support", "handle_time"), DELETE,
     "call_types.support.handle_time: field required"),
    (("call_types", "billing", "patience", "mean"), "0s",
     "call_types.billing.patience.mean: must be > 0"),
    (("call_types", "billing", "colour"), "red",
     "call_types.billing.colour: extra field not permitted"),
    (("call_types", "billing", "arival_per_hour"), 3,
     "call_types.billing.arival_per_hour: extra field not permitted (did you mean "
     "'arrivals_per_hour'?)"),
    (("departments", "billing", "wage"), 3,
     "departments.billing.wage: extra field not permitted (did you mean 'wage_per_hour'?)"),
    (("call_types", "b c"), {"arrivals_per_hour": 1, "resolved_by": "billing",
                             "handle_time": {"dist": "exponential", "mean": 60}},
     "call_types.b c: invalid name"),
    (("transfer", "policy"), "blind", "transfer.policy: must be 'callback', 'cold', 'conditional' "
     "or 'warm'"),
    (("transfer", "identify_time"), DELETE,
     "transfer.identify_time: field required (some calls are misrouted)"),
    (("transfer", "cold", "drop_probability"), 1.5, "transfer.cold.drop_probability: must be <= 1"),
    (("transfer", "cold", "patience_factor"), 0, "transfer.cold.patience_factor: must be > 0"),
    (("transfer", "cold", "reexplain_time"), {"dist": "uniform", "low": 60, "high": 30},
     "transfer.cold.reexplain_time.high: must be >= low (60 s)"),
    (("transfer", "warm", "max_hold"), 0, "transfer.warm.max_hold: must be > 0"),
    (("transfer", "warm", "handoff_time"), {"dist": "empirical"},
     "transfer.warm.handoff_time.values: give values or file"),
    (("transfer", "warm", "priority"), "sometimes",
     "transfer.warm.priority: must be true or false"),
    (("costs", "lost_call"), -1, "costs.lost_call: must be >= 0"),
    (("arrivals_file",), "missing.csv", "arrivals_file: missing.csv: file not found"),
]


@pytest.mark.parametrize(("path", "value", "expected"), ERRORS, ids=[e[2][:50] for e in ERRORS])
def test_each_error_is_one_line_naming_its_field(
    raw: dict[str, Any], path: tuple[str, ...], value: Any, expected: str
) -> None:
    lines = problems(mutate(raw, path, value))
    assert lines == [lines[0]] and lines[0].startswith(f"{SOURCE}: {expected}"), lines


def test_several_problems_are_all_reported(raw: dict[str, Any]) -> None:
    raw["horizon"]["drain"] = "maybe"
    raw["costs"]["lost_call"] = -1
    lines = problems(raw)
    assert len(lines) == 2 and str(ScenarioError(lines)) == "\n".join(lines)


def test_identify_time_needed_only_with_misroutes(raw: dict[str, Any]) -> None:
    del raw["transfer"]["identify_time"]
    raw["call_types"]["support"]["misroute"] = {"billing": 0}
    assert build(raw).transfer.identify_time == Deterministic(value=0)


def test_empirical_file_is_relative_to_the_scenario(raw: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "handle.csv").write_text("value\n100\n200\n")
    raw["call_types"]["billing"]["handle_time"] = {"dist": "empirical", "file": "data/handle.csv"}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(raw))
    assert load_scenario(path).call_types["billing"].handle_time.values == (100.0, 200.0)
    raw["call_types"]["billing"]["handle_time"]["file"] = "data/none.csv"
    path.write_text(yaml.safe_dump(raw))
    message = "call_types.billing.handle_time.file: none.csv: file not found"
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path)


# -- overrides ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "read", "expected"),
    [
        ("departments.billing.agents=14", lambda s: s.staffing("billing")[0], 14),
        ("transfer.policy=cold", lambda s: s.transfer.policy, "cold"),
        ("call_types.support.misroute.billing=0.25",
         lambda s: s.call_types["support"].misroute["billing"], 0.25),
        ("horizon.drain=false", lambda s: s.horizon.drain, False),
        ("call_types.billing.patience=null", lambda s: s.call_types["billing"].patience, None),
        ("transfer.warm.max_hold=2min", lambda s: s.transfer.warm.max_hold, 120.0),
        ("horizon.start=8:30", lambda s: s.horizon.start, 30600.0),  # not YAML base-60 (510)
        ("departments.billing.agents=" + str([10, 12] * 12),
         lambda s: s.staffing("billing")[:3], (10, 12, 10)),
        ("transfer.warm.handoff_time={dist: deterministic, value: 20s}",
         lambda s: s.transfer.warm.handoff_time, Deterministic(value=20)),
    ],
)
def test_valid_overrides(raw: dict[str, Any], override: str, read: Any, expected: Any) -> None:
    before = copy.deepcopy(raw)
    assert read(build(raw, (override,))) == expected
    assert raw == before  # the raw mapping is left alone


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("novalue", f"{SOURCE}: `overrides` novalue: expected KEY=VALUE"),
        ("=3", f"{SOURCE}: `overrides` =3: expected KEY=VALUE"),
        ("a..b=1", f"{SOURCE}: `overrides` a..b=1: expected KEY=VALUE"),
        ("name.x=1", f"{SOURCE}: `overrides` name.x=1: cannot set a field inside 'name'"),
        ("departments.billing.agents.x=1",
         f"{SOURCE}: `overrides` departments.billing.agents.x=1: cannot set a field inside"),
        ("horizon.duration=[1,",
         f"{SOURCE}: `overrides` horizon.duration=[1,: value is not valid YAML"),
        ("departments.billing.agents=many",
         f"{SOURCE}: departments.billing.agents: must be a whole"),
        ("call_types.support.misroute.sales=0.1",
         f"{SOURCE}: call_types.support.misroute.sales: no department named 'sales'"),
        ("transfer.polcy=cold", f"{SOURCE}: transfer.polcy: extra field not permitted"),
    ],
)
def test_bad_overrides(raw: dict[str, Any], override: str, expected: str) -> None:
    lines = problems(raw, (override,))
    assert len(lines) == 1 and lines[0].startswith(expected), lines


def test_apply_overrides_creates_missing_mappings() -> None:
    assert apply_overrides({"a": 1}, ["b.c.d=[1, 2]"]) == {"a": 1, "b": {"c": {"d": [1, 2]}}}


# -- loading files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: x\nhorizon: [1, 2\n", "x.yaml: line 3: YAML syntax error"),
        ("- just\n- a list\n", "x.yaml: top level must be a mapping"),
        ("", "x.yaml: top level must be a mapping"),
    ],
)
def test_unreadable_files(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems == [info.value.problems[0]]
    assert info.value.problems[0].startswith(f"{path.parent}/{expected}")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"nope\.yaml: file not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_load_or_exit_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import typer

    with pytest.raises(typer.Exit) as info:
        load_or_exit(tmp_path / "nope.yaml", ())
    assert info.value.exit_code == 2 and "file not found" in capsys.readouterr().err
    assert load_or_exit(REFERENCE, ["transfer.policy=cold"]).transfer.policy == "cold"


# -- call-log replay ------------------------------------------------------------------------------


def replay(raw: dict[str, Any], tmp_path: Path, csv: str, **horizon: Any):
    (tmp_path / "day.csv").write_text(csv)
    raw["arrivals_file"] = "day.csv"
    raw["horizon"].update(horizon)
    for ct in raw["call_types"].values():
        del ct["arrivals_per_hour"]
    return build(raw, base_dir=tmp_path)


def test_call_log_loads_and_sorts_stably(raw: dict[str, Any], tmp_path: Path) -> None:
    csv = (
        "time,call_type,handle_time,patience\n"
        "60,support,,\n"
        "08:00:30,billing,3min,\n"
        "60,billing,,45\n"
        "1.5h,support,200,\n"
    )
    log = replay(raw, tmp_path, csv, start="08:00").call_log
    assert log is not None and len(log) == 4
    assert log.time.tolist() == [30.0, 60.0, 60.0, 5400.0]
    assert log.call_type.tolist() == [0, 1, 0, 1] and log.call_type.dtype == np.int32
    assert np.array_equal(log.handle_time, [180, np.nan, np.nan, 200], equal_nan=True)
    assert np.array_equal(log.patience, [np.nan, np.nan, 45, np.nan], equal_nan=True)
    assert not log.time.flags.writeable


def test_replay_example_scenario() -> None:
    s = load_scenario(SCENARIOS / "replay_example.yaml")
    assert s.call_log is not None and len(s.call_log) == 20
    assert np.all(np.diff(s.call_log.time) >= 0)
    assert s.arrival_rates("billing") == (0.0,)


@pytest.mark.parametrize(
    ("csv", "expected"),
    [
        ("time,call_type\n0,billing\n10,sales\n", "day.csv row 3: unknown call_type 'sales'"),
        ("time,call_type\n12h,billing\n", "day.csv row 2: time '12h' is 43200 s from the start"),
        ("time,call_type\n-1,billing\n", "day.csv row 2: time '-1'"),
        ("time,call_type\n07:59,billing\n", "day.csv row 2: time '07:59' is -60 s"),
        ("time,call_type\nsoon,billing\n", "day.csv row 2: invalid duration 'soon'"),
        ("time,call_type\n,billing\n", "day.csv row 2: time is empty"),
        ("time,call_type,handle_time\n0,billing,long\n", "day.csv row 2: handle_time: invalid"),
        ("time,call_type,patience\n0,billing,-3\n", "day.csv row 2: patience: must be >= 0"),
        ("time,kind\n0,billing\n", "day.csv: missing column 'call_type'"),
        ("time,call_type,caller\n0,billing,x\n", "day.csv: unknown column 'caller'"),
        ("time,call_type\n", "day.csv: no calls"),
    ],
)
def test_call_log_errors(raw: dict[str, Any], tmp_path: Path, csv: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as info:
        replay(raw, tmp_path, csv, start="08:00")
    assert info.value.problems[0].startswith(f"{SOURCE}: arrivals_file: {expected}"), info.value


def test_pickle_round_trip_keeps_the_call_log(raw: dict[str, Any], tmp_path: Path) -> None:
    s = replay(raw, tmp_path, "time,call_type,patience\n5,support,\n1,billing,30\n")
    copy_ = pickle.loads(pickle.dumps(s))
    assert copy_ == s and copy_.call_log == s.call_log
    assert copy_.call_log.time.tolist() == [1.0, 5.0] and not copy_.call_log.time.flags.writeable
    plain = load_scenario(REFERENCE)
    assert pickle.loads(pickle.dumps(plain)) == plain


# -- callsim validate -----------------------------------------------------------------------------

runner = CliRunner()


def test_validate_good_files() -> None:
    files = [str(p) for p in sorted(SCENARIOS.glob("*.yaml"))]
    result = runner.invoke(app_module.app, ["validate", *files])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("OK  ") == len(files)
    summary = "(Billing takes support calls: 2 departments, 2 call types, 24 intervals)"
    assert summary in result.stdout


def test_validate_bad_file(raw: dict[str, Any], tmp_path: Path) -> None:
    raw["call_types"]["support"]["misroute"] = {"sales": 0.1}
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(raw))
    result = runner.invoke(app_module.app, ["validate", str(REFERENCE), str(bad)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"{bad}: call_types.support.misroute.sales: no department named 'sales'"
    )
    assert "OK  " in result.stdout and "Traceback" not in result.output


def test_validate_missing_file_and_override(tmp_path: Path) -> None:
    result = runner.invoke(app_module.app, ["validate", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2 and "none.yaml: file not found" in result.stderr
    result = runner.invoke(
        app_module.app, ["validate", str(REFERENCE), "--set", "transfer.policy=blind"]
    )
    assert result.exit_code == 2
    assert "transfer.policy: must be 'callback', 'cold', 'conditional' or 'warm'" in result.stderr
    assert "Traceback" not in result.output


def test_reference_and_starter_read_08_00_to_20_00() -> None:
    """Neither sets a clock time it does not need: the default start is 08:00 (issue 18 item 9)."""
    from callsim.scenario.durations import format_clock
    from callsim.scenario.loading import read_scenario_file
    from callsim.scenario.starter import starter_text

    starter = build_scenario(yaml.safe_load(starter_text()), "scenario.yaml", Path("."))
    assert "start" not in read_scenario_file(REFERENCE)["horizon"]
    for s in (load_scenario(REFERENCE), starter):
        h = s.horizon
        assert (format_clock(0, h.start), format_clock(h.duration, h.start)) == ("08:00", "20:00")

