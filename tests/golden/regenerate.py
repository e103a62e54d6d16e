"""Record the golden outputs: ``run --json`` and ``compare --json`` on every shipped scenario and
one small sweep table, at fixed seeds.

These pin the engine's behaviour bit for bit across refactors (issue 8). Regenerate only on
purpose, when a change is meant to alter the numbers: ``python tests/golden/regenerate.py``
from the repository root, then say why in the commit message.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
SEED, REPS = 7, 3
SWEEP_ARGS = ["--vary", "departments.billing.agents=11,13", "--reps", "2", "--seed", "5",
              "--workers", "1"]
SWEEP_SCENARIO = ROOT / "scenarios" / "billing_support.yaml"


def cli_json(*args: str) -> dict:
    """Run a callsim command in-process and parse its JSON output."""
    from callsim.cli.app import app

    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def documents() -> dict[str, dict]:
    """Every golden JSON document, keyed by file name."""
    docs = {}
    for path in SCENARIOS:
        common = ["--seed", str(SEED), "--reps", str(REPS), "--workers", "1", "--json"]
        docs[f"run_{path.stem}.json"] = cli_json("run", str(path), *common)
        docs[f"compare_{path.stem}.json"] = cli_json("compare", str(path), *common)
    return docs


def sweep_table(tmp: Path) -> pd.DataFrame:
    """The small golden sweep's results table."""
    out = tmp / "golden_sweep.parquet"
    from callsim.cli.app import app

    result = CliRunner().invoke(app, ["sweep", str(SWEEP_SCENARIO), "--out", str(out),
                                      *SWEEP_ARGS], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return pd.read_parquet(out)


def main() -> None:
    import tempfile

    for name, doc in documents().items():
        (HERE / name).write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n")
    with tempfile.TemporaryDirectory() as tmp:
        sweep_table(Path(tmp)).to_parquet(HERE / "sweep_small.parquet")
    print(f"wrote golden outputs to {HERE}", file=sys.stderr)


if __name__ == "__main__":
    main()
