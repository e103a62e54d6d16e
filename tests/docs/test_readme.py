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


def run_line(line: str, clone: Path) -> tuple[int, str]:
    """Exit code and output (stdout and stderr) of a README line run in ``clone``.

    ``callsim --help`` runs the installed program; the others run in this process (the same
    code without a second interpreter's start-up and imports, about 1.5 s of CPU each).
    """
    words = shlex.split(lean(line))
    if words[1:] == ["--help"]:
        done = subprocess.run(words, cwd=clone, text=True, capture_output=True, timeout=600,
                              env={**os.environ, "PATH": f"{Path(sys.executable).parent}"
                                                        f"{os.pathsep}{os.environ['PATH']}"})
        return done.returncode, done.stdout + done.stderr
    args: list[str] = []
    for word in words[1:]:  # the shell's glob, relative to the clone
        args += sorted(glob.glob(word, root_dir=clone)) if "*" in word else [word]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.slow
def test_every_readme_command_works_in_order_in_a_fresh_clone(tmp_path, monkeypatch):
    clone = fresh_copy(tmp_path / "clone")
    monkeypatch.chdir(clone)
    ran = 0
    for line, documented in console_lines():
        if line.startswith(SETUP_LINES):
            continue  # the test already runs inside the installed .venv
        assert line.startswith("callsim "), f"README console line the test cannot run: {line}"
        code, output = run_line(line, clone)
        if documented is None:
            assert code == 0, f"{line}\n{output}"
        else:
            assert code == 2 and output.strip() == documented, line
        ran += 1
    assert ran >= 15
    assert (clone / "report.html").exists() and (clone / "my_scenario.yaml").exists()


# -- the answers the README quotes are what the commands print (issue 18, must show) ---------------

def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_demo_answer_is_the_one_the_readme_quotes(monkeypatch):
    """``make demo``'s command (read from the Makefile) prints the README's quoted answer first."""
    monkeypatch.chdir(ROOT)
    demo = next(line for line in (ROOT / "Makefile").read_text().splitlines()
                if line.startswith("\t$(BIN)/callsim compare"))
    words = shlex.split(demo.split("callsim ", 1)[1])
    quoted = re.search(r"`make demo` prints the answer.*?```text\n(.*?)\n```", README, re.S)
    assert quoted is not None
    result = CliRunner().invoke(app, [*words, "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert _flat(result.stdout).startswith(_flat(quoted.group(1))), result.stdout[:600]


def test_the_erlang_figures_the_readme_quotes_are_what_erlang_prints():
    erlang_c = re.search(r"Erlang C case \((\d+) calls per 30 min, AHT (\d+) s, (\d+)\s+agents: "
                         r"P\(wait\) ([\d.]+), SL\(20 s\) ([\d.]+), ASA ([\d.]+) s\)", README)
    erlang_a = re.search(r"Erlang A case \((\d+) calls/min, AHT (\d+) min, patience (\d+) min, "
                         r"(\d+) agents: P\(wait\) ([\d.]+), P\(abandon\) ([\d.]+)\)",
                         _flat(README))
    assert erlang_c is not None and erlang_a is not None
    calls, aht, agents, p_wait, sl, asa = erlang_c.groups()
    row = _erlang_row("--arrivals-per-hour", str(2 * int(calls)), "--aht", aht,
                      "--agents", agents)
    assert (f"{row['p_wait']:.4f}", f"{row['service_level']:.4f}", f"{row['asa']:.2f}") == (
        p_wait, sl, asa)
    per_minute, aht, patience, agents, p_wait, p_abandon = erlang_a.groups()
    row = _erlang_row("--arrivals-per-hour", str(60 * int(per_minute)), "--aht", f"{aht}min",
                      "--patience", f"{patience}min", "--agents", agents)
    assert (f"{row['p_wait']:.4f}", f"{row['p_abandon']:.4f}") == (p_wait, p_abandon)


def _erlang_row(*args: str) -> dict:
    import json

    result = CliRunner().invoke(app, ["erlang", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["rows"][0]


def _readme_table(heading: str) -> dict[str, list[str]]:
    """The markdown table after ``heading`` (a line of the README): first cell -> other cells."""
    rows = README.split(heading, 1)[1].split("\n\n")[1].splitlines()
    return {cells[0]: cells[1:] for cells in
            ([c.strip() for c in row.strip("|").split("|")] for row in rows[2:])}


@pytest.mark.skipif(not os.environ.get("CALLSIM_README_ANSWERS"),
                    reason="about 15 s of CPU: `make readme-answers` runs it")
def test_the_staffing_table_the_readme_quotes_is_what_staff_prints(monkeypatch):
    """The README's staffing table is what its first ``staff`` command prints (--json)."""
    import json

    monkeypatch.chdir(ROOT)
    words = next(w for w in readme_commands() if w[0] == "staff")
    table = _readme_table("Measured on the reference scenario (first command above")
    result = CliRunner().invoke(app, [*words[:-2], "--json"])  # without --plot staffing.png
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)["policies"]
    for k, policy in enumerate(("cold", "warm")):
        got = doc[policy]
        assert table["billing agent-hours"][k] == f"{got['agent_hours']['billing']:.1f}"
        assert table["support agent-hours"][k] == f"{got['agent_hours']['support']:.1f}"
        assert table["staff cost"][k] == f"{got['staff_cost']:,.0f}"
        assert table["lost-call cost"][k] == f"{got['lost_call_cost']['mean']:,.0f}"
        total, (low, high) = got["total_cost"]["mean"], got["total_cost"]["ci95"]
        assert table["total cost (± 95% CI)"][k] == f"{total:,.0f} ± {(high - low) / 2:,.0f}"
        verified = got["verified"]
        assert table["interval targets verified: met / within CI / missed"][k] == \
            f"{verified['met']} / {verified['straddling']} / {verified['missed']}"


@pytest.mark.skipif(not os.environ.get("CALLSIM_README_ANSWERS"),
                    reason="about 45 s of CPU: `make readme-answers` runs it")
def test_the_sweep_figures_the_readme_quotes_are_what_sweep_writes(tmp_path, monkeypatch):
    """The worked sweep's quoted cell (20% misroutes, 14 billing agents) is its summary's."""
    import pandas as pd

    monkeypatch.chdir(ROOT)
    words = next(w for w in readme_commands() if w[0] == "sweep" and "--seed" in w)
    out = tmp_path / "payoff.parquet"
    at = words.index("--out")
    result = CliRunner().invoke(app, [*words[:at], "--out", str(out), *words[at + 2:]])
    assert result.exit_code == 0, result.output
    text = _flat(README)
    cut = re.search(r"At 20% misroutes and 14 agents the cut is ([\d.]+) percentage points", text)
    fall = re.search(r"`total_cost` falls by about (\d+) per 12 h day", text)
    assert cut is not None and fall is not None
    summary = pd.read_parquet(tmp_path / "payoff.summary.parquet")
    cell = summary[(summary["departments.billing.agents"] == 14)
                   & (summary["call_types.support.misroute.billing"].round(6) == 0.2)
                   & (summary["policy"] == "warm - cold")].set_index("metric")["mean"]
    assert f"{-100 * cell['overall.lost_rate']:.2f}" == cut.group(1)
    assert round(-cell["costs.total_cost"], -1) == float(fall.group(1))
