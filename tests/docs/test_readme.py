"""The README's commands stay true: each parses against the real CLI, and the documented error
example prints exactly what the README shows."""

from __future__ import annotations

import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer
from typer.testing import CliRunner

from callsim.cli.app import app
from tests.shared import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def readme_commands() -> list[list[str]]:
    """Every ``callsim ...`` line inside a fenced console block, split like a shell would."""
    commands = []
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            line = line.split("#")[0].strip().removeprefix("$ ")
            if line.startswith("callsim "):
                words = []
                for word in shlex.split(line)[1:]:
                    words += sorted(glob.glob(str(ROOT / word))) if "*" in word else [word]
                if not words[0].startswith("-"):  # callsim --help is not a subcommand
                    commands.append(words)
    return commands


def test_readme_has_commands_for_every_subcommand():
    used = {words[0] for words in readme_commands()}
    group = typer.main.get_command(app)
    assert used == set(group.commands)  # type: ignore[attr-defined]


def test_every_readme_command_parses():
    group = typer.main.get_command(app)
    for words in readme_commands():
        command = group.commands[words[0]]  # type: ignore[attr-defined]
        with click.Context(group) as parent:
            command.make_context(words[0], list(words[1:]), parent=parent)
        for word in words[1:]:
            if word.startswith("scenarios/"):
                assert (ROOT / word).exists(), word


def test_readme_error_example_is_what_the_cli_prints(monkeypatch):
    monkeypatch.chdir(ROOT)
    example = re.search(r"\$ (callsim run .*?)\n(.*?)\n```", README, flags=re.S)
    assert example is not None
    words = shlex.split(example.group(1))[1:]
    result = CliRunner().invoke(app, words)
    assert result.exit_code == 2
    assert result.output.strip() == example.group(2).strip()


def test_readme_python_example_runs(monkeypatch):
    monkeypatch.chdir(ROOT)
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert blocks
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)  # our own docs
    assert 0 <= namespace["metrics"]["overall.abandon_rate"] <= 1
    assert set(namespace["c"].policies) == {"cold", "warm"}
    assert len(namespace["rows"]) == 5 * 10 * 2


# -- every README command, in order, in a fresh copy of the repository ----------------------------

#: Simulating commands get few replications and a short day: the test checks that each command
#: works as pasted, not the numbers (the other tests do).
SIMULATING = {"run", "compare", "sweep", "report", "staff", "breakeven"}
SETUP_LINES = ("make ", ". .venv/bin/activate")


def console_lines() -> list[tuple[str, str | None]]:
    """Each console line in README order, with the output it documents (``$ `` lines only)."""
    lines: list[tuple[str, str | None]] = []
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.S):
        rows = block.splitlines()
        if rows and rows[0].startswith("$ "):  # a documented run: command, then its output
            lines.append((rows[0][2:], "\n".join(rows[1:]).strip()))
            continue
        lines += [(row.split(" #")[0].strip(), None) for row in rows if row.strip()]
    return lines


def lean(line: str) -> str:
    """The same command with 2 replications (4 at most with --precision) over 2 hours."""
    words = shlex.split(line)
    if words[1] not in SIMULATING:
        return line
    for option, value in (("--reps", "2"), ("--max-reps", "4")):
        if option in words:
            words[words.index(option) + 1] = value
    if words[1] in ("compare", "report") and "--reps" not in words:
        words += ["--reps", "2"]
    return shlex.join([*words, "--set", "horizon.duration=2h"])


def fresh_copy(target: Path) -> Path:
    """The files a clone would have (tracked or new, not ignored) copied to ``target``."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.mark.slow
def test_every_readme_command_works_in_order_in_a_fresh_clone(tmp_path):
    clone = fresh_copy(tmp_path / "clone")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    ran = 0
    for line, documented in console_lines():
        if line.startswith(SETUP_LINES):
            continue  # the test already runs inside the installed .venv
        assert line.startswith("callsim "), f"README console line the test cannot run: {line}"
        done = subprocess.run(["bash", "-c", lean(line)], cwd=clone, env=env, text=True,
                              capture_output=True, timeout=600)
        if documented is None:
            assert done.returncode == 0, f"{line}\n{done.stderr}"
        else:
            assert done.returncode == 2 and done.stderr.strip() == documented, line
        ran += 1
    assert ran >= 15
    assert (clone / "report.html").exists() and (clone / "my_scenario.yaml").exists()
