"""``calibrate()``: call records in, a scenario with every estimate and its evidence out.

The scenario is written as commented YAML (:mod:`callsim.calibration.writer`) that
``callsim run`` accepts as is; the estimates stay available as tables for the report and for
notebooks.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from callsim.calibration.arrivals import ArrivalEstimate, Window, estimate_arrivals
from callsim.calibration.errors import RecordsError
from callsim.calibration.fitting import DurationFit, fit_durations
from callsim.calibration.mapping import ColumnMap, load_mapping
from callsim.calibration.patience import PatienceEstimate, estimate_patience
from callsim.calibration.records import CallRecords, read_records, select_days
from callsim.calibration.routing import Routing, estimate_routing
from callsim.calibration.staffing import Staffing, estimate_staffing
from callsim.files import write_text
from callsim.scenario.durations import parse_duration

if TYPE_CHECKING:
    from callsim.scenario.schema import Scenario

__all__ = ["Calibration", "calibrate", "load_records"]

RecordsInput = CallRecords | str | os.PathLike[str] | Sequence[str | os.PathLike[str]]


@dataclass(frozen=True)
class Calibration:
    """Everything :func:`calibrate` estimated, and the scenario file it makes of it.

    Attributes
    ----------
    records
        The calls used (after the choice of days).
    window
        The planning intervals (the scenario's horizon).
    arrivals, patience, routing, staffing
        The estimates (see their modules).
    handle_times
        Fit of the first agent's time per ``(call_type, department)`` on calls answered and not
        transferred, and on transferred ones (``(call_type, department, "transferred")``).
    name
        The scenario name.
    text
        The commented scenario YAML.
    defaults
        One line per value that could not be estimated and was set to a marked default.
    """

    records: CallRecords
    window: Window
    arrivals: ArrivalEstimate
    handle_times: dict[tuple[str, ...], DurationFit]
    patience: dict[str, PatienceEstimate]
    routing: Routing
    staffing: Staffing
    name: str
    text: str = ""
    defaults: tuple[str, ...] = ()

    @property
    def departments(self) -> list[str]:
        """Departments of the scenario: every queue, resolver and transfer target."""
        frame = self.records.frame
        names = set(frame["queue"].astype(str)) | set(self.routing.resolved_by.values())
        names |= set(frame["transferred_to"].dropna().astype(str))
        return sorted(names)

    @property
    def call_types(self) -> list[str]:
        """Call types of the scenario, sorted."""
        return sorted(str(c) for c in self.records.frame["call_type"].cat.categories)

    def scenario(self) -> Scenario:
        """The calibrated scenario, validated (as ``callsim run`` would load it)."""
        import yaml

        from callsim.scenario.schema import build_scenario
        from callsim.scenario.yamlio import YamlLoader

        raw = yaml.load(self.text, Loader=YamlLoader)  # noqa: S506 (a SafeLoader subclass)
        return build_scenario(raw, f"<calibrated {self.name}>", Path("."))

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the scenario file atomically (:func:`callsim.files.write_text`); return it."""
        return write_text(path, self.text)


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

    Returns
    -------
    Calibration
        The estimates and the commented scenario YAML (``.text``, ``.write(path)``).

    Raises
    ------
    RecordsError
        Bad records, mapping or choice of days (one line per problem).
    """
    try:
        length = parse_duration(interval)
    except ValueError as exc:
        raise RecordsError([f"--interval: {exc}"]) from None
    if not 60 <= length <= 86400:
        raise RecordsError([f"--interval: {length:g} s, expected 1min to 24h"])
    chosen = select_days(load_records(records, mapping), days)
    frame = chosen.frame
    window = Window.covering(frame["clock"].to_numpy(), length)
    routing = estimate_routing(chosen)
    partial = Calibration(
        records=chosen, window=window, arrivals=estimate_arrivals(chosen, window),
        handle_times=_handle_times(chosen), patience=_patience(chosen), routing=routing,
        staffing=Staffing("agent_ids", frame.iloc[:0]), name=name or _default_name(chosen),
    )
    staffing = estimate_staffing(chosen, window, partial.departments)
    from callsim.calibration.writer import scenario_text

    partial = replace(partial, staffing=staffing)
    text, defaults = scenario_text(partial)
    return replace(partial, text=text, defaults=tuple(defaults))


def _default_name(records: CallRecords) -> str:
    files = ", ".join(Path(s).name for s in records.sources) or "call records"
    return f"Calibrated from {files}"


def _handle_times(records: CallRecords) -> dict[tuple[str, ...], DurationFit]:
    frame = records.frame
    answered = frame[frame["answered"] & frame["handled"].notna()]
    fits: dict[tuple[str, ...], DurationFit] = {}
    transferred = answered["transferred_to"].notna().to_numpy()
    for mask, tag in ((~transferred, ()), (transferred, ("transferred",))):
        groups = answered[mask].groupby(["call_type", "queue"], observed=True)["handled"]
        for (call_type, queue), values in groups:
            fit = fit_durations(values.to_numpy(dtype=float))
            if fit is not None:
                fits[(str(call_type), str(queue), *tag)] = fit
    return fits


def _patience(records: CallRecords) -> dict[str, PatienceEstimate]:
    frame = records.frame
    out = {}
    for call_type, group in frame.groupby("call_type", observed=True):
        waits = group["waited"].to_numpy(dtype=float)
        out[str(call_type)] = estimate_patience(waits, ~group["answered"].to_numpy(dtype=bool))
    return out
