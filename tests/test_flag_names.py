"""Library errors name parameters; only ``callsim/cli`` speaks flags (issue 16 item 5).

A library message names the parameter it refuses in backticks (```shrinkage``` must be ...);
the one map ``callsim.cli.flags.FLAGS`` turns it into the flag where the CLI catches the
error. These tests read every module of the package (docstrings aside: they describe the
command line too) and fail on a ``--flag`` in a string outside ``callsim/cli``, and on a
backticked name that the map lacks (the CLI would print it unchanged).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from callsim.cli.flags import FLAGS, PARAMETER, flagged
from tests.shared import ROOT, invoke_cli

PACKAGE = ROOT / "callsim"
LIBRARY = sorted(p for p in PACKAGE.rglob("*.py") if "cli" not in p.relative_to(PACKAGE).parts)
#: A command-line flag: two dashes and a lower-case name, not inside a longer word or rule.
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def strings(source: str) -> list[tuple[int, str]]:
    """``(line, text)`` of every string constant of ``source`` that is not a docstring."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings]


def offences(paths: list[Path], root: Path = ROOT) -> tuple[list[str], list[str]]:
    """Flags written outside the CLI, and backticked names without a flag, as ``file:line``."""
    flags, unmapped = [], []
    for path in paths:
        where = path.relative_to(root)
        for line, text in strings(path.read_text(encoding="utf-8")):
            flags += [f"{where}:{line}: {m}" for m in FLAG.findall(text)]
            unmapped += [f"{where}:{line}: `{m}`" for m in PARAMETER.findall(text)
                         if m not in FLAGS]
    return flags, unmapped


def test_no_flag_outside_the_cli_and_every_named_parameter_has_one() -> None:
    flags, unmapped = offences(LIBRARY)
    assert not flags, "library strings naming CLI flags (name the parameter in backticks and " \
                      "map it in callsim/cli/flags.py):\n" + "\n".join(flags)
    assert not unmapped, "parameters missing from callsim.cli.flags.FLAGS:\n" + "\n".join(unmapped)


def test_the_check_sees_a_flag_and_an_unmapped_name(tmp_path: Path) -> None:
    """A planted ``--shrinkage`` message and an unknown backticked name are both caught."""
    module = tmp_path / "planted.py"
    module.write_text('"""Docs may say --shrinkage."""\n'
                      'def f(x):\n'
                      '    """Docs: ``--scope``."""\n'
                      '    raise ValueError(f"--shrinkage {x}: bad; `nonesuch` too")\n')
    flags, unmapped = offences([module], tmp_path)
    assert [f.rpartition(": ")[2] for f in flags] == ["--shrinkage"]
    assert [u.rpartition(": ")[2] for u in unmapped] == ["`nonesuch`"]


def test_flagged_maps_only_parameters() -> None:
    assert flagged("`targets` 'x': bad; raise it with `max_agents`") == \
        "--target 'x': bad; raise it with --max-agents"
    assert flagged("`callsim run` and ``code`` and `nonesuch` stay") == \
        "`callsim run` and ``code`` and `nonesuch` stay"


def test_the_library_names_the_parameter_and_the_cli_the_flag() -> None:
    """``staff(shrinkage=1.5)`` says ``shrinkage``; ``callsim staff --shrinkage 1.5`` the flag."""
    from callsim.planning.staffing import StaffingError, with_shrinkage
    from callsim.scenario.loading import load_scenario

    small = ROOT / "tests" / "planning" / "staffing_small.yaml"
    with pytest.raises(StaffingError, match=r"^`shrinkage` must be in \[0, 1\), got 1.5$"):
        with_shrinkage(load_scenario(small), 1.5)
    result = invoke_cli("staff", str(small), "--target", "asa<=30s", "--shrinkage", "1.5",
                        "--workers", "1")
    assert result.exit_code == 2
    assert result.stderr.strip() == "--shrinkage must be in [0, 1), got 1.5"  # an option: no file
