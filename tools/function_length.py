"""Fail when a function in the package is longer than the house limit.

STYLE.md: a function that passes about 40 lines is asking to be split. Ruff's statement and
complexity limits (pyproject.toml) miss long straight-line code, so this counts the lines of a
function's body without its docstring (a signature of many typed options and a full NumPy
docstring are welcome and do not count). Run by ``make lint``::

    python tools/function_length.py callsim --max-lines 40
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

Function = ast.FunctionDef | ast.AsyncFunctionDef


def body_lines(node: Function) -> int:
    """Lines from the first statement after the docstring to the end of the function."""
    body = node.body
    first = body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        if len(body) == 1:
            return 0
        first = body[1]
    return (node.end_lineno or first.lineno) - first.lineno + 1


def long_functions(root: Path, max_lines: int) -> Iterator[str]:
    """Yield ``path:line name (N lines)`` for each function over ``max_lines`` code lines."""
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = body_lines(node)
                if lines > max_lines:
                    yield f"{path}:{node.lineno}: {node.name} has {lines} body lines > {max_lines}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--max-lines", type=int, default=40)
    args = parser.parse_args()
    found = list(long_functions(args.root, args.max_lines))
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
