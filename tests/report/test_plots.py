"""Figures of a comparison: files written atomically, titles and units, one series per policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.collections import PolyCollection
from matplotlib.container import BarContainer, ErrorbarContainer

from callsim import load_scenario
from callsim.experiments.comparison import Comparison, compare
from callsim.report.figures import comparison_figure, figure_paths, interval_figure, save_figures

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "billing_support.yaml"
DEPARTMENTS = ("billing", "support")


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    scenario = load_scenario(SCENARIO, ["horizon.duration=2h"])
    return compare(scenario, reps=3, seed=1, workers=1)


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
        "abandon rate", "mean wait", "service level", "total cost",
        "billing occupancy", "support occupancy",
    ]
    units = [ax.get_ylabel() for ax in top]
    assert units == ["mean (%)", "mean (s)", "mean (%)", "mean (cost per run)",
                     "mean (%)", "mean (%)"]
    for ax in top:
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        assert [b.get_label() for b in bars] == list(comparison.policies)
        assert all(b.errorbar is not None for b in bars)
        assert [t.get_text() for t in ax.get_xticklabels()] == list(comparison.policies)
    assert len(bottom) == 6
    assert [ax.get_ylabel() for ax in bottom][:4] == [
        "difference (pp)", "difference (s)", "difference (pp)", "difference (cost per run)"]


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
    wait, abandon, occupancy = figure.axes
    assert wait.get_title() == "mean wait per interval" and wait.get_ylabel() == "mean wait (s)"
    assert abandon.get_ylabel() == "abandon rate (%)"
    assert "occupancy" in occupancy.get_title() and occupancy.get_ylabel() == "occupancy (%)"
    assert occupancy.get_xlabel() == "time from start (h)"
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
        assert list(x) == [0.0, 0.5, 1.0, 1.5]  # interval start in hours


def test_interval_figure_shows_shares_in_percent(comparison: Comparison) -> None:
    line = interval_figure(comparison).axes[1].get_lines()[0]
    rows = comparison.interval_summary
    rows = rows[(rows["policy"] == comparison.policies[0]) & (rows["metric"] == "abandon_rate")]
    assert list(line.get_ydata()) == pytest.approx(list(100 * rows.sort_values("start")["mean"]))


def test_single_policy_has_no_difference_row(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIO, ["horizon.duration=1h"])
    one = compare(scenario, policies=("warm",), reps=2, seed=1, workers=1)
    figure = comparison_figure(one)
    assert len(figure.axes) == 6
    for ax in figure.axes:
        assert len([c for c in ax.containers if isinstance(c, BarContainer)]) == 1
    assert len(save_figures(one, tmp_path / "one.png")) == 2
