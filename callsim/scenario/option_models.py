"""Where the scenario finds the transfer policies' option models, without importing policies.

Which policies exist, and what options each takes, is not known in the scenario layer:
transfer policies are plug-ins (:mod:`callsim.policies`, a layer above). The layer above hands
this module a *source* (:func:`use_policy_options`), a function returning every registered
policy's options model by name; the scenario's ``transfer`` section validates against it.

The root package installs the source when ``callsim`` is first imported (every import of a
``callsim`` module runs the root ``__init__`` first), as a function that asks the policy
registry on first use, so the scenario layer never imports a layer above it, statically or
by name. This module imports nothing, so installing the source costs nothing at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["PolicyOptionsSource", "policy_options", "use_policy_options"]

#: Returns each registered policy's name and options model (``None``: it takes no options).
PolicyOptionsSource = Callable[[], Mapping[str, "type[BaseModel] | None"]]

_source: PolicyOptionsSource | None = None


def use_policy_options(source: PolicyOptionsSource) -> None:
    """Install the source of policy names and options models (done by the root package)."""
    global _source
    _source = source


def policy_options() -> Mapping[str, type[BaseModel] | None]:
    """Every registered policy's options model, by policy name.

    Raises
    ------
    RuntimeError
        No source is installed (only if ``callsim/__init__.py`` was bypassed).
    """
    if _source is None:
        raise RuntimeError("no source of transfer policy options is installed "
                           "(callsim/__init__.py installs it)")
    return _source()
