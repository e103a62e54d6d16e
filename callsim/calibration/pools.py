"""Which queues share their agents: one department pool or separate departments, from the records.

Real agents often serve several queues (the bank's 24 agents each answered calls of two to six
service types). Counting an agent in every queue it served staffs each queue with agents who
were busy elsewhere. The records decide:

- an agent's **home** is the queue of most of its answered calls;
- a queue **joins** the pool of the home whose agents answered most of its calls (its own when
  its own agents did); queues linked this way, directly or through others, are one pool;
- a pool is named after its busiest queue, and each call type keeps its name and is served in
  its queue's pool (with priority classes when the records have them).

Without agent ids every queue is its own department.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from callsim.calibration.records import CallRecords

__all__ = ["Pools", "estimate_pools"]


@dataclass(frozen=True)
class Pools:
    """The department each queue's calls are served in.

    Attributes
    ----------
    department
        Queue -> its pool (a department name: the pool's busiest queue).
    home
        Agent -> its home queue (most of its answered calls).
    table
        One row per queue: ``queue``, ``calls`` (answered with an agent id), ``agents``
        (distinct agents who answered them), ``by_own`` (share answered by agents whose home it
        is), ``joined`` (the home queue whose agents answered most of them), ``pool``.
    """

    department: dict[str, str]
    home: dict[str, str]
    table: pd.DataFrame

    @property
    def shared(self) -> bool:
        """Whether some queues share a pool."""
        return len(set(self.department.values())) < len(self.department)


def _root(links: dict[str, str], queue: str) -> str:
    seen = {queue}
    while links[queue] != queue and links[queue] not in seen:
        queue = links[queue]
        seen.add(queue)
    return queue


def estimate_pools(records: CallRecords) -> Pools:
    """Pools of queues that share agents (see the module); separate ones without agent ids."""
    frame = records.frame
    queues = [str(q) for q in frame["queue"].cat.categories]
    served = frame[frame["answered"] & frame["agent"].notna()]
    if "agent" not in records.present or served.empty:
        table = pd.DataFrame({"queue": queues, "calls": 0, "agents": 0, "by_own": float("nan"),
                              "joined": queues, "pool": queues})
        return Pools({q: q for q in queues}, {}, table)
    calls = pd.crosstab(served["agent"].astype(str), served["queue"].astype(str))
    home = calls.idxmax(axis=1)
    by_home = calls.groupby(home).sum().T  # queue x home queue: calls answered
    links = {}
    for queue in queues:
        row = by_home.loc[queue] if queue in by_home.index else pd.Series(dtype=float)
        links[queue] = str(row.idxmax()) if len(row) and row.max() > 0 else queue
    roots = {q: _root(links, q) for q in queues}
    volume = served["queue"].astype(str).value_counts()
    pools: dict[str, list[str]] = {}
    for queue, root in roots.items():
        pools.setdefault(root, []).append(queue)
    department = {q: max(members, key=lambda m: (volume.get(m, 0), m))
                  for members in pools.values() for q in members}
    rows = []
    for queue in queues:
        column = calls[queue] if queue in calls.columns else pd.Series(dtype=float)
        total = float(column.sum())
        own = float(column[home == queue].sum()) if total else 0.0
        rows.append((queue, int(total), int((column > 0).sum()),
                     own / total if total else float("nan"), links[queue], department[queue]))
    table = pd.DataFrame(rows, columns=["queue", "calls", "agents", "by_own", "joined", "pool"])
    return Pools(department, {str(a): str(h) for a, h in home.items()}, table)
