"""The README's commands stay true: each parses against the real CLI, and the documented error
example prints exactly what the README shows."""

from __future__ import annotations

import glob
import re
import shlex
from pathlib import Path

import click
import typer
from typer.testing import CliRunner

from callsim.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
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
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 (our own docs)
    assert 0 <= namespace["metrics"]["overall.abandon_rate"] <= 1
    assert set(namespace["c"].policies) == {"cold", "warm"}
    assert len(namespace["rows"]) == 5 * 10 * 2
