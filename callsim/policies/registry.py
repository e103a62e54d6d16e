"""The registry of transfer policies: every place that needs the list of policies reads it here.

Policies are found three ways, the first time the registry is asked:

- the modules of this package (``callsim/policies/*.py``): each built-in policy registers
  itself with the :func:`register` decorator when its module is imported;
- the ``callsim.policies`` entry point group, for policies in other distributions (as pytest
  plugins and pandas plotting backends are found)::

      [project.entry-points."callsim.policies"]
      mine = "my_package.my_module:MyPolicy"

- :func:`register` called at run time (a notebook, a test). Such a policy exists in this process
  only: run it with ``workers=1`` (or ship it as an entry point).

The scenario schema, the CLI ``--policy`` choices, the per-call draws, the default comparison
and the difference labels all come from here; nothing else lists policies by name.

Examples
--------
>>> "cold" in names() and "warm" in names()
True
>>> default_comparison()
('cold', 'warm')
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel

from callsim.engine.draws import Draw, check_draws
from callsim.policies.protocol import policy_metrics
from callsim.scenario import catalogue

if TYPE_CHECKING:
    from collections.abc import Sequence

    from callsim.policies.protocol import TransferPolicy
    from callsim.scenario.catalogue import Metric

__all__ = [
    "ENTRY_POINT_GROUP",
    "added_metrics",
    "default_comparison",
    "get",
    "names",
    "options_models",
    "policy_problem",
    "register",
    "unregister",
]

#: Entry point group of third-party policies.
ENTRY_POINT_GROUP = "callsim.policies"

P = TypeVar("P", bound="type[TransferPolicy]")

_registered: dict[str, type[TransferPolicy]] = {}
_discovered = False
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def register(policy: P) -> P:
    """Add a policy class to the registry (usable as a class decorator); returns it.

    Raises
    ------
    ValueError
        Bad name, another class already registered under the name, options that are not a
        pydantic model, or draws that clash with another policy's draws.
    """
    name = getattr(policy, "name", None)
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"{policy!r}: policy name must be letters, digits, '_' or '-'")
    missing = [a for a in ("options", "draws", "compare_position", "transfer",
                           "answer_transferred") if not hasattr(policy, a)]
    if missing:
        raise ValueError(f"policy {name!r} lacks {', '.join(missing)} (see TransferPolicy)")
    if _registered.get(name, policy) is not policy:
        raise ValueError(f"a different transfer policy is already registered as {name!r}")
    options = policy.options
    if options is not None and not (isinstance(options, type) and issubclass(options, BaseModel)):
        raise ValueError(f"policy {name!r}: options must be a pydantic model class or None")
    if name in ("policy", "identify_time"):
        raise ValueError(f"policy name {name!r} is a field of the transfer section")
    check_draws([*_all_draws(exclude=name), *policy.draws])
    added = policy_metrics(policy)
    if added and not hasattr(policy, "call_metrics"):
        raise ValueError(f"policy {name!r} declares metrics but no call_metrics hook")
    for entry in added:
        catalogue.register(entry)
    _registered[name] = policy
    return policy


def unregister(name: str) -> None:
    """Remove a run-time policy and its metrics (for tests); unknown names are ignored."""
    policy = _registered.pop(name, None)
    for entry in policy_metrics(policy) if policy is not None else ():
        catalogue.unregister(entry.name)


def _discover() -> None:
    """Import this package's modules and load the entry points, once."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    package = importlib.import_module("callsim.policies")
    for module in pkgutil.iter_modules(package.__path__, prefix="callsim.policies."):
        if not module.name.rpartition(".")[2].startswith("_"):
            importlib.import_module(module.name)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            policy = entry.load()
        except Exception as exc:
            raise RuntimeError(f"transfer policy plug-in {entry.name!r} ({entry.value}) "
                               f"failed to load: {exc}") from exc
        register(policy)


def _policies() -> dict[str, type[TransferPolicy]]:
    _discover()
    return _registered


def get(name: str) -> type[TransferPolicy]:
    """The policy class registered as ``name``.

    Raises
    ------
    ValueError
        Unknown name (the message lists the registered ones).
    """
    policies = _policies()
    if name not in policies:
        raise ValueError(f"unknown policy {name!r}; choose from {', '.join(names())}")
    return policies[name]


def names() -> tuple[str, ...]:
    """Every registered policy name, sorted."""
    return tuple(sorted(_policies()))


def policy_problem(chosen: Sequence[str]) -> str | None:
    """What is wrong with a list of policy names (one named twice, one unknown), or ``None``.

    Examples
    --------
    >>> policy_problem(["cold", "warm"]) is None
    True
    >>> policy_problem(["cold", "cold"])
    '`policies` cold: given twice'
    """
    twice = [p for i, p in enumerate(chosen) if p in chosen[:i]]
    if twice:
        return f"`policies` {twice[0]}: given twice"
    unknown = [p for p in chosen if p not in names()]
    if unknown:
        return f"`policies`: unknown policy {unknown[0]!r} (choose from {', '.join(names())})"
    return None


def default_comparison() -> tuple[str, ...]:
    """The policies ``compare`` and ``sweep`` run when none are named, reference first."""
    chosen = [p for p in _policies().values() if p.compare_position is not None]
    chosen.sort(key=lambda p: (p.compare_position, p.name))
    return tuple(p.name for p in chosen)


def options_models() -> dict[str, type[BaseModel] | None]:
    """Each policy's options model by name: the ``transfer.<name>`` sections of a scenario."""
    return {name: policy.options for name, policy in sorted(_policies().items())}


def added_metrics() -> tuple[Metric, ...]:
    """The metrics policies add (``TransferPolicy.metrics``), by policy name, then as declared."""
    return tuple(m for _, policy in sorted(_policies().items()) for m in policy_metrics(policy))


def _all_draws(exclude: str | None = None) -> list[Draw]:
    return [d for name, p in _registered.items() if name != exclude for d in p.draws]
