"""``tradewar run --draws`` and ``tradewar sweep`` on the command line, and their reports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradewar.cli.main import app

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


@pytest.fixture(scope="module")
def draws_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("draws") / "out"
    res = CliRunner().invoke(
        app,
        ["run", "trade-war-2026", "--years", "2026-2027", "--draws", "8", "--seed", "4", "--out", str(out)],
    )
    assert res.exit_code == 0, res.output
    return out, res.output


def test_run_with_draws_writes_percentiles_draws_and_charts(draws_out: tuple[Path, str]) -> None:
    out, output = draws_out
    assert "8 draws of" in output and "all 8 draws converged" in output
    regions = pd.read_csv(out / "regions.csv")
    for col in ("welfare_pct", "welfare_pct_p5", "welfare_pct_p50", "welfare_pct_p95", "welfare_pct_mean"):
        assert regions[col].notna().all(), col
    sectors = pd.read_csv(out / "sectors.csv")
    assert sectors["output_change_pct_p50"].notna().all()
    draws = pd.read_parquet(out / "draws.parquet")
    n_regions = regions["region"].nunique()
    assert len(draws) == 8 * 2 * n_regions and draws["converged"].all()
    summary = json.loads((out / "summary.json").read_text())
    d = summary["draws"]
    assert (d["draws"], d["failed"], d["seed"], d["sampler"]) == (8, 0, 4, "lhs")
    assert all(p["source"] for p in d["parameters"])
    html = (out / "report.html").read_text()
    assert 'id="s0-fan"' in html and 'id="s0-tornado-USA"' in html and 'id="s0-tornado-CHN"' in html
    assert "found an equilibrium in every year" in html


def test_same_seed_same_draws_file(draws_out: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = draws_out
    again = tmp_path / "again"
    res = CliRunner().invoke(
        app,
        ["run", "trade-war-2026", "--years", "2026-2027", "--draws", "8", "--seed", "4", "--out", str(again)],
    )
    assert res.exit_code == 0, res.output
    pd.testing.assert_frame_equal(
        pd.read_parquet(again / "draws.parquet"), pd.read_parquet(out / "draws.parquet")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "escalation", "apec-deal", "--draws", "3"], "one scenario at a time"),
        (["run", "--executor", "dask"], "apply to --draws"),
        (["run", "--draws", "3", "--executor", "local", "--scheduler", "tcp://127.0.0.1:1"], "dask executor"),
        (["sweep", "trade-war-2026"], "at least one --grid"),
        (["sweep", "--grid", "nonsense.magnitude=0:1:2"], "no parameter named"),
        (["sweep", "--grid", "sigma=0:1"], "cannot read the grid"),
    ],
)
def test_user_errors_exit_2_with_a_message(args: list[str], message: str, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "x")])
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output


@pytest.fixture(scope="module")
def sweep_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "out"
    res = CliRunner().invoke(
        app,
        [
            "sweep",
            "trade-war-2026",
            "--years",
            "2026",
            "--grid",
            "retaliation-10pct.magnitude=0:30:3",
            "--grid",
            "bis-chip-tool-licences.magnitude=10,40",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "6 points x 1 years" in res.output
    return out


def test_sweep_writes_one_table_and_a_heatmap(sweep_out: Path) -> None:
    t = pd.read_parquet(sweep_out / "sweep.parquet")
    grid = ["retaliation-10pct.magnitude", "bis-chip-tool-licences.magnitude"]
    assert sorted(t[grid[0]].unique()) == [0.0, 15.0, 30.0]
    assert t.groupby(grid).ngroups == 6 and t["converged"].all()
    usa = t[(t["region"] == "USA") & (t[grid[1]] == 40)].sort_values(grid[0])
    # China's retaliation against US goods lowers US welfare
    assert usa["welfare_pct"].is_monotonic_decreasing
    summary = json.loads((sweep_out / "summary.json").read_text())
    assert summary["points"] == 6 and summary["failed"] == 0
    assert [g["name"] for g in summary["grids"]] == grid
    assert 'id="sweep-sweep"' in (sweep_out / "report.html").read_text()


def _chromium() -> str | None:
    return next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)


@pytest.mark.parametrize("which", ["draws", "sweep"])
def test_uncertainty_charts_are_drawn_in_headless_chromium(
    which: str, draws_out: tuple[Path, str], sweep_out: Path
) -> None:
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium binary found: CI must `apt-get install -y chromium` to render report.html")
    page = (draws_out[0] if which == "draws" else sweep_out) / "report.html"
    res = subprocess.run(
        [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--virtual-time-budget=20000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    wanted = ["s0-fan", "s0-tornado-USA", "s0-tornado-CHN"] if which == "draws" else ["sweep-sweep"]
    for fig in wanted:
        assert re.search(rf'id="{fig}" class="[^"]*js-plotly-plot', res.stdout), fig
