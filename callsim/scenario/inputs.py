"""Reading input files safely: regular files only, bounded size, UTF-8 text, one-line errors.

Every file callsim reads (scenario and sweep YAML, empirical durations, replayed call logs) goes
through :func:`read_text`, and every other input (call records, column maps, results tables)
through :func:`check_input_file`: both live in :mod:`callsim.files.reading` (layer 0, so the
calibration and command layers use the same checks) and are re-exported here. Files read
while a scenario is validated are recorded (:func:`note_file`) so that sweeps can hash every
file a scenario depends on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from callsim.files.reading import InputFileError, check_input_file, read_text

__all__ = ["FILES_KEY", "InputFileError", "check_input_file", "note_file", "read_text"]

#: Validation-context key of the list that collects the files a scenario reads.
FILES_KEY = "files"


def note_file(context: Mapping[str, Any] | None, path: str | os.PathLike[str]) -> None:
    """Record that validation read ``path`` (when the context collects files)."""
    if context is not None and isinstance(context.get(FILES_KEY), list):
        context[FILES_KEY].append(Path(path))
