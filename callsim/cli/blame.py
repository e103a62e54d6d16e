"""Problems a command-line option caused are named by the option, not by the scenario file.

The loader reports every problem as ``FILE: field.path: message``. When the field is one a
``--set`` (or a sweep's ``--vary``) gave, the mistake is on the command line: the line names
the option and its text instead (``--set departments.billing.agnts=3: extra field not
permitted (did you mean 'agents'?)``), and the file is left out of it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import takewhile
from pathlib import Path
from typing import Any

__all__ = ["blame_options", "blame_set", "option_fields"]


def blame_set(problems: Sequence[str], path: str | Path, overrides: Sequence[str]) -> list[str]:
    """The loader's ``problems`` of scenario ``path`` with ``overrides`` (``--set``) blamed."""
    if not overrides:
        return list(problems)
    from callsim.scenario.errors import ScenarioError
    from callsim.scenario.loading import read_scenario_file

    try:
        raw: Mapping[str, Any] | None = read_scenario_file(path)
    except ScenarioError:
        raw = None
    return blame_options(problems, str(path), option_fields("--set", overrides), raw)


def option_fields(option: str, items: Sequence[str]) -> dict[str, str]:
    """``{field path: "OPTION ITEM"}`` for ``PATH=VALUE`` items of one option.

    Examples
    --------
    >>> option_fields("--set", ["departments.billing.agents=3", " transfer.policy = warm"])
    {'departments.billing.agents': '--set departments.billing.agents=3', 'transfer.policy': \
'--set transfer.policy = warm'}
    """
    return {item.partition("=")[0].strip(): f"{option} {item.strip()}" for item in items
            if "=" in item}


def blame_options(problems: Sequence[str], source: str, fields: Mapping[str, str],
                  raw: Mapping[str, Any] | None = None) -> list[str]:
    """``problems`` with the lines about an option's field rewritten to name the option.

    A problem at the field itself, or under it, is the option's. A problem elsewhere in a
    mapping the option made (``departments.bililng.wage_per_hour: field required`` for ``--set
    departments.bililng.agents=3``) is the option's too: the file (``raw``, the document as
    read) does not have that mapping.
    Problem lines the loader already wrote as ``FILE: --set ...`` (or as ``FILE: `overrides`
    ...``, the parameter the CLI writes as its flag) lose the file.

    Examples
    --------
    >>> blame_options(["s.yaml: departments.billing.agnts: extra field not permitted",
    ...                "s.yaml: name: must be text"], "s.yaml",
    ...               {"departments.billing.agnts": "--set departments.billing.agnts=3"})
    ['--set departments.billing.agnts=3: extra field not permitted', 's.yaml: name: must be text']
    """
    out = []
    for line in problems:
        rest = line.removeprefix(f"{source}: ")
        if rest != line and rest.startswith(("--", "`")):  # an option, or its parameter
            out.append(rest)
            continue
        path, sep, message = rest.partition(": ")
        label = _owner(path, fields, raw) if rest != line and sep else None
        if label is None:
            out.append(line)
        elif path in fields:
            out.append(f"{label}: {message}")
        else:
            out.append(f"{label}: {path}: {message}")
    return out


def _owner(path: str, fields: Mapping[str, str], raw: Mapping[str, Any] | None) -> str | None:
    for key, label in fields.items():
        if path == key or path.startswith(f"{key}."):
            return label
        pairs = zip(path.split("."), key.split("."), strict=False)
        common = ".".join(a for a, _ in takewhile(lambda pair: pair[0] == pair[1], pairs))
        if common and not _in(raw, common):  # the option made the field the problem is in
            return label
    return None


def _in(raw: Mapping[str, Any] | None, path: str) -> bool:
    """Whether the document has the field ``path`` (unknown documents have every field)."""
    node: Any = raw
    if node is None:
        return True
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True
