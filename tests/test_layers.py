"""No module imports a higher layer by name (``importlib.import_module``, ``__import__``).

import-linter (``make lint``) checks ``import`` statements only: an import by name is invisible
to it. This test reads the layers from the import-linter contract in ``pyproject.toml`` and
fails on any import by name of a module of a higher layer, and on any import by name whose
target is not a literal, except where the target is provably inside the caller's own package.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from tests.shared import ROOT

PACKAGE = ROOT / "callsim"
#: Imports by name whose target is computed, each with why it stays in its layer.
COMPUTED = {
    # the root sits above every layer (contract "root-on-top"): its lazy public names
    "callsim/__init__.py",
    # the policy registry imports the modules of its own package, found by pkgutil
    "callsim/policies/registry.py",
}


def layers() -> list[str]:
    """Layer names from the import-linter contract, lowest first."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "layers"]
    return [name.strip("()") for name in reversed(contract["layers"])]


def rank(module: str) -> int:
    """Layer index of a dotted module (the root package ranks above every layer)."""
    parts = module.split(".")
    if parts[0] != "callsim":
        return -1  # outside the package: not a layer
    if len(parts) == 1:
        return len(layers())
    return layers().index(parts[1]) if parts[1] in layers() else -1


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_by_name(tree: ast.AST) -> list[ast.Call]:
    """Calls of ``import_module(...)`` (any spelling) and ``__import__(...)``."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("import_module", "__import__"):
                out.append(node)
    return out


FILES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_import_by_name_of_a_higher_layer(path: Path) -> None:
    source = module_name(path)
    relative = str(path.relative_to(ROOT))
    for call in imports_by_name(ast.parse(path.read_text(encoding="utf-8"))):
        target = call.args[0] if call.args else None
        if isinstance(target, ast.Constant) and isinstance(target.value, str):
            assert rank(target.value) <= rank(source), (
                f"{relative}:{call.lineno} imports {target.value} by name, a higher layer")
        else:
            assert relative in COMPUTED, (
                f"{relative}:{call.lineno} imports a computed module name")


def test_the_check_sees_the_old_hidden_import() -> None:
    """The scenario layer's old ``importlib.import_module("callsim.policies")`` is caught."""
    old = 'import importlib\nimportlib.import_module("callsim.policies")\n'
    (call,) = imports_by_name(ast.parse(old))
    assert rank(call.args[0].value) > rank("callsim.scenario.transfer")
    assert rank("callsim.files.atomic") < rank("callsim.scenario.x") < rank("callsim")
