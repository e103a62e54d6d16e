"""``callsim plot``: a figure of a sweep results table (line over one field, heatmap over two)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from callsim.cli.common import Outputs, fail

if TYPE_CHECKING:
    import pandas as pd


def parse_at(items: list[str]) -> dict[str, str]:
    """``["a.b=1", "c=x"]`` -> ``{"a.b": "1", "c": "x"}``; exit 2 on an item without ``=``."""
    fixed: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise fail(f"--at: expected PATH=VALUE, got {item!r}")
        fixed[name.strip()] = value.strip()
    return fixed


def default_out(results: Path, metric: str, diff: bool) -> Path:
    """``<results stem>_<metric>[_diff].png`` next to the results file, a readable name.

    An overall or cost metric is named by itself; a call type's or a department's metric
    after it (``support_calls_``, ``billing_dept_``). Characters other than letters, digits,
    ``_`` and ``-`` (such as the dots of a flat key) become ``-``, so the name has no second
    suffix.

    Examples
    --------
    >>> default_out(Path("runs/sweep.parquet"), "overall.wait_mean", True).as_posix()
    'runs/sweep_wait_mean_diff.png'
    >>> default_out(Path("payoff.parquet"), "call_types.support.abandon_rate", False).name
    'payoff_support_calls_abandon_rate.png'
    >>> default_out(Path("payoff.parquet"), "departments.billing.occupancy", True).name
    'payoff_billing_dept_occupancy_diff.png'
    """
    import re

    group, _, rest = metric.partition(".")
    name, _, bare = rest.rpartition(".")
    kind = {"call_types": "calls", "departments": "dept"}.get(group)
    readable = f"{name}_{kind}_{bare}" if kind and name else (rest or metric)
    readable = re.sub(r"[^A-Za-z0-9_-]", "-", readable)
    return results.with_name(f"{results.stem}_{readable}{'_diff' if diff else ''}.png")


def read_results(results: Path) -> pd.DataFrame:
    """Read the sweep results table (.parquet, or .csv as ``sweep --out`` writes it).

    Exit 2 with one line when it is missing or unreadable.
    """
    from callsim.files.reading import InputFileError, check_input_file, read_csv_table
    from callsim.scenario.limits import MAX_INPUT_BYTES

    try:  # a FIFO would block the readers below
        check_input_file(results, MAX_INPUT_BYTES)
    except InputFileError as exc:
        raise fail(f"{results}: {exc.reason}") from None
    suffix = results.suffix.lower()
    written = "what `callsim sweep SCENARIO --vary ... --out FILE.parquet` writes"
    if suffix not in (".csv", ".parquet"):
        what = "a scenario file" if suffix in (".yaml", ".yml") else "no results table"
        raise fail(f"{results}: {what}, not a sweep results table: plot draws {written}")
    import pandas as pd  # heavy imports only when the command runs

    try:
        if suffix == ".csv":
            return read_csv_table(results, float_precision="round_trip")
        return pd.read_parquet(results)
    except Exception as exc:  # pyarrow raises many types for a file that is not Parquet
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if suffix == ".parquet":  # "Parquet magic bytes not found in footer" says less
            reason = f"not a Parquet file (plot draws {written})"
        raise fail(f"{results}: cannot read results table: {reason}") from None


def plot_command(
    results: Annotated[Path, typer.Argument(help="Sweep results table (.parquet or .csv).")],
    x: Annotated[str, typer.Option("--x", help="Swept field on the x-axis, e.g. "
                                   "departments.billing.agents.")],
    metric: Annotated[str, typer.Option(help="Metric key (overall.wait_mean) or bare name "
                                        "meaning overall (wait_mean).")],
    y: Annotated[str | None, typer.Option("--y", help="Second swept field: draw a heatmap.")]
    = None,
    diff: Annotated[bool, typer.Option("--diff", help="Draw the paired difference B - A of the "
                                       "two policies (A the first run, e.g. warm - cold) and "
                                       "where either is significantly better.")] = False,
    policies: Annotated[list[str] | None, typer.Option(
        "--policy", "--policies", metavar="NAME[,NAME...]", help="Policies to draw, in "
                                                 "order (A first), e.g. cold,conditional "
                                                 "with --diff; default: every policy. Repeat "
                                                 "it or list with commas.")] = None,
    at: Annotated[list[str] | None, typer.Option("--at", help="Fix another swept field, e.g. "
                                                 "--at call_types.support.misroute.billing=0.2")]
    = None,
    out: Annotated[Path | None, typer.Option(help="Figure file (.png or .svg); default "
                                             "<results stem>_<metric>[_diff].png, e.g. "
                                             "payoff_lost_rate_diff.png.")] = None,
) -> None:
    """Plot a metric of a sweep against one swept field (lines) or two (heatmap)."""
    fixed = parse_at(at or [])
    Outputs().file(out, "--out", "figure").check()
    rows = read_results(results)
    from callsim.experiments.sweep_selection import resolve_metric, select_policies
    from callsim.report import sweep_figures as sweep_plots  # heavy imports only when running

    try:
        if policies is not None:
            names = [p.strip() for v in policies for p in v.split(",") if p.strip()]
            rows = select_policies(rows, names)
        key = resolve_metric(rows, metric)
        target = out if out is not None else default_out(results, key, diff)
        outputs = Outputs().file(target, "--out", "figure").check()  # the default name too
        if y is None:
            figure = sweep_plots.line_figure(rows, x, key, diff=diff, at=fixed)
        else:
            figure = sweep_plots.heatmap_figure(rows, x, y, key, diff=diff, at=fixed)
        with outputs.writing():
            written = sweep_plots.save_figure(figure, target)
    except ValueError as exc:
        raise fail(" ".join(str(exc).split())) from None
    except OSError as exc:
        raise fail(f"{target}: cannot write figure: {exc.strerror or exc}") from None
    typer.echo(f"wrote {written}")
