"""``callsim erlang``: Erlang C / Erlang A figures and staffing from the command line.

A thin layer over :mod:`callsim.analysis.erlang`: options are parsed here, numbers come from
:func:`~callsim.analysis.erlang.staffing_table` and
:func:`~callsim.analysis.erlang.agents_for_service_level`.
"""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from callsim.cli.common import OutOption, Outputs, echo_written, write_out
from callsim.cli.flags import flagged
from callsim.scenario.limits import MAX_AGENTS, MAX_RATE, MAX_SECONDS

if TYPE_CHECKING:
    import pandas as pd

_SPAN = 3  # rows shown either side of the recommended staffing


def _fail(message: str) -> NoReturn:
    """Print a one-line error to stderr (parameters as flags) and exit with code 2."""
    typer.echo(f"Error: {flagged(message)}", err=True)
    raise typer.Exit(2)


def _number(option: str, text: str, *, minimum: float = 0.0) -> float:
    try:
        value = float(text)
    except ValueError:
        _fail(f"{option} must be a number, got {text!r}")
    if not math.isfinite(value) or value <= minimum:
        _fail(f"{option} must be a finite number above {minimum:g}, got {text!r}")
    return value


def _rate(text: str) -> float:
    value = _number("--arrivals-per-hour", text)
    if value > MAX_RATE:
        _fail(f"--arrivals-per-hour must be at most {MAX_RATE:.0e}, got {text!r}")
    return value


def _seconds(option: str, text: str, *, allow_zero: bool = False) -> float:
    try:
        from callsim.scenario.durations import parse_duration

        value = parse_duration(text)
    except ValueError as error:
        _fail(f"{option}: {error}")
    if value < 0 or (value == 0 and not allow_zero):
        _fail(f"{option} must be {'non-negative' if allow_zero else 'positive'}, got {text!r}")
    if not value <= MAX_SECONDS:  # as in a scenario file (callsim/scenario/limits.py)
        _fail(f"{option} must be at most {MAX_SECONDS:.0e} s (the longest duration callsim "
              f"takes), got {text!r}")
    return value


def _agents(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        _fail(f"--agents must be a whole number, got {text!r}")
    if value < 1:
        _fail(f"--agents must be at least 1, got {text!r}")
    if value > MAX_AGENTS:
        _fail(f"--agents must be at most {MAX_AGENTS:,}, got {text!r}")
    return value


def _share(text: str) -> float:
    percent = text.strip().endswith("%")
    value = _number("--target-sl", text.strip().rstrip("%"), minimum=-math.inf)
    value = value / 100 if percent else value
    if not 0 < value < 1:
        _fail(f"--target-sl must be strictly between 0 and 1 (or 0% and 100%), got {text!r}")
    return value


def _plain(value: Any) -> int | float | None:
    """JSON-safe number: NumPy scalars become Python ones, ``inf`` and ``nan`` become ``None``."""
    if isinstance(value, numbers.Integral):
        return int(value)
    number = float(value)
    return number if math.isfinite(number) else None


def _render(rows: list[dict[str, Any]], threshold: float, patience: bool, best: int | None) -> None:
    title = "Erlang A (M/M/n+M)" if patience else "Erlang C (M/M/n)"
    from rich.table import Table

    table = Table(title=title)
    columns = [("agents", "agents", "{:d}"), ("p_wait", "P(wait)", "{:.4f}")]
    if patience:
        columns.append(("p_abandon", "P(abandon)", "{:.4f}"))
    columns += [
        ("asa", "ASA s", "{:.1f}"),
        ("wait_mean", "wait s", "{:.1f}"),
        ("service_level", f"SL {threshold:g}s", "{:.1%}"),
        ("occupancy", "occup.", "{:.1%}"),
        ("queue_length", "queue", "{:.2f}"),
    ]
    for _, header, _ in columns:
        table.add_column(header, justify="right", no_wrap=True)
    for row in rows:
        cells = [fmt.format(row[key]) if row[key] is not None else "inf" for key, _, fmt in columns]
        table.add_row(*cells, style="bold green" if row["agents"] == best else None)
    from callsim.cli.tables import stdout_console

    console = stdout_console()
    console.print(table)
    if best is not None:
        console.print(f"Fewest agents meeting the target: {best}")


def erlang(
    arrivals_per_hour: Annotated[
        str | None, typer.Option(metavar="<float>", help="Calls arriving per hour (required).")
    ] = None,
    aht: Annotated[
        str | None,
        typer.Option(metavar="DURATION", help="Average handling time: 180, 3min (required)."),
    ] = None,
    patience: Annotated[
        str | None,
        typer.Option(metavar="DURATION", help="Mean patience; omit for Erlang C (no abandonment)."),
    ] = None,
    agents: Annotated[str | None, typer.Option(metavar="<int>", help="Agents on duty.")] = None,
    threshold: Annotated[
        str, typer.Option(metavar="DURATION", help="Service-level threshold.")
    ] = "20s",
    target_sl: Annotated[
        str | None,
        typer.Option(metavar="<float>", help="Target service level, 0.8 or 80%: fewest agents."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of a table.")
    ] = False,
    out: OutOption = None,
) -> None:
    """Queue figures from Erlang C, or Erlang A when --patience is given.

    Give --agents, --target-sl, or both. Service level: share of all callers answered in time.

    ASA: mean wait of answered callers.
    """
    if arrivals_per_hour is None or aht is None:
        _fail("--arrivals-per-hour and --aht are required")
    if agents is None and target_sl is None:
        _fail("give --agents, --target-sl, or both")
    query = _Query(
        rate=_rate(arrivals_per_hour) / 3600.0,
        mean_service=_seconds("--aht", aht),
        mean_patience=None if patience is None else _seconds("--patience", patience),
        threshold=_seconds("--threshold", threshold, allow_zero=True),
        agents=None if agents is None else _agents(agents),
        target=None if target_sl is None else _share(target_sl),
    )
    outputs = Outputs().file(out, tables=("erlang", "inputs")).check()
    frame, best = _staffing(query)
    rows = [{key: _plain(value) for key, value in row.items()} for row in frame.to_dict("records")]
    inputs = _inputs(query, best)
    if out is not None:
        from callsim.report.exports import erlang_sheets

        # Erlang C has no abandonment: an empty column, not a 0 that reads as "nobody abandons"
        shown = frame if query.mean_patience is not None else frame.assign(p_abandon=math.nan)
        with outputs.writing():
            written = write_out(erlang_sheets(shown, inputs), out)
        echo_written(written)
    if json_output:
        typer.echo(json.dumps({**inputs, "rows": rows}, indent=2))
        return
    _render(rows, query.threshold, query.mean_patience is not None, best)


@dataclass(frozen=True)
class _Query:
    """The checked options: rate per second, times in seconds, target as a share."""

    rate: float
    mean_service: float
    mean_patience: float | None
    threshold: float
    agents: int | None
    target: float | None


def _staffing(query: _Query) -> tuple[pd.DataFrame, int | None]:
    """The staffing table and the fewest agents meeting the target (``None`` without one).

    The table has the ``--agents`` row and the rows around the recommendation.
    """
    from callsim.analysis.erlang import agents_for_service_level, staffing_table

    counts = [] if query.agents is None else [query.agents]
    best = None
    if query.target is not None:
        try:
            best = agents_for_service_level(query.rate, query.mean_service, query.target,
                                            query.threshold, query.mean_patience)
        except ValueError as error:
            _fail(str(error))
        counts += range(max(1, best - _SPAN), best + _SPAN + 1)
    try:  # an overload with a very long patience has no tractable queue
        frame = staffing_table(query.rate, query.mean_service, sorted(set(counts)),
                               query.threshold, query.mean_patience)
    except ValueError as error:
        _fail(str(error))
    return frame, best


def _inputs(query: _Query, best: int | None) -> dict[str, Any]:
    """The inputs and the recommendation, as in the ``--json`` document and ``--out`` file."""
    return {
        "model": "erlang_a" if query.mean_patience is not None else "erlang_c",
        "arrivals_per_hour": query.rate * 3600.0,
        "aht_s": query.mean_service,
        "patience_s": query.mean_patience,
        "threshold_s": query.threshold,
        "target_sl": query.target,
        "recommended_agents": best,
    }
