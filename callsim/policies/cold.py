"""Cold (blind) transfer: the first agent is freed at once and the caller queues alone.

docs/model.md section 3: the transfer fails with ``drop_probability`` (outcome ``dropped``);
otherwise the caller joins the resolving department's queue (at the back, or with ``priority``
ahead of every caller who was not transferred) with a fresh patience, and the agent who answers
handles for handle time + re-explaining time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, Strict, StrictBool

from callsim.engine.draws import Draw, patience, per_call, uniform
from callsim.engine.records import Outcome, TransferKind
from callsim.policies.protocol import MisroutedLoad, options_of
from callsim.policies.registry import register
from callsim.scenario.distributions import Deterministic, Distribution
from callsim.scenario.limits import MAX_FACTOR
from callsim.scenario.schema import Probability

if TYPE_CHECKING:
    from callsim.engine.call_center import CallCenter
    from callsim.engine.departments import Department
    from callsim.scenario.schema import Scenario

__all__ = ["ColdOptions", "ColdTransfer", "cold_options"]


class ColdOptions(BaseModel):
    """``transfer.cold``: re-explaining time (s), drop risk, patience factor, priority."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reexplain_time: Distribution = Field(default_factory=lambda: Deterministic(value=0))
    drop_probability: Probability = 0.0
    patience_factor: Annotated[float, Strict()] = Field(
        default=1.0, gt=0, le=MAX_FACTOR, allow_inf_nan=False
    )
    priority: StrictBool = False


def cold_options(scenario: Scenario) -> ColdOptions:
    """The scenario's ``transfer.cold`` section (other policies reuse parts of it)."""
    return options_of(scenario, "cold", ColdOptions)


#: Fresh patience (s) of a caller who waits alone after a transfer: patience x patience_factor.
#: Warm transfers draw it too, as the patience on hold (``caller_abandons_on_hold``).
PATIENCE_AFTER_TRANSFER = patience(
    "patience_after_transfer", lambda sc: cold_options(sc).patience_factor, site=4
)
#: Time (s) the caller spends explaining again to the resolving agent.
REEXPLAIN = per_call("reexplain", lambda sc: cold_options(sc).reexplain_time, site=8)
#: Uniform draw compared with ``drop_probability``.
DROP = uniform("drop", site=10)


@register
class ColdTransfer:
    """Blind transfer. See the module docstring; options :class:`ColdOptions`."""

    name: ClassVar[str] = "cold"
    options: ClassVar[type[BaseModel] | None] = ColdOptions
    draws: ClassVar[tuple[Draw, ...]] = (PATIENCE_AFTER_TRANSFER, REEXPLAIN, DROP)
    compare_position: ClassVar[int | None] = 0

    @classmethod
    def misrouted_load(cls, scenario: Scenario) -> MisroutedLoad:
        """The caller waits alone (fresh patience x ``patience_factor``), re-explains, may drop."""
        options = cold_options(scenario)
        return MisroutedLoad(joins=1.0 - options.drop_probability,
                             second_agent=options.reexplain_time.expected(),
                             patience_factor=options.patience_factor)

    def __init__(self, center: CallCenter, scenario: Scenario) -> None:
        self.center = center
        options = cold_options(scenario)
        self.drop_probability = options.drop_probability
        self.priority = options.priority
        drawn = center.callers.drawn
        self.patience_after_transfer = drawn["patience_after_transfer"]
        self.reexplain = drawn["reexplain"]
        self.drop = drawn["drop"]
        self.handle = center.callers.handle

    def transfer(self, dept: Department, agent: int, call: int) -> None:
        """Identification is over: free the agent and push the caller on (or drop the call)."""
        center = self.center
        center.mark_transfer(call, TransferKind.COLD)
        center.release(dept, agent)
        if self.drop.item(call) < self.drop_probability:
            center.finish(call, center.now, Outcome.DROPPED)
            return
        target = center.resolving_department(call)
        center.queue_alone(call, target, self.patience_after_transfer.item(call), self.priority)

    def answer_transferred(self, dept: Department, agent: int, call: int, holding: bool) -> None:
        """An agent of the resolving department answers: handle time + re-explaining time."""
        self.answer_alone(agent, call)

    def answer_alone(self, agent: int, call: int) -> None:
        """A resolving agent answers a caller who waited alone: handle + re-explaining time."""
        self.center.connect(call, agent)
        self.center.resolve_after(call, self.handle.item(call) + self.reexplain.item(call))
