"""``schedule()``: the cheapest roster of the scenario's shift types covering a requirement.

The two-step roster of docs/model.md section 11: a requirement per department and interval (from
``staff()``, the default; from the Erlang A figures; or given as a table or CSV file), then
the cheapest covering roster by integer programming (:mod:`callsim.planning.covering`).
With ``simulate=True`` each two-step roster is then improved by simulation
(:mod:`callsim.planning.roster_search`).
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from callsim.analysis.offered_load import erlang_staffing
from callsim.experiments.execution import Execution
from callsim.planning.covering import (
    Column,
    CoveringError,
    Programme,
    Solution,
    agent_days,
    programme,
    solve,
)
from callsim.planning.requirements import RequirementError, read_requirements, requirement_table
from callsim.planning.roster_entries import roster_entries
from callsim.planning.roster_search import (
    RosterProgress,
    RosterSearch,
    RosterSimulation,
    SearchSettings,
    roster_scenario,
)
from callsim.planning.staffing import StaffProgress, resolve_targets, staff
from callsim.planning.staffing_runs import StaffingRunner
from callsim.policies import registry
from callsim.scenario.document import document_data, write_documents
from callsim.scenario.durations import format_clock
from callsim.scenario.schema import Scenario

__all__ = ["GIVEN", "Roster", "ScheduleError", "ScheduleResult", "schedule"]

#: The roster name of a given requirement (a file or a table); the others are named by policy.
GIVEN = "requirements"

#: The opening comment of every scenario file a roster writes
#: (:meth:`ScheduleResult.write_scenarios`).
WRITTEN_NOTE = """\
# Written by `callsim schedule` (roster {name}). departments.D.roster runs the roster
# exactly: agents come on and go off the phones at its shift and break times.
# departments.D.agents holds its coverage (the fewest agents on the phones in each interval),
# which the analytic figures read; shifts: is the roster's input.
"""


class ScheduleError(ValueError):
    """Bad roster input (shifts, requirement, policies) or no roster found; one line.

    ``names_file`` is true when the message starts with the file at fault (a requirement
    file's name and row); otherwise the fault is the scenario's.
    """

    def __init__(self, message: str, names_file: bool = False) -> None:
        super().__init__(message)
        self.names_file = names_file


@dataclass(frozen=True)
class Roster:
    """One roster: agents per shift type, start and break placement, covering a requirement.

    Attributes
    ----------
    name
        A policy (requirement from ``staff`` or Erlang A) or ``requirements`` (given).
    requirement
        Agents needed per department (scenario order) and interval.
    solution
        The solved programme (:class:`~callsim.planning.covering.Solution`).
    programme
        Its columns and slot grid.
    scenario
        The scenario rostered.
    two_step
        Simulation-based rosters (``simulate=True``): the two-step roster it started from.
    simulation
        Simulation-based rosters: what the search found (:class:`RosterSimulation`).
    """

    name: str
    requirement: np.ndarray
    solution: Solution
    programme: Programme
    scenario: Scenario
    two_step: Roster | None = None
    simulation: RosterSimulation | None = None

    @property
    def cost(self) -> float:
        """Cost of every shift of the roster."""
        return self.solution.cost

    @property
    def gap(self) -> float:
        """Relative gap the solver proves: the roster costs at most ``cost * gap`` too much."""
        return self.solution.gap

    @property
    def rostered_scenario(self) -> Scenario:
        """The scenario running this roster exactly (``departments.D.roster``; as a model).

        The same roster as :meth:`ScheduleResult.scenario_for` writes; ``transfer.policy`` is
        the scenario's (pass the policy to simulate).
        """
        return roster_scenario(self.scenario, self.programme, self.solution)

    @property
    def paid_hours(self) -> float:
        """Paid hours of every shift of the roster."""
        return float(sum(c.paid_hours * n for c, n
                         in zip(self.programme.columns, self.solution.counts, strict=True)))

    def _clock(self, slot: int) -> str:
        return format_clock(slot * self.programme.slot, self.scenario.horizon.start)

    def _rows(self, j: int, column: Column) -> list[dict[str, Any]]:
        count = int(self.solution.counts[j])
        rows = []
        for starts, n in agent_days(column, self.solution.placements[j], count):
            breaks = [(s, s + length) for s, length in zip(starts, column.break_slots,
                                                           strict=True)]
            rows.append({
                "department": "+".join(column.departments), "shift": column.shift,
                "start": self._clock(column.start), "end": self._clock(column.end),
                "breaks": "; ".join(f"{self._clock(a)}-{self._clock(b)}" for a, b in breaks),
                "count": n, "start_time": column.start * self.programme.slot,
                "end_time": column.end * self.programme.slot,
                "break_times": [(a * self.programme.slot, b * self.programme.slot)
                                for a, b in breaks],
                "cost": column.cost * n, "paid_hours": column.paid_hours * n})
        return rows

    @property
    def shifts(self) -> pd.DataFrame:
        """One row per department, shift type, start and break placement with agents on it.

        ``start``, ``end`` and ``breaks`` (``HH:MM-HH:MM; ...``) are clock times;
        ``start_time``, ``end_time`` and ``break_times`` the same in seconds from the horizon
        start; ``cost`` and ``paid_hours`` are of all ``count`` agents of the row.
        """
        rows = [r for j, c in enumerate(self.programme.columns) for r in self._rows(j, c)]
        columns = ["department", "shift", "start", "end", "breaks", "count", "start_time",
                   "end_time", "break_times", "cost", "paid_hours"]
        return pd.DataFrame(rows, columns=columns)

    @property
    def scheduled(self) -> np.ndarray:
        """Agents answering each department in each interval: the fewest over its slots."""
        prog, h = self.programme, self.scenario.horizon
        out = np.zeros((len(prog.departments), h.n_intervals), dtype=np.int64)
        for t in range(h.n_intervals):
            out[:, t] = self.solution.available[:, prog.interval_of_slot == t].min(axis=1)
        return out

    @property
    def coverage(self) -> pd.DataFrame:
        """One row per department and interval: agents required and scheduled, surplus."""
        h = self.scenario.horizon
        scheduled = self.scheduled
        frames = [pd.DataFrame({
            "department": d, "interval": np.arange(h.n_intervals),
            "start": [format_clock(t * h.interval, h.start) for t in range(h.n_intervals)],
            "start_time": np.arange(h.n_intervals) * h.interval,
            "required": self.requirement[i], "scheduled": scheduled[i],
            "surplus": scheduled[i] - self.requirement[i]})
            for i, d in enumerate(self.programme.departments)]
        return pd.concat(frames, ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """The roster's entry of the ``callsim schedule --json`` document (docs/model.md)."""
        shifts = [{"department": r.department, "shift": r.shift, "start": r.start,
                   "end": r.end, "count": int(r.count),
                   "breaks": [{"start": format_clock(a, self.scenario.horizon.start),
                               "end": format_clock(b, self.scenario.horizon.start)}
                              for a, b in r.break_times]}
                  for r in self.shifts.itertuples()]
        coverage = [{"department": r.department, "start": r.start, "required": _number(
            r.required), "scheduled": int(r.scheduled)} for r in self.coverage.itertuples()]
        out = {"cost": self.cost, "paid_hours": self.paid_hours, "gap": self.gap,
               "status": self.solution.status, "bound": self.solution.bound,
               "solve_seconds": self.solution.seconds, "shifts": shifts,
               "coverage": coverage}
        if self.simulation is not None:
            out["simulation"] = self.simulation.to_dict()
        return out


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


@dataclass(frozen=True)
class ScheduleResult:
    """Rosters of one scenario, one per policy or one for a given requirement.

    Attributes
    ----------
    scenario
        The scenario rostered.
    requirements
        Where the requirement came from: ``staff``, ``erlang``, or the file or table given.
    rosters
        Per name (a policy, or ``requirements``), the roster.
    """

    scenario: Scenario
    requirements: str
    rosters: Mapping[str, Roster]

    def _joined(self, table: str) -> pd.DataFrame:
        frames = [getattr(r, table).assign(roster=name) for name, r in self.rosters.items()]
        out = pd.concat(frames, ignore_index=True)
        return out[["roster", *[c for c in out.columns if c != "roster"]]]

    @property
    def shifts(self) -> pd.DataFrame:
        """Every roster's shifts (:attr:`Roster.shifts`), with a ``roster`` column."""
        return self._joined("shifts")

    @property
    def coverage(self) -> pd.DataFrame:
        """Every roster's coverage (:attr:`Roster.coverage`), with a ``roster`` column."""
        return self._joined("coverage")

    @property
    def summary(self) -> pd.DataFrame:
        """One row per roster: cost, paid hours, agents, proven gap, solver status and time."""
        return pd.DataFrame([{
            "roster": name, "cost": r.cost, "paid_hours": r.paid_hours,
            "agents": int(r.solution.counts.sum()), "gap": r.gap, "bound": r.solution.bound,
            "status": r.solution.status, "solve_seconds": r.solution.seconds}
            for name, r in self.rosters.items()])

    def to_dict(self) -> dict[str, Any]:
        """The ``callsim schedule --json`` document (docs/model.md section 11)."""
        return {"scenario": self.scenario.name, "requirements": self.requirements,
                "rosters": {name: r.to_dict() for name, r in self.rosters.items()}}

    def to_json(self) -> str:
        """:meth:`to_dict` as strict JSON."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)

    def write_scenarios(self, folder: str | os.PathLike[str], stem: str | None = None
                        ) -> list[Path]:
        """One scenario file per roster, ``folder/STEM.NAME.yaml``, its coverage as agents.

        The scenario's document with its overrides, each roster's coverage set by
        :meth:`scenario_for`, under a comment saying what the file holds
        (:data:`WRITTEN_NOTE`); written as a staffing result writes its scenarios
        (:func:`~callsim.scenario.document.write_documents`).
        """
        data = document_data(self.scenario)
        variants = {name: self.scenario_for(data, name) for name in self.rosters}
        notes = {name: WRITTEN_NOTE.format(name=name) for name in self.rosters}
        return write_documents(self.scenario, variants, folder, stem, notes)

    def scenario_for(self, raw: Mapping[str, Any], name: str) -> dict[str, Any]:
        """The scenario mapping ``raw`` running roster ``name`` exactly.

        Every department gets ``roster:`` entries (:func:`roster_entries`): the engine puts
        agents on and off the phones at the roster's exact shift and break times, so the agents
        answering each department at every moment are the roster's. ``agents`` becomes the
        roster's coverage per interval (the fewest on the phones; the analytic figures read
        it). A roster named after a policy sets ``transfer.policy`` too; ``shifts:`` is kept.
        """
        doc = copy.deepcopy(dict(raw))
        roster = self.rosters[name]
        if name in registry.names():
            doc.setdefault("transfer", {})["policy"] = name
        entries = roster_entries(roster.programme, roster.solution)
        for i, d in enumerate(roster.programme.departments):
            doc["departments"][d]["agents"] = [int(x) for x in roster.scheduled[i]]
            doc["departments"][d]["roster"] = entries[d]
        return doc


def _policies(policies: Sequence[str] | None) -> list[str]:
    names = list(dict.fromkeys(policies or registry.default_comparison()))
    problem = registry.policy_problem(names)  # names are distinct: only an unknown one
    if problem:
        raise ScheduleError(problem)
    return names


def _given(scenario: Scenario, requirements: str | Path | pd.DataFrame
           ) -> tuple[str, dict[str, np.ndarray]]:
    if isinstance(requirements, pd.DataFrame):
        return "table", {GIVEN: requirement_table(scenario, requirements, "requirements")}
    if not str(requirements).strip():
        raise ScheduleError("`requirements`: give a CSV file, erlang or staff")
    return str(requirements), {GIVEN: read_requirements(scenario, requirements)}


def schedule(
    scenario: Scenario,
    requirements: str | Path | pd.DataFrame | None = None,
    *,
    targets: Sequence[str] | None = None,
    policies: Sequence[str] | None = None,
    reps: int = 20,
    verify_reps: int = 20,
    seed: int = 0,
    rounds: StaffProgress | None = None,
    execution: Execution | None = None,
    time_limit: float = 60.0,
    mip_gap: float = 1e-4,
    simulate: bool = False,
    confidence: float | None = None,
    max_iterations: int = 20,
    max_removals: int = 3,
    search_rounds: RosterProgress | None = None,
) -> ScheduleResult:
    """The cheapest rosters of the scenario's ``shifts:`` covering a requirement.

    Parameters
    ----------
    scenario
        Validated scenario with a ``shifts:`` section.
    requirements
        ``None`` or ``"staff"``: per policy, the staffing ``staff()`` finds for the targets;
        ``"erlang"``: per policy, the Erlang A figures meeting the targets; a CSV file
        (columns ``start``, ``department``, ``agents``) or a table with those columns: that
        requirement (the roster is named ``requirements``).
    targets, policies
        As for :func:`callsim.planning.staffing.staff` (default: the scenario's
        ``targets:``, cold and warm); unused for a given requirement.
    reps, verify_reps, seed, rounds, execution
        Passed to ``staff()`` (the ``staff`` requirement only).
    time_limit
        Seconds the solver may take per roster; the best roster by then is kept with its gap.
    mip_gap
        Relative gap at which the solver stops.
    simulate
        Improve each two-step roster by simulation (:mod:`callsim.planning.roster_search`):
        search on replications ``0 .. reps-1``, verification on fresh sets of ``verify_reps``;
        the roster's :attr:`Roster.two_step` and :attr:`Roster.simulation` tell the story.
    confidence
        With ``simulate`` (implied): each target must hold on at least this share of the
        simulated days in every interval, not on the mean day.
    max_iterations, max_removals
        Bounds on the rounds of cuts (per stage) and on the shifts removed.
    search_rounds
        Told of every simulated round: (stage, round, cells missed or removals found).

    Returns
    -------
    ScheduleResult

    Raises
    ------
    ScheduleError
        No shifts, a bad requirement, an unknown policy, or no covering roster.
    StaffingError, WorkLimitError
        From ``staff()``.

    Examples
    --------
    >>> from callsim import load_scenario
    >>> sc = load_scenario("scenarios/textbook_roster.yaml")
    >>> result = schedule(sc, "scenarios/textbook_requirements.csv")
    >>> result.rosters["requirements"].cost
    6336.0
    """
    try:
        prog = programme(scenario)
        source, needs = _requirement(scenario, requirements, targets, policies, reps,
                                     verify_reps, seed, rounds, execution)
        rosters = {name: Roster(name, need, solve(prog, need, time_limit, mip_gap), prog,
                                scenario) for name, need in needs.items()}
        if simulate or confidence is not None:
            settings = _settings(scenario, targets, seed, reps, verify_reps, confidence,
                                 max_iterations, max_removals, time_limit, mip_gap)
            rosters = _simulated(rosters, settings, execution, search_rounds)
    except CoveringError as exc:
        raise ScheduleError(str(exc)) from None
    except RequirementError as exc:
        raise ScheduleError(str(exc), names_file=True) from None
    return ScheduleResult(scenario, source, rosters)


def _requirement(scenario: Scenario, requirements: str | Path | pd.DataFrame | None,
                 targets: Sequence[str] | None, policies: Sequence[str] | None, reps: int,
                 verify_reps: int, seed: int, rounds: StaffProgress | None,
                 execution: Execution | None) -> tuple[str, dict[str, np.ndarray]]:
    """Where the requirement comes from, and the requirement per roster name."""
    if isinstance(requirements, pd.DataFrame) or requirements not in (None, "staff", "erlang"):
        assert requirements is not None
        return _given(scenario, requirements)
    names = _policies(policies)
    if requirements == "erlang":
        parsed = list(resolve_targets(scenario, targets))
        return "erlang", {p: np.array([start[d] for d in scenario.departments], dtype=float)
                          for p in names for start in [erlang_staffing(scenario, p, parsed)[0]]}
    found = staff(scenario, targets, names, reps=reps, verify_reps=verify_reps, seed=seed,
                  rounds=rounds, execution=execution)
    return "staff", {p: f.staffing.astype(float) for p, f in found.policies.items()}


def _settings(scenario: Scenario, targets: Sequence[str] | None, seed: int, reps: int,
              verify_reps: int, confidence: float | None, max_iterations: int,
              max_removals: int, time_limit: float, mip_gap: float) -> SearchSettings:
    if confidence is not None and not 0 < confidence < 1:
        raise ScheduleError(f"`confidence` must be above 0 and below 1, got {confidence:g}")
    if reps < 1 or verify_reps < 2:
        raise ScheduleError("`reps` must be >= 1 and `verify_reps` >= 2")
    if max_iterations < 1 or max_removals < 0:
        raise ScheduleError("`max_iterations` must be >= 1 and `max_removals` >= 0")
    return SearchSettings(tuple(resolve_targets(scenario, targets)), seed, reps, verify_reps,
                          confidence, max_iterations, max_removals, time_limit, mip_gap)


def search_work(settings: SearchSettings, prog: Programme, rosters: int) -> int:
    """Most replications the simulation-based search of ``rosters`` rosters can simulate.

    Per roster: every round of cuts and its verification (twice with a confidence), then every
    removal round with one candidate per column.
    """
    stages = 2 if settings.confidence is not None else 1
    rounds = stages * settings.max_iterations * (settings.reps + settings.verify_reps)
    removal = settings.max_removals * (len(prog.columns) * settings.reps + settings.verify_reps)
    return rosters * (settings.verify_reps * 2 + rounds + removal)


def _simulated(rosters: Mapping[str, Roster], settings: SearchSettings,
               execution: Execution | None, progress: RosterProgress | None
               ) -> dict[str, Roster]:
    """Each roster improved by simulation, with its two-step roster and the search's story."""
    first = next(iter(rosters.values()))
    scenario = first.scenario
    execution = execution or Execution()
    execution.check_work([scenario], search_work(settings, first.programme, len(rosters)))
    occupancy = any(t.metric == "occupancy" for t in settings.targets)
    out = {}
    with execution.runner() as batches:
        for name, roster in rosters.items():
            policy = name if name in registry.names() else scenario.transfer.policy
            runner = StaffingRunner(batches, scenario, policy, settings.seed, occupancy)
            search = RosterSearch(runner, roster.programme, settings, progress)
            solution, story = search.run(roster.solution, roster.requirement)
            out[name] = Roster(name, roster.requirement, solution, roster.programme, scenario,
                               two_step=roster, simulation=story)
    return out
