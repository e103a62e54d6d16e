"""The real centre's export, ``../shared/data/`` beside the repository (tests skip without it).

A git worktree lies elsewhere than its main checkout; ``../shared`` is then looked for beside
the main checkout too (the worktree's ``.git`` file names it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shared import ROOT, SCENARIOS

EXPORT_NAME = "anonymous_bank_1999-02-01_to_14.tsv"
BANK_MAP = SCENARIOS / "records" / "anonymous_bank.map.yaml"
#: The Sunday-Thursday days of each week: calibration, and the out-of-sample back-test.
FIT_DAYS = "sun-thu 1999-02-01..1999-02-07"
TEST_DAYS = "sun-thu 1999-02-08..1999-02-14"


def _roots() -> list[Path]:
    roots = [ROOT]
    git = ROOT / ".git"
    if git.is_file():  # a worktree: "gitdir: MAIN/.git/worktrees/NAME"
        gitdir = Path(git.read_text().split(":", 1)[1].strip())
        roots.append(gitdir.parents[2])
    return roots


def bank_export() -> Path:
    """The export's path; skips the test when ``../shared/data`` is not there."""
    for root in _roots():
        path = root.parent / "shared" / "data" / EXPORT_NAME
        if path.is_file():
            return path
    pytest.skip(f"../shared/data/{EXPORT_NAME} not found beside the repository")
