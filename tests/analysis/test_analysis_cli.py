"""``tradewar exposure``: tables, machine formats and error paths (no tracebacks)."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from tradewar.analysis import exposure_table, supplier_cutoff
from tradewar.cli.main import app
from tradewar.world.bundle import write_bundle
from tradewar.world.synthetic import synthetic_world

runner = CliRunner()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    path = tmp_path_factory.mktemp("worlds") / "w43"
    write_bundle(synthetic_world(4, 3, seed=1), path)
    return str(path)


def test_table_and_stylized_notice(bundle):
    result = runner.invoke(app, ["exposure", bundle, "--region", "R000", "--supplier", "R002"])
    assert result.exit_code == 0, result.output
    assert result.output.count("not for policy conclusions") == 1
    assert "Exposure of R000 to R002" in result.output
    assert "ALL" in result.output


def test_csv_matches_python_api(bundle):
    result = runner.invoke(
        app, ["exposure", bundle, "--region", "R000", "--supplier", "R002", "--sector", "S001", "--csv"]
    )
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if not line.startswith("Note:")]
    df = pd.read_csv(io.StringIO("\n".join(lines)), index_col="product")
    assert list(df.index) == ["S001", "ALL"]
    expected = exposure_table(synthetic_world(4, 3, seed=1), "R000", "R002", ["S001"])
    pd.testing.assert_frame_equal(df, expected, check_exact=False, rtol=1e-8, check_names=False)


def test_json(bundle):
    result = runner.invoke(app, ["exposure", bundle, "--region", "R001", "--supplier", "R003", "--json"])
    assert result.exit_code == 0, result.output
    start = result.stdout.index("{")
    payload = json.loads(result.stdout[start:])
    assert payload["stylized"] is True
    assert [row["product"] for row in payload["rows"]] == ["S000", "S001", "S002", "ALL"]
    assert payload["rows"][-1]["import_hhi"] is None
    assert payload["rows"][-1]["output_lost"] > 0
    assert 0 < payload["rows"][-1]["input_total"] < 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "R0", "--supplier", "R002"], "unknown region code 'R0'"),
        (["--region", "R000", "--supplier", "XXX"], "unknown region code 'XXX'"),
        (["--region", "R000", "--supplier", "R002", "--sector", "S9"], "unknown sector code 'S9'"),
        (["--region", "R000", "--supplier", "R002", "--csv", "--json"], "exclude each other"),
    ],
)
def test_errors_are_one_clear_message(bundle, args, message):
    result = runner.invoke(app, ["exposure", bundle, *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_missing_world_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["exposure", str(tmp_path / "nope"), "--region", "USA", "--supplier", "CHN"])
    assert result.exit_code == 2
    assert "error:" in result.output
    assert "Traceback" not in result.output


def test_exposure_table_totals():
    w = synthetic_world(3, 4, seed=2)
    table = exposure_table(w, "R001", "R000")
    body = table.drop(index="ALL")
    for column in ("deliveries", "input_direct", "input_total", "final_direct", "final_total"):
        assert table.loc["ALL", column] == pytest.approx(body[column].sum())
    assert pd.isna(table.loc["ALL", "import_hhi"])
    assert (body["output_lost"] > 0).all()
    # cutting every product at once costs more than the worst single product
    assert table.loc["ALL", "output_lost"] > body["output_lost"].max()
    cut = supplier_cutoff(w, "R001", ["R000"]).sel(origin="R000")
    assert table.loc["ALL", "output_lost"] == pytest.approx(float(cut.output_lost))


def test_default_world_if_shipped():
    from tradewar.errors import DataError
    from tradewar.world.load import load_world

    try:
        world = load_world("default")
    except DataError:
        pytest.skip("the shipped default world is not built yet")
    if not {"CHN", "USA"} <= set(world.regions):
        pytest.skip("default world without CHN and USA")
    result = runner.invoke(app, ["exposure", "default", "--region", "CHN", "--supplier", "USA"])
    assert result.exit_code == 0, result.output
    assert result.output.count("Note: world 'default': observed") == 1
    table = exposure_table(world, "CHN", "USA")
    assert table.loc["ALL", "input_total"] > 0
