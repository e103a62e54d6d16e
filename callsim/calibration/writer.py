"""The calibrated scenario as commented YAML: every estimate with its sample size and CI.

Values that the records cannot give are written with a comment starting ``DEFAULT:`` and
listed at the top of the file, so nothing is invented silently.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel

from callsim.calibration.classes import not_answered_first, priorities
from callsim.calibration.fit import scaled
from callsim.calibration.fitting import MIN_SAMPLE
from callsim.calibration.patience import KM_TAIL, MIN_ABANDONED
from callsim.calibration.routing import MIN_IDENTIFY
from callsim.calibration.staffing import BREAK
from callsim.calibration.wrapup import MIN_GAPS

if TYPE_CHECKING:
    from callsim.calibration.calibrated import Calibration
    from callsim.calibration.fitting import DurationFit
    from callsim.calibration.patience import PatienceEstimate

__all__ = ["scenario_text"]

_DEFAULT_HANDLE = {"dist": "lognormal", "mean": 300.0, "sd": 240.0}
_DEFAULT_PATIENCE = {"dist": "exponential", "mean": 180.0}
_DEFAULT_IDENTIFY = {"dist": "gamma", "mean": 65.0, "sd": 30.0}


def _key(name: str) -> str:
    """A mapping key, quoted when YAML would read it as something else than that text."""
    return name if yaml.safe_load(name) == name else f'"{name}"'


def _num(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def _dist(dist: dict[str, Any]) -> str:
    parts = []
    for key, value in dist.items():
        if isinstance(value, list):
            parts.append(f"{key}: [{', '.join(_num(v) for v in value)}]")
        elif isinstance(value, float):
            parts.append(f"{key}: {_num(value, 2)}")
        else:
            parts.append(f"{key}: {value}")
    return "{" + ", ".join(parts) + "}"


def _ci(low: float, high: float, unit: str = " s", digits: int = 1) -> str:
    return f"95% CI {_num(low, digits)}-{_num(high, digits)}{unit}"


class _Text:
    """Lines of YAML being built, and the defaults used."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.defaults: list[str] = []

    def add(self, indent: int, text: str, comment: str = "") -> None:
        line = "  " * indent + text
        self.lines.append(f"{line}  # {comment}" if comment else line)

    def note(self, indent: int, comment: str) -> None:
        self.lines.append("  " * indent + f"# {comment}")

    def default(self, indent: int, text: str, where: str, why: str) -> None:
        self.add(indent, text, f"DEFAULT: {why}")
        self.defaults.append(f"{where}: {why}")


def scenario_text(cal: Calibration) -> tuple[str, list[str]]:
    """The commented scenario file of a calibration, and the list of defaults it used."""
    out = _Text()
    window = cal.window
    out.add(0, f"name: {_quoted(cal.name)}")
    out.add(0, "horizon:")
    out.add(1, f"duration: {_num(window.duration / 60, 0)}min",
            f"{window.clock(0)} to {window.clock(window.n_intervals)}: first to last interval "
            "with a call")
    out.add(1, f"interval: {_num(window.interval / 60, 0)}min")
    out.add(1, f'start: "{window.clock(0)}"')
    out.add(1, "warmup: 0s")
    out.add(1, "drain: true")
    out.default(0, "service_level_threshold: 20s", "service_level_threshold",
                "not in the records: your service-level target")
    _busyness(out, cal)
    _departments(out, cal)
    _call_types(out, cal)
    _transfer(out, cal)
    out.add(0, "costs:")
    out.default(1, "lost_call: 0.0", "costs.lost_call", "not in the records: cost of a lost call")
    return _header(cal, out.defaults) + "\n".join(out.lines) + "\n", out.defaults


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _header(cal: Calibration, defaults: list[str]) -> str:
    frame = cal.records.frame
    days = cal.records.days
    files = ", ".join(cal.records.sources) or "records given in code"
    lines = [
        "# Calibrated by `callsim calibrate` from call records. Read the comments before use.",
        f"# Records: {files}",
        f"# {len(frame):,} calls on {len(days)} day(s), {days[0]:%Y-%m-%d} to {days[-1]:%Y-%m-%d};"
        f" intervals of {_num(cal.window.interval / 60, 0)} min.",
        "# Each estimate carries its sample size (n) and a 95% confidence interval (CI).",
        f"# {len(defaults)} value(s) could not be estimated from the records and are marked"
        " DEFAULT:",
        *[f"#   - {d}" for d in defaults],
        *[f"# WARNING: {w}" for w in cal.warnings],
        "",
    ]
    return "\n".join(lines) + "\n"


def _busyness(out: _Text, cal: Calibration) -> None:
    est = cal.arrivals.busyness
    if est is None or math.isnan(est.cv):
        return
    out.note(0, f"busyness: day-to-day variance of interval counts (all call types) = m + cv^2 "
                f"m^2 over {est.days} days: cv {_num(est.cv, 3)} "
                f"({_ci(est.ci_low, est.ci_high, '', 3)}); 0 = Poisson with fixed rates")
    if model_has("scenario", "arrivals"):
        out.add(0, "arrivals:")
        out.add(1, f"busyness: {{cv: {_num(est.cv, 3)}}}")
    else:
        out.note(0, "(this callsim has no arrivals.busyness yet: not simulated)")


def _departments(out: _Text, cal: Calibration) -> None:
    staffing = cal.staffing
    out.add(0, "departments:")
    for department in cal.departments:
        out.add(1, f"{_key(department)}:")
        rows = staffing.table[staffing.table["department"] == department]
        if staffing.lower_bound:
            out.note(2, "LOWER BOUND: no agent ids in the records; agents = most calls handled "
                        "at once in the interval (mean over days, rounded up). Real staffing is"
                        " higher.")
            out.defaults.append(f"departments.{department}.agents: a lower bound (no agent ids)")
        else:
            out.note(2, f"agents on duty (agent ids): spells of an agent's calls, a gap over "
                        f"{_num(BREAK / 60, 0)} min being a break; time-average in the interval,"
                        f" mean over {cal.arrivals.days} day(s), rounded")
        _pool_note(out, cal, department)
        out.add(2, "agents:")
        for i, row in enumerate(rows.itertuples()):
            out.add(3, f"- {row.agents}", f"{cal.window.clock(i)}  mean {_num(row.mean)}, "
                    f"days {_num(row.low, 0)}-{_num(row.high, 0)}")
        out.default(2, "wage_per_hour: 30.0", f"departments.{department}.wage_per_hour",
                    "not in the records: loaded cost per agent-hour")
        _after_call_work(out, cal, department)
        _availability(out, cal)


def _availability(out: _Text, cal: Calibration) -> None:
    """The fitted share of agents available (per interval), with the fit's account."""
    fit = cal.availability
    if fit is None:
        return
    for line in fit.comment().splitlines():
        out.note(2, line)
    if fit.available is not None:
        out.add(2, "available:")
        for i, share in enumerate(fit.available):
            out.add(3, f"- {share:.4f}", cal.window.clock(i))
    if cal.forward is not None:
        for line in cal.forward.comment().splitlines():
            out.note(2, line)


def model_has(section: str, name: str) -> bool:
    """Whether the scenario model knows a field (the fidelity fields of docs/model.md section 4)."""
    from callsim.scenario import schema

    models: dict[str, type[BaseModel]] = {"departments": schema.Department,
                                          "call_types": schema.CallType,
                                          "scenario": schema.Scenario}
    return name in models[section].model_fields


def _after_call_work(out: _Text, cal: Calibration, department: str) -> None:
    acw = cal.after_call_work.get(department)
    if acw is None:
        return
    if acw.fit is None:
        out.note(2, f"after-call work: only {acw.gaps} gaps between calls while callers "
                    f"waited (< {MIN_GAPS}): not estimated")
        return
    out.note(2, f"after-call work: the gaps between an agent's calls while callers waited, "
                f"n = {acw.fit.n:,} ({acw.ignored:,} gaps with nobody waiting left out); "
                f"{fitted(acw.fit)}")
    for line in _fit_comment(acw.fit):
        out.note(3, line)
    if model_has("departments", "after_call_work"):
        scale = cal.availability.scale if cal.availability is not None else 1.0
        if scale != 1.0:
            out.note(2, f"scaled x{scale:g} by the joint fit (below)")
        out.add(2, f"after_call_work: {_dist(scaled(acw.fit.distribution, scale))}")
    else:
        out.note(2, "(this callsim has no after_call_work yet: not simulated)")


def _pool_note(out: _Text, cal: Calibration, department: str) -> None:
    if cal.pools is None or not cal.pools.shared:
        return
    table = cal.pools.table[cal.pools.table["pool"] == department]
    if len(table) < 2:
        return
    out.note(2, f"one pool for queues {', '.join(table['queue'])}: their agents serve several "
                "queues (calls answered by agents at home in the queue:")
    out.note(3, ", ".join(f"{r.queue} {100 * r.by_own:.0f}% of {r.calls:,}, {r.agents} agents"
                          for r in table.itertuples()) + ")")


def _call_types(out: _Text, cal: Calibration) -> None:
    for by_time in (cal.patience_scale, cal.handle_scale):
        if by_time is not None and by_time.identified:
            for line in by_time.comment():
                out.note(0, line)
    out.add(0, "call_types:")
    classes, unranked = priorities(cal.records), not_answered_first(cal.records)
    for call_type in cal.call_types:
        resolver = cal.routing.resolved_by[call_type]
        out.add(1, f"{_key(call_type)}:")
        _arrivals(out, cal, call_type)
        out.add(2, f"resolved_by: {_key(resolver)}",
                "the queue that answered most of these calls without transferring them")
        rank = classes.get(call_type, 0)
        if rank in unranked:
            out.note(2, unranked[rank])
        elif rank > 0 and model_has("call_types", "priority"):
            out.add(2, f"priority: {rank}",
                    "the records' priority class of these callers (answered first)")
        _handle_time(out, cal.handle_times.get((call_type, resolver)), call_type, resolver,
                     _handled(cal, call_type, resolver), _scaled_handle(cal))
        _patience(out, cal.patience.get(call_type), call_type)
        _patience_scale(out, cal)
        _handle_scale(out, cal)
        _misroutes(out, cal, call_type)


def _arrivals(out: _Text, cal: Calibration, call_type: str) -> None:
    rates = cal.arrivals.rates(call_type)
    disp = cal.arrivals.dispersion[call_type]
    days = cal.arrivals.days
    out.note(2, f"arrivals: n = {int(rates['calls'].sum()):,} calls over {days} day(s); "
                "per interval: calls per hour, 95% CI over days, day-to-day sd (calls/interval)")
    if math.isnan(disp.index):
        out.note(2, "over-dispersion: not measurable with one day")
    else:
        verdict = ("over-dispersed: daily volumes vary more than Poisson, plan for it"
                   if disp.p_value < 0.01 else "consistent with Poisson")
        out.note(2, f"over-dispersion: day-to-day variance/mean = {_num(disp.index, 2)} "
                    f"(Poisson: 1; p = {disp.p_value:.3g}, df {disp.df}): {verdict}")
    out.add(2, "arrivals_per_hour:")
    for row in rates.itertuples():
        sd = "" if math.isnan(row.sd) else f", sd {_num(row.sd)}"
        out.add(3, f"- {_num(row.rate, 2)}", f"{row.clock}  n={int(row.calls)}  "
                f"{_ci(row.ci_low, row.ci_high, '/h', 1)}{sd}")


def fitted(fit: DurationFit) -> str:
    """How a duration was fitted: ``lognormal by maximum likelihood``, or resampled."""
    if fit.family == "empirical":
        return "empirical (the observed times resampled: no family fits)"
    return f"{fit.family} by maximum likelihood"


def _fit_comment(fit: DurationFit) -> list[str]:
    lines = [f"mean {_num(fit.mean)} s ({_ci(*fit.mean_ci)}), sd {_num(fit.sd)} s"]
    if fit.params:
        lines[0] += "; " + ", ".join(
            f"{k} {_num(v, 3)}" + (f" ({_ci(*fit.params_ci[k], '', 3)})" if k in fit.params_ci
                                    else "") for k, v in fit.params.items())
    if fit.aic:
        best = min(fit.aic.values())
        lines.append("AIC: " + ", ".join(f"{k} {'best' if v == best else f'+{_num(v - best)}'}"
                                         for k, v in sorted(fit.aic.items(), key=lambda x: x[1])))
        verdict = "fits" if fit.fits else "no family fits, resampling the observed times"
        lines[-1] += f"; KS D = {fit.ks[0]:.3f} (p = {fit.ks[1]:.3g}): {verdict}"
    return lines


def _handled(cal: Calibration, call_type: str, resolver: str) -> int:
    """Handled times known of ``call_type`` calls answered in ``resolver``, not transferred."""
    frame = cal.records.frame
    return int((frame["answered"] & frame["handled"].notna() & frame["transferred_to"].isna()
                & (frame["call_type"].astype(str) == call_type)
                & (frame["queue"].astype(str) == resolver)).sum())


def _scaled_handle(cal: Calibration) -> bool:
    """Whether the handle times were fitted divided by their time-of-day factor."""
    return cal.handle_scale is not None and cal.handle_scale.used


def _handle_time(out: _Text, fit: DurationFit | None, call_type: str, resolver: str,
                 known: int, scaled: bool = False) -> None:
    where = f"call_types.{call_type}.handle_time"
    if fit is None:
        why = ("no handled times in the records" if known == 0 else
               f"only {known} handled time(s) in the records (a fit needs {MIN_SAMPLE})")
        out.default(2, f"handle_time: {_dist(_DEFAULT_HANDLE)}", where, why)
        return
    out.note(2, f"handle time: {fitted(fit)}, n = {fit.n:,} {call_type} "
                f"calls handled in {resolver} without transfer"
                + (" (each divided by its handle_scale: the time at factor 1)" if scaled else ""))
    for line in _fit_comment(fit):
        out.note(3, line)
    out.add(2, f"handle_time: {_dist(fit.distribution)}")


def _patience(out: _Text, est: PatienceEstimate | None, call_type: str) -> None:
    where = f"call_types.{call_type}.patience"
    if est is None or est.n == 0:
        out.default(2, f"patience: {_dist(_DEFAULT_PATIENCE)}", where, "no waits in the records")
        return
    out.note(2, f"patience: n = {est.n:,} callers, {est.abandoned:,} abandoned (exact), "
                f"{est.censored:,} answered (censored at their wait)")
    if est.abandoned == 0:
        out.default(2, "patience: null", where, "no caller abandoned: callers never abandon")
        return
    median = "not reached" if math.isinf(est.median) else f"{_num(est.median)} s"
    out.note(3, f"Kaplan-Meier median patience: {median}; naive mean of abandoned waits "
                f"{_num(est.naive_mean)} s (biased low: ignores answered callers)")
    for family, fit in sorted(est.fits.items(), key=lambda kv: kv[1]["aic"]):
        out.note(3, f"{family} (censored MLE): mean {_num(fit['mean'])} s "
                    f"({_ci(*fit['mean_ci'])}), AIC {_num(fit['aic'])}")
    if est.distribution is None:
        exponential = {"dist": "exponential", "mean": est.fits["exponential"]["mean"]}
        out.default(2, f"patience: {_dist(exponential)}", where,
                    f"only {est.abandoned} callers abandoned (< {MIN_ABANDONED}): "
                    "exponential censored estimate, very uncertain")
        return
    out.note(3, f"chosen: the Kaplan-Meier curve up to the longest wait ({_num(est.longest)} s), "
                f"then an exponential tail of mean {_num(est.tail_mean)} s (the abandonment rate"
                " of the longest waits); 200 quantiles")
    out.add(2, f"patience: {_dist(est.distribution)}", KM_TAIL)


def _patience_scale(out: _Text, cal: Calibration) -> None:
    """Every call type's time-of-day factor on patience (the blocks are commented above)."""
    by_time = cal.patience_scale
    if by_time is None or not by_time.identified:
        return
    if not model_has("call_types", "patience_scale"):
        out.note(2, "(this callsim has no patience_scale yet: not simulated)")
        return
    values = ", ".join(f"{v:.3f}" for v in by_time.per_interval)
    out.add(2, f"patience_scale: [{values}]",
            "time-of-day factor per interval (call_types above: blocks, CIs)")


def _handle_scale(out: _Text, cal: Calibration) -> None:
    """Every call type's time-of-day factor on handle time (the blocks are commented above)."""
    by_hour = cal.handle_scale
    if by_hour is None or not by_hour.used:
        return
    values = ", ".join(f"{v:.3f}" for v in by_hour.per_interval)
    out.add(2, f"handle_scale: [{values}]",
            "time-of-day factor on handle time per interval (call_types above: blocks, CIs)")


def _misroutes(out: _Text, cal: Calibration, call_type: str) -> None:
    routing = cal.routing
    where = f"call_types.{call_type}.misroute"
    if not routing.known:
        out.default(2, "misroute: {}", where,
                    "no call_type or transferred_to column: misroutes cannot be seen")
        return
    mine = [m for m in routing.misroutes if m.call_type == call_type]
    base = "answered calls (no call_type column)" if routing.among_answered else "calls"
    for m in mine:
        out.note(2, f"misroute to {m.department}: {m.count:,} of {m.n:,} {call_type} {base} "
                    f"reached it first: {100 * m.share:.2f}% "
                    f"({_ci(100 * m.ci[0], 100 * m.ci[1], '%', 2)})")
    shares = ", ".join(f"{_key(m.department)}: {m.share:.4f}" for m in mine)
    out.add(2, f"misroute: {{{shares}}}", "" if mine else "no call reached another queue first")


def _transfer(out: _Text, cal: Calibration) -> None:
    routing = cal.routing
    counts = routing.transfer_counts
    out.add(0, "transfer:")
    kinds = {k: counts.get(k, 0) for k in ("cold", "warm")}
    if sum(kinds.values()) == 0:
        out.default(1, "policy: warm", "transfer.policy", "no transfer kind in the records")
    else:
        policy = max(kinds, key=lambda k: kinds[k])
        out.add(1, f"policy: {policy}", f"transfers in the records: {kinds['cold']:,} cold, "
                f"{kinds['warm']:,} warm, {counts.get('unknown', 0):,} of unknown kind")
    fit = routing.identify
    if fit is None:
        out.default(1, f"identify_time: {_dist(_DEFAULT_IDENTIFY)}", "transfer.identify_time",
                    f"fewer than {MIN_IDENTIFY} cold transfers with handled times "
                    "(about 65 s per transfer, PolyAI 2020)")
    else:
        out.note(1, f"identify time: the first agent's time on {fit.n:,} cold transfers, "
                    f"{fitted(fit)}")
        for line in _fit_comment(fit):
            out.note(2, line)
        out.add(1, f"identify_time: {_dist(fit.distribution)}")
    unseen = "the second leg of a transfer is not in the records"
    out.add(1, "cold:")
    for text in ("reexplain_time: {dist: exponential, mean: 60.0}", "drop_probability: 0.0",
                 "patience_factor: 1.0"):
        out.default(2, text, f"transfer.cold.{text.split(':')[0]}", unseen)
    out.add(2, "priority: false")
    out.add(1, "warm:")
    out.default(2, "handoff_time: {dist: exponential, mean: 30.0}", "transfer.warm.handoff_time",
                unseen)
    out.add(2, "caller_abandons_on_hold: false")
    out.add(2, "priority: false")
    out.add(2, "max_hold: null")
