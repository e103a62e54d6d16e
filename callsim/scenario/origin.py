"""What a scenario was built from: its YAML mapping, overrides, file name and folder.

:func:`~callsim.scenario.schema.build_scenario` keeps a :class:`ScenarioDocument` on every
scenario it validates, so that experiments can vary a scenario or write it back
(:mod:`callsim.scenario.document`). Provenance is not content: two scenarios with the same
fields are equal whatever documents they came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ScenarioDocument"]


@dataclass(frozen=True, eq=False)
class ScenarioDocument:
    """The raw scenario mapping (before overrides), its overrides, file and folder.

    Attributes
    ----------
    raw
        The mapping as read (YAML), before ``overrides``.
    source
        The file named in error lines.
    base_dir
        Where relative file names (replayed calls, empirical durations) are found.
    overrides
        ``dotted.path=value`` overrides applied to ``raw``, in order.
    """

    raw: Mapping[str, Any]
    source: str
    base_dir: Path
    overrides: tuple[str, ...] = ()

    def __eq__(self, other: object) -> bool:
        """Every document is equal to every other (provenance does not tell scenarios apart)."""
        return isinstance(other, ScenarioDocument)

    def __hash__(self) -> int:
        return 0
