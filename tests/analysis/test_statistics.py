"""Student-t intervals, long summaries and paired policy differences."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from scipy.special import stdtrit

from callsim.analysis.statistics import (
    P95,
    half_width_ratio,
    paired_differences,
    summarize,
    t_interval,
    t_quantile,
)


def test_t_interval_textbook_value():
    # n = 10, mean 5, sd 1: t(0.975, 9) = 2.2622, half-width 2.2622 / sqrt(10) = 0.7154
    values = 5 + np.array([-1, 1] * 5) * math.sqrt(9 / 10)
    mean, lo, hi = t_interval(values)
    assert mean == pytest.approx(5.0)
    assert hi - mean == pytest.approx(0.7154, abs=1e-4)
    assert mean - lo == pytest.approx(0.7154, abs=1e-4)


def test_t_quantile_is_stdtrit_bit_for_bit():
    # The table of the 95% intervals (read instead of importing scipy.special) is stdtrit's,
    # every entry, and what it does not hold is asked of stdtrit.
    df = np.arange(1, 2001)
    table = t_quantile(df, P95)
    assert table.tolist() == stdtrit(df, P95).tolist()
    for args in [(2001, P95), (np.array([5, 2500]), P95), (4.0, P95), (9, 0.995)]:
        assert np.asarray(t_quantile(*args)).tolist() == np.asarray(stdtrit(*args)).tolist()
    assert type(t_quantile(np.asarray(3), P95)) is type(stdtrit(np.asarray(3), P95))


@given(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=50),
       st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_t_interval_matches_scipy(values, confidence):
    x = np.array(values)
    mean, lo, hi = t_interval(x, confidence)
    sem = x.std(ddof=1) / np.sqrt(x.size)
    if sem == 0:
        assert lo == pytest.approx(mean) and hi == pytest.approx(mean)
        return
    ref_lo, ref_hi = stats.t.interval(confidence, x.size - 1, loc=x.mean(), scale=sem)
    assert mean == pytest.approx(x.mean())
    assert lo == pytest.approx(ref_lo, rel=1e-9, abs=1e-6)
    assert hi == pytest.approx(ref_hi, rel=1e-9, abs=1e-6)


def test_t_interval_drops_nan_and_small_samples():
    assert t_interval([1.0, np.nan, 3.0]) == pytest.approx(t_interval([1.0, 3.0]))
    mean, lo, hi = t_interval([4.0, np.nan])
    assert mean == 4.0 and math.isnan(lo) and math.isnan(hi)
    assert all(math.isnan(v) for v in t_interval([]))
    assert all(math.isnan(v) for v in t_interval([np.nan, np.nan]))
    with pytest.raises(ValueError):
        t_interval([1.0, 2.0], confidence=1.5)


def test_half_width_ratio():
    assert half_width_ratio(10.0, 9.0, 11.0) == pytest.approx(0.1)
    assert half_width_ratio(-4.0, -5.0, -3.0) == pytest.approx(0.25)
    assert math.isnan(half_width_ratio(5.0, float("nan"), float("nan")))
    s = half_width_ratio(pd.Series([2.0, 4.0]), pd.Series([1.0, 3.0]), pd.Series([3.0, 5.0]))
    assert isinstance(s, pd.Series) and s.tolist() == pytest.approx([0.5, 0.25])


def per_rep_frame(n: int = 20, seed: int = 1) -> pd.DataFrame:
    """Two policies sharing a large per-replication effect (common random numbers)."""
    rng = np.random.default_rng(seed)
    common = rng.normal(100.0, 10.0, n)  # the callers of replication r, shared by both
    rows = []
    for policy, shift in (("warm", 1.0), ("cold", 0.0)):
        noise = rng.normal(0.0, 0.1, n)
        rows.append(pd.DataFrame({
            "policy": policy, "replication": np.arange(n), "seed": 7,
            "overall.wait_mean": common + shift + noise, "overall.calls": 50.0,
        }))
    return pd.concat(rows, ignore_index=True)


def test_summarize_long_format():
    frame = per_rep_frame()
    out = summarize(frame, by=["policy"], metrics=["overall.wait_mean"])
    assert list(out.columns) == ["policy", "metric", "mean", "ci_low", "ci_high", "n"]
    assert set(out["policy"]) == {"warm", "cold"} and (out["n"] == 20).all()
    warm = frame.loc[frame.policy == "warm", "overall.wait_mean"]
    row = out[out.policy == "warm"].iloc[0]
    assert (row["mean"], row["ci_low"], row["ci_high"]) == pytest.approx(t_interval(warm))
    default = summarize(frame, by=["policy"])  # every numeric metric, not seed/replication
    assert set(default["metric"]) == {"overall.wait_mean", "overall.calls"}
    assert list(summarize(frame, by=[], metrics=["overall.calls"])["n"]) == [40]


def test_paired_differences_narrower_than_unpaired():
    frame = per_rep_frame()
    diff = paired_differences(frame, ("warm", "cold"), metrics=["overall.wait_mean"])
    row = diff.iloc[0]
    assert row["metric"] == "overall.wait_mean" and row["n"] == 20
    assert row["ci_low"] < 1.0 < row["ci_high"] and bool(row["significant"])
    unpaired = summarize(frame, by=["policy"], metrics=["overall.wait_mean"])
    unpaired_half = ((unpaired["ci_high"] - unpaired["ci_low"]) / 2).max()
    assert (row["ci_high"] - row["ci_low"]) / 2 < unpaired_half / 10
    # independent intervals overlap: without pairing the difference would not show
    warm, cold = (unpaired[unpaired.policy == p].iloc[0] for p in ("warm", "cold"))
    assert warm["ci_low"] < cold["ci_high"]


def test_paired_differences_matching_and_groups():
    frame = per_rep_frame(n=6)
    frame = frame.drop(frame.index[(frame.policy == "cold") & (frame.replication == 5)])
    frame["agents"] = 12
    other = frame.assign(agents=14, **{"overall.wait_mean": frame["overall.wait_mean"] * 0})
    both = pd.concat([frame, other], ignore_index=True)
    diff = paired_differences(both, ("warm", "cold"), by=["agents"])
    assert list(diff.columns) == ["agents", "metric", "mean", "ci_low", "ci_high", "n",
                                  "significant"]
    assert set(diff["metric"]) == {"overall.wait_mean", "overall.calls"}
    assert (diff["n"] == 5).all()  # replication 5 has no cold partner
    calls = diff[diff.metric == "overall.calls"]
    assert (calls["mean"] == 0).all() and not calls["significant"].any()
    zero = diff[(diff.agents == 14) & (diff.metric == "overall.wait_mean")].iloc[0]
    assert zero["mean"] == 0 and not zero["significant"]


def test_paired_differences_rejects_duplicates():
    frame = per_rep_frame(n=3)
    with pytest.raises(ValueError, match="duplicate"):
        paired_differences(pd.concat([frame, frame]), ("warm", "cold"))


def test_one_difference_convention_b_minus_a_with_a_the_first_named():
    """``(b, a)`` reads ``b - a``; without a pair the table's first policy is ``a``."""
    frame = per_rep_frame(n=5)  # warm rows first, warm = cold + 1
    explicit = paired_differences(frame, ("warm", "cold"), metrics=["overall.wait_mean"])
    assert explicit["mean"].iloc[0] == pytest.approx(1.0, abs=0.2)
    default = paired_differences(frame, metrics=["overall.wait_mean"])  # a = warm: cold - warm
    assert default["mean"].iloc[0] == pytest.approx(-explicit["mean"].iloc[0])
    with pytest.raises(ValueError, match="exactly two"):
        paired_differences(frame[frame.policy == "warm"])
    with pytest.raises(TypeError):
        paired_differences(frame, a="warm", b="cold")  # the old reversed keywords are gone


def _two(a: list[float], b: list[float]) -> pd.DataFrame:
    n = len(a)
    return pd.DataFrame({"policy": ["cold"] * n + ["warm"] * n,
                         "replication": list(range(n)) * 2, "x": [*a, *b]})


def test_zero_and_negligible_differences_are_not_significant():
    # Issue 18 item 6: "Staffed agent-hours +0.0 h ± 0.0 h *" (a difference of rounding noise,
    # zero width) and a +0.16 staff cost on 10,780 coloured as if it mattered.
    noise = paired_differences(_two([144.2, 150.1, 139.7], [144.2 + 1e-12, 150.1 + 1e-12,
                                                            139.7 + 1e-12]))
    assert noise["ci_low"].iloc[0] > 0 and not noise["significant"].iloc[0]
    crumbs = paired_differences(_two([10780.0, 10790.0, 10770.0],
                                     [10780.15, 10790.17, 10770.16]))
    assert crumbs["ci_low"].iloc[0] > 0 and not crumbs["significant"].iloc[0]
    exact = paired_differences(_two([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]))
    assert not exact["significant"].iloc[0]


def test_real_differences_stay_significant():
    # A constant difference (zero width) that is not zero is significant, and so is a small
    # one whose CI excludes 0.
    constant = paired_differences(_two([1.0, 2.0, 3.0], [1.5, 2.5, 3.5]))
    assert constant["significant"].iloc[0]
    small = paired_differences(_two([0.10, 0.12, 0.11], [0.13, 0.14, 0.145]))
    assert small["significant"].iloc[0]
    one = paired_differences(_two([1.0], [2.0]))  # one pair: no CI, not significant
    assert not one["significant"].iloc[0]
