"""The staffing figure: step lines per policy and department, missed intervals marked."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.patches import StepPatch

from callsim import load_scenario, staff
from callsim.experiments.execution import Execution
from callsim.report.staffing_figures import staffing_figure
from tests.shared import ROOT


@pytest.fixture(scope="module")
def result():
    scenario = load_scenario(ROOT / "tests" / "planning" / "staffing_small.yaml")
    # seed 2: the verification misses a target's mean in one interval per policy (a mark each)
    return staff(scenario, ["service_level>=0.8", "abandon_rate<=0.05"], reps=2,
                 verify_reps=3, seed=2, execution=Execution(workers=1))


def test_one_panel_per_department_with_load_and_a_step_line_per_policy(result):
    figure = staffing_figure(result)
    axes = figure.axes
    assert [ax.get_title() for ax in axes] == result.departments
    table = result.table
    for ax, dept in zip(axes, result.departments, strict=True):
        steps = [p for p in ax.patches if isinstance(p, StepPatch)]
        assert [s.get_label() for s in steps] == ["offered load (Erlangs)", "cold: agents",
                                                  "warm: agents"]
        for step, policy in zip(steps[1:], ("cold", "warm"), strict=True):
            mine = table[(table.department == dept) & (table.policy == policy)]
            assert np.array_equal(step.get_data().values, mine["agents"].to_numpy())


def test_missed_and_within_ci_intervals_are_marked_as_the_table_says(result):
    # One verdict (staffing_result.verdict): x where a target's CI is wholly on the wrong
    # side, a hollow circle where the mean misses but the CI includes the target.
    figure = staffing_figure(result)
    table = result.table
    marked = table.groupby("policy")[["missed", "within_ci"]].sum()
    assert (marked["missed"] + marked["within_ci"]).to_dict() == {"cold": 1, "warm": 1}
    assert marked["within_ci"].sum() >= 1
    for ax, dept in zip(figure.axes, result.departments, strict=True):
        for policy in ("cold", "warm"):
            mine = table[(table.department == dept) & (table.policy == policy)]
            for column, label in (("missed", "target missed"), ("within_ci", "target within CI")):
                marks = [line for line in ax.get_lines()
                         if line.get_label() == f"{policy}: {label}"]
                assert sum(len(m.get_xdata()) for m in marks) == int(mine[column].sum())


def test_the_time_axis_reads_clock_times(result):
    """Issue 18 item 9: 'clock time (h)' from 0 to 12 became HH:MM from horizon.start."""
    bottom = staffing_figure(result).axes[-1]
    assert bottom.get_xlabel() == "Clock time (interval start)"
    assert [t.get_text() for t in bottom.get_xticklabels()] == ["08:00", "09:00"]


def test_breakeven_figure_names_the_field_states_the_answer_and_uses_units():
    """Issue 18 item 13: no raw field path, shares in %, a title with the answer."""
    import pandas as pd

    from callsim.planning.breakeven import BreakEven
    from callsim.report.staffing_figures import breakeven_figure

    points = pd.DataFrame({"value": [0.1, 0.2, 0.3, 0.4], "mean": [-2.0, -1.0, 1.0, 2.0],
                           "ci_low": [-3.0, -2.0, -0.5, 1.0], "ci_high": [-1.0, 0.5, 2.0, 3.0],
                           "significant": [True, False, False, True]})
    result = BreakEven("call_types.support.misroute.billing", "costs.total_cost", "cold", "warm",
                       points, 0.25, (0.1, 0.4), "warm", None, False)
    figure = breakeven_figure(result)
    ax = figure.axes[0]
    figure.canvas.draw()
    assert ax.get_xlabel() == "support: misrouted to billing"
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all(t.endswith("%") for t in ticks)
    assert ax.get_ylabel() == "warm - cold: Total cost (per horizon)"
    title = figure.get_suptitle().replace("\n", " ")
    assert title.startswith("Break-even at support: misrouted to billing = 25%")
    assert "warm is better below, cold above" in title
