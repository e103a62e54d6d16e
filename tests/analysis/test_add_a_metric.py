"""How to add a metric (docs/DESIGN.md), done: one decorated function here, nothing else edited.

``call_metric`` takes the metric's catalogue entry (label, unit, direction, aggregation) and
the function computing it over a group of calls; ``compute_metrics`` reports it for
``overall`` and each call type, and tables, figures and "which policy is better" read its
facts from the catalogue. (A real metric also gets its line in docs/model.md, which
``tests/docs/test_model_md.py`` enforces.)
"""

from __future__ import annotations

import numpy as np
import pytest

from callsim import compare, compute_metrics, simulate
from callsim.analysis.extensions import call_metric, remove_call_metric
from callsim.engine.records import Outcome
from callsim.experiments.execution import Execution
from callsim.scenario.catalogue import Metric, metric
from callsim.scenario.loading import load_scenario
from tests.shared import REFERENCE

NAME = "quick_resolution_rate"


@pytest.fixture(autouse=True)
def quick_resolution():
    @call_metric(Metric(NAME, "Resolved within 5 minutes", "share", True, "per_call",
                        "Share of calls resolved within 5 minutes of arriving."))
    def quick(c, mask) -> float:
        n = int(np.count_nonzero(mask))
        quick = mask & (c.outcome == Outcome.RESOLVED) & (c.end - c.arrival <= 300)
        return float(np.count_nonzero(quick)) / n if n else float("nan")

    yield quick
    remove_call_metric(NAME)


def test_it_is_computed_for_every_call_group() -> None:
    sc = load_scenario(REFERENCE, ["horizon.duration=2h"])
    metrics = compute_metrics(simulate(sc, policy="warm", seed=1), sc)
    assert 0 < metrics[f"overall.{NAME}"] < 1
    assert {f"call_types.{t}.{NAME}" for t in sc.call_types} <= set(metrics)


def test_its_facts_come_from_its_catalogue_entry() -> None:
    entry = metric(f"overall.{NAME}")
    assert entry.axis_label() == "Resolved within 5 minutes (%)"
    assert entry.format(0.25) == "25.0%" and entry.preferred(0.05) == "b"
    sc = load_scenario(REFERENCE, ["horizon.duration=1h"])
    info = compare(sc, reps=2, seed=1, execution=Execution(workers=1)).to_dict()["metric_info"]
    assert info[NAME]["unit"] == "share" and info[NAME]["higher_is_better"] is True


def test_removed_it_is_gone() -> None:
    remove_call_metric(NAME)
    assert metric(NAME).unit == "count"  # the fallback of an unknown name
