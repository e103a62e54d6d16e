"""The notebooks in notebooks/ are committed with outputs, and those outputs are current.

Every notebook runs on a real Jupyter kernel through nbclient (``tools/notebooks.py``, the same
code as ``make notebooks-run``), and the text it prints must equal what is committed. A
notebook whose committed outputs are missing, hold an error, or came from other code fails
with a message saying to run ``make notebooks-run``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest

from tools.notebooks import ROOT, execute, notebook_paths

NOTEBOOKS = notebook_paths()
REGENERATE = "run `make notebooks-run` and commit the notebook"


def code_cells(notebook: Any) -> list[Any]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def text_outputs(cell: Any) -> list[tuple[str, str]]:
    """What a code cell printed as text (images and HTML left out), machine paths masked."""
    texts = []
    for output in cell.outputs:
        if output.output_type == "stream":
            text = output.text
        elif "data" in output:
            text = output.data.get("text/plain", "")
        else:
            text = f"{output.get('ename')}: {output.get('evalue')}"
        texts.append((output.output_type, text.replace(str(ROOT), "<root>")))
    return texts


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_outputs_are_complete(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    cells = code_cells(notebook)
    assert cells
    for number, cell in enumerate(cells, 1):
        assert cell.outputs, f"{path.name}: code cell {number} has no output: {REGENERATE}"
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{path.name}: code cell {number} failed: {REGENERATE}"
    images = [o for c in cells for o in c.outputs if "image/png" in o.get("data", {})]
    assert images, f"{path.name}: no figure in the committed outputs"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_reproduces_its_committed_outputs(path: Path) -> None:
    committed = code_cells(nbformat.read(path, as_version=4))
    fresh = code_cells(execute(path))
    assert len(fresh) == len(committed)
    for number, (new, old) in enumerate(zip(fresh, committed, strict=True), 1):
        assert text_outputs(new) == text_outputs(old), (
            f"{path.name}: code cell {number} prints something else now: {REGENERATE}")
