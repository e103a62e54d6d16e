"""Execute the notebooks on a real Jupyter kernel and save them with their outputs.

The notebooks in ``notebooks/`` are committed with their outputs, so they read well on a
forge without running. ``make notebooks-run`` calls this script to regenerate them; the test
suite (``tests/docs/test_notebooks.py``) executes them the same way and checks that the
committed outputs are what the current code prints::

    python tools/notebooks.py                 # every notebook, rewritten in place
    python tools/notebooks.py notebooks/x.ipynb
"""

from __future__ import annotations

import argparse
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
#: Seconds one cell may run before the execution fails.
CELL_TIMEOUT = 900


def notebook_paths() -> list[Path]:
    """Every notebook of ``notebooks/``, in name order."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def execute(path: Path) -> nbformat.NotebookNode:
    """Run a notebook top to bottom on a fresh ``python3`` kernel, in ``notebooks/``.

    Parameters
    ----------
    path
        The ``.ipynb`` file; it is read, not changed.

    Returns
    -------
    nbformat.NotebookNode
        The notebook with every code cell's outputs (no timing metadata, so that the same
        code gives the same file).

    Raises
    ------
    nbclient.exceptions.CellExecutionError
        If a cell raises.
    """
    _, normalized = nbformat.validator.normalize(nbformat.read(path, as_version=4))
    notebook = nbformat.from_dict(normalized)  # every cell gets an id (nbformat 5)
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
                            record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    return notebook


def main() -> None:
    """Execute the given notebooks (default: all) and write them back with outputs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args()
    for path in args.paths or notebook_paths():
        print(f"executing {path} ...", flush=True)
        nbformat.write(execute(path), path)
        print(f"wrote {path}", flush=True)


if __name__ == "__main__":
    main()
