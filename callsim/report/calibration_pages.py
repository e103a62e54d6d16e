"""HTML pages (and tables) of a calibration and of a backtest.

Both pages extend ``base.html.j2`` of the comparison report: one self-contained file, figures
inline as SVG, no scripts. A backtest can also be written as a table (``.xlsx``, ``.csv``,
``.parquet``, ``.json``) through :mod:`callsim.report.writers`.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callsim.calibration.block_factors import clock_span
from callsim.files import write_text
from callsim.report.calibration_figures import (
    arrivals_figure,
    backtest_figure,
    handle_time_figure,
    patience_figure,
)
from callsim.report.html import environment, svg_markup
from callsim.report.writers import Sheet, write_tables
from callsim.scenario.catalogue import column_label, metric

if TYPE_CHECKING:
    from callsim.calibration.backtest import Backtest
    from callsim.calibration.calibrated import Calibration

__all__ = ["BACKTEST_SUFFIXES", "BACKTEST_TABLES", "backtest_html", "calibration_html",
           "write_backtest", "write_calibration_report"]

#: What ``callsim backtest --out`` can write.
BACKTEST_SUFFIXES: tuple[str, ...] = (".html", ".xlsx", ".csv", ".parquet", ".json")
#: The tables of a backtest written as a table file (the second one beside the first in CSV).
BACKTEST_TABLES: tuple[str, ...] = ("backtest", "verdict")


def _version() -> str:
    from callsim.report.html import _callsim_version

    return _callsim_version()


def _s(value: float, digits: int = 1) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:,.{digits}f} s"


def _arrival_rows(cal: Calibration) -> list[dict[str, Any]]:
    rows = []
    for name in cal.call_types:
        d = cal.arrivals.dispersion[name]
        calls = int(cal.arrivals.rates(name)["calls"].sum())
        if math.isnan(d.index):
            reading = "one day: not measurable"
        else:
            reading = "over-dispersed" if d.p_value < 0.01 else "consistent with Poisson"
        rows.append({"call_type": name, "calls": f"{calls:,}", "days": cal.arrivals.days,
                     "index": "n/a" if math.isnan(d.index) else f"{d.index:.2f}",
                     "p": "n/a" if math.isnan(d.p_value) else f"{d.p_value:.3g}",
                     "reading": reading})
    return rows


def _handle_rows(cal: Calibration) -> list[dict[str, Any]]:
    rows = []
    for key, fit in sorted(cal.handle_times.items()):
        best = min(fit.aic.values()) if fit.aic else 0.0
        department = key[1] + (" (transferred: first agent)" if len(key) > 2 else "")
        rows.append({
            "call_type": key[0], "department": department, "n": f"{fit.n:,}",
            "family": fit.family, "mean": f"{_s(fit.mean)} ({fit.mean_ci[0]:.1f}-"
                                          f"{fit.mean_ci[1]:.1f})",
            "sd": _s(fit.sd),
            "aic": ", ".join(f"{k} {'best' if v == best else f'+{v - best:.1f}'}"
                             for k, v in sorted(fit.aic.items(), key=lambda kv: kv[1])),
            "ks": f"{fit.ks[0]:.3f} ({fit.ks[1]:.3g})" if fit.aic else "n/a",
        })
    return rows


def _patience_rows(cal: Calibration) -> list[dict[str, Any]]:
    rows = []
    for name in cal.call_types:
        est = cal.patience[name]
        fits = "; ".join(f"{f}: {_s(v['mean'])} ({v['mean_ci'][0]:.1f}-{v['mean_ci'][1]:.1f}),"
                         f" AIC {v['aic']:.1f}" for f, v in est.fits.items())
        rows.append({"call_type": name, "n": f"{est.n:,}", "abandoned": f"{est.abandoned:,}",
                     "naive": _s(est.naive_mean),
                     "median": "not reached" if math.isinf(est.median) else _s(est.median),
                     "fits": fits or "too few abandonments",
                     "chosen": est.family or "marked default"})
    return rows


def _patience_scale_rows(cal: Calibration) -> list[dict[str, Any]]:
    """One row per block of the time-of-day factor on patience (none when not identified)."""
    by_time = cal.patience_scale
    if by_time is None or not by_time.identified:
        return []
    return [{"block": clock_span(cal.window, b.first, b.last),
             "calls": f"{b.calls:,}", "abandoned": f"{b.abandoned:,}",
             "hazard": f"{b.hazard:.3f}",
             "scale": (f"{b.scale:.3f} ({b.low:.3f}-{b.high:.3f})" if b.identified
                       else "1 (too few abandonments)")}
            for b in by_time.blocks]


def _handle_scale_rows(cal: Calibration) -> list[dict[str, Any]]:
    """One row per block of the time-of-day factor on handle time (none when not identified)."""
    by_hour = cal.handle_scale
    if by_hour is None or not by_hour.identified:
        return []
    return [{"block": clock_span(cal.window, b.first, b.last),
             "calls": f"{b.calls:,}", "mean": _s(b.mean), "expected": _s(b.expected),
             "scale": (f"{b.scale:.3f} ({b.low:.3f}-{b.high:.3f})" if b.identified
                       else "1 (too few calls)"),
             "applied": by_hour.applied}
            for b in by_hour.blocks]


def _transfer_text(cal: Calibration) -> str:
    counts = cal.routing.transfer_counts
    text = ", ".join(f"{v:,} {k}" for k, v in counts.items()) or "none"
    fit = cal.routing.identify
    identify = (f"identify time {fit.family}, mean {_s(fit.mean)} from {fit.n:,} cold transfers"
                if fit else "identify time: marked default (too few cold transfers)")
    return f"Transfers in the records: {text}; {identify}."


def _staffing_text(cal: Calibration) -> list[str]:
    """What the staffing section says: the method, the pools, after-call work, the fit, warnings."""
    if cal.staffing.lower_bound:
        lines = ["LOWER BOUND: no agent ids in the records; each interval's agents are the most "
                 "calls handled at once, mean over days, rounded up. Real staffing is higher."]
    else:
        lines = ["From agent ids: each agent's on-duty spells (from a call to the last call "
                 "before a gap over 10 min, a break) give the time-average number of agents on "
                 "duty in each interval; the mean over days is rounded. The table shows the "
                 "range over the days."]
    if cal.pools is not None and cal.pools.shared:
        groups = cal.pools.table.groupby("pool")["queue"].agg(", ".join)
        lines.append("Queues served by one pool of agents (their agents answer each other's "
                     "calls): " + "; ".join(f"{p}: {q}" for p, q in groups.items()) + ".")
    for department, acw in sorted(cal.after_call_work.items()):
        if acw.fit is not None:
            lines.append(f"After-call work in {department}: mean {_s(acw.fit.mean)} "
                         f"({_s(acw.fit.mean_ci[0])}-{_s(acw.fit.mean_ci[1])}), from "
                         f"{acw.fit.n:,} gaps between an agent's calls while callers waited.")
    for found in (cal.availability, cal.forward):  # calibrate --fit: the fit, its check
        if found is not None:
            lines += found.comment().splitlines()
    lines += [f"Warning: {w}." for w in cal.warnings]
    return lines


def _staffing_rows(cal: Calibration) -> list[dict[str, str]]:
    table = cal.staffing.table
    return [{"department": str(r.department), "clock": cal.window.clock(int(r.interval)),
             "agents": str(r.agents), "mean": f"{r.mean:.1f}",
             "range": f"{r.low:.0f}-{r.high:.0f}"}
            for r in table.itertuples() if r.high > 0 or r.agents > 0]


def calibration_html(cal: Calibration) -> str:
    """The evidence behind a calibrated scenario as one HTML page."""
    days = cal.records.days
    figures = {
        "arrivals": svg_markup(arrivals_figure(cal), "arrivals", "Arrivals per interval"),
        "handle": svg_markup(handle_time_figure(cal), "handle", "Handle times and fits"),
        "patience": svg_markup(patience_figure(cal), "patience", "Patience survival curves"),
    }
    misroutes = [{"call_type": m.call_type, "department": m.department,
                  "count": f"{m.count:,} of {m.n:,}",
                  "share": f"{100 * m.share:.2f}% ({100 * m.ci[0]:.2f}-{100 * m.ci[1]:.2f}%)"}
                 for m in cal.routing.misroutes]
    return environment().get_template("calibration.html.j2").render(
        title=f"Calibration: {cal.name}",
        summary=f"{len(cal.records):,} calls on {len(days)} day(s), {days[0]:%Y-%m-%d} to "
                f"{days[-1]:%Y-%m-%d}, intervals of {cal.window.interval / 60:.0f} min from "
                f"{cal.window.clock(0)} to {cal.window.clock(cal.window.n_intervals)}.",
        defaults=list(cal.defaults), figures=figures, arrivals=_arrival_rows(cal),
        handle=_handle_rows(cal), patience=_patience_rows(cal), misroutes=misroutes,
        patience_scale=_patience_scale_rows(cal), handle_scale=_handle_scale_rows(cal),
        transfers=_transfer_text(cal), staffing=_staffing_text(cal),
        staffing_rows=_staffing_rows(cal), version=_version(),
        sources=", ".join(cal.records.sources) or "records given in code",
    )


def write_calibration_report(cal: Calibration, path: str | os.PathLike[str]) -> Path:
    """Write :func:`calibration_html` to ``path`` atomically."""
    return write_text(path, calibration_html(cal))


def _value(name: str, value: float) -> str:
    return metric(name).format(value)


def backtest_html(bt: Backtest) -> str:
    """A backtest as one HTML page: verdict, the figure through the day, flagged values."""
    outside = [{"metric": metric(r.metric).label, "queue": r.queue, "clock": r.clock,
                "observed": _value(r.metric, r.observed),
                "sim": f"{_value(r.metric, r.sim_mean)} ({_value(r.metric, r.ci_low)} to "
                       f"{_value(r.metric, r.ci_high)})",
                "band": f"{_value(r.metric, r.band_low)} to {_value(r.metric, r.band_high)}"}
               for r in bt.outside.itertuples()]
    figure = svg_markup(backtest_figure(bt), "backtest", "Observed values over simulated bands")
    return environment().get_template("backtest.html.j2").render(
        title=f"Backtest: {bt.scenario}", verdict=bt.verdict, passed=bt.passed,
        summary=f"{bt.days} day(s) of records against {bt.reps} simulated days, per interval: "
                "offered and answered calls, abandonment, ASA, service level, occupancy.",
        figure=figure, notes=list(bt.notes), outside=outside, reps=bt.reps, seed=bt.seed,
        days=bt.days, version=_version(),
    )


def write_backtest(bt: Backtest, path: str | os.PathLike[str]) -> list[Path]:
    """Write a backtest by suffix: an HTML page, or its table (Excel, CSV, Parquet, JSON)."""
    path = Path(path)
    if path.suffix.lower() == ".html":
        return [write_text(path, backtest_html(bt))]
    verdict = [{"verdict": bt.verdict, "passed": bt.passed, "checks": bt.checks,
                "flagged": bt.flagged, "allowed": bt.allowed, "days": bt.days, "reps": bt.reps,
                "seed": bt.seed}]
    import pandas as pd

    values = ["observed", "sim_mean", "ci_low", "ci_high", "band_low", "band_high"]
    headers = {str(c): column_label(str(c)) for c in bt.table.columns}
    headers.update({"queue": "Queue", "clock": "Clock time", "observed": "Observed",
                    "sim_mean": "Simulated mean", "ci_low": "95% CI low",
                    "ci_high": "95% CI high", "band_low": "Band low (95%)",
                    "band_high": "Band high (95%)", "outside": "Outside band"})
    verdict_frame = pd.DataFrame(verdict)
    table = Sheet("backtest", bt.table, headers=headers, formats={"interval": "0"},
                  row_formats=[metric(m).excel_format for m in bt.table["metric"]],
                  value_columns=values)
    verdict_headers = {"verdict": "Verdict", "passed": "Passed", "checks": "Checks",
                       "flagged": "Flagged", "allowed": "Flags allowed", "days": "Days",
                       "reps": "Replications", "seed": "Seed"}
    return write_tables([table, Sheet("verdict", verdict_frame, headers=verdict_headers)], path)
