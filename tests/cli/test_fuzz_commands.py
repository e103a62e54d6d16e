"""Fuzzing the commands (issue 19, Must show): hostile command lines and records files.

Hypothesis draws command lines for ``staff``, ``breakeven``, ``calibrate``, ``backtest``,
``report`` and ``init``: options and values (valid, out of range, malformed, given twice),
paths of every kind (fresh, missing folder, folder, FIFO, symlink, dangling symlink, under a
file, read-only folder, empty) for every input and output, and records files mutated from the
example ACD export (cells, rows, header, encoding). Every command line must:

- end with exit code 0, 2 (bad input, one line per problem naming the fault) or 1 only where
  documented (``staff``: a target unmet at the upper bounds, named on the last line);
- never show a traceback (an exception that is not a clean exit);
- finish within :data:`BOUND` seconds (a FIFO read, a walk that never ends, unbounded work);
- leave no partial output: after exit 2 no file at all is new in the example's folder, and
  no temporary file of an atomic write is left after any exit.

``make test`` runs :data:`EXAMPLES` examples (a few fast ones); ``make fuzz`` runs 10,000
(``CALLSIM_FUZZ_EXAMPLES``) and prints the tally of outcomes (``CALLSIM_FUZZ_REPORT``).
Commands run in-process (``CliRunner``) with ``--workers 1``; Ctrl-C with workers is
tests/cli/test_cli_interrupts.py.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from callsim.cli.app import app
from tests.shared import REFERENCE, ROOT, SCENARIOS, finishes_within

EXAMPLES = int(os.environ.get("CALLSIM_FUZZ_EXAMPLES", "4"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize="CALLSIM_FUZZ_EXAMPLES"
                not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])
#: Seconds any one command line may take (far above the few seconds a small run needs on an
#: idle machine; a report renders its SVG figures in about 20 s on a loaded one).
BOUND = 300
#: Tallies of the outcomes (printed by ``make fuzz``).
TALLY: Counter[str] = Counter()
runner = CliRunner()

SMALL = ROOT / "tests" / "planning" / "staffing_small.yaml"
KNOWN = ROOT / "tests" / "planning" / "breakeven_known.yaml"
MAPPING = SCENARIOS / "records" / "acd_map.yaml"
#: The first morning of the example export: header and 300 rows (fast to calibrate).
RECORD_LINES = (SCENARIOS / "records" / "acd_week.csv").read_text().splitlines()[:301]

#: Kinds of path drawn for every file argument; "fresh" is a new file in a writable folder.
PATH_KINDS = ["fresh", "missing folder", "folder", "fifo", "symlink",
              "dangling symlink", "under a file", "read-only folder", "empty"]
#: Hostile cell values for records.
CELLS = ["", "nan", "-1", "0", "1e308", "1e15", "-0", "99:99:99", "00:99:99", "24:00:00",
         "abc", "\u0662", "\u00b2", "2999-01-01 00:00:00", "31/02/2026 08:00:00",
         "02/03/2026 08:00:00+05:00", "ANS", "ABN", "XFER", "BILLING_EN", "TECHSUPP_EN",
         "x" * 300, '"', "a,b", "\t", "NULL", "inf", "-inf", "1" * 30]
#: Values drawn for numeric options: valid, zero, negative, huge, malformed.
COUNTS = ["1", "2", "3", "0", "-1", "x", "1.5", "99999999999999999999", "\u00b2", ""]
TARGETS = ["asa<=30s", "service_level>=0.8", "billing:asa<=20s", "abandon_rate<=0.1",
           "occupancy<=0", "asa<=-1", "asa<=1e300s", "service_level>=2", "nope<=1",
           "asa<=", "billing:", "support:abandon_rate<=nan", "asa<=30s"]
VARY = ["departments.billing.agents=30:34", "departments.billing.agents=34:30",
        "departments.billing.agents=0:1e9", "transfer.policy=cold:warm", "x=1:2",
        "departments.billing.agents=3", "departments.billing.wage_per_hour=10:100",
        "call_types.support.arrivals_per_hour=10s:4min"]
INTERVALS = ["30min", "1h", "15min", "0", "-5min", "x", "1s", "25h", ""]
DAYS = ["all", "weekdays", "2026-03-02", "2026-03-02..2026-03-03", "mon", "garbage", "",
        "2999-01-01"]


@pytest.fixture(scope="module")
def zoo() -> Iterator[Path]:
    """A folder of paths of every kind; each example writes in a fresh subfolder of it."""
    path = Path(tempfile.mkdtemp(prefix="callsim-fuzz-commands-"))
    (path / "afile").write_text("not a folder")
    (path / "target.csv").write_text("\n".join(RECORD_LINES) + "\n")
    yield path
    shutil.rmtree(path, ignore_errors=True)
    if os.environ.get("CALLSIM_FUZZ_REPORT"):
        print(f"\nfuzz commands: {sum(TALLY.values())} command lines: " +
              ", ".join(f"{k} {v}" for k, v in sorted(TALLY.items())))


def make_path(zoo: Path, here: Path, kind: str, name: str) -> str:
    """A path of ``kind`` ending in ``name`` (made as needed in the example's folder)."""
    suffix = Path(name).suffix
    made = {
        "fresh": lambda: here / name,
        "missing folder": lambda: here / "missing" / name,
        "under a file": lambda: zoo / "afile" / name,
        "read-only folder": lambda: Path("/sys") / name if os.geteuid() == 0 else Path("/") / name,
        "empty": lambda: Path(""),
    }
    if kind in made:
        return str(made[kind]())
    target = here / f"{kind.replace(' ', '_')}{suffix}"
    if kind == "folder":
        target.mkdir(exist_ok=True)
    elif kind == "fifo" and not target.exists():
        os.mkfifo(target)
    elif kind == "symlink" and not target.is_symlink():
        target.symlink_to(zoo / "target.csv")
    elif kind == "dangling symlink" and not target.is_symlink():
        target.symlink_to(here / "nowhere")
    return str(target)


def mutate(draw: st.DrawFn, rows: list[list[str]]) -> None:
    """One change to the rows: a cell, a row dropped, copied, cut short or lengthened, or a
    header cell renamed."""
    action = draw(st.sampled_from(["cell", "cell", "cell", "drop row", "copy row", "header",
                                   "short row", "long row"]))
    if action == "header":
        c = draw(st.integers(0, len(rows[0]) - 1))
        rows[0][c] = draw(st.sampled_from(["", "CallStartTime", "QueueTime", "x", "Skill"]))
        return
    if len(rows) < 2:
        return  # no record left to mutate
    r = draw(st.integers(1, len(rows) - 1))
    if action == "drop row":
        del rows[r]
    elif action == "copy row":
        rows.insert(r, list(rows[r]))
    elif action == "long row":
        rows[r] = [*rows[r], "extra"]
    elif rows[r]:  # a row cut to nothing has no cell
        c = draw(st.integers(0, len(rows[r]) - 1))
        if action == "cell":
            rows[r][c] = draw(st.sampled_from(CELLS))
        else:
            rows[r] = rows[r][:c]


@st.composite
def records_text(draw: st.DrawFn) -> bytes:
    """The example records with cells, rows and the header mutated, in some encoding."""
    rows = [line.split(",") for line in RECORD_LINES]
    for _ in range(draw(st.sampled_from([0, 0, 1, 2, 6]))):
        mutate(draw, rows)
    if draw(st.integers(0, 9)) == 0:
        rows = rows[:draw(st.integers(0, 2))]  # empty, header only, one record
    text = "\n".join(",".join(row) for row in rows) + "\n"
    encoding = pick(draw, ["utf-8", "utf-8-sig", "latin-1", "utf-16", "junk"])
    if encoding == "junk":
        return draw(st.binary(min_size=0, max_size=200))
    if encoding != "utf-8":
        text = text.replace("BIL,", "BIL\u00e9,", 1)
    return text.encode(encoding, errors="replace")


def option(draw: st.DrawFn, name: str, values: list[str], chance: int = 2) -> list[str]:
    """``[name, value]`` with probability 1/chance, else nothing; a value is the first of
    ``values`` (valid) half the time, and the option is sometimes given twice."""
    if draw(st.integers(0, chance - 1)) != 0:
        return []
    given = [name, pick(draw, values)]
    return given + ([name, pick(draw, values)] if draw(st.integers(0, 15)) == 0 else [])


def pick(draw: st.DrawFn, values: list[str]) -> str:
    """The first (valid) value half the time, any other value otherwise."""
    return values[0] if draw(st.booleans()) else draw(st.sampled_from(values))


@st.composite
def command_lines(draw: st.DrawFn) -> dict[str, Any]:
    """A command, its arguments with path placeholders ``{kind|name}``, and a records file."""
    command = draw(st.sampled_from(["staff", "breakeven", "calibrate", "backtest", "report",
                                    "init"]))
    def path(name: str) -> str:
        return f"{{{pick(draw, PATH_KINDS)}|{name}}}"

    def out(*names: str) -> str:
        return path(pick(draw, list(names)))

    args: list[str] = []
    if command == "staff":
        args = [str(SMALL) if draw(st.integers(0, 5)) else path("scenario.yaml"),
                *option(draw, "--target", TARGETS, 1),
                "--reps", pick(draw, ["2", "1", "0", "x"]),
                "--verify-reps", pick(draw, ["2", "1", "3"]),
                *option(draw, "--min-agents", ["billing=2", "billing=\u00b2", "nope=1",
                                               "billing=100000", "billing"], 4),
                *option(draw, "--max-agents", ["billing=9", "billing=0", "support=1",
                                               "billing=99999999999999999999999"], 4),
                *option(draw, "--shrinkage", ["0.3", "1", "-0.1", "nan", "x"], 4),
                *option(draw, "--scope", ["interval", "horizon", "day"], 4),
                *option(draw, "--policy", ["cold", "warm", "cold,warm", "nope", ""], 4),
                *(["--constant"] if draw(st.booleans()) else []),
                *(["--json"] if draw(st.booleans()) else []),
                *option(draw, "--out", [out("s.csv", "s.xlsx", "s.json", "s.txt")], 2),
                *option(draw, "--plot", [out("s.svg", "s.png", "s.pdf")], 3),
                *option(draw, "--write-scenario", [path("scenarios")], 3)]
    elif command == "breakeven":
        args = [str(KNOWN), *option(draw, "--vary", VARY, 1),
                *option(draw, "--metric", ["total_cost", "overall.abandon_rate",
                                           "callback_delay_mean", "nope"], 3),
                "--reps", pick(draw, ["2", "1", "0"]),
                *option(draw, "--grid", ["3", "2", "0", "-1", "100000", "x"], 2),
                *option(draw, "--steps", ["0", "1", "2", "100000", "-1"], 2),
                *option(draw, "--target", TARGETS, 5),
                *(["--json"] if draw(st.booleans()) else []),
                *option(draw, "--plot", [out("b.svg", "b.png", "b.csv")], 3)]
    elif command == "calibrate":
        args = ["{records}", *option(draw, "--map", [str(MAPPING), path("map.yaml")], 1),
                "--out", out("cal.yaml", "cal.yml", "cal.csv"),
                *option(draw, "--report", [out("cal.html", "cal.htm")], 3),
                *option(draw, "--interval", INTERVALS, 3),
                *option(draw, "--days", DAYS, 3)]
        if draw(st.integers(0, 3)) == 0:
            args.insert(1, draw(st.sampled_from(["{records}", path("more.csv")])))
    elif command == "backtest":
        args = [str(REFERENCE), "{records}",
                *option(draw, "--map", [str(MAPPING), path("map.yaml")], 1),
                "--reps", pick(draw, ["3", "2", "1", "0"]),
                *option(draw, "--days", DAYS, 3),
                *option(draw, "--arrivals", ["scenario", "records", "x"], 3),
                *(["--json"] if draw(st.booleans()) else []),
                *option(draw, "--out", [out("bt.html", "bt.csv", "bt.xlsx", "bt.txt")], 2)]
    elif command == "report":
        args = [str(SMALL) if draw(st.integers(0, 5)) else path("scenario.yaml"),
                "--reps", pick(draw, ["2", "1", "x"]),
                *option(draw, "--policy", ["cold", "warm,cold", "nope"], 4),
                "--out", out("report.html", "report.htm", "report.pdf")]
    else:
        args = [path("new.yaml")] if draw(st.integers(0, 5)) else []
    if command not in ("init", "calibrate"):
        args += ["--workers", "1", "--seed", "1"]
    return {"command": command, "args": args, "records": draw(records_text())}


def resolve(zoo: Path, here: Path, line: dict[str, Any]) -> list[str]:
    """The command line with every placeholder made a real path in ``here``."""
    records = here / "records.csv"
    records.write_bytes(line["records"])
    out = []
    for arg in line["args"]:
        if arg == "{records}":
            out.append(str(records))
        elif arg.startswith("{") and "|" in arg:
            kind, name = arg[1:-1].split("|")
            out.append(make_path(zoo, here, kind, name))
        else:
            out.append(arg)
    return [line["command"], *out]


def files_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.is_file() and not p.is_symlink()}


def problem(line: dict[str, Any], args: list[str], result: Any, new: set[str],
            temporary: list[Path]) -> tuple[str, str] | None:
    """``(kind, details)`` of what the command line did wrong, or ``None``."""
    shown = f"callsim {' '.join(args)}\n{result.output}"
    code = result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        error = result.exception
        return f"traceback {type(error).__name__}: {str(error)[:80]}", f"{shown}\n{error!r}"
    if "Traceback" in result.output:
        return "traceback printed", shown
    if code not in (0, 1, 2):
        return f"exit {code}", shown
    if code == 1 and (line["command"] != "staff" or "targets not met" not in
                      result.output.strip().splitlines()[-1]):
        return "undocumented exit 1", shown
    if code == 2 and new:
        return "files written before exit 2", f"{shown}\n{sorted(new)}"
    if temporary:
        return "temporary file left", f"{shown}\n{temporary}"
    return None


@FUZZ
@given(line=command_lines())
def test_any_command_line_ends_cleanly(zoo: Path, line: dict[str, Any]) -> None:
    """Strict by default; ``CALLSIM_FUZZ_SURVEY=FILE`` tallies problems (and appends an example
    of each new kind to FILE) instead of failing, so a long run maps every kind of fault."""
    here = Path(tempfile.mkdtemp(dir=zoo))
    try:
        args = resolve(zoo, here, line)
        before = files_in(here)
        started = time.monotonic()
        try:
            with finishes_within(BOUND):
                result = runner.invoke(app, args, env={"COLUMNS": "200"})
        except TimeoutError:
            if not os.environ.get("CALLSIM_FUZZ_SURVEY"):
                raise
            TALLY["problem: still running after the bound"] += 1
            return
        found = problem(line, args, result, files_in(here) - before,
                        [p for p in here.rglob(".*") if p.is_file()])
        survey = os.environ.get("CALLSIM_FUZZ_SURVEY")
        if found is not None and survey:
            kind = f"problem: {line['command']}: {found[0]}"
            if kind not in TALLY:
                with open(survey, "a") as handle:
                    handle.write(f"=== {kind}\n{found[1][:3000]}\n")
            TALLY[kind] += 1
            return
        assert found is None, found[1] if found else ""
        TALLY[f"{line['command']} exit {result.exit_code}"] += 1
        if os.environ.get("CALLSIM_FUZZ_SHOW"):
            print(f"{result.exit_code} {time.monotonic() - started:.1f} s: "
                  f"callsim {' '.join(args)}"[:300])
    finally:
        shutil.rmtree(here, ignore_errors=True)
