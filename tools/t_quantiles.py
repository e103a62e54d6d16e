"""Write ``callsim/analysis/t975.txt``: the Student-t quantiles of every 95% interval.

One line per degree of freedom ``1..N``: ``scipy.special.stdtrit(df, 0.5 + 0.95 / 2.0)`` as
Python writes a float (``repr``, which reads back to the same bits). ``callsim`` reads them
instead of importing ``scipy.special`` (a sixth of a second of every command's start-up);
``tests/analysis/test_statistics.py`` checks the table against ``stdtrit``.

Usage: ``python tools/t_quantiles.py [N]`` (default 2000).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from scipy.special import stdtrit

TABLE = Path(__file__).resolve().parents[1] / "callsim" / "analysis" / "t975.txt"


def main() -> None:
    """Write the table."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    values = stdtrit(np.arange(1, n + 1), 0.5 + 0.95 / 2.0)
    TABLE.write_text("".join(f"{float(v)!r}\n" for v in values))


if __name__ == "__main__":
    main()
