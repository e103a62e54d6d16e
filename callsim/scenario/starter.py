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


def starter_text(name: str = "scenario.yaml") -> str:
    """The commented starter scenario (YAML text), shipped as ``callsim/scenario/starter.yaml``.

    ``name`` is the file the header's commands name (``callsim validate NAME``).
    """
    text = files("callsim.scenario").joinpath("starter.yaml").read_text(encoding="utf-8")
    return text.replace(" scenario.yaml\n", f" {name}\n") if name != "scenario.yaml" else text


def write_starter(path: str | os.PathLike[str]) -> Path:
    """Write the starter scenario to a new file ``path``, atomically (whole or not at all).

    Raises
    ------
    FileExistsError
        If ``path`` exists: it is never overwritten.
    FileNotFoundError
        If its folder does not exist.
    """
    from callsim.files import write_text

    target = Path(path)
    if target.exists() or target.is_symlink():
        raise FileExistsError(f"{target}: already exists")
    return write_text(target, starter_text(str(target)))
