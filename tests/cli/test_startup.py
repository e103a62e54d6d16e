"""Instant start: importing callsim, or the command line, loads no heavy library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import callsim
from callsim.cli.app import app

HEAVY = ("pandas", "scipy", "matplotlib")
SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "full_day.yaml"


def imported_after(statement: str) -> list[str]:
    """Top-level packages of ``HEAVY`` that a fresh interpreter has loaded after ``statement``."""
    code = f"{statement}\nimport sys\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    return result.stdout.split()


def test_import_callsim_loads_no_heavy_library():
    assert imported_after("import callsim") == []


def test_the_command_line_loads_no_heavy_library_for_help():
    assert imported_after("import callsim.cli.app") == []
    # validate needs the scenario layer (pydantic, NumPy, YAML) but no pandas or SciPy either
    assert imported_after("from typer.testing import CliRunner\nfrom callsim.cli.app import app\n"
                          f"CliRunner().invoke(app, ['validate', {str(SCENARIO)!r}])") == []


@pytest.mark.parametrize("name", callsim.__all__)
def test_every_public_name_imports(name):
    assert getattr(callsim, name) is not None


def test_public_names_are_listed_once():
    assert sorted(callsim.__all__) == sorted(callsim._EXPORTS)
    with pytest.raises(AttributeError):
        _ = callsim.no_such_name


def test_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout == f"callsim {callsim.__version__}\n"
    assert callsim.__version__[0].isdigit()
