"""The transfer policy protocol: what a policy plug-in declares and the two hooks it implements.

A policy is a class. It declares its ``name`` (the value of ``transfer.policy`` and of
``--policy``), its ``options`` model (the scenario section ``transfer.NAME``), the per-call
random ``draws`` it reads, and whether ``compare`` runs it by default. The engine makes one
instance per replication, with the :class:`~callsim.engine.call_center.CallCenter` it acts on,
and calls two hooks: :meth:`TransferPolicy.transfer` when identification of a misrouted call is
over, and :meth:`TransferPolicy.answer_transferred` when an agent of the resolving department
answers a caller the policy put in its queue. A policy acts on the center only through the
center's transfer policy API (queue a caller alone, hold with the agent, release an agent, mark
the transfer kind, connect the second agent, schedule an event, finish a call, log an activity).

See ``docs/DESIGN.md``, "How to add a transfer policy".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from callsim.engine.call_center import CallCenter
    from callsim.engine.departments import Department
    from callsim.engine.draws import Draw
    from callsim.scenario.schema import Scenario

__all__ = ["TransferPolicy", "options_of"]

M = TypeVar("M", bound=BaseModel)


class TransferPolicy(Protocol):
    """A transfer policy plug-in (a class; one instance per replication).

    Attributes
    ----------
    name
        Policy name: letters, digits, ``_`` and ``-``.
    options
        Pydantic model of the scenario section ``transfer.<name>`` (``None``: no options). Its
        fields need defaults: every scenario gets the section, filled with them if absent.
    draws
        Per-call random attributes the policy reads from ``center.callers.drawn``.
    compare_position
        Position in the default list of ``compare`` and ``sweep`` (the first is the reference
        of paired differences); ``None``: run only when named.

    Optional: ``first_agent_holds`` (default ``False``), true when the first agent stays on the
    line until a resolving agent answers (``warm``); the staffing search's Erlang start reads it.
    """

    name: ClassVar[str]
    options: ClassVar[type[BaseModel] | None]
    draws: ClassVar[tuple[Draw, ...]]
    compare_position: ClassVar[int | None]

    def __init__(self, center: CallCenter, scenario: Scenario) -> None: ...

    def transfer(self, dept: Department, agent: int, call: int) -> None:
        """Identification by ``agent`` of ``dept`` is over (now): decide what happens to ``call``.

        The agent stays busy until the policy releases it (``center.release``).
        """

    def answer_transferred(self, dept: Department, agent: int, call: int, holding: bool) -> None:
        """``agent`` of the resolving department ``dept`` answers ``call`` (now).

        ``holding`` is true when the first agent is still on the line (the policy called
        ``center.hold``); otherwise the caller waited alone (``center.queue_alone``).
        """


def options_of(scenario: Scenario, name: str, model: type[M]) -> M:
    """The scenario's ``transfer.<name>`` section, typed as the policy's options ``model``."""
    options = scenario.transfer.options(name)
    if not isinstance(options, model):
        raise TypeError(f"transfer.{name} holds {type(options).__name__}, not {model.__name__}")
    return options
