"""Transitional alias of :mod:`callsim.scenario.catalogue`, where the metric catalogue lives.

The catalogue moved to the scenario layer (staffing targets and transfer policies need it
below analysis). Modules of other branches still import it from here; new code imports
:mod:`callsim.scenario.catalogue`. This module defines nothing.
"""

from callsim.scenario.catalogue import (
    COLUMN_LABELS,
    KEY_COLUMNS,
    POINT_COLUMN,
    Kind,
    Metric,
    Unit,
    catalogued,
    column_label,
    key_label,
    metric,
    register,
)

__all__ = ["COLUMN_LABELS", "KEY_COLUMNS", "POINT_COLUMN", "Kind", "Metric", "Unit", "catalogued",
           "column_label", "key_label", "metric", "register"]
