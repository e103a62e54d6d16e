"""Figures of a comparison: files written atomically, titles and units, one series per policy."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.container import BarContainer, ErrorbarContainer

from callsim.experiments.comparison import Comparison, compare
from callsim.experiments.execution import Execution
from callsim.report.figures import comparison_figure, figure_paths, interval_figure, save_figures
from tests.shared import reference

#: Replications in this process (the numbers are the same on any executor).
SERIAL = Execution(workers=1)

DEPARTMENTS = ("billing", "support")


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    scenario = reference("horizon.duration=2h", "horizon.start=08:00")
    return compare(scenario, reps=3, seed=1, execution=SERIAL)


def test_png_files_written(comparison: Comparison, tmp_path: Path) -> None:
    written = save_figures(comparison, tmp_path / "out.png")
    assert written == [tmp_path / "out.png", tmp_path / "out_intervals.png"]
    for path in written:
        assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png", "out_intervals.png"]


def test_svg_files_written(comparison: Comparison, tmp_path: Path) -> None:
    written = save_figures(comparison, str(tmp_path / "out.SVG"))
    assert [p.name for p in written] == ["out.SVG", "out_intervals.SVG"]
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert "<svg" in text and text.rstrip().endswith("</svg>")
    assert len(list(tmp_path.iterdir())) == 2  # no temporary files left behind


def test_existing_file_replaced(comparison: Comparison, tmp_path: Path) -> None:
    (tmp_path / "out.png").write_bytes(b"old")
    save_figures(comparison, tmp_path / "out.png")
    assert (tmp_path / "out.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("name", ["out.pdf", "out", "out.png.txt"])
def test_bad_extension_raises(comparison: Comparison, tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"\.png or \.svg") as info:
        save_figures(comparison, tmp_path / name)
    assert "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_figure_paths() -> None:
    assert figure_paths("a/b.png") == (Path("a/b.png"), Path("a/b_intervals.png"))


def test_comparison_figure_panels(comparison: Comparison) -> None:
    figure = comparison_figure(comparison)
    title = figure.get_suptitle()
    assert comparison.scenario in title and "3 replications" in title
    top, bottom = figure.axes[:6], figure.axes[6:]
    assert [ax.get_title() for ax in top] == [
        "Abandonment rate", "Mean wait", "Service level", "Total cost",
        "billing occupancy", "support occupancy",
    ]
    units = [ax.get_ylabel() for ax in top]
    assert units == ["Abandonment rate (%)", "Mean wait (s)", "Service level (%)",
                     "Total cost (per horizon)", "Occupancy (%)", "Occupancy (%)"]
    for ax in top:
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        assert [b.get_label() for b in bars] == list(comparison.policies)
        assert all(b.errorbar is not None for b in bars)
        assert [t.get_text() for t in ax.get_xticklabels()] == list(comparison.policies)
    assert len(bottom) == 6
    assert [ax.get_ylabel() for ax in bottom][:4] == [
        "Difference (pp)", "Difference (s)", "Difference (pp)", "Difference (per horizon)"]


def test_difference_panels_highlight_significance(comparison: Comparison) -> None:
    figure = comparison_figure(comparison)
    diffs = comparison.differences.set_index("metric")
    keys = ["overall.abandon_rate", "overall.wait_mean", "overall.service_level",
            "costs.total_cost", "departments.billing.occupancy", "departments.support.occupancy"]
    for ax, key in zip(figure.axes[6:], keys, strict=True):
        assert [t.get_text() for t in ax.get_xticklabels()] == ["warm − cold"]
        zero = [line for line in ax.get_lines() if list(line.get_ydata()) == [0.0, 0.0]]
        assert len(zero) == 1
        points = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
        assert len(points) == 1
        significant = bool(diffs.loc[key, "significant"])
        assert ax.get_title() == ("significant" if significant else "not significant")
        scale = 1.0 if key in ("overall.wait_mean", "costs.total_cost") else 100.0
        mean = points[0].lines[0].get_ydata()[0]
        assert mean == pytest.approx(scale * diffs.loc[key, "mean"])


def test_interval_figure_panels(comparison: Comparison) -> None:
    figure = interval_figure(comparison)
    wait, abandon, occupancy = figure.axes[:3]  # then the paired-difference column
    assert wait.get_title() == "Mean wait per interval" and wait.get_ylabel() == "Mean wait (s)"
    assert abandon.get_ylabel() == "Abandonment rate (%)"
    assert "Occupancy" in occupancy.get_title() and occupancy.get_ylabel() == "Occupancy (%)"
    assert occupancy.get_xlabel() == "Clock time (interval start)"
    policies = list(comparison.policies)
    for ax in (wait, abandon):
        assert ax.get_legend_handles_labels()[1] == policies
        assert len(ax.get_lines()) == len(policies)
    expected = [f"{p} · {d}" for d in DEPARTMENTS for p in policies]
    assert occupancy.get_legend_handles_labels()[1] == expected
    assert len(occupancy.get_lines()) == len(expected)
    intervals = comparison.interval_summary["interval"].nunique()
    assert intervals == 4  # 2 h in 30 min intervals
    for ax, series in ((wait, 2), (abandon, 2), (occupancy, 4)):
        bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
        assert len(bands) == series
        x = ax.get_lines()[0].get_xdata()
        assert list(x) == [8.0, 8.5, 9.0, 9.5]  # interval start, clock hours from 08:00


def test_interval_axis_ticks_are_clock_times(comparison: Comparison) -> None:
    axes = interval_figure(comparison).axes
    assert [t.get_text() for t in axes[2].get_xticklabels()] == [
        "08:00", "08:30", "09:00", "09:30"]
    for ax in axes:  # shared x-axis: the same ticks on every panel
        assert list(ax.get_xticks()) == [8.0, 8.5, 9.0, 9.5]


def test_many_intervals_get_fewer_clock_ticks(comparison: Comparison) -> None:
    rows = comparison.interval_summary
    many = pd.concat([rows.assign(interval=rows["interval"] + 4 * k,
                                  start=rows["start"] + 7200.0 * k) for k in range(12)])
    labels = [t.get_text() for t in
              interval_figure(replace(comparison, interval_summary=many)).axes[2]
              .get_xticklabels()]
    assert len(labels) <= 13 and labels[:2] == ["08:00", "10:00"]


def test_interval_bands_are_clipped_to_the_metric_range(comparison: Comparison) -> None:
    rows = comparison.interval_summary.copy()
    rows["ci_low"] = rows["mean"] - 5.0  # far below 0 for rates and waits
    rows["ci_high"] = rows["mean"] + 5.0  # above 100% for rates
    wait, abandon, occupancy = interval_figure(replace(comparison, interval_summary=rows)).axes[:3]
    for ax, top in ((wait, None), (abandon, 100.0), (occupancy, 100.0)):
        bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
        y = np.concatenate([path.vertices[:, 1] for band in bands for path in band.get_paths()])
        assert y.min() == pytest.approx(0.0)
        if top is not None:
            assert y.max() == pytest.approx(top)
        else:  # waits are unbounded above: the band keeps its top
            assert y.max() > rows.loc[rows["metric"] == "wait_mean", "mean"].max()


def test_interval_figure_draws_the_paired_difference(comparison: Comparison) -> None:
    """Issue 18 item 13: overlapping bands hid a significant paired difference; a second column
    draws warm - cold per interval with its paired CI, significant intervals in red."""
    from callsim.analysis.statistics import paired_differences

    axes = interval_figure(comparison).axes
    assert len(axes) == 6
    b, a = comparison.difference
    diffs = paired_differences(comparison.intervals, (b, a), by=["interval", "start"],
                               metrics=["abandon_rate", "departments.billing.occupancy"])
    abandon, occupancy = axes[4], axes[5]
    assert abandon.get_ylabel() == "Abandonment rate (pp)" and f"{b} − {a}" in abandon.get_title()
    rows = diffs[diffs["metric"] == "abandon_rate"].sort_values("start")
    assert list(abandon.get_lines()[1].get_ydata()) == pytest.approx(list(100 * rows["mean"]))
    billing = diffs[diffs["metric"] == "departments.billing.occupancy"].sort_values("start")
    marked = [line for line in occupancy.get_lines() if line.get_color() == "tab:red"][0]
    assert list(marked.get_xdata()) == list(8 + billing["start"][billing["significant"]] / 3600)
    assert [t.get_text() for t in occupancy.get_xticklabels()][0] == "08:00"


def test_interval_figure_shows_shares_in_percent(comparison: Comparison) -> None:
    line = interval_figure(comparison).axes[1].get_lines()[0]
    rows = comparison.interval_summary
    rows = rows[(rows["policy"] == comparison.policies[0]) & (rows["metric"] == "abandon_rate")]
    assert list(line.get_ydata()) == pytest.approx(list(100 * rows.sort_values("start")["mean"]))


def test_single_policy_has_no_difference_row(tmp_path: Path) -> None:
    scenario = reference("horizon.duration=1h")
    one = compare(scenario, policies=("warm",), reps=2, seed=1, execution=SERIAL)
    figure = comparison_figure(one)
    assert len(figure.axes) == 6
    for ax in figure.axes:
        assert len([c for c in ax.containers if isinstance(c, BarContainer)]) == 1
    assert len(save_figures(one, tmp_path / "one.png")) == 2


def test_backtest_bands_are_steps_so_a_flagged_point_is_visibly_outside() -> None:
    """Issue 18 item 13: bands interpolated between intervals made a flagged point look inside;
    each interval's band is now flat across it and the point sits at its middle."""
    from types import SimpleNamespace

    from callsim.report.calibration_figures import backtest_figure

    table = pd.DataFrame({
        "metric": "abandon_rate", "queue": "all", "interval": [0, 1, 2],
        "clock": ["08:00", "08:30", "09:00"], "band_low": [0.0, 0.10, 0.0],
        "band_high": [0.2, 0.15, 0.2], "sim_mean": [0.1, 0.12, 0.1],
        "observed": [0.1, 0.18, 0.1], "outside": [False, True, False]})
    ax = backtest_figure(SimpleNamespace(table=table)).axes[0]
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    vertices = band.get_paths()[0].vertices
    over_flagged = vertices[(vertices[:, 0] > 1) & (vertices[:, 0] < 2)]
    assert over_flagged.size == 0  # no vertex inside an interval: flat from its start to end
    at_edges = vertices[(vertices[:, 0] == 1) | (vertices[:, 0] == 2)][:, 1]
    assert {10.0, 15.0} <= set(np.round(at_edges, 6))
    red = [line for line in ax.get_lines() if line.get_color() == "#b3261e"][0]
    assert list(red.get_xdata()) == [1.5] and list(red.get_ydata()) == pytest.approx([18.0])
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["08:00", "08:30"]
