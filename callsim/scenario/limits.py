"""The limits of what callsim accepts, in one place (see docs/reliability.md).

Every number in a scenario is finite and within a documented range, so no input can make the
engine overflow, run out of memory or loop for hours before anything is reported. Limits on
the amount of work (calls to simulate, sweep points) can be raised on the command line
(``--max-calls``, ``--max-points``); the others are properties of the model and are fixed.
"""

from __future__ import annotations

__all__ = [
    "MAX_AGENTS",
    "MAX_AMOUNT",
    "MAX_BUSYNESS_CV",
    "MAX_CALLS",
    "MAX_FACTOR",
    "MAX_INPUT_BYTES",
    "MAX_INTERVALS",
    "MAX_NESTING",
    "MAX_NODES",
    "MAX_POINTS",
    "MAX_PRIORITY",
    "MAX_RATE",
    "MAX_SECONDS",
    "MAX_SEED",
    "MAX_YAML_BYTES",
    "MEMORY_PER_CALL",
]

#: Longest duration anywhere in a scenario (s): about 31.7 years.
MAX_SECONDS = 1e9
#: Most planning intervals in a horizon (duration / interval); a year of 15-minute intervals
#: is 35,040.
MAX_INTERVALS = 100_000
#: Most agents on duty in one department and interval (each agent is simulated one by one).
MAX_AGENTS = 100_000
#: Highest arrival rate of one call type (calls per hour).
MAX_RATE = 1e9
#: Highest wage (per agent-hour) or cost of a lost call (currency): with every duration and
#: count within its limit, every cost stays a finite float.
MAX_AMOUNT = 1e9
#: Highest coefficient of variation of the day's busyness factor (``arrivals.busyness.cv``): at 1
#: the factor is exponential, and a day 5 times as busy as the mean comes once in 150 days.
MAX_BUSYNESS_CV = 1.0
#: Highest caller priority class (``call_types.K.priority``).
MAX_PRIORITY = 1_000_000
#: Highest dimensionless factor (``patience_factor``).
MAX_FACTOR = 1e6
#: Seeds are integers in [0, MAX_SEED] (they are stored in int64 columns).
MAX_SEED = 2**63 - 1
#: Default limit on the expected number of calls one command simulates (``--max-calls``).
MAX_CALLS = 50_000_000
#: Default limit on the number of points in a sweep grid (``--max-points``).
MAX_POINTS = 10_000
#: Rough memory of one simulated call while its replication runs (bytes), for the estimate.
MEMORY_PER_CALL = 1_000
#: Deepest nesting of lists and mappings in a YAML document.
MAX_NESTING = 50
#: Most values in a YAML document, counting every use of an alias (``*name``) in full.
MAX_NODES = 1_000_000
#: Largest YAML file read (scenario or sweep file), bytes.
MAX_YAML_BYTES = 10_000_000
#: Largest data file read (empirical durations, replayed call logs), bytes.
MAX_INPUT_BYTES = 1_000_000_000
