"""``callsim report``: the HTML page in a real headless Chromium, its headline against the
compare JSON, and byte-identical output for the same seed."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from callsim.cli.app import app
from callsim.experiments.execution import Execution
from tests.report.chromium import Browser, chromium_path
from tests.shared import REFERENCE

#: Replications in this process (the numbers are the same on any executor).
SERIAL = Execution(workers=1)

SCENARIO = str(REFERENCE)
#: A short day keeps the runs cheap; 4 replications give CIs.
ARGS = ["--set", "horizon.duration=3h", "--reps", "4", "--seed", "7", "--workers", "1"]


def make_report(folder: Path, *extra: str, name: str = "report.html") -> Path:
    """Run ``callsim report`` in ``folder`` (the footer holds the command, --out included)."""
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        result = CliRunner().invoke(app, ["report", SCENARIO, *ARGS, *extra, "--out", name])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(f"wrote {name}")
    return folder / name


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_report(tmp_path_factory.mktemp("report"))


def test_report_renders_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    if chromium_path() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    with Browser() as browser:
        page = browser.load(report)
        assert page.errors == []
        sizes = page.evaluate(
            "[...document.querySelectorAll('figure')].map(f => {"
            " const s = f.querySelector('svg'); if (!s) return [0, 0];"
            " const r = s.getBoundingClientRect(); return [r.width, r.height]; })")
        assert len(sizes) >= 3
        assert all(w > 100 and h > 100 for w, h in sizes), sizes
        assert page.evaluate("document.querySelectorAll('script, link, iframe').length") == 0
        headline = page.evaluate("document.getElementById('headline').innerText")
        assert headline.startswith("Over the 3 h horizon")
        shot = page.screenshot(tmp_path / "report.png")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    height = int.from_bytes(data[20:24], "big")  # IHDR: the whole page, not one screen
    assert height > 3000


def test_headline_matches_the_compare_json(report: Path) -> None:
    result = CliRunner().invoke(app, ["compare", SCENARIO, *ARGS, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)  # progress lines go to stderr
    cost = doc["differences"]["costs"]["total_cost"]
    html = report.read_text(encoding="utf-8")
    headline = re.search(r'<p class="headline" id="headline">(.*?)</p>', html, re.S)
    assert headline is not None
    text = " ".join(headline.group(1).split()).replace("&#39;", "'")
    mean, (low, high) = cost["mean"], cost["ci95"]
    assert cost["significant"] == (low > 0 or high < 0)
    if low > 0:
        expected = f"warm transfers cost {abs(mean):,.0f} more than cold transfers " \
                   f"(95% CI {low:,.0f} to {high:,.0f})"
    elif high < 0:
        expected = f"warm transfers cost {abs(mean):,.0f} less than cold transfers " \
                   f"(95% CI {-high:,.0f} to {-low:,.0f})"
    else:
        expected = "warm and cold transfers cost about the same"
    assert expected in text, text
    # The abandonment clause names the call type with the largest significant change.
    changes = {name: m["abandon_rate"] for name, m in doc["differences"]["call_types"].items()
               if m["abandon_rate"]["significant"]}
    if changes:
        name, change = max(changes.items(), key=lambda item: abs(item[1]["mean"]))
        verb = "raise" if change["mean"] > 0 else "cut"
        assert f"{verb} {name} callers' abandonment by {abs(100 * change['mean']):.1f} points" \
            in text, text
    else:
        assert "no call type's abandonment changes significantly" in text
    # The other side of the trade-off (issue 18 item 12): every other significant change in a
    # call type's abandonment or service level that is worse under the policy ahead.
    if not changes:
        return
    gain_name, gain = max(changes.items(), key=lambda item: abs(item[1]["mean"]))
    b_ahead = gain["mean"] < 0
    for name, metrics in doc["differences"]["call_types"].items():
        for key, words in (("abandon_rate", "abandonment"), ("service_level", "service level")):
            change = metrics[key]
            if not change["significant"] or (name, key) == (gain_name, "abandon_rate"):
                continue
            worse_under_b = (change["mean"] > 0) == (key == "abandon_rate")
            told = (f"{name} callers' " if key == "abandon_rate" else "") + \
                f"{words} {'rises' if change['mean'] > 0 else 'falls'} " \
                f"{abs(100 * change['mean']):.1f} points"
            assert (told in text) == (worse_under_b == b_ahead), (name, key, text)


def test_same_seed_same_bytes_other_seed_other_bytes(report: Path, tmp_path: Path) -> None:
    again = make_report(tmp_path)
    assert again.read_bytes() == report.read_bytes()
    other = make_report(tmp_path, "--seed", "8", name="other.html")
    assert other.read_bytes() != report.read_bytes()


def test_report_contents(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    for heading in ("Key metrics", "Departments", "Through the day", "Cost breakdown",
                    "The scenario in plain words"):
        assert f"<h2>{heading}</h2>" in html
    assert "Abandonment rate (%)" in html and "Total cost (per horizon)" in html
    assert "support: 130 calls per hour, resolved by support" in html
    # Every transfer option of the compared policies, read from the scenario (issue 18 item 2).
    assert ("Cold transfers: reexplain time: exponential, mean 1 min; drop probability: 2%; "
            "patience factor: 1; priority: no.") in html
    assert ("Warm transfers: handoff time: exponential, mean 30 s; caller abandons on hold: no; "
            "priority: no; max hold: none; on max hold: cold.") in html
    assert "callsim report " in html and "--seed 7" in html and "SHA-256" in html
    # Nothing to fetch: every link is an anchor in the page, no scripts, no style sheets.
    assert re.findall(r'(?:src|href)="(?!#)[^"]*"', html) == []
    assert "<script" not in html and "@import" not in html and "url(http" not in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "element ids must be unique in the page"


@pytest.mark.parametrize(("extra", "message"), [
    (["--out", "report.pdf"], "report.pdf: --out must end in .html or .htm, not '.pdf'"),
    (["--out", "missing/report.html"], "missing/report.html: --out: folder missing does not"),
    (["--policy", "lukewarm"], "--policy: unknown policy 'lukewarm'"),
])
def test_bad_options_are_one_line_errors(extra, message, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["report", SCENARIO, *extra])
    assert result.exit_code == 2
    assert result.output.startswith(message)
    assert len(result.output.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_extra_sections_come_before_the_scenario_inputs() -> None:
    from callsim import load_scenario
    from callsim.experiments.comparison import compare
    from callsim.report.html import Section, report_html

    scenario = load_scenario(SCENARIO, ["horizon.duration=1h"])
    comparison = compare(scenario, reps=2, seed=1, execution=SERIAL)
    extra = Section("staffing", "Staffing", "inputs.html.j2",
                    {"groups": [("Agents needed", ["billing: 13 agents."])]})
    html = report_html(scenario, comparison, extra_sections=[extra])
    assert html.index('<section id="costs">') < html.index('<section id="staffing">') \
        < html.index('<section id="inputs">')
    assert '<a href="#staffing">Staffing</a>' in html and "billing: 13 agents." in html


def test_every_difference_against_the_first_policy(tmp_path: Path) -> None:
    """Three policies: a difference column for each other policy against the first named."""
    html = make_report(tmp_path, "--policy", "cold", "--policy", "warm", "--policy",
                       "conditional").read_text(encoding="utf-8")
    for label in ("warm - cold", "conditional - cold"):
        assert f'<th class="num">{label}</th>' in html
    assert "paired differences warm - cold, conditional - cold" in " ".join(html.split())
