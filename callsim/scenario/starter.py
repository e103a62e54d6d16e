"""The starter scenario of ``callsim init``: the reference scenario, every field explained.

>>> text = starter_text()
>>> text.splitlines()[0]
'# A callsim scenario: the reference case, every field explained. Edit it, then check it with'
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

__all__ = ["starter_text", "write_starter"]


def starter_text() -> str:
    """The commented starter scenario (YAML text), shipped as ``callsim/scenario/starter.yaml``."""
    return files("callsim.scenario").joinpath("starter.yaml").read_text(encoding="utf-8")


def write_starter(path: str | os.PathLike[str]) -> Path:
    """Write the starter scenario to a new file ``path``.

    Raises
    ------
    FileExistsError
        If ``path`` exists: it is never overwritten.
    FileNotFoundError
        If its folder does not exist.
    """
    target = Path(path)
    with open(target, "x", encoding="utf-8") as stream:  # "x": refuse to overwrite
        stream.write(starter_text())
    return target
