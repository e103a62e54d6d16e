"""YAML reading for scenario files and ``--set`` values.

:class:`YamlLoader` is PyYAML's safe loader without YAML 1.1's base-60 numbers:
plain ``safe_load`` reads ``start: 8:30`` as the integer 510 and ``12:30`` as
750, which would silently turn clock times into nonsense. Here such values
stay strings, and the scenario's types parse them. Octal (``010``) and hex
literals are not numbers either (they stay strings).
"""

from __future__ import annotations

import re

import yaml

__all__ = ["YamlLoader", "yaml_problem"]

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


class YamlLoader(yaml.SafeLoader):
    """Safe loader where ``8:30`` is a string, not sexagesimal 510."""


YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
YamlLoader.add_implicit_resolver(
    _INT, re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)
YamlLoader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"""^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
        |[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?
        |[-+]?\.(?:inf|Inf|INF)
        |\.(?:nan|NaN|NAN))$""",
        re.X,
    ),
    list("-+0123456789."),
)


def yaml_problem(exc: yaml.YAMLError) -> str:
    """A one-line description of a YAML error, with its line number when known."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"line {mark.line + 1}: " if mark is not None else ""
    return f"{where}YAML syntax error: {problem}"
