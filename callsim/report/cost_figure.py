"""The cost breakdown of a comparison: staff time, agent time on misrouted calls, lost calls.

``total_cost = staff_cost + lost_call_cost``, and ``transfer_agent_cost`` (identifying, holding
and handoff time, at each department's wage) is the part of ``staff_cost`` spent on misrouted
calls. The figure stacks, per policy, the rest of the staff cost, the transfer agent time and
the lost-call cost, so each bar is the total cost; the error bar is the total's 95% CI.
Amounts are in currency over the whole horizon (one replication of the scenario).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from callsim.scenario.catalogue import metric

if TYPE_CHECKING:
    from callsim.experiments.comparison import Comparison

__all__ = ["COST_KEYS", "cost_figure"]

#: Cost metrics of the breakdown table, in order.
COST_KEYS: tuple[str, ...] = (
    "costs.staff_cost", "costs.transfer_agent_cost", "costs.lost_call_cost", "costs.total_cost",
)
_PARTS = (
    ("Staff time on other work", "tab:blue"),
    ("Agent time on misrouted calls", "tab:orange"),
    ("Lost calls", "tab:red"),
)


def cost_figure(comparison: Comparison) -> Figure:
    """Horizontal stacked bars of the mean cost per policy, with the total's 95% CI.

    Parameters
    ----------
    comparison
        Result of :func:`callsim.experiments.comparison.compare`.

    Returns
    -------
    matplotlib.figure.Figure
        One bar per policy (currency over the horizon).
    """
    summary = comparison.summary.set_index(["metric", "policy"])
    figure = Figure(figsize=(9.0, 1.2 + 0.7 * len(comparison.policies)), layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.subplots()
    for y, policy in enumerate(comparison.policies):
        staff = summary.loc[("costs.staff_cost", policy), "mean"]
        transfer = summary.loc[("costs.transfer_agent_cost", policy), "mean"]
        lost = summary.loc[("costs.lost_call_cost", policy), "mean"]
        total = summary.loc[("costs.total_cost", policy)]
        left = 0.0
        for (label, color), width in zip(_PARTS, (staff - transfer, transfer, lost), strict=True):
            ax.barh(y, width, left=left, color=color, height=0.6,
                    label=label if y == 0 else None)
            left += width
        err = [[total["mean"] - total["ci_low"]], [total["ci_high"] - total["mean"]]]
        ax.errorbar([total["mean"]], [y], xerr=err, fmt="none", ecolor="black", capsize=4)
        ax.annotate(metric("total_cost").format(total["mean"]), (total["ci_high"], y),
                    xytext=(6, 0), textcoords="offset points", va="center", fontsize="small")
    ax.set_yticks(range(len(comparison.policies)), list(comparison.policies))
    ax.invert_yaxis()
    ax.set_xlabel(f"{metric('total_cost').label} over the horizon (currency)")
    ax.margins(x=0.12)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=3, fontsize="small",
              frameon=False)
    return figure
