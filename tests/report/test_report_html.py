"""report.html: self-contained, readable, no NaN, and drawn by a real browser.

The browser test needs a Chromium binary (Debian/Ubuntu: ``apt-get install -y chromium``;
CI must install that package). It is skipped, with that reason, only where none exists.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tradewar.errors import ModelError
from tradewar.policy import load_scenario_text
from tradewar.report import measure_rows, render_report
from tradewar.runs import run_scenario
from tradewar.world.synthetic import synthetic_world

SCENARIO = """\
title: Report test scenario
description: tariffs <b>and</b> a ban, to check the report
years: 2026-2027
assumptions: [An assumption written in the file.]
measures:
  - name: phase-in-tariff
    type: tariff
    action: set
    imposer: R000
    target: all
    sectors: all
    magnitude: {unit: percent, values: {2026: 10, 2027: 30}}
    years: 2026-2027
    source: {document: "Some official document", date: 2025-04-04}
  - name: equipment-ban
    type: export_control
    mode: ban
    imposer: R001
    target: R000
    sectors: [S001]
    years: 2027
    assumption: a stated assumption
"""

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


@pytest.fixture(scope="module")
def run():
    world = synthetic_world(4, 3, seed=3)
    return run_scenario(load_scenario_text(SCENARIO, name="report-test"), world, chokepoints=["S001", "S002"])


@pytest.fixture(scope="module")
def html(run) -> str:
    return render_report([run])


def test_report_is_self_contained_and_says_what_was_assumed(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    assert not re.search(r"<script[^>]+src=", html)  # plotly.js is inline
    assert "plotly" in html[:200_000].lower()
    assert "Stylized world - not for policy conclusions" in html
    assert "An assumption written in the file." in html
    assert "Some official document (2025-04-04)" in html
    assert "Assumption: a stated assumption" in html
    assert "tariffs &lt;b&gt;and&lt;/b&gt; a ban" in html  # text from files is escaped
    for section in ("Welfare by region", "Sector output", "Trade flows", "Self-sufficiency, 2026-2027"):
        assert section in html
    assert "NaN" not in html.split("</script>", 1)[1]


def test_measure_table_shows_phase_in(run) -> None:
    rows = measure_rows(run.scenario, run.years).set_index("measure")
    assert rows.loc["phase-in-tariff", "magnitude"] == "tariff 2026: 10 %, 2027: 30 %"
    assert rows.loc["equipment-ban", "magnitude"] == "full ban"
    assert rows.loc["equipment-ban", "who"] == "R001 on exports to R000"


def test_nan_never_reaches_the_report(run) -> None:
    import dataclasses

    regions = run.regions.copy()
    regions.loc[0, "welfare_pct"] = np.nan
    with pytest.raises(ModelError, match="NaN"):
        render_report([dataclasses.replace(run, regions=regions)])


def test_two_scenarios_are_compared(run) -> None:
    import dataclasses

    other = dataclasses.replace(run, scenario=dataclasses.replace(run.scenario, name="other"))
    html = render_report([run, other])
    assert "Scenarios compared" in html and 'id="comparison-welfare"' in html


def _chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def test_plots_are_drawn_in_headless_chromium(html: str, tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium binary found: CI must `apt-get install -y chromium` to render report.html")
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    res = subprocess.run(
        [
            browser,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--virtual-time-budget=20000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    dom = res.stdout
    figures = re.findall(r'<div id="(s0-[\w-]+)" class="plotly-graph-div"', html)
    # welfare bar + path, sectors heatmap, flows heatmap + paths, chokepoint imports, 2 self-sufficiency
    assert len(figures) == 8, figures
    drawn = dom.count('class="main-svg"')
    assert drawn >= 2 * len(figures), f"only {drawn} plotly SVG layers drawn for {len(figures)} figures"
    for fig in figures:  # every figure div got a plot (plotly adds the js-plotly-plot class)
        assert re.search(rf'id="{fig}" class="[^"]*js-plotly-plot', dom), fig
