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

Analysis asks a policy, never names it, through two optional hooks (:func:`misrouted_load` and
:func:`policy_metrics` read them, with their defaults): ``misrouted_load(scenario)``, what a
misrouted call brings to the queues (the Erlang start of the staffing search), and
``metrics`` with ``call_metrics(group)``, metrics of its own (catalogue entries, counted over
each call group, 0 under every other policy).

See ``docs/DESIGN.md``, "How to add a transfer policy".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:
    import numpy as np

    from callsim.engine.call_center import CallCenter
    from callsim.engine.departments import Department
    from callsim.engine.draws import Draw
    from callsim.scenario.catalogue import Metric
    from callsim.scenario.schema import Scenario

__all__ = ["CallGroup", "MisroutedLoad", "TransferPolicy", "misrouted_load", "options_of",
           "policy_metrics"]

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

    Optional hooks (read by :func:`misrouted_load` and :func:`policy_metrics`):

    - ``misrouted_load(scenario) -> MisroutedLoad`` (a classmethod): the mean work and
      patience a misrouted call brings after identification, for the Erlang start of the
      staffing search. Without it a transferred caller is taken to join the resolving queue
      at once, with the same patience, and to need the handle time only.
    - ``metrics: tuple[Metric, ...]``, catalogue entries of metrics of its own, and
      ``call_metrics(group: CallGroup) -> dict[str, float]`` (a classmethod) computing them
      over one call group (``overall``, each call type). The registry adds the entries to the
      catalogue; every run reports them, 0 under the other policies.
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


@dataclass(frozen=True)
class MisroutedLoad:
    """What one misrouted call brings to the queues after identification (means, s).

    Attributes
    ----------
    first_agent
        The first agent's work after identification, besides any hold (warm: the handoff).
    holds
        The first agent waits on the line until the resolving queue answers (warm): the
        queue's Erlang mean wait is added to the first agent's work.
    joins
        Share of misrouted callers who join the resolving queue (cold: ``1 - drop``).
    second_agent
        The second leg's work besides the handle time (cold: re-explain; warm: handoff).
    patience_factor
        Patience in the resolving queue relative to the first queue's; ``None``: nobody
        abandons there (warm holds unless ``caller_abandons_on_hold``).
    """

    first_agent: float = 0.0
    holds: bool = False
    joins: float = 1.0
    second_agent: float = 0.0
    patience_factor: float | None = 1.0


@dataclass(frozen=True)
class CallGroup:
    """The record columns a policy's metrics read, for the calls of one group (one per call).

    Codes as in :mod:`callsim.engine.records`: ``kind`` (``TransferKind``), ``outcome``
    (``Outcome``), ``stage`` (``Stage``).
    """

    kind: np.ndarray
    outcome: np.ndarray
    stage: np.ndarray


def misrouted_load(policy: type[TransferPolicy], scenario: Scenario) -> MisroutedLoad:
    """The policy's ``misrouted_load`` hook, or the default (see :class:`TransferPolicy`)."""
    hook = getattr(policy, "misrouted_load", None)
    load: MisroutedLoad = hook(scenario) if hook is not None else MisroutedLoad()
    return load


def policy_metrics(policy: type[TransferPolicy]) -> tuple[Metric, ...]:
    """The catalogue entries of the metrics the policy adds (none without the hook)."""
    metrics: tuple[Metric, ...] = tuple(getattr(policy, "metrics", ()))
    return metrics


def options_of(scenario: Scenario, name: str, model: type[M]) -> M:
    """The scenario's ``transfer.<name>`` section, typed as the policy's options ``model``."""
    options = scenario.transfer.options(name)
    if not isinstance(options, model):
        raise TypeError(f"transfer.{name} holds {type(options).__name__}, not {model.__name__}")
    return options
