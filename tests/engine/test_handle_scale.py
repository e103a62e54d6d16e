"""Time-of-day handle time (``call_types.K.handle_scale``, docs/model.md section 4).

Each call's drawn handle time is multiplied by the factor of the interval the customer's first
call arrived in: the same draws as without the factor (common random numbers), so the scaled
handle time is exactly the unscaled one times the factor.
"""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

from callsim import build_scenario
from callsim.engine.arrivals import draw_callers
from callsim.engine.streams import Streams
from tests.engine.timeline import det, run_log
from tests.shared import assert_same_simulation

RAW = {
    "name": "time-of-day handle time",
    "horizon": {"duration": "2h", "interval": "1h"},
    "departments": {"desk": {"agents": 3, "wage_per_hour": 30.0}},
    "call_types": {
        "a": {"arrivals_per_hour": 40, "resolved_by": "desk",
              "handle_time": {"dist": "exponential", "mean": "3min"},
              "patience": {"dist": "exponential", "mean": 120}},
        "b": {"arrivals_per_hour": 20, "resolved_by": "desk",
              "handle_time": {"dist": "exponential", "mean": "2min"},
              "patience": {"dist": "exponential", "mean": 120}},
    },
}


def scenario(scale_a: object = None):
    raw = copy.deepcopy(RAW)
    if scale_a is not None:
        raw["call_types"]["a"]["handle_scale"] = scale_a
    return build_scenario(raw, "scale.yaml", Path("."))


def test_drawn_handle_time_is_scaled_by_the_interval_of_arrival():
    plain = draw_callers(scenario(), Streams(3, 0))
    scaled = draw_callers(scenario([0.5, 3.0]), Streams(3, 0))
    assert np.array_equal(plain.time, scaled.time)
    assert np.array_equal(plain.patience, scaled.patience)
    factor = np.where(plain.call_type == 0, np.where(plain.time < 3600, 0.5, 3.0), 1.0)
    assert np.allclose(scaled.handle, plain.handle * factor, rtol=1e-12)
    assert not np.allclose(scaled.handle, plain.handle)


def test_a_factor_of_one_is_no_factor_at_all():
    assert_same_simulation(scenario(), scenario([1, 1.0]), seed=5, policies=("cold",))


def test_redials_keep_their_first_calls_factor_and_logged_handle_times_are_kept(tmp_path):
    # Billing is busy 0-500 (a logged 500 s call, not scaled). The caller at 10 (patience 100)
    # abandons at 110 and calls again at 510, in the second interval: answered at once, handle
    # 50 x 1 (the first call's interval), ends at 560. The call at 600 takes 50 x 3 = 150 s;
    # the call at 700 gives its own 40 s: it waits for the agent until 750 and ends at 790.
    changes = {"horizon.interval": 500,
               "call_types.billing.patience": det(100),
               "call_types.billing.handle_scale": [1, 3],
               "call_types.billing.redial": {"probability": 1.0, "max_attempts": 2,
                                             "delay": det(400)}}
    r = run_log(tmp_path, [(0, "billing", 500), (10, "billing"), (600, "billing"),
                           (700, "billing", 40)], changes)
    by_arrival = r.calls.set_index("arrival")["end"].to_dict()
    assert by_arrival == {0: 500, 10: 110, 510: 560, 600: 750, 700: 790}


def test_erlang_figures_take_the_scaled_mean_handle_time_per_interval():
    from callsim.analysis.offered_load import department_loads

    load = department_loads(scenario([0.5, 3.0]), "cold")["desk"]
    # a: 40/h of 180 s x factor; b: 20/h of 120 s; mixed by arrival rate
    expected = [(40 * 180 * s + 20 * 120) / 60 for s in (0.5, 3.0)]
    assert np.allclose(load.mean_service, expected)
    assert np.allclose(department_loads(scenario(), "cold")["desk"].mean_service,
                       (40 * 180 + 20 * 120) / 60)
