"""Instant start: importing callsim, or the command line, loads no heavy library."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

import callsim
from callsim.cli.app import COMMANDS, app, build_app, main
from tests.shared import SCENARIOS

HEAVY = ("numpy", "pandas", "scipy", "matplotlib")


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
    assert imported_after("from typer.testing import CliRunner\nfrom callsim.cli.app import app\n"
                          "CliRunner().invoke(app, ['--help'])") == []


@pytest.mark.parametrize("name", ["billing_support.yaml", "full_day.yaml"])
def test_validate_loads_no_heavy_library(name):
    # validate needs the scenario layer (pydantic, YAML) and the policy registry, not NumPy
    # (~0.2 s of start-up on its own): the modules on its path import NumPy where they sample
    # or build arrays, never at the top. Only a scenario that replays a call log needs it.
    code = ("from typer.testing import CliRunner\nfrom callsim.cli.app import app\n"
            f"result = CliRunner().invoke(app, ['validate', {str(SCENARIOS / name)!r}])\n"
            "assert result.exit_code == 0, result.output")
    assert imported_after(code) == []


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_subcommand_alone_behaves_as_in_the_whole_app(name):
    # main() builds only the subcommand it runs: the same help, the same usage errors
    for args in ([name, "--help"], [name, "--no-such-option"]):
        alone = CliRunner().invoke(build_app([name]), args)
        whole = CliRunner().invoke(app, args)
        assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output)


@pytest.mark.parametrize("argv", [["validate", str(SCENARIOS / "billing_support.yaml")],
                                  ["valdate"], ["--version"]])
def test_main_runs_the_named_subcommand(argv, monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["callsim", *argv])
    with pytest.raises(SystemExit) as exit_:
        main()
    expected = CliRunner().invoke(app, argv)
    assert exit_.value.code == expected.exit_code
    assert capsys.readouterr().out == expected.stdout


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
