"""Library parameters as the command-line flags the user typed: the one map, in one place.

Library errors name the parameter they refuse by its Python name in single backticks (see the
examples), so that a notebook user reads the name they passed. Where the CLI catches a library
error, :func:`flagged` turns each such name into its flag (``--shrinkage``, ``--set``);
``tests/test_layers.py`` fails on a ``--flag`` written in a string anywhere outside
``callsim/cli`` and on a backticked name that :data:`FLAGS` lacks.

Examples
--------
>>> flagged("`shrinkage` must be in [0, 1), got 1.5")
'--shrinkage must be in [0, 1), got 1.5'
>>> flagged("FILE: `overrides` a=1: bad value; `targets` too")
'FILE: --set a=1: bad value; --target too'
"""

from __future__ import annotations

import re

__all__ = ["FLAGS", "flagged"]

#: Library parameter (Python name) -> the flag that sets it, the same in every command.
FLAGS: dict[str, str] = {
    "arrivals": "--arrivals",
    "at": "--at",
    "confidence": "--confidence",
    "days": "--days",
    "diff": "--diff",
    "grid": "--grid",
    "handle_by_time": "--handle-by-time",
    "interval": "--interval",
    "mapping": "--map",
    "max_agents": "--max-agents",
    "max_calls": "--max-calls",
    "max_iterations": "--max-iterations",
    "max_points": "--max-points",
    "max_removals": "--max-removals",
    "metric": "--metric",
    "min_agents": "--min-agents",
    "out": "--out",
    "overrides": "--set",
    "policies": "--policies",
    "reps": "--reps",
    "requirements": "--requirements",
    "resume": "--resume",
    "schedule": "--schedule",
    "scheduler": "--scheduler",
    "scope": "--scope",
    "shrinkage": "--shrinkage",
    "steps": "--steps",
    "targets": "--target",
    "vary": "--vary",
    "verify_reps": "--verify-reps",
    "y": "--y",
}

#: A parameter named in a library message: a Python name in single backticks.
PARAMETER = re.compile(r"(?<!`)`([a-z_][a-z0-9_]*)`(?!`)")


def flagged(message: str) -> str:
    """``message`` with every backticked parameter of :data:`FLAGS` written as its flag."""
    return PARAMETER.sub(lambda m: FLAGS.get(m[1], m[0]), message)
