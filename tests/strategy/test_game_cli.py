import json

import pandas as pd
from typer.testing import CliRunner

from tradewar.cli.main import app
from tradewar.world.bundle import write_bundle
from tradewar.world.synthetic import synthetic_world

runner = CliRunner()


def test_game_optimal_ossa2014(shared_data, tmp_path):
    out = tmp_path / "opt"
    res = runner.invoke(
        app,
        [
            "game",
            "optimal",
            "--world",
            "ossa2014",
            "--players",
            "US,China",
            "--instrument",
            "sector",
            "--out",
            str(out),
            "--data-dir",
            str(shared_data),
        ],
    )
    assert res.exit_code == 0, res.output
    summary = pd.read_csv(out / "optimal_summary.csv")
    assert list(summary.region) == ["US", "China"]
    assert (summary.own_welfare_change_pct > 0).all()
    page = (out / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "plotly" in page.lower()
    assert "average" in res.output


def test_game_nash_and_deal_on_bundle(tmp_path):
    bundle = write_bundle(synthetic_world(3, 2, seed=4), tmp_path / "w")
    for cmd in ("nash", "deal"):
        out = tmp_path / cmd
        res = runner.invoke(
            app, ["game", cmd, "--world", f"bundle:{bundle}", "--instrument", "sector", "--out", str(out)]
        )
        assert res.exit_code == 0, res.output
        assert json.loads((out / "summary.json").read_text())["title"]
    war = pd.read_csv(tmp_path / "nash" / "nash_summary.csv")
    assert (war.welfare_change_pct < 0).all()
    prefs = pd.read_csv(tmp_path / "deal" / "deal_preferences.csv")
    assert prefs.prefers_to_war.all()


def test_game_errors_exit_2(shared_data, tmp_path):
    res = runner.invoke(
        app,
        [
            "game",
            "optimal",
            "--world",
            "ossa2014",
            "--players",
            "Chnia",
            "--data-dir",
            str(shared_data),
            "--out",
            str(tmp_path),
        ],
    )
    assert res.exit_code == 2
    assert "China" in res.output
    res = runner.invoke(app, ["game", "nash", "--world", "nowhere:xyz", "--out", str(tmp_path)])
    assert res.exit_code == 2
    res = runner.invoke(app, ["game", "optimal", "--instrument", "weird"])
    assert res.exit_code != 0


def test_game_on_the_default_world_uses_the_engine_and_states_its_provenance(tmp_path):
    out = tmp_path / "default"
    res = runner.invoke(
        app,
        [
            *("game", "optimal", "--world", "default"),
            *("--players", "USA", "--instrument", "uniform", "--out", str(out)),
        ],
    )
    assert res.exit_code == 0, res.output
    assert res.output.count("Note: world 'default': observed") == 1
    summary = pd.read_csv(out / "optimal_summary.csv")
    assert summary.own_welfare_change_pct.iloc[0] > 0  # a large country gains from a small tariff


def test_ossa_model_on_a_world_with_empty_cells_is_a_clear_error(tmp_path):
    res = runner.invoke(
        app,
        [
            *("game", "optimal", "--world", "default", "--model", "ossa"),
            *("--players", "USA", "--out", str(tmp_path)),
        ],
    )
    assert res.exit_code == 2
    assert "buy nothing" in res.output and "--model ge" in res.output
    assert "Traceback" not in res.output
