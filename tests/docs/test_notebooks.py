"""Every notebook in notebooks/ runs top to bottom (code cells executed in order, no Jupyter)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    namespace: dict = {}
    figures = 0
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        assert not cell["outputs"], f"{path.name}: commit notebooks without outputs"
        source = "".join(cell["source"])
        *body, last = source.rstrip().splitlines()
        exec(compile("\n".join(body), path.name, "exec"), namespace)  # noqa: S102
        try:
            value = eval(compile(last, path.name, "eval"), namespace)  # noqa: S307
        except SyntaxError:
            exec(compile(last, path.name, "exec"), namespace)  # noqa: S102
            continue
        figures += isinstance(value, Figure)
    assert figures >= 1
