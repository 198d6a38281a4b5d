"""Reader options in world specs (``FORMAT:PATH?key=value``) and ``--world-option`` (issue 10)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradewar.cli.main import app
from tradewar.errors import DataError
from tradewar.world.load import (
    load_world,
    parse_option_items,
    reader_options,
    split_world_spec,
    world_spec_text,
)


@pytest.fixture
def panel(tmp_path: Path) -> Path:
    """A two-year gravity panel of three countries (domestic flows included)."""
    rows = []
    for year, scale in ((2000, 1.0), (2010, 2.0)):
        for e in ("USA", "CAN", "MEX"):
            for i in ("USA", "CAN", "MEX"):
                rows.append(
                    {"exporter": e, "importer": i, "year": year, "trade": scale * (50 if e == i else 5)}
                )
    path = tmp_path / "panel.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_options_after_a_question_mark_reach_the_reader(panel: Path) -> None:
    w = load_world(f"gravity:{panel}?year=2000&theta=6")
    assert w.meta.year == 2000 and float(w.theta.item()) == 6.0
    later = load_world(f"gravity:{panel}?year=2010")
    assert later.meta.year == 2010
    assert float(later.final_demand.sum()) == pytest.approx(2 * float(w.final_demand.sum()))


def test_keyword_options_override_the_spec(panel: Path) -> None:
    assert load_world(f"gravity:{panel}?year=2000", year="2010").meta.year == 2010


def test_without_the_option_a_multi_year_panel_is_an_error(panel: Path) -> None:
    with pytest.raises(DataError, match="several years"):
        load_world(f"gravity:{panel}")


def test_unknown_option_lists_the_readers_options(panel: Path) -> None:
    with pytest.raises(DataError) as info:
        load_world(f"gravity:{panel}?yaer=2000")
    text = str(info.value)
    assert "has no reader option 'yaer'" in text and "did you mean 'year'" in text
    assert "year (int)" in text and "theta (float)" in text


def test_bad_value_and_shipped_world() -> None:
    with pytest.raises(DataError, match=r"year='later' .* is not a valid int"):
        load_world("wiod-eu:.?year=later")
    with pytest.raises(DataError, match="takes no reader options"):
        load_world("default?year=2000")


def test_reader_options_come_from_the_readers() -> None:
    assert set(reader_options("wiod-eu")) == {"year", "theta"}
    assert reader_options("bundle") == {} and reader_options("default") == {}
    assert "missing" in reader_options("gravity")  # a Literal option


def test_spec_text_round_trip() -> None:
    assert split_world_spec("wiod-eu:data?year=2000&theta=5") == (
        "wiod-eu:data",
        {"year": "2000", "theta": "5"},
    )
    assert world_spec_text("wiod-eu:data?year=2000", {"theta": 5}) == "wiod-eu:data?year=2000&theta=5"
    assert world_spec_text("default") == "default"
    with pytest.raises(DataError, match="not KEY=VALUE"):
        parse_option_items(["year"])


def test_world_info_takes_world_option(panel: Path) -> None:
    res = CliRunner().invoke(
        app, ["world", "info", f"gravity:{panel}", "--world-option", "year=2010", "--json"]
    )
    assert res.exit_code == 0, res.output
    assert '"year": 2010' in res.output
    res = CliRunner().invoke(app, ["world", "info", f"gravity:{panel}", "--world-option", "yaer=2010"])
    assert res.exit_code == 2 and "options of gravity" in res.output and "Traceback" not in res.output


def test_wiod_eu_year_from_the_spec(shared_data: Path) -> None:
    assert load_world(f"wiod-eu:{shared_data}?year=2000").meta.year == 2000


def test_scenario_baseline_takes_reader_options(panel: Path) -> None:
    from tradewar.policy import load_scenario_text
    from tradewar.runs import run_scenario

    sc = load_scenario_text(
        "title: On a panel\ndescription: baseline with a reader option\n"
        f"baseline: gravity:{panel}?year=2010\n"
        "measures:\n  - type: tariff\n    action: set\n    imposer: USA\n    target: CAN\n    sectors: all\n"
        "    magnitude: {unit: percent, value: 10}\n    years: 2026\n    assumption: test\n"
    )
    run = run_scenario(sc, years="2026")
    assert run.world.meta.year == 2010 and run.world_spec.endswith("?year=2010")
    with_flag = run_scenario(sc, years="2026", world_options={"year": "2000"})
    assert with_flag.world.meta.year == 2000  # --world-option overrides the spec
