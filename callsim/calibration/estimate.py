"""``calibrate()``: call records in, a scenario with every estimate and its evidence out.

The scenario is written as commented YAML (:mod:`callsim.calibration.writer`) that
``callsim run`` accepts as is; the estimates stay available as tables for the report and for
notebooks.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from callsim.calibration.arrivals import covering, estimate_arrivals, interval_index
from callsim.calibration.calibrated import Calibration
from callsim.calibration.classes import with_priority_classes
from callsim.calibration.days import select_days
from callsim.calibration.errors import RecordsError
from callsim.calibration.fitting import DurationFit, fit_durations
from callsim.calibration.handle_scale import HandleScale, estimate_handle_scale
from callsim.calibration.mapping import ColumnMap, load_mapping
from callsim.calibration.patience import PatienceEstimate, estimate_patience
from callsim.calibration.patience_scale import PatienceScale, estimate_patience_scale
from callsim.calibration.pools import Pools, estimate_pools
from callsim.calibration.records import CallRecords, read_records
from callsim.calibration.routing import estimate_routing
from callsim.calibration.staffing import Staffing, agent_homes, estimate_staffing
from callsim.calibration.wrapup import estimate_after_call_work
from callsim.calibration.writer import scenario_text
from callsim.scenario.durations import parse_duration
from callsim.scenario.errors import ScenarioError
from callsim.scenario.schema import Horizon, Scenario

if TYPE_CHECKING:
    from callsim.experiments.execution import Execution

__all__ = ["Calibration", "calibrate", "load_records"]

RecordsInput = CallRecords | str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


def load_records(
    records: RecordsInput, mapping: ColumnMap | str | os.PathLike[str] | None = None
) -> CallRecords:
    """Read records from files (with an optional mapping file), or pass read ones through."""
    if isinstance(records, CallRecords):
        return records
    if mapping is not None and not isinstance(mapping, ColumnMap):
        mapping = load_mapping(Path(mapping))
    paths = [records] if isinstance(records, str | os.PathLike) else list(records)
    return read_records([Path(p) for p in paths], mapping)


def calibrate(
    records: RecordsInput,
    interval: str | float = "30min",
    days: str | Sequence[str] = "all",
    mapping: ColumnMap | str | os.PathLike[str] | None = None,
    name: str | None = None,
    fit: bool = False,
    handle_by_time: bool = False,
    reps: int | None = None,
    seed: int = 0,
    execution: Execution | None = None,
) -> Calibration:
    """Estimate a scenario from call records.

    Parameters
    ----------
    records
        Records files (CSV or Parquet) or :class:`CallRecords` already read.
    interval
        Planning interval: seconds or a duration such as ``"30min"``.
    days
        ``"all"``, ``"weekdays"`` or dates ``"2026-03-02,2026-03-03"``.
    mapping
        A mapping file or :class:`ColumnMap` for an export with other column names or codes.
    name
        Scenario name (default: made from the file names).
    fit
        Also fit the share of agents available by simulation (:mod:`callsim.calibration.fit`,
        ``reps`` replications of each day (default: ceil(50 / days)), base ``seed``), then
        run the forward check (:mod:`callsim.calibration.forward`).
    handle_by_time
        Write the handle-time factors per hour (``handle_scale``) into the scenario and fit
        the handle times at factor 1 (:mod:`callsim.calibration.handle_scale`); without it
        they are estimated and shown, not applied (docs/calibration.md says why).
    execution
        Where the fit's simulations run (default: every core); the numbers do not depend on it.

    Returns
    -------
    Calibration
        The estimates and the commented scenario YAML (``.text``, ``.write(path)``).

    Raises
    ------
    RecordsError
        Bad records, mapping or choice of days (one line per problem).

    Examples
    --------
    >>> c = calibrate("scenarios/records/acd_week.csv", days="2026-03-02",
    ...               mapping="scenarios/records/acd_map.yaml")
    >>> c.scenario().horizon.n_intervals, c.routing.resolved_by["support"]
    (24, 'support')
    >>> "# DEFAULT:" in c.text
    True
    """
    try:
        length = parse_duration(interval)
    except ValueError as exc:
        raise RecordsError([f"`interval`: {exc}"]) from None
    if not 60 <= length <= 86400:
        raise RecordsError([f"`interval`: {length:g} s, expected 1min to 24h"])
    chosen = select_days(load_records(records, mapping), days)
    pools = estimate_pools(chosen)
    chosen = with_priority_classes(pooled(chosen, pools))
    frame = chosen.frame
    window = covering(frame["clock"].to_numpy(), length)
    routing = estimate_routing(chosen)
    by_time = estimate_patience_scale(chosen, window)
    by_hour = _by_hour(chosen, window, handle_by_time)
    partial = Calibration(
        records=chosen, window=window, arrivals=estimate_arrivals(chosen, window),
        handle_times=_handle_times(chosen, by_hour), patience=_patience(chosen, by_time),
        routing=routing, staffing=Staffing("spells", frame.iloc[:0]),
        name=name or _default_name(chosen), pools=pools, patience_scale=by_time,
        handle_scale=by_hour,
    )
    homes = {a: pools.department[q] for a, q in pools.home.items()}
    staffing = estimate_staffing(chosen, window, partial.departments, homes or None)
    acw = estimate_after_call_work(chosen, homes or agent_homes(chosen.frame))
    partial = replace(partial, staffing=staffing, after_call_work=acw,
                      warnings=(*chosen.notes,
                                *staffing.zero_with_calls(_calls(chosen, window), window)))
    partial = _written(partial)
    if fit:
        partial = _fitted(partial, reps, seed, execution)
    checked(partial)
    return partial


def _fitted(partial: Calibration, reps: int | None, seed: int,
            execution: Execution | None) -> Calibration:
    """``partial`` with the fit by simulation, its forward check and the text that says so."""
    from callsim.calibration.fit import fit_jointly
    from callsim.calibration.forward import forward_check

    records = partial.records
    partial = _written(replace(partial, availability=fit_jointly(
        checked(partial), records, reps=reps, seed=seed, execution=execution)))
    # The check simulates the scenario as written, with the fitted shares and scale.
    return _written(replace(partial, forward=forward_check(checked(partial), records, seed,
                                                           execution)))


def _written(partial: Calibration) -> Calibration:
    """``partial`` with its scenario text (and the defaults it marks) made anew."""
    text, defaults = scenario_text(partial)
    return replace(partial, text=text, defaults=tuple(defaults))


def checked(calibration: Calibration) -> Scenario:
    """The calibrated scenario, validated as ``callsim validate`` would validate the file.

    Raises
    ------
    RecordsError
        The estimates make a scenario beyond its limits (a patience fitted to a wait of
        1e9 s has an sd above 1e9 s): one line per field, nothing is written.
    """
    try:
        return calibration.scenario()
    except ScenarioError as exc:
        frame = calibration.records.frame
        files = ", ".join(calibration.records.sources) or "the records"
        longest = (f"the longest wait is {frame['waited'].max():.3g} s, the longest handled "
                   f"time {frame['handled'].max():.3g} s")
        raise RecordsError([f"{files}: the calibrated scenario would not validate: "
                            f"{p.split(': ', 1)[-1]} ({longest}: extreme values? leave them out "
                            "or blank their cells)" for p in exc.problems]) from None


def _calls(records: CallRecords, window: Horizon) -> pd.DataFrame:
    """Mean calls a day per department (first queue) and interval."""
    frame = records.frame
    idx = interval_index(frame["clock"].to_numpy(), window)
    inside = idx >= 0
    counts = pd.DataFrame({"department": frame["queue"].astype(str).to_numpy()[inside],
                           "interval": idx[inside]}).value_counts()
    out = (counts / max(len(records.days), 1)).rename("calls").reset_index()
    out["interval"] = out["interval"].astype(np.int64)
    return out


def pooled(records: CallRecords, pools: Pools) -> CallRecords:
    """The records with each queue replaced by its department pool (call types unchanged)."""
    if not pools.shared:
        return records
    frame = records.frame.copy()
    frame["queue"] = frame["queue"].astype(str).map(pools.department).astype("category")
    for column in ("transferred_to",):
        names = frame[column].astype(object)
        frame[column] = names.map(lambda q: pools.department.get(q, q) if isinstance(q, str)
                                  else q).astype("category")
    return replace(records, frame=frame)


def _default_name(records: CallRecords) -> str:
    files = ", ".join(Path(s).name for s in records.sources) or "call records"
    return f"Calibrated from {files}"


def _by_hour(records: CallRecords, window: Horizon, applied: bool) -> HandleScale | None:
    """The handle-time factors per hour, applied to the scenario or shown only."""
    by_hour = estimate_handle_scale(records, window)
    return None if by_hour is None else replace(by_hour, applied=applied)


def _handle_times(records: CallRecords, by_hour: HandleScale | None = None
                  ) -> dict[tuple[str, ...], DurationFit]:
    """Handle-time fits; with time-of-day factors, of the handle times divided by their factor.

    These are the handle times at factor 1: the scenario multiplies them back per interval.
    """
    frame = records.frame
    answered = frame[frame["answered"] & frame["handled"].notna()]
    if by_hour is not None and by_hour.used:
        answered = answered.assign(handled=answered["handled"].to_numpy(dtype=float)
                                   / by_hour.factors(answered["clock"].to_numpy(dtype=float)))
    fits: dict[tuple[str, ...], DurationFit] = {}
    transferred = answered["transferred_to"].notna().to_numpy()
    for mask, tag in ((~transferred, ()), (transferred, ("transferred",))):
        groups = answered[mask].groupby(["call_type", "queue"], observed=True)["handled"]
        for (call_type, queue), values in groups:
            fit = fit_durations(values.to_numpy(dtype=float))
            if fit is not None:
                fits[(str(call_type), str(queue), *tag)] = fit
    return fits


def _patience(records: CallRecords, by_time: PatienceScale | None = None
              ) -> dict[str, PatienceEstimate]:
    """Patience per call type; with time-of-day factors, of the waits divided by their factor.

    These are the waits at factor 1: the scenario multiplies the patience back per interval.
    """
    frame = records.frame
    out = {}
    for call_type, group in frame.groupby("call_type", observed=True):
        waits = group["waited"].to_numpy(dtype=float)
        if by_time is not None and by_time.identified:
            waits = waits / by_time.factors(group["clock"].to_numpy(dtype=float))
        out[str(call_type)] = estimate_patience(waits, ~group["answered"].to_numpy(dtype=bool))
    return out
