"""The scenario's ``transfer`` section: policy, identify time, one options section per policy.

Which policies exist, and what options each takes, is not known here: transfer policies are
plug-ins (:mod:`callsim.policies`), a layer above the scenario. Validation asks
:func:`callsim.scenario.option_models.policy_options` (a source the root package installs),
accepts ``transfer.policy`` among the registered names and validates ``transfer.NAME`` with
policy NAME's options model (its defaults when the section is left out), so every validated
scenario carries options for every policy.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from callsim.scenario.distributions import Deterministic, Distribution
from callsim.scenario.errors import Loc, field_errors, nested_problems
from callsim.scenario.option_models import policy_options

__all__ = ["Transfer", "choice_text"]


def choice_text(names: list[str]) -> str:
    """``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'``: names for a message.

    >>> choice_text(["cold", "warm"])
    "'cold' or 'warm'"
    """
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


class Transfer(BaseModel):
    """What happens to a misrouted call once identified (``identify_time`` in seconds).

    ``policy`` names a registered transfer policy; ``options(name)`` (or attribute ``name``)
    is that policy's validated options section.
    """

    model_config = ConfigDict(extra="allow", frozen=True)

    policy: str = "warm"
    identify_time: Distribution = Field(default_factory=lambda: Deterministic(value=0))

    @model_validator(mode="after")
    def _policy_sections(self) -> Transfer:
        models = policy_options()
        given = dict(self.__pydantic_extra__ or {})
        problems: list[tuple[Loc, str]] = []
        if self.policy not in models:
            problems.append((("policy",), f"must be {choice_text(sorted(models))}"))
        validated: dict[str, Any] = {}
        for name, model in models.items():
            raw = given.pop(name, None)
            if model is None:
                if raw is not None:
                    problems.append(((name,), f"policy '{name}' takes no options"))
                continue
            try:
                validated[name] = raw if isinstance(raw, model) else model.model_validate(raw or {})
            except ValidationError as exc:
                problems += [((name, *loc), text) for loc, text in nested_problems(exc, model)]
        problems += [((name,), "extra field not permitted") for name in given]
        if problems:
            raise field_errors("transfer", problems)
        object.__setattr__(self, "__pydantic_extra__", validated)  # frozen: set once, here
        return self

    def options(self, policy: str) -> BaseModel:
        """The validated options section of ``policy``.

        Raises
        ------
        KeyError
            The policy takes no options, or was registered after this scenario was validated.
        """
        extra = self.__pydantic_extra__ or {}
        if policy not in extra:
            raise KeyError(f"the scenario has no options for transfer policy {policy!r}")
        options: BaseModel = extra[policy]
        return options
