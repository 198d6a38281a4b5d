"""`tradewar game`: one default instrument, one documented deficit rule recorded in every
output, `--weights` never silently ignored, `--world-option`, a styled report (issue 10)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradewar.cli.main import app
from tradewar.errors import ModelError
from tradewar.strategy import DEFAULT_GAME_DEFICITS, DEFAULT_INSTRUMENT, Instrument, game_model
from tradewar.strategy.engine import EngineGame
from tradewar.world.bundle import write_bundle
from tradewar.world.synthetic import synthetic_world

runner = CliRunner()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return write_bundle(synthetic_world(3, 2, seed=4), tmp_path_factory.mktemp("game") / "w")


def test_one_default_instrument_for_every_game_command() -> None:
    from tradewar.cli import game_cmd

    assert DEFAULT_INSTRUMENT is Instrument.SECTOR
    for command in (game_cmd.optimal, game_cmd.nash, game_cmd.deal):
        assert command.__defaults__ is not None
        assert DEFAULT_INSTRUMENT in command.__defaults__, command.__name__


def test_game_outputs_record_the_defaults(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "nash"
    res = runner.invoke(
        app, ["game", "nash", "--world", f"bundle:{bundle}", "--players", "R000,R001", "--out", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "deficit rule 'zero'" in res.output and "the default for games" in res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["instrument"] == "sector" and summary["deficits"] == DEFAULT_GAME_DEFICITS == "zero"
    assert summary["deficits_from"] == "default" and summary["weights"] == "bas"
    for name in summary["tables"]:
        assert set(pd.read_csv(out / f"{name}.csv")["deficits"]) == {"zero"}
    page = (out / "report.html").read_text()
    assert "deficit rule &#x27;zero&#x27;" in page and "Instrument</b>: sector" in page


def test_deficits_flag_changes_the_game(bundle: Path, tmp_path: Path) -> None:
    setups = {rule: game_model(f"bundle:{bundle}", deficits=rule) for rule in ("zero", "data")}
    for rule, setup in setups.items():
        assert isinstance(setup.model, EngineGame) and setup.model.deficits == rule
        assert setup.deficits_from == "argument"
    out = tmp_path / "opt"
    res = runner.invoke(
        app,
        [
            "game",
            "optimal",
            "--world",
            f"bundle:{bundle}",
            "--players",
            "R000",
            "--deficits",
            "data",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert json.loads((out / "summary.json").read_text())["deficits"] == "data"


def test_weights_pol_off_ossas_data_is_refused(bundle: Path, tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["game", "nash", "--world", f"bundle:{bundle}", "--weights", "pol", "--out", str(tmp_path / "x")]
    )
    assert res.exit_code == 2 and "only for Ossa's data" in res.output and "Traceback" not in res.output
    assert game_model(f"bundle:{bundle}", weights="bas").weights == "bas"


def test_ossa_model_has_no_fixed_deficits(bundle: Path) -> None:
    with pytest.raises(ModelError, match="no deficit rule 'fixed'"):
        game_model(f"bundle:{bundle}", model="ossa", deficits="fixed")
    purged = game_model(f"bundle:{bundle}", model="ossa", deficits="zero").model
    kept = game_model(f"bundle:{bundle}", model="ossa", deficits="data").model
    assert abs(purged.NX).max() < 1e-8 * purged.E.max()  # type: ignore[attr-defined]
    assert abs(kept.NX).max() > 1e-6 * kept.E.max()  # type: ignore[attr-defined]


def test_world_option_on_game(bundle: Path, tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            "game",
            "nash",
            "--world",
            f"bundle:{bundle}",
            "--world-option",
            "year=2000",
            "--out",
            str(tmp_path / "x"),
        ],
    )
    assert res.exit_code == 2 and "no reader option 'year'" in res.output


def test_game_report_is_styled(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "deal"
    res = runner.invoke(
        app,
        [
            *("game", "deal", "--world", f"bundle:{bundle}"),
            *("--players", "R000,R001", "--instrument", "uniform", "--out", str(out)),
        ],
    )
    assert res.exit_code == 0, res.output
    page = (out / "report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<h1>Trade deals (uniform) on bundle:" in page
    assert re.search(r'<div class="figure" style="width:1000px', page)  # fixed size
    assert '"responsive": false' in page or '"responsive":false' in page
    headers = re.findall(r"<th>([^<]*)</th>", page)
    assert headers and not [h for h in headers if "_" in h]  # no snake_case column names
    assert "welfare vs. trade war (%)" in headers and "Which outcomes each player prefers" in page
    assert "<td>Nash bargaining</td>" in page


def test_players_all_means_every_region(bundle: Path) -> None:
    from tradewar.cli.game_cmd import _players

    model = game_model(f"bundle:{bundle}").model
    assert _players(model, ["all"]) == _players(model, None) == list(model.regions)
