"""YAML reading for scenario files and ``--set`` values.

:class:`YamlLoader` is PyYAML's safe loader without YAML 1.1's base-60 numbers:
plain ``safe_load`` reads ``start: 8:30`` as the integer 510 and ``12:30`` as
750, which would silently turn clock times into nonsense. Here such values
stay strings, and the scenario's types parse them. Octal (``010``) and hex
literals are not numbers either (they stay strings).

It also refuses what safe loading still lets through: a key given twice in one mapping (YAML
would silently keep the last; the error names both lines), nesting deeper than
:data:`~callsim.scenario.limits.MAX_NESTING` levels (Python's recursion limit would end in a
traceback), documents of more than :data:`~callsim.scenario.limits.MAX_NODES` values counting
each alias in full (the "billion laughs" expansion), and aliases to their own ancestors.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from callsim.scenario.limits import MAX_NESTING, MAX_NODES

__all__ = ["YamlLoader", "load_yaml", "yaml_problem"]

_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


class YamlLoader(yaml.SafeLoader):
    """Safe loader where ``8:30`` is a string, not sexagesimal 510; bounded and strict.

    Duplicate keys, deep nesting, huge alias expansions and recursive aliases raise
    :class:`yaml.YAMLError` subclasses with a line number, like any syntax error.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._open: set[int] = set()  # ids of the collection nodes being composed
        self._sizes: dict[int, int] = {}  # id(node) -> values in it, aliases expanded

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        """Compose one node, refusing deep nesting, huge expansions and recursive aliases."""
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        if len(self._open) >= MAX_NESTING:
            raise ComposerError(None, None, f"nested more than {MAX_NESTING} levels deep", mark)
        self._open.add(id(parent))
        try:
            node = super().compose_node(parent, index)
        finally:
            self._open.discard(id(parent))
        if node is None:
            return None
        if id(node) in self._open or node is parent:
            raise ComposerError(None, None, "an alias refers to a value that contains it", mark)
        size: int = 1 + sum([self._sizes.get(id(child), 1) for child in _children(node)])
        self._sizes[id(node)] = size
        if size > MAX_NODES:
            raise ComposerError(None, None, f"more than {MAX_NODES} values (aliases counted "
                                "in full)", mark)
        return node

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping, refusing a key given twice (both line numbers in the message)."""
        seen: dict[tuple[str, str], Node] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = (key_node.tag, key_node.value)
            if key in seen:
                first = seen[key].start_mark.line + 1
                raise ConstructorError(
                    None, None, f"key '{key_node.value}' given twice (lines {first} and "
                    f"{key_node.start_mark.line + 1})", key_node.start_mark)
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


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


def load_yaml(text: str) -> Any:
    """Parse YAML text with :class:`YamlLoader` (raises :class:`yaml.YAMLError`)."""
    try:
        return yaml.load(text, Loader=YamlLoader)  # a SafeLoader subclass
    except RecursionError:  # a safety net: nesting is bounded well below the recursion limit
        raise ComposerError(None, None, "nested too deeply", None) from None
