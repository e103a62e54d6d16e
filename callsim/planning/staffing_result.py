"""What :func:`callsim.planning.staffing.staff` found: staffing, costs, verified targets.

:class:`StaffingResult` carries DataFrames (``table``, ``summary``, ``checks``) for notebooks
and reports, and :meth:`StaffingResult.to_dict` is the ``callsim staff --json`` contract.
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from callsim.analysis.documents import nest_metrics
from callsim.analysis.queues import QUEUE_METRICS
from callsim.analysis.statistics import summarize, t_interval
from callsim.scenario.document import document_data, write_documents
from callsim.scenario.durations import format_clock
from callsim.scenario.schema import Scenario
from callsim.scenario.targets import Target

#: Department metrics reported by the verification run.
VERIFIED_METRICS: tuple[str, ...] = (*QUEUE_METRICS, "occupancy")


def _num(x: Any) -> float | None:
    value = float(x)
    return value if np.isfinite(value) else None


def _ci(mean: float, lo: float, hi: float) -> dict[str, Any]:
    return {"mean": _num(mean), "ci95": [_num(lo), _num(hi)]}


#: The verdict of one verified target, and the one legend every output uses for it.
MET, WITHIN_CI, MISSED = "met", "within CI", "missed"
VERDICT_LEGEND = ("! missed: a target's 95% CI wholly on the wrong side; "
                  "~ within CI: the mean misses, the CI includes the target")


def verdict(met: bool, straddles: bool) -> str:
    """The verdict of one verified target: the one definition.

    ``met`` (the mean meets the target), ``within CI`` (the mean misses it, the 95% CI includes
    it) or ``missed`` (the whole 95% CI on the wrong side).
    """
    return MET if met else WITHIN_CI if straddles else MISSED


def target_checks(targets: Sequence[Target], departments: Sequence[str], horizon: bool,
                  table: pd.DataFrame, intervals: pd.DataFrame) -> pd.DataFrame:
    """Every target per department (and interval), with the verification mean and 95% CI.

    Returns
    -------
    pandas.DataFrame
        ``target``, ``department``, ``interval`` (-1 for the horizon), ``metric``, ``bound``,
        ``mean``, ``ci_low``, ``ci_high``, ``met`` (the mean meets the target; an interval
        nobody joined meets it), ``straddles`` (the CI contains the bound) and ``verdict``
        (:func:`verdict`).
    """
    rows = []
    for target in targets:
        for dept in departments:
            if not target.applies_to(dept):
                continue
            column, offered = f"departments.{dept}.{target.metric}", f"departments.{dept}.offered"
            if horizon:
                values = [(-1, *t_interval(table[column]), float(table[offered].mean()))]
            else:
                s = summarize(intervals, by=["interval"], metrics=[column])
                joined = intervals.groupby("interval")[offered].mean()
                values = list(zip(s["interval"], s["mean"], s["ci_low"], s["ci_high"],
                                  joined.reindex(s["interval"]).to_numpy(), strict=True))
            for interval, mean, lo, hi, joined_mean in values:
                # NaN with callers offered: nobody was answered (an ASA target), a miss
                unanswered = math.isnan(mean) and joined_mean > 0
                met = target.holds(mean) and not unanswered
                straddles = bool(lo <= target.value <= hi)
                rows.append({"target": target.text, "department": dept,
                             "interval": int(interval), "metric": target.metric,
                             "bound": target.value, "mean": mean, "ci_low": lo, "ci_high": hi,
                             "met": met, "straddles": straddles,
                             "verdict": verdict(met, straddles)})
    return pd.DataFrame(rows)


def _intervals(checks: pd.DataFrame, dept: str, which: str) -> set[int]:
    """Intervals (-1: the horizon) where a check of ``dept`` has the verdict ``which``."""
    if not len(checks):
        return set()
    return set(checks.loc[(checks["department"] == dept) & (checks["verdict"] == which),
                          "interval"])


@dataclass(frozen=True)
class PolicyStaffing:
    """One policy's staffing, verified.

    Attributes
    ----------
    policy
        The transfer policy.
    staffing, erlang_start, rostered
        Agents on the phones (found, and the Erlang A start) and rostered agents, integer
        arrays ``(departments, intervals)``.
    offered_load
        Offered load per department and interval (Erlangs) used for the Erlang start.
    agent_hours, rostered_hours
        Per department: agent-hours on the phones and rostered (h).
    staff_cost
        Mean ``costs.staff_cost`` of the verification replications (currency): staffed time
        plus rostered agents off the phones, at the wage (docs/model.md section 4).
    total_cost
        Mean and 95% CI of staff cost plus lost-call cost over the verification replications.
    per_replication, intervals
        The verification run: one row per replication (every metric key, plus
        ``staffing.total_cost``) and the interval statistics per replication.
    checks
        :func:`target_checks` of the verification run.
    iterations, runs
        Simulated rounds of the search, and replications simulated in all (search and
        verification), each one simulated horizon.
    """

    policy: str
    staffing: np.ndarray
    erlang_start: np.ndarray
    rostered: np.ndarray
    offered_load: np.ndarray
    agent_hours: np.ndarray
    rostered_hours: np.ndarray
    staff_cost: float
    total_cost: tuple[float, float, float]
    per_replication: pd.DataFrame
    intervals: pd.DataFrame
    checks: pd.DataFrame
    iterations: int
    runs: int
    feasible: bool = True

    @property
    def meets_targets(self) -> bool:
        """Whether the search met every target on its own replications.

        The staffing then cannot lose an agent-interval without missing one there. Fresh
        replications of the verification run check it again: see :meth:`verified`.
        """
        return self.feasible

    def verified(self) -> dict[str, int]:
        """Counts of the verification checks.

        ``checks`` and per :func:`verdict`: ``met``, ``straddling`` (within CI) and
        ``missed`` (the whole CI on the wrong side).
        """
        found = list(self.checks["verdict"]) if len(self.checks) else []
        return {"checks": len(found), "met": found.count(MET),
                "straddling": found.count(WITHIN_CI), "missed": found.count(MISSED)}

    def metrics(self, departments: Sequence[str]) -> pd.DataFrame:
        """Long summary of the verified department metrics and costs.

        Columns ``metric``, ``mean``, ``ci_low``, ``ci_high``, ``n``.
        """
        keys = [f"departments.{d}.{m}" for d in departments for m in VERIFIED_METRICS]
        keys += ["costs.lost_call_cost"]
        return summarize(self.per_replication, metrics=keys)


@dataclass(frozen=True)
class StaffingResult:
    """Everything :func:`callsim.planning.staffing.staff` found, per policy."""

    scenario: Scenario
    targets: tuple[Target, ...]
    scope: str
    constant: bool
    replications: int
    verify_replications: int
    seed: int
    policies: Mapping[str, PolicyStaffing]
    difference: tuple[str, str] | None

    @property
    def departments(self) -> list[str]:
        """Department names in scenario order."""
        return list(self.scenario.departments)

    @property
    def table(self) -> pd.DataFrame:
        """One row per policy, department and interval.

        Clock time, offered load (Erlangs), Erlang A start, agents on the phones, rostered
        agents, ``missed`` (a verified target of that department and interval missed) and
        ``within_ci`` (none missed, but one within CI), by :func:`verdict`.
        """
        h = self.scenario.horizon
        frames = []
        for p, found in self.policies.items():
            for i, dept in enumerate(self.departments):
                bad, near = (_intervals(found.checks, dept, v) for v in (MISSED, WITHIN_CI))
                missed = [j in bad or -1 in bad for j in range(h.n_intervals)]
                frames.append(pd.DataFrame({
                    "policy": p, "department": dept, "interval": np.arange(h.n_intervals),
                    "start": np.arange(h.n_intervals) * h.interval,
                    "clock": [format_clock(j * h.interval, h.start) for j in range(h.n_intervals)],
                    "offered_load": found.offered_load[i], "erlang": found.erlang_start[i],
                    "agents": found.staffing[i], "rostered": found.rostered[i],
                    "missed": missed,
                    "within_ci": [not m and (j in near or -1 in near)
                                  for j, m in enumerate(missed)],
                }))
        return pd.concat(frames, ignore_index=True)

    @property
    def summary(self) -> pd.DataFrame:
        """One row per policy: agent-hours per department, costs, targets met, effort."""
        rows = []
        for p, found in self.policies.items():
            row: dict[str, Any] = {"policy": p}
            for i, d in enumerate(self.departments):
                row[f"departments.{d}.agent_hours"] = float(found.agent_hours[i])
                row[f"departments.{d}.rostered_hours"] = float(found.rostered_hours[i])
            mean, lo, hi = found.total_cost
            lost = found.per_replication["costs.lost_call_cost"].mean()
            row.update(staff_cost=found.staff_cost, lost_call_cost=float(lost), total_cost=mean,
                       total_cost_ci_low=lo, total_cost_ci_high=hi,
                       meets_targets=found.meets_targets,
                       **{f"verified_{k}": v for k, v in found.verified().items()},
                       iterations=found.iterations,
                       runs=found.runs)
            rows.append(row)
        return pd.DataFrame(rows)

    def summary_differences(self) -> pd.Series | None:
        """``b - a`` of every number of :attr:`summary` (point values), ``None`` without a pair.

        ``(b, a)`` is :attr:`difference`, ``a`` the first policy named (``warm - cold``).
        """
        if self.difference is None:
            return None
        summary = self.summary.set_index("policy").select_dtypes("number")
        b, a = self.difference
        diff: pd.Series = summary.loc[b] - summary.loc[a]
        return diff

    def write_scenarios(self, folder: str | os.PathLike[str], stem: str | None = None
                        ) -> list[Path]:
        """One scenario file per policy with its staffing, runnable by ``callsim run`` as is.

        ``folder/STEM.POLICY.yaml`` (the folder is made if missing; ``STEM`` defaults to the
        scenario file's): the scenario's document with its overrides
        (:mod:`callsim.scenario.document`), the found ``agents`` lists, ``transfer.policy``
        and the targets; a relative ``arrivals_file`` is rewritten relative to the folder.
        """
        data = document_data(self.scenario)
        variants = {policy: self.scenario_for(data, policy) for policy in self.policies}
        return write_documents(self.scenario, variants, folder, stem)

    def differences(self) -> dict[str, Any]:
        """Paired ``b - a`` (``warm - cold``) staff cost and total cost; empty without a pair."""
        if self.difference is None:
            return {}
        a, b = (self.policies[p] for p in self.difference)
        paired = (a.per_replication["staffing.total_cost"].to_numpy()
                  - b.per_replication["staffing.total_cost"].to_numpy())
        return {"difference": f"{self.difference[0]} - {self.difference[1]}",
                "staff_cost": a.staff_cost - b.staff_cost,
                "total_cost": _ci(*t_interval(paired))}

    def _policy_dict(self, found: PolicyStaffing) -> dict[str, Any]:
        names = self.departments
        metrics = nest_metrics(found.metrics(names))
        checks = [{"target": r.target, "department": r.department,
                   "interval": None if r.interval < 0 else int(r.interval),
                   **_ci(r.mean, r.ci_low, r.ci_high), "met": bool(r.met),
                   "straddles": bool(r.straddles), "verdict": r.verdict}
                  for r in found.checks.itertuples()]
        return {
            "staffing": {d: [int(x) for x in found.staffing[i]] for i, d in enumerate(names)},
            "rostered": {d: [int(x) for x in found.rostered[i]] for i, d in enumerate(names)},
            "erlang_start": {d: [int(x) for x in found.erlang_start[i]]
                             for i, d in enumerate(names)},
            "agent_hours": {d: float(found.agent_hours[i]) for i, d in enumerate(names)},
            "rostered_hours": {d: float(found.rostered_hours[i]) for i, d in enumerate(names)},
            "staff_cost": found.staff_cost,
            "lost_call_cost": metrics["costs"].get("lost_call_cost"),
            "total_cost": _ci(*found.total_cost),
            "metrics": {"departments": metrics["departments"]},
            "checks": checks,
            "meets_targets": found.meets_targets,
            "verified": found.verified(),
            "iterations": found.iterations,
            "runs": found.runs,
        }

    def to_dict(self) -> dict[str, Any]:
        """The ``callsim staff --json`` document."""
        return {
            "scenario": self.scenario.name,
            "targets": [t.text for t in self.targets],
            "scope": self.scope,
            "constant": self.constant,
            "replications": self.replications,
            "verify_replications": self.verify_replications,
            "seed": self.seed,
            "policies": {p: self._policy_dict(f) for p, f in self.policies.items()},
            "differences": self.differences(),
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as strict JSON."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)

    def scenario_for(self, raw: Mapping[str, Any], policy: str) -> dict[str, Any]:
        """The scenario mapping ``raw`` with ``policy`` and its found staffing.

        The targets and each department's shrinkage (``--shrinkage`` included) are kept too;
        the mapping can be written as YAML and run as is, and costs what ``staff`` reported.
        """
        doc = copy.deepcopy(dict(raw))
        doc.setdefault("transfer", {})["policy"] = policy
        for i, d in enumerate(self.departments):
            doc["departments"][d]["agents"] = [int(x) for x in self.policies[policy].staffing[i]]
            shrinkage = float(self.scenario.departments[d].shrinkage)
            if shrinkage or "shrinkage" in doc["departments"][d]:
                doc["departments"][d]["shrinkage"] = shrinkage
        doc["targets"] = [t.text for t in self.targets]
        return doc
