"""The shareable HTML report of a policy comparison: one self-contained file.

The page is rendered with Jinja2 from ``callsim/report/templates/`` (``base.html.j2`` holds the
layout and style that other reports may extend). Figures are inline SVG: no network, no
JavaScript, nothing beside the file. The same comparison gives the same bytes: no clock time is
written, and SVG element ids come from a fixed salt per figure (matplotlib ``svg.hashsalt``,
no ``Date`` metadata).

The body is a list of :class:`Section`; a caller can add its own (staffing results, say) with
``extra_sections``, each rendered by its own template from ``context``.

>>> from callsim import load_scenario
>>> from callsim.experiments.comparison import compare
>>> s = load_scenario("scenarios/billing_support.yaml", ["horizon.duration=1h"])
>>> page = report_html(s, compare(s, reps=2, seed=1), command="callsim report")
>>> page.startswith("<!DOCTYPE html>"), "<script" in page, page.count("<svg") >= 3
(True, False, True)
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from callsim.analysis.statistics import difference_label
from callsim.files import write_text
from callsim.report.cost_figure import COST_KEYS, cost_figure
from callsim.report.figures import comparison_figure, interval_figure
from callsim.report.headline import headline
from callsim.report.rows import (
    CALL_METRICS,
    OVERALL_METRICS,
    department_keys,
    department_names,
    metric_rows,
)
from callsim.report.words import scenario_inputs

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from callsim.experiments.comparison import Comparison
    from callsim.scenario.schema import Scenario

__all__ = ["Section", "environment", "report_html", "svg_markup", "write_report"]


@dataclass(frozen=True)
class Section:
    """One section of the report body.

    Attributes
    ----------
    id
        HTML id (anchor) of the section.
    title
        Its heading.
    template
        Template file in ``callsim/report/templates/`` that renders its body; it sees the
        section as ``section`` (so ``section.context``) and the report's variables.
    context
        Whatever that template needs.
    """

    id: str
    title: str
    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


def environment() -> Environment:
    """The Jinja2 environment of callsim's report templates (autoescaped, strict)."""
    return Environment(loader=PackageLoader("callsim.report", "templates"),
                       autoescape=select_autoescape(["html", "j2"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)
_SIZE = re.compile(r'(<svg[^>]*?)\s(?:width|height)="[^"]*"')
_REFERENCE = re.compile(r'(\sid="|href="#|url\(#)')
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)


def svg_markup(figure: Figure, name: str, title: str) -> Markup:
    """A figure as an inline ``<svg>`` element that scales with the page.

    Element ids are deterministic (matplotlib's ``svg.hashsalt``) and prefixed with ``name``,
    so several figures can share a page and the same figure gives the same text.
    """
    stream = io.StringIO()
    with mpl.rc_context({"svg.hashsalt": f"callsim-{name}"}):
        figure.savefig(stream, format="svg", metadata={"Date": None})
    text = _METADATA.sub("", _PROLOGUE.sub("", stream.getvalue(), count=1), count=1)
    while _SIZE.match(text):  # drop the fixed size in pt; the viewBox keeps the aspect ratio
        text = _SIZE.sub(r"\1", text, count=1)
    text = _REFERENCE.sub(rf"\g<1>{name}-", text)  # ids unique in the page (glyphs repeat)
    label = Markup.escape(title)
    text = text.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    return Markup(text)  # matplotlib's own SVG output


def _figures(comparison: Comparison) -> dict[str, Markup]:
    return {
        "overview": svg_markup(comparison_figure(comparison), "overview",
                               "Headline metrics per policy with 95% confidence intervals"),
        "intervals": svg_markup(interval_figure(comparison), "intervals",
                                "Wait, abandonment and occupancy per interval"),
        "costs": svg_markup(cost_figure(comparison), "costs", "Cost breakdown per policy"),
    }


def _callsim_version() -> str:
    try:
        return version("callsim")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "unknown"


def _sections(scenario: Scenario, comparison: Comparison,
              extra: Sequence[Section]) -> list[Section]:
    key_rows = metric_rows(comparison, [f"overall.{m}" for m in OVERALL_METRICS])
    by_type = {name: metric_rows(comparison, [f"call_types.{name}.{m}" for m in CALL_METRICS])
               for name in scenario.call_types}
    departments = {name: metric_rows(comparison, department_keys(comparison, name))
                   for name in department_names(comparison)}
    figures = _figures(comparison)
    return [
        Section("metrics", "Key metrics", "metrics.html.j2",
                {"overall": key_rows, "call_types": by_type, "overview": figures["overview"]}),
        Section("departments", "Departments", "departments.html.j2",
                {"departments": departments}),
        Section("intervals", "Through the day", "intervals.html.j2",
                {"figure": figures["intervals"]}),
        Section("costs", "Cost breakdown", "costs.html.j2",
                {"rows": metric_rows(comparison, COST_KEYS), "figure": figures["costs"]}),
        *extra,
        Section("inputs", "The scenario in plain words", "inputs.html.j2",
                {"groups": scenario_inputs(scenario, comparison.policies)}),
    ]


def report_html(
    scenario: Scenario,
    comparison: Comparison,
    *,
    command: str = "",
    source: str | os.PathLike[str] | None = None,
    overrides: Sequence[str] = (),
    extra_sections: Sequence[Section] = (),
) -> str:
    """Render the report of ``comparison`` (made from ``scenario``) as one HTML page.

    Parameters
    ----------
    scenario
        The scenario that was compared (its inputs are described in words).
    comparison
        Result of :func:`callsim.experiments.comparison.compare`.
    command
        The command line that made the report, for the reproducibility footer.
    source
        The scenario file; its name and SHA-256 go into the footer.
    overrides
        The ``--set`` overrides applied to the file.
    extra_sections
        Sections to add after the cost breakdown (before the scenario inputs).

    Returns
    -------
    str
        A complete HTML document; the same inputs give the same text.
    """
    file_info = None
    if source is not None:
        digest = hashlib.sha256(Path(source).read_bytes()).hexdigest()
        file_info = {"name": Path(source).name, "sha256": digest}
    template = environment().get_template("report.html.j2")
    return template.render(
        title=f"{scenario.name}: {' vs '.join(comparison.policies)} transfers",
        scenario=scenario,
        comparison=comparison,
        headline=headline(comparison, scenario),
        sections=_sections(scenario, comparison, extra_sections),
        difference=difference_label(comparison.difference) if comparison.difference else None,
        differences=list(comparison.paired()),
        footer={"version": _callsim_version(), "command": command, "file": file_info,
                "overrides": list(overrides)},
    )


def write_report(html: str, path: str | os.PathLike[str]) -> Path:
    """Write ``html`` to ``path`` atomically (:func:`callsim.files.write_text`); return it."""
    return write_text(path, html)
