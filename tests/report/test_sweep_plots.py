"""Sweep figures: summary table, line and heatmap figures, ``--at`` handling, ``callsim plot``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from typer.testing import CliRunner

from callsim import load_scenario, replicate
from callsim.cli.app import app
from callsim.cli.plot import read_results
from callsim.experiments.sweep_selection import resolve_metric, select_rows, sweep_summary
from callsim.report.sweep_figures import heatmap_figure, line_figure, save_figure

AGENTS = "departments.billing.agents"
SHARE = "call_types.support.misroute.billing"
AGENT_VALUES = (8, 10, 12, 14)
SHARE_VALUES = (0.0, 0.2, 0.4)
REPS = 6
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
runner = CliRunner()

#: The policy value of the paired-difference rows (cold runs first in these tables).
WARM_MINUS_COLD = "warm - cold"


def synthetic(seed: int = 0) -> pd.DataFrame:
    """A sweep table: wait falls with agents and rises with the share; warm helps (lower wait)
    from 12 agents on and hurts below, in proportion to the share (no effect at share 0)."""
    rng = np.random.default_rng(seed)
    rows = []
    grid = [(a, s) for a in AGENT_VALUES for s in SHARE_VALUES]
    for point, (agents, share) in enumerate(grid):
        for rep in range(REPS):
            common = rng.normal(0.0, 10.0)  # same callers under both policies
            for policy in ("cold", "warm"):
                sign = 1.0 if agents < 12 else -1.0
                effect = share * (80.0 * sign + rng.normal(0.0, 5.0)) if policy == "warm" else 0.0
                wait = 400.0 / (agents - 6) + 100.0 * share + common + effect
                rows.append({"point": point, AGENTS: agents, SHARE: share, "policy": policy,
                             "replication": rep, "seed": 3, "overall.wait_mean": wait,
                             "overall.service_level": 1.0 - wait / 400.0,
                             "call_types.support.wait_mean": 1.2 * wait,
                             "costs.total_cost": 5000.0 + 10.0 * wait})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return synthetic()


@pytest.fixture(scope="module")
def real_rows() -> pd.DataFrame:
    """Two points of a real (tiny) sweep over billing agents, built with ``replicate``."""
    frames = []
    for point, agents in enumerate((10, 12)):
        sc = load_scenario("scenarios/billing_support.yaml",
                           ["horizon.duration=1h", f"{AGENTS}={agents}"])
        table = replicate(sc, ["cold", "warm"], reps=3, seed=1).table
        table.insert(0, AGENTS, agents)
        table.insert(0, "point", point)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def legend_texts(figure: Figure) -> list[str]:
    return [t.get_text() for ax in figure.axes if ax.get_legend()
            for t in ax.get_legend().get_texts()]


def bands(ax) -> list[PolyCollection]:
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


# --- summary ---------------------------------------------------------------------------------

def test_summary_has_policies_and_paired_difference(rows):
    part = rows[rows[SHARE] == 0.4]
    summary = sweep_summary(part, [AGENTS], "overall.wait_mean")
    assert list(summary.columns) == ["point", AGENTS, "policy", "metric", "mean", "ci_low",
                                     "ci_high", "n", "significant"]
    assert set(summary["policy"]) == {"cold", "warm", WARM_MINUS_COLD}
    assert len(summary) == 3 * len(AGENT_VALUES)
    assert (summary["n"] == REPS).all()
    assert summary.loc[summary["policy"] != WARM_MINUS_COLD, "significant"].isna().all()
    means = summary.pivot(index=AGENTS, columns="policy", values="mean")
    assert np.allclose(means[WARM_MINUS_COLD], means["warm"] - means["cold"])
    diffs = summary[summary["policy"] == WARM_MINUS_COLD].set_index(AGENTS)
    assert bool(diffs.loc[8, "significant"]) and diffs.loc[8, "mean"] > 0
    assert bool(diffs.loc[14, "significant"]) and diffs.loc[14, "mean"] < 0


def test_summary_without_warm_has_no_difference(rows):
    summary = sweep_summary(rows[rows["policy"] == "cold"], [AGENTS, SHARE], "overall.wait_mean")
    assert set(summary["policy"]) == {"cold"}


def test_bare_metric_means_overall(rows):
    assert resolve_metric(rows, "wait_mean") == "overall.wait_mean"
    assert resolve_metric(rows, "call_types.support.wait_mean") == "call_types.support.wait_mean"


# --- line figures ----------------------------------------------------------------------------

def test_line_one_line_and_band_per_policy(rows):
    fig = line_figure(rows, AGENTS, "wait_mean", at={SHARE: 0.2})
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.get_lines()] == ["cold", "warm"]
    assert len(bands(ax)) == 2
    # Issue 18 item 13: the catalogue's labels and units, not raw field paths; shares in %.
    assert ax.get_xlabel() == "billing: agents"
    assert ax.get_ylabel() == "Mean wait (s)"
    assert ax.get_title().startswith("Mean wait") and "support: misrouted to billing = 20%" \
        in ax.get_title() and SHARE not in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["8", "10", "12", "14"]


def test_line_shares_in_percent(rows):
    fig = line_figure(rows, AGENTS, "service_level", at={SHARE: 0.0})
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Service level (%)"
    assert ax.get_lines()[0].get_ydata().max() > 1.0  # drawn in %, not as a share
    cost = line_figure(rows, AGENTS, "costs.total_cost", at={SHARE: 0.0}).axes[0]
    assert cost.get_ylabel() == "Total cost (per horizon)"


def test_line_diff_shades_where_each_policy_is_better(rows):
    fig = line_figure(rows, AGENTS, "wait_mean", diff=True, at={SHARE: "0.4"})
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")
            ] == ["warm \u2212 cold"]
    assert len(bands(ax)) == 1
    assert any(np.allclose(line.get_ydata(), 0.0) for line in ax.get_lines())  # zero line
    assert {"warm better", "cold better"} <= set(legend_texts(fig))
    assert "(pp)" not in ax.get_ylabel() and ax.get_ylabel().endswith("(s)")
    assert "lower is better" in ax.get_title()


def test_line_diff_no_shading_without_significant_difference(rows):
    fig = line_figure(rows, AGENTS, "wait_mean", diff=True, at={SHARE: 0.0})
    assert not any("better" in text for text in legend_texts(fig))


def test_higher_is_better_metric_flips_the_side(rows):
    # At 8 agents warm raises the wait, so it lowers the service level: cold is better for both.
    for metric in ("wait_mean", "service_level"):
        fig = line_figure(rows, SHARE, metric, diff=True, at={AGENTS: 8})
        texts = legend_texts(fig)
        assert "cold better" in texts and "warm better" not in texts, metric
    assert "higher is better" in fig.axes[0].get_title()
    assert fig.axes[0].get_ylabel().endswith("(pp)")


def test_first_contact_resolution_plus_five_points_shades_warm_better():
    """Regression: the figures kept their own higher-is-better set ({service_level}), so a
    significant +5-point warm - cold first-contact resolution was shaded "cold better"."""
    rng = np.random.default_rng(5)
    grid = [(a, s) for a in (8, 10, 12) for s in (0.1, 0.2)]
    table = pd.DataFrame([
        {"point": p, AGENTS: agents, SHARE: share, "policy": policy, "replication": r,
         "seed": 1, "overall.first_contact_resolution": base + (0.05 if policy == "warm" else 0)}
        for p, (agents, share) in enumerate(grid) for r in range(REPS)
        for base in [0.7 + rng.normal(0.0, 0.01)] for policy in ("cold", "warm")])
    fig = line_figure(table, AGENTS, "first_contact_resolution", diff=True, at={SHARE: 0.1})
    texts = legend_texts(fig)
    assert "warm better" in texts and "cold better" not in texts
    assert "higher is better" in fig.axes[0].get_title()
    heat = heatmap_figure(table, AGENTS, SHARE, "first_contact_resolution", diff=True)
    marks = {t.get_text() for ax in heat.axes for t in ax.texts}
    assert any("W" in m for m in marks) and not any("C" in m for m in marks)


def test_real_replications(real_rows):
    fig = line_figure(real_rows, AGENTS, "costs.total_cost")
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["cold", "warm"]
    diff = line_figure(real_rows, AGENTS, "abandon_rate", diff=True)
    assert diff.axes[0].get_ylabel() == "warm \u2212 cold: Abandonment rate (pp)"
    assert "3 replications per point" in diff.axes[0].get_title()


# --- heatmaps --------------------------------------------------------------------------------

def test_heatmap_one_panel_per_policy_with_shared_scale(rows):
    fig = heatmap_figure(rows, AGENTS, SHARE, "wait_mean")
    panels, colorbar = fig.axes[:2], fig.axes[2]
    assert len(fig.axes) == 3
    assert [ax.get_title() for ax in panels] == ["cold", "warm"]
    assert panels[0].images[0].get_clim() == panels[1].images[0].get_clim()
    assert colorbar.get_ylabel() == "Mean wait (s)"
    for ax in panels:
        assert ax.get_xlabel() == "billing: agents"
        assert ax.get_ylabel() == "support: misrouted to billing"
        assert [t.get_text() for t in ax.get_yticklabels()] == ["0%", "20%", "40%"]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["8", "10", "12", "14"]
        assert ax.images[0].get_array().shape == (len(SHARE_VALUES), len(AGENT_VALUES))
    assert "Mean wait" in fig.get_suptitle() and "overall.wait_mean" not in fig.get_suptitle()


def test_heatmap_diff_marks_significant_cells(rows):
    fig = heatmap_figure(rows, AGENTS, SHARE, "wait_mean", diff=True)
    assert len(fig.axes) == 2  # the panel and its colour bar
    ax = fig.axes[0]
    low, high = ax.images[0].get_clim()
    assert low == pytest.approx(-high)
    marks = [t.get_text().splitlines()[-1] for t in ax.texts]
    assert marks.count("W") == 2 * (len(SHARE_VALUES) - 1)  # 12 and 14 agents, share > 0
    assert marks.count("C") == 2 * (len(SHARE_VALUES) - 1)  # 8 and 10 agents, share > 0
    assert "W: warm significantly better" in fig.get_supxlabel()
    assert fig.axes[1].get_ylabel().startswith("warm \u2212 cold: Mean wait")


# --- selection and errors --------------------------------------------------------------------

def test_unfixed_parameter_is_named(rows):
    with pytest.raises(ValueError) as info:
        line_figure(rows, AGENTS, "wait_mean")
    assert str(info.value) == f"results also vary {SHARE}; fix it with `at` {SHARE}=VALUE"


@pytest.mark.parametrize(("call", "words"), [
    (lambda r: line_figure(r, "departments.billing.agent", "wait_mean"),
     ["'departments.billing.agent'", AGENTS]),
    (lambda r: line_figure(r, AGENTS, "wait_men", at={SHARE: 0}), ["'wait_men'",
                                                                     "overall.wait_mean"]),
    (lambda r: line_figure(r, AGENTS, "wait_mean", at={SHARE: 0.3}), ["no results", "0.2"]),
    (lambda r: line_figure(r, AGENTS, "wait_mean", at={SHARE: "lots"}), ["not a number"]),
    (lambda r: heatmap_figure(r, AGENTS, SHARE, "wait_mean", at={AGENTS: 8}), ["on an axis"]),
    (lambda r: heatmap_figure(r, AGENTS, AGENTS, "wait_mean"), ["different"]),
    (lambda r: line_figure(r[r["policy"] == "warm"], AGENTS, "wait_mean", diff=True,
                           at={SHARE: 0}), ["exactly two policies", "warm"]),
])
def test_errors_are_one_line_and_name_the_problem(rows, call, words):
    with pytest.raises(ValueError) as info:
        call(rows)
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_select_rows_returns_the_fixed_values(rows):
    selected, fixed = select_rows(rows, [AGENTS], {SHARE: "0.2"})
    assert fixed == {SHARE: 0.2}
    assert len(selected) == len(AGENT_VALUES) * REPS * 2


def test_summary_table_is_refused(rows):
    summary = sweep_summary(rows, [AGENTS, SHARE], "overall.wait_mean")
    with pytest.raises(ValueError, match="replication"):
        line_figure(summary, AGENTS, "mean")


# --- saving ----------------------------------------------------------------------------------

def test_save_png_and_svg_atomically(rows, tmp_path):
    fig = line_figure(rows, AGENTS, "wait_mean", at={SHARE: 0.2})
    assert save_figure(fig, tmp_path / "a.png").read_bytes().startswith(PNG_MAGIC)
    assert b"<svg" in save_figure(fig, tmp_path / "a.svg").read_bytes()
    with pytest.raises(ValueError, match=".png or .svg"):
        save_figure(fig, tmp_path / "a.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png", "a.svg"]


# --- CLI -------------------------------------------------------------------------------------

@pytest.fixture(params=[".parquet", ".csv"])
def results(rows, tmp_path, request) -> Path:
    """The results table as ``sweep --out`` writes it, in either table format plot reads."""
    path = tmp_path / f"sweep{request.param}"
    if request.param == ".csv":
        rows.to_csv(path, index=False)
    else:
        rows.to_parquet(path)
    return path


def test_csv_and_parquet_results_read_alike(rows, tmp_path):
    rows.to_csv(tmp_path / "r.csv", index=False)
    rows.to_parquet(tmp_path / "r.parquet")
    from_csv, from_parquet = (read_results(tmp_path / f"r.{s}") for s in ("csv", "parquet"))
    pd.testing.assert_frame_equal(from_csv, from_parquet.reset_index(drop=True),
                                  check_dtype=False, check_categorical=False)


def test_cli_writes_png_next_to_results(results):
    result = runner.invoke(app, ["plot", str(results), "--x", AGENTS, "--metric", "wait_mean",
                                 "--diff", "--at", f"{SHARE}=0.4"])
    assert result.exit_code == 0, result.output
    out = results.with_name("sweep_wait_mean_diff.png")  # issue 18 item 17: a readable name
    assert result.stdout.strip() == f"wrote {out}"
    assert out.read_bytes().startswith(PNG_MAGIC)


def test_cli_heatmap_to_given_file(results, tmp_path):
    out = tmp_path / "heat.svg"
    result = runner.invoke(app, ["plot", str(results), "--x", AGENTS, "--y", SHARE,
                                 "--metric", "call_types.support.wait_mean", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert b"<svg" in out.read_bytes()


@pytest.mark.parametrize(("args", "words"), [
    (["--x", AGENTS, "--metric", "wait_mean"], ["--at", SHARE]),
    (["--x", "nope", "--metric", "wait_mean"], ["'nope'"]),
    (["--x", AGENTS, "--metric", "nope", "--at", f"{SHARE}=0"], ["'nope'", "available"]),
    (["--x", AGENTS, "--metric", "wait_mean", "--at", SHARE], ["PATH=VALUE"]),
    (["--x", AGENTS, "--metric", "wait_mean", "--at", f"{SHARE}=0", "--out", "x.pdf"],
     [".png or .svg"]),
])
def test_cli_errors_exit_2_with_one_line(results, args, words):
    result = runner.invoke(app, ["plot", str(results), *args])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0]


def test_cli_unreadable_results(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_text("not parquet")
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_bytes(b"\xff\xfe\x00 not text")
    for path in (bad, bad_csv, tmp_path / "missing.parquet"):
        result = runner.invoke(app, ["plot", str(path), "--x", AGENTS, "--metric", "wait_mean"])
        assert result.exit_code == 2
        assert len(result.stderr.strip().splitlines()) == 1
        assert str(path) in result.stderr
