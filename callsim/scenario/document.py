"""A scenario's document: vary a validated scenario, or write it back as YAML.

A :class:`~callsim.scenario.schema.Scenario` is validated and frozen. Experiments that vary it
(the points of a sweep, the values of a break-even) or write it back (staffed scenarios) need
what it was built from (:class:`~callsim.scenario.origin.ScenarioDocument`), which
:func:`~callsim.scenario.schema.build_scenario` keeps on it: :func:`document` returns it,
:func:`with_overrides` validates it again with more overrides, :func:`yaml_text` writes a
mapping for a file in another folder, :func:`write_documents` a file per variant (staffed or
rostered scenarios).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from callsim.scenario.loading import apply_overrides, build_scenario
from callsim.scenario.origin import ScenarioDocument

if TYPE_CHECKING:
    from callsim.scenario.schema import Scenario

__all__ = ["ScenarioDocument", "document", "document_data", "with_overrides", "write_documents",
           "yaml_text"]


def document(scenario: Scenario) -> ScenarioDocument:
    """What ``scenario`` was built from.

    A scenario validated without :func:`~callsim.scenario.schema.build_scenario` (e.g. with
    ``Scenario.model_validate``) is its own document: its fields as a mapping, relative file
    names found in the working folder.

    Examples
    --------
    >>> from callsim import load_scenario
    >>> s = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=1h"])
    >>> d = document(s)
    >>> d.source, d.overrides
    ('scenarios/billing_support.yaml', ('horizon.duration=1h',))
    """
    origin = scenario._origin
    if origin is None:
        return ScenarioDocument(scenario.model_dump(mode="json", exclude_unset=True),
                                f"<{scenario.name}>", Path("."))
    return origin


def document_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario's mapping with its overrides applied (a fresh copy, unvalidated)."""
    doc = document(scenario)
    return apply_overrides(doc.raw, doc.overrides, source=doc.source)


def with_overrides(scenario: Scenario, overrides: Sequence[str]) -> Scenario:
    """``scenario`` with more ``dotted.path=value`` overrides, validated again.

    The overrides apply after the scenario's own, to the mapping it was built from; errors
    name its file.

    Raises
    ------
    ScenarioError
        One line per problem.

    Examples
    --------
    >>> from callsim import load_scenario
    >>> s = load_scenario("scenarios/billing_support.yaml")
    >>> with_overrides(s, ["departments.billing.agents=9"]).departments["billing"].agents
    9
    """
    doc = document(scenario)
    return build_scenario(doc.raw, doc.source, doc.base_dir, [*doc.overrides, *overrides])


def yaml_text(data: Mapping[str, Any], base_dir: Path, folder: Path) -> str:
    """A scenario mapping as YAML for a file in ``folder``.

    A relative ``arrivals_file`` (found in ``base_dir``) is rewritten relative to ``folder``,
    so the written file runs as is.
    """
    import yaml

    doc = dict(data)
    arrivals = doc.get("arrivals_file")
    if isinstance(arrivals, str) and not os.path.isabs(arrivals):
        doc["arrivals_file"] = os.path.relpath(Path(base_dir) / arrivals, folder)
    return str(yaml.safe_dump(doc, sort_keys=False))


def write_documents(scenario: Scenario, variants: Mapping[str, Mapping[str, Any]],
                    folder: str | os.PathLike[str], stem: str | None = None,
                    headers: Mapping[str, str] | None = None) -> list[Path]:
    """One runnable scenario file per variant of ``scenario``: ``folder/STEM.NAME.yaml``.

    ``variants`` maps each name to its mapping (built from :func:`document_data`); the folder
    is made if missing, ``STEM`` defaults to the scenario file's, a relative
    ``arrivals_file`` is rewritten for the folder (:func:`yaml_text`), and ``headers`` gives
    a file's opening comment by name. Each file is written atomically.
    """
    from callsim.files import write_text

    doc = document(scenario)
    out = Path(folder)
    out.mkdir(exist_ok=True)
    written = []
    for name, data in variants.items():
        path = out / f"{stem or Path(doc.source).stem}.{name}.yaml"
        write_text(path, (headers or {}).get(name, "") + yaml_text(data, doc.base_dir, out))
        written.append(path)
    return written
