"""Reading a scenario file: YAML, ``--set`` overrides, then validation once.

``load_scenario(path)`` reads YAML, applies ``--set`` overrides and validates the models of
:mod:`callsim.scenario.schema`; any problem raises
:class:`~callsim.scenario.errors.ScenarioError` with one line per problem,
``FILE: field.path: message``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from callsim.scenario.errors import ScenarioError, format_problem, validation_problems
from callsim.scenario.inputs import FILES_KEY, InputFileError, read_text
from callsim.scenario.limits import MAX_YAML_BYTES
from callsim.scenario.origin import ScenarioDocument
from callsim.scenario.schema import Scenario
from callsim.scenario.yamlio import load_yaml, yaml_problem

__all__ = ["apply_overrides", "build_scenario", "load_scenario", "read_scenario_file"]

def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read, override and validate a scenario file.

    Parameters
    ----------
    path : str or pathlib.Path
        The YAML file; relative file names inside it are relative to its folder.
    overrides : sequence of str
        ``dotted.path=value`` strings (``--set``), applied before validation.

    Raises
    ------
    ScenarioError
        One line per problem: missing file, YAML syntax (with line number),
        bad override, or failed validation.

    Examples
    --------
    A shipped scenario (paths relative to the repository root), shortened to one hour:

    >>> scenario = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=1h"])
    >>> scenario.horizon.duration, list(scenario.departments)
    (3600.0, ['billing', 'support'])
    """
    path = Path(path)
    return build_scenario(read_scenario_file(path), str(path), path.parent, overrides)


def read_scenario_file(path: str | Path) -> dict[str, Any]:
    """Read a scenario file's YAML mapping, unvalidated.

    Raises
    ------
    ScenarioError
        Missing or unreadable file, YAML syntax error (with line number), or a top level that
        is not a mapping.
    """
    path = Path(path)
    source = str(path)
    try:
        text = read_text(path, MAX_YAML_BYTES)
    except InputFileError as exc:
        message = str(exc).removeprefix(f"{path.name}: ")
        raise ScenarioError([format_problem(source, "", message)]) from None
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        raise ScenarioError([format_problem(source, "", yaml_problem(exc))]) from None
    if not isinstance(raw, dict):
        message = "top level must be a mapping of scenario fields (name, horizon, ...)"
        raise ScenarioError([format_problem(source, "", message)])
    return raw


def build_scenario(
    raw: Mapping[str, Any], source: str, base_dir: Path, overrides: Sequence[str] = ()
) -> Scenario:
    """Validate a raw scenario mapping (as read from YAML) after applying ``overrides``.

    ``raw`` is not modified. ``source`` names the file in error lines and
    ``base_dir`` is where relative file names (replay, empirical CSVs) are found.

    Raises
    ------
    ScenarioError
        One line per problem.

    Examples
    --------
    One department answering one call type, for two hours:

    >>> from pathlib import Path
    >>> raw = {
    ...     "name": "tiny",
    ...     "horizon": {"duration": "2h", "interval": "1h"},
    ...     "departments": {"desk": {"agents": 3, "wage_per_hour": 30.0}},
    ...     "call_types": {"calls": {
    ...         "arrivals_per_hour": 40, "resolved_by": "desk",
    ...         "handle_time": {"dist": "exponential", "mean": "3min"},
    ...         "patience": {"dist": "exponential", "mean": "5min"}}},
    ... }
    >>> scenario = build_scenario(raw, "tiny.yaml", Path("."), ["departments.desk.agents=4"])
    >>> scenario.horizon.duration, scenario.departments["desk"].agents
    (7200.0, 4)
    >>> build_scenario(raw, "tiny.yaml", Path("."), ["departments.desk.agents=-1"])
    Traceback (most recent call last):
    ...
    callsim.scenario.errors.ScenarioError: tiny.yaml: departments.desk.agents: must be >= 0
    """
    data = apply_overrides(raw, overrides, source=source)
    files: list[Path] = []
    try:
        scenario = Scenario.model_validate(
            data, context={"base_dir": Path(base_dir), FILES_KEY: files}
        )
    except ValidationError as exc:
        raise ScenarioError(validation_problems(exc, source, Scenario)) from None
    except RecursionError:  # a safety net: documents read from YAML are bounded in depth
        raise ScenarioError([format_problem(source, "", "nested too deeply")]) from None
    scenario._files = tuple(sorted(set(files)))
    scenario._origin = ScenarioDocument(copy.deepcopy(dict(raw)), source, Path(base_dir),
                                        tuple(overrides))
    return scenario


def apply_overrides(
    raw: Mapping[str, Any], overrides: Sequence[str], source: str = "<scenario>"
) -> dict[str, Any]:
    """Return a deep copy of ``raw`` with each ``dotted.path=value`` override set.

    Values are parsed as YAML (``14``, ``cold``, ``[10, 12]``, ``null``).
    Missing intermediate mappings are created, so the validator reports
    unknown names with their field path.

    Raises
    ------
    ScenarioError
        ``FILE: --set KEY=VALUE: message`` for an override without ``=``, with
        an empty path segment, going through a non-mapping, or with bad YAML.

    Examples
    --------
    >>> apply_overrides({"transfer": {"policy": "warm"}},
    ...                 ["transfer.policy=cold", "departments.billing.agents=[10, 12]"])
    {'transfer': {'policy': 'cold'}, 'departments': {'billing': {'agents': [10, 12]}}}
    """
    data = copy.deepcopy(dict(raw))
    problems = []
    for item in overrides:
        try:
            _set(data, item)
        except ValueError as exc:
            problems.append(format_problem(source, f"`overrides` {item}", str(exc)))
    if problems:
        raise ScenarioError(problems)
    return data


def _set(data: dict[str, Any], item: str) -> None:
    key, sep, text = item.partition("=")
    parts = key.strip().split(".")
    if not sep or not all(parts):
        raise ValueError("expected KEY=VALUE with a dotted field path, e.g. transfer.policy=cold")
    try:
        value = load_yaml(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"value is not valid YAML ({yaml_problem(exc)})") from None
    node = data
    for i, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            where = ".".join(parts[: i + 1])
            raise ValueError(f"cannot set a field inside '{where}': it is {child!r}, not a mapping")
        node = child
    node[parts[-1]] = value
