"""Time-of-day patience (``call_types.K.patience_scale``, docs/model.md section 4).

Each caller's drawn first-queue patience is multiplied by the factor of the interval the call
arrives in: the same draws as without the factor (common random numbers), so the scaled
patience is exactly the unscaled one times the factor, and an exponential patience of mean m
has mean m x s in an interval with factor s (checked against a 99.9% normal interval).
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

from callsim import build_scenario
from callsim.engine.arrivals import draw_callers
from callsim.engine.streams import Streams
from tests.engine.timeline import row, run_log
from tests.shared import assert_same_simulation

MEAN = 120.0
RAW = {
    "name": "time-of-day patience",
    "horizon": {"duration": "2h", "interval": "1h"},
    "departments": {"desk": {"agents": 3, "wage_per_hour": 30.0}},
    "call_types": {
        "a": {"arrivals_per_hour": 400, "resolved_by": "desk",
              "handle_time": {"dist": "exponential", "mean": "3min"},
              "patience": {"dist": "exponential", "mean": MEAN}},
        "b": {"arrivals_per_hour": 200, "resolved_by": "desk",
              "handle_time": {"dist": "exponential", "mean": "3min"},
              "patience": {"dist": "exponential", "mean": MEAN}},
    },
}


def scenario(scale_a: object = None):
    raw = copy.deepcopy(RAW)
    if scale_a is not None:
        raw["call_types"]["a"]["patience_scale"] = scale_a
    return build_scenario(raw, "scale.yaml", Path("."))


def test_drawn_patience_is_scaled_by_the_interval_of_arrival():
    plain = draw_callers(scenario(), Streams(3, 0))
    scaled = draw_callers(scenario([0.5, 3.0]), Streams(3, 0))
    assert np.array_equal(plain.time, scaled.time)
    factor = np.where(plain.call_type == 0, np.where(plain.time < 3600, 0.5, 3.0), 1.0)
    assert np.allclose(scaled.patience, plain.patience * factor, rtol=1e-12)
    z = 3.29  # two-sided 99.9%: the exponential sample mean has sd mean / sqrt(n)
    for first, s in ((True, 0.5), (False, 3.0)):
        values = scaled.patience[(scaled.call_type == 0) & ((scaled.time < 3600) == first)]
        expected = MEAN * s
        assert abs(values.mean() - expected) < z * expected / np.sqrt(len(values))


def test_a_factor_of_one_is_no_factor_at_all():
    assert_same_simulation(scenario(), scenario(1.0), seed=5, policies=("cold",))
    assert_same_simulation(scenario(), scenario([1, 1.0]), seed=5, policies=("cold",))


def test_redials_take_the_factor_of_their_own_interval(tmp_path):
    # Billing is busy 0-1000 (a 1000 s call). The caller at 10 (drawn patience 100 x 1)
    # abandons at 110 and calls again at 510, in the second interval: patience 100 x 3,
    # abandons at 810. A patience the log gives is the caller's own: not scaled (call at 600).
    changes = {"horizon.interval": 500,
               "call_types.billing.patience": {"dist": "deterministic", "value": 100},
               "call_types.billing.patience_scale": [1, 3],
               "call_types.billing.redial": {"probability": 1.0, "max_attempts": 2,
                                             "delay": {"dist": "deterministic", "value": 400}}}
    r = run_log(tmp_path, [(0, "billing", 1000), (10, "billing"), (600, "billing", None, 50)],
                changes)
    by_arrival = r.calls.set_index("arrival")["end"].to_dict()
    assert by_arrival[10] == 110 and by_arrival[510] == 810 and by_arrival[600] == 650
    assert row(r, 0)["end"] == 1000


def test_erlang_a_figures_take_the_scaled_mean_patience_per_interval():
    from callsim.analysis.offered_load import department_loads

    load = department_loads(scenario([0.5, 3.0]), "cold")["desk"]
    # a: 400/h at 1/(120 s x factor); b: 200/h at 1/120 s; mixed by arrival rate
    expected = [(400 / (MEAN * s) + 200 / MEAN) / 600 for s in (0.5, 3.0)]
    assert np.allclose(load.abandon_rate, expected)
    plain = department_loads(scenario(), "cold")["desk"]
    assert np.allclose(plain.abandon_rate, 1 / MEAN)
