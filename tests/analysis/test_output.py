"""JSON documents of docs/model.md section 8."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace as NS

import numpy as np
import pandas as pd
import pytest

from callsim.analysis.documents import (
    compare_document,
    nest_metrics,
    run_document,
    split_key,
    to_json,
)
from callsim.analysis.metrics import metric_keys
from callsim.analysis.statistics import paired_differences, summarize

SPEC_CALL = ("calls", "abandon_rate", "drop_rate", "lost_rate", "wait_mean", "wait_p90", "asa",
             "service_level", "resolution_time_mean", "transfers_cold", "transfers_warm")
SPEC_DEPT = ("occupancy", "handling", "identifying", "holding", "handoff", "agent_hours")
SPEC_COSTS = ("staff_cost", "transfer_agent_cost", "lost_call_cost", "total_cost")

SCENARIO = NS(departments={"billing": None, "support": None},
              call_types={"billing": None, "support": None})


def per_rep(n: int = 5) -> pd.DataFrame:
    """Per-replication metrics of both policies; one metric NaN everywhere (empty group)."""
    rng = np.random.default_rng(2)
    keys = metric_keys(SCENARIO)
    rows = []
    for policy in ("warm", "cold"):
        values = rng.uniform(0, 1, (n, len(keys)))
        frame = pd.DataFrame(values, columns=keys)
        frame["call_types.support.asa"] = np.nan
        frame.insert(0, "replication", np.arange(n))
        frame.insert(0, "policy", policy)
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def check_metrics(metrics: dict, extra: tuple[str, ...] = ()) -> None:
    assert set(metrics) == {"overall", "call_types", "departments", "costs"}
    entries = [metrics["overall"][m] for m in SPEC_CALL]
    for name in ("billing", "support"):
        entries += [metrics["call_types"][name][m] for m in SPEC_CALL]
        entries += [metrics["departments"][name][m] for m in SPEC_DEPT]
    entries += [metrics["costs"][m] for m in SPEC_COSTS]
    for entry in entries:
        assert set(entry) == {"mean", "ci95", *extra} and len(entry["ci95"]) == 2


def test_split_key():
    assert split_key("call_types.tech.support.asa") == ("call_types", "tech.support", "asa")
    assert split_key("costs.total_cost") == ("costs", None, "total_cost")
    for bad in ("wait_mean", "other.x", "departments.occupancy", "overall."):
        with pytest.raises(ValueError):
            split_key(bad)


def test_run_document_has_every_contract_metric():
    summary = summarize(per_rep(), by=["policy"])
    doc = run_document("Billing takes support calls", "warm", 5, 42,
                       summary[summary.policy == "warm"])
    assert {k: doc[k] for k in ("scenario", "policy", "replications", "seed")} == {
        "scenario": "Billing takes support calls", "policy": "warm", "replications": 5,
        "seed": 42}
    check_metrics(doc["metrics"])
    wait = doc["metrics"]["overall"]["wait_mean"]
    assert wait["ci95"][0] < wait["mean"] < wait["ci95"][1]


def test_nan_becomes_null_and_round_trips():
    summary = summarize(per_rep(n=1), by=["policy"])  # n = 1: no interval at all
    doc = run_document("s", "cold", 1, 0, summary[summary.policy == "cold"])
    text = to_json(doc)
    back = json.loads(text)
    assert back == doc
    assert back["metrics"]["call_types"]["support"]["asa"] == {"mean": None, "ci95": [None, None]}
    assert back["metrics"]["overall"]["calls"]["ci95"] == [None, None]
    assert back["metrics"]["overall"]["calls"]["mean"] is not None
    assert "NaN" not in text and "Infinity" not in text


def test_infinities_and_numpy_scalars_are_plain_json():
    rows = [{"metric": "overall.asa", "mean": np.float32(2.5), "ci_low": -np.inf,
             "ci_high": np.inf}]
    nested = nest_metrics(rows)
    assert nested["overall"]["asa"] == {"mean": 2.5, "ci95": [None, None]}
    assert nested["call_types"] == {} and nested["departments"] == {}
    json.loads(to_json(nested))


def test_to_json_refuses_nan():
    with pytest.raises(ValueError):
        to_json({"x": math.nan})
    assert to_json({"a": 1}) == '{\n  "a": 1\n}'


def test_compare_document():
    frame = per_rep()
    summary = summarize(frame, by=["policy"])
    diffs = paired_differences(frame, ("warm", "cold"))
    doc = compare_document(
        "s", 5, 42,
        {p: summary[summary.policy == p] for p in ("warm", "cold")},
        diffs,
        pair=("warm", "cold"),
    )
    assert set(doc["policies"]) == {"warm", "cold"} and doc["difference"] == "warm - cold"
    for policy, run in doc["policies"].items():
        assert run["policy"] == policy and run["seed"] == 42
        check_metrics(run["metrics"])
    check_metrics(doc["differences"], extra=("significant",))
    flags = [e["significant"] for e in doc["differences"]["overall"].values()]
    assert all(isinstance(f, bool) for f in flags)
    assert doc["differences"]["call_types"]["support"]["asa"] == {
        "mean": None, "ci95": [None, None], "significant": False}
    assert json.loads(to_json(doc)) == doc
