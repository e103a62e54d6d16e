"""Conditional warm transfer: warm when the resolving department can take the call soon, else cold.

docs/model.md section 3 ("Beyond cold and warm"). At the end of identification the first
agent looks at the resolving department t and transfers warm (:mod:`~callsim.policies.warm`,
its options) if ``transfer.conditional.warm_when`` holds at that instant, else cold
(:mod:`~callsim.policies.cold`, its options, drop included):

- ``agent_free``: an agent of t is idle;
- ``queue_at_most`` (``max_queue: k``): at most k callers wait in t's queue (both lines, warm
  callers on hold included);
- ``expected_wait_at_most`` (``max_expected_wait: D``): (Q + 1) x m / N <= D, with Q the count
  above, m the mean handle time (s) of the caller's call type and N t's agents on duty (none on
  duty: cold).

Each transfer is recorded as the kind it became (``transfer_kind`` cold or warm), so the
``transfers_cold`` / ``transfers_warm`` metrics split the decisions; under this policy they are
also reported as ``transfers_conditional_cold`` / ``transfers_conditional_warm``.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from callsim.engine.draws import Draw
from callsim.engine.records import Outcome, TransferKind
from callsim.policies.cold import DROP, cold_options
from callsim.policies.protocol import CallGroup, options_of
from callsim.policies.registry import register
from callsim.policies.warm import WarmTransfer
from callsim.scenario.catalogue import Metric
from callsim.scenario.durations import Seconds
from callsim.scenario.errors import field_errors
from callsim.scenario.limits import MAX_AGENTS

if TYPE_CHECKING:
    from callsim.engine.call_center import CallCenter
    from callsim.engine.departments import Department
    from callsim.scenario.schema import Scenario

__all__ = ["ConditionalOptions", "ConditionalWarm", "conditional_options"]

#: The conditions ``warm_when`` may name, and the threshold field each one needs.
THRESHOLDS: dict[str, str | None] = {
    "agent_free": None,
    "queue_at_most": "max_queue",
    "expected_wait_at_most": "max_expected_wait",
}


class ConditionalOptions(BaseModel):
    """``transfer.conditional``: the condition for warm and its threshold (count, or s)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    warm_when: Literal["agent_free", "queue_at_most", "expected_wait_at_most"] = "agent_free"
    max_queue: Annotated[int, Strict(), Field(ge=0, le=10 * MAX_AGENTS)] | None = None
    max_expected_wait: Seconds | None = None

    @model_validator(mode="after")
    def _threshold_matches(self) -> ConditionalOptions:
        needed = THRESHOLDS[self.warm_when]
        problems = []
        for name in ("max_queue", "max_expected_wait"):
            given = getattr(self, name) is not None
            if name == needed and not given:
                problems.append(((name,), f"is required with warm_when: {self.warm_when}"))
            elif name != needed and given:
                wants = next(k for k, v in THRESHOLDS.items() if v == name)
                problems.append(((name,), f"applies only with warm_when: {wants}"))
        if problems:
            raise field_errors("conditional", problems)
        return self


def conditional_options(scenario: Scenario) -> ConditionalOptions:
    """The scenario's ``transfer.conditional`` section."""
    return options_of(scenario, "conditional", ConditionalOptions)


@register
class ConditionalWarm(WarmTransfer):
    """Warm if ``warm_when`` holds at the end of identification, else cold.

    See the module docstring; options :class:`ConditionalOptions` (plus ``transfer.warm`` and
    ``transfer.cold``). It reads warm's draws and cold's drop draw, so its callers, warm ones and
    cold ones, are those of the warm and cold policies (common random numbers).
    """

    name: ClassVar[str] = "conditional"
    options: ClassVar[type[BaseModel] | None] = ConditionalOptions
    draws: ClassVar[tuple[Draw, ...]] = (*WarmTransfer.draws, DROP)
    compare_position: ClassVar[int | None] = None
    #: Its own metrics: how the decisions went (0 under every other policy).
    metrics: ClassVar[tuple[Metric, ...]] = (
        Metric("transfers_conditional_warm", "Conditional transfers gone warm", "count", None,
               "total", "Conditional policy: transfers whose condition held, made warm."),
        Metric("transfers_conditional_cold", "Conditional transfers gone cold", "count", None,
               "total", "Conditional policy: transfers whose condition failed, made cold."),
    )

    @classmethod
    def call_metrics(cls, group: CallGroup) -> dict[str, float]:
        """Transfers that went warm (holds later turned cold at ``max_hold`` included) or cold."""
        import numpy as np

        warm = (group.kind == TransferKind.WARM) | (group.kind == TransferKind.WARM_TO_COLD)
        return {"transfers_conditional_warm": float(np.count_nonzero(warm)),
                "transfers_conditional_cold": float(np.count_nonzero(
                    group.kind == TransferKind.COLD))}

    def __init__(self, center: CallCenter, scenario: Scenario) -> None:
        super().__init__(center, scenario)
        options = conditional_options(scenario)
        self.warm_when = options.warm_when
        self.max_queue = options.max_queue
        self.max_expected_wait = options.max_expected_wait
        cold = cold_options(scenario)
        self.drop_probability = cold.drop_probability
        self.cold_priority = cold.priority
        self.drop = center.callers.drawn["drop"]
        self.call_type = center.callers.call_type
        self.mean_handle = [ct.handle_time.expected() for ct in scenario.call_types.values()]
        # with handle time by time of day: m in the interval of the decision (else None)
        self.mean_handle_by_interval = ([
            [m * f for f in scenario.handle_scales(k)]
            for m, k in zip(self.mean_handle, scenario.call_types, strict=True)
        ] if scenario.time_of_day_handle else None)
        self.interval_starts = scenario.horizon.interval_bounds()[1:-1].tolist()

    def goes_warm(self, call: int, target: Department) -> bool:
        """Whether ``warm_when`` holds now for a transfer of ``call`` to ``target``."""
        center = self.center
        if self.warm_when == "agent_free":
            return center.idle_agents(target) > 0
        queued = center.waiting(target)
        if self.warm_when == "queue_at_most":
            return queued <= (self.max_queue or 0)
        on_duty = center.on_duty(target)
        if on_duty == 0:
            return False
        k = self.call_type.item(call)
        if self.mean_handle_by_interval is None:
            mean: float = self.mean_handle[k]
        else:  # the interval now (past the horizon: the last one)
            mean = self.mean_handle_by_interval[k][bisect_right(self.interval_starts,
                                                                center.now)]
        return (queued + 1) * mean / on_duty <= (self.max_expected_wait or 0.0)

    def transfer(self, dept: Department, agent: int, call: int) -> None:
        """Identification is over: warm if the condition holds, else cold (drop included)."""
        center = self.center
        target = center.resolving_department(call)
        if self.goes_warm(call, target):
            super().transfer(dept, agent, call)
            return
        center.mark_transfer(call, TransferKind.COLD)
        center.release(dept, agent)
        if self.drop.item(call) < self.drop_probability:
            center.finish(call, center.now, Outcome.DROPPED)
            return
        patience = self.patience_on_hold.item(call)  # the cold fresh patience draw
        center.queue_alone(call, target, patience, self.cold_priority)
