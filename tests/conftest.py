"""Test configuration shared by the whole suite.

Shared paths, the reference scenario builder and the in-process CLI runner are in
``tests/shared.py``; tests are in folders by layer, like the package.

Hypothesis explores new random examples on every developer run (that is how it finds bugs), but
under CI (``CI=true``) it is derandomized: the same examples every time, so a landing never
depends on luck. A counterexample found locally is pinned with ``@example`` in its test.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
