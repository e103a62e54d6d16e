"""The result of a calibration: every estimate, and the commented scenario made of them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from callsim.calibration.arrivals import ArrivalEstimate
from callsim.calibration.fit import AvailabilityFit
from callsim.calibration.fitting import DurationFit
from callsim.calibration.forward import ForwardCheck
from callsim.calibration.handle_scale import HandleScale
from callsim.calibration.patience import PatienceEstimate
from callsim.calibration.patience_scale import PatienceScale
from callsim.calibration.pools import Pools
from callsim.calibration.records import CallRecords
from callsim.calibration.routing import Routing
from callsim.calibration.staffing import Staffing
from callsim.calibration.wrapup import AfterCallWork
from callsim.files import write_text

if TYPE_CHECKING:
    from callsim.scenario.schema import Horizon, Scenario

__all__ = ["Calibration"]


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
    availability
        The share of agents available fitted by simulation (``calibrate(fit=True)``), or None.
    forward
        With the fit, the scenario's own days against the calibration days
        (:mod:`callsim.calibration.forward`), or None.
    after_call_work
        After-call work per department, from its agents' gaps between calls while callers
        waited (:mod:`callsim.calibration.wrapup`).
    patience_scale
        Time-of-day factors on patience per block (:mod:`callsim.calibration.patience_scale`),
        or None when no caller abandoned; the scenario's patience is that at factor 1.
    handle_scale
        Time-of-day factors on handle time per block (:mod:`callsim.calibration.handle_scale`),
        or None when no handle time is known; the scenario's handle times are those at factor 1.
    pools
        Which queues share agents (the departments are pools of queues; ``records`` has each
        queue replaced by its pool).
    text
        The commented scenario YAML.
    defaults
        One line per value that could not be estimated and was set to a marked default.
    warnings
        One line per doubtful estimate (an interval with calls and 0 agents, or the reverse).
    """

    records: CallRecords
    window: Horizon
    arrivals: ArrivalEstimate
    handle_times: dict[tuple[str, ...], DurationFit]
    patience: dict[str, PatienceEstimate]
    routing: Routing
    staffing: Staffing
    name: str
    pools: Pools | None = None
    after_call_work: dict[str, AfterCallWork] = field(default_factory=dict)
    availability: AvailabilityFit | None = None
    forward: ForwardCheck | None = None
    patience_scale: PatienceScale | None = None
    handle_scale: HandleScale | None = None
    text: str = ""
    defaults: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

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

        from callsim.scenario.loading import build_scenario
        from callsim.scenario.yamlio import YamlLoader

        raw = yaml.load(self.text, Loader=YamlLoader)  # a SafeLoader subclass
        return build_scenario(raw, f"<calibrated {self.name}>", Path("."))

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the scenario file atomically (:func:`callsim.files.write_text`); return it."""
        return write_text(path, self.text)
