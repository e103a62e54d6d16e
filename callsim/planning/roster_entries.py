"""A roster as ``departments.D.roster`` entries: the engine runs it exactly (docs/model.md s. 11).

Shift types of one department give one entry per start and break placement (``start``,
``end``, ``count``, ``breaks``). Agents of a shared shift type answer whichever department the
programme assigns them to, slot by slot (``Solution.available``): what they add to each
department is written as break-free entries, one per run of slots (opened and closed last in,
first out), so the department's agents on the phones equal the programme's at every moment.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from callsim.planning.covering import Column, Programme, Solution, agent_days
from callsim.scenario.durations import format_clock

__all__ = ["roster_entries"]


def _own_entries(prog: Programme, sol: Solution, clock: float
                 ) -> tuple[dict[str, list[dict[str, Any]]], np.ndarray]:
    """Entries of single-department shift types, and their agents on the phones per slot."""
    out: dict[str, list[dict[str, Any]]] = {d: [] for d in prog.departments}
    own = np.zeros((len(prog.departments), prog.n_slots), dtype=np.int64)
    for j, column in enumerate(prog.columns):
        if len(column.departments) > 1:
            continue
        d = prog.departments.index(column.departments[0])
        for starts, n in agent_days(column, sol.placements[j], int(sol.counts[j])):
            out[column.departments[0]].append(_entry(prog, column, starts, n, clock))
            own[d, column.start:column.end] += n
            for s, length in zip(starts, column.break_slots, strict=True):
                own[d, s:s + length] -= n
    return out, own


def _entry(prog: Programme, column: Column, starts: tuple[int, ...], n: int, clock: float
           ) -> dict[str, Any]:
    def at(slot: int) -> str:
        return format_clock(slot * prog.slot, clock)
    breaks = [{"start": at(s), "end": at(s + length)}
              for s, length in zip(starts, column.break_slots, strict=True)]
    entry: dict[str, Any] = {"start": at(column.start), "end": at(column.end), "count": n}
    if breaks:
        entry["breaks"] = breaks
    return entry


def _spells(extra: np.ndarray) -> list[tuple[int, int, int]]:
    """A non-negative step function per slot as ``(first slot, end slot, agents)`` runs."""
    open_: list[list[int]] = []  # [start slot, agents], last opened last
    out: list[tuple[int, int, int]] = []
    level = 0
    for u, value in enumerate([*extra.tolist(), 0]):
        while value < level:  # close the latest runs first
            start, n = open_[-1]
            take = min(n, level - value)
            out.append((start, u, take))
            level -= take
            if take == n:
                open_.pop()
            else:
                open_[-1][1] -= take
        if value > level:
            open_.append([u, value - level])
            level = value
    return sorted(out)


def roster_entries(prog: Programme, sol: Solution) -> dict[str, list[dict[str, Any]]]:
    """Per department, its ``roster`` entries: own shifts, then shared agents assigned to it."""
    clock = prog.clock_start
    out, own = _own_entries(prog, sol, clock)
    for d, name in enumerate(prog.departments):
        for a, b, n in _spells(sol.available[d] - own[d]):
            out[name].append({"start": format_clock(a * prog.slot, clock),
                              "end": format_clock(b * prog.slot, clock), "count": n})
    return out
