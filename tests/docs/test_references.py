"""Docs and docstrings cite the project's own docs only, and only sections that exist."""

from __future__ import annotations

import re

from tests.shared import ROOT

#: Where citations live: the package, the README and the docs.
SOURCES = [*sorted((ROOT / "callsim").rglob("*.py")), ROOT / "README.md",
           *sorted((ROOT / "docs").glob("*.md"))]
CITATION = re.compile(r"model\.md\)?,? sections? (\d+(?:\.\d+)?)")


def sections(path) -> set[str]:
    """The numbers of the ``## N.`` headings of a markdown file."""
    return set(re.findall(r"^## (\d+)\.", path.read_text(encoding="utf-8"), flags=re.M))


def test_no_citation_of_the_spec_outside_the_repository() -> None:
    cited = [f"{p.relative_to(ROOT)}:{n}" for p in SOURCES
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if "MODEL.md" in line]
    assert cited == []


def test_every_cited_section_of_model_md_exists() -> None:
    known = sections(ROOT / "docs" / "model.md")
    stale = [f"{p.relative_to(ROOT)}: section {s}" for p in SOURCES
             for s in CITATION.findall(p.read_text(encoding="utf-8")) if s not in known]
    assert stale == []
