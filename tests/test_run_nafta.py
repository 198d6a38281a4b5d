"""The NAFTA counterfactual of Caliendo and Parro (2015) as a scenario file through `tradewar run`.

``examples/scenarios/nafta-cp2015.yaml`` sets the tariffs among Canada, Mexico and the US
to the World's 2005 tariff layer with zero deficits. Run through the CLI on
``cp2015:<shared data>/cp2015_nafta`` it must give the engine's validated numbers:
Table 2 of the paper to printed precision and the full-precision reference run
(``expected/reference_run_cp2015_jax_all_regions.csv``) to 1e-4 percentage points.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tradewar.cli.main import app

REPO = Path(__file__).resolve().parents[1]
SCENARIO = REPO / "examples" / "scenarios" / "nafta-cp2015.yaml"
NAMES = {"MEX": "Mexico", "CAN": "Canada", "USA": "USA"}


@pytest.fixture(scope="module")
def regions(shared_data: Path, tmp_path_factory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("nafta") / "out"
    world = f"cp2015:{shared_data / 'cp2015_nafta'}"
    res = CliRunner().invoke(app, ["run", str(SCENARIO), "--world", world, "--out", str(out)])
    assert res.exit_code == 0, res.output
    return pd.read_csv(out / "regions.csv").set_index("region")


def test_table_2_to_printed_precision(regions: pd.DataFrame, shared_data: Path) -> None:
    pub = pd.read_csv(shared_data / "cp2015_nafta" / "expected" / "published_results.csv")
    pub = pub[(pub["table"] == "Table 2") & (pub["partner_or_sector"] == "all")]
    column = {
        "welfare_total": "tot_plus_vot_pct",
        "terms_of_trade": "terms_of_trade_pct",
        "volume_of_trade": "volume_of_trade_pct",
        "real_wage": "real_wage_pct",
    }
    inv = {v: k for k, v in NAMES.items()}
    for row in pub.itertuples(index=False):
        got = float(regions.loc[inv[row.country], column[row.measure]])
        assert round(got, 2) == pytest.approx(row.value_percent, abs=1e-9), (row.country, row.measure, got)


def test_reference_run_to_1e_4_points(regions: pd.DataFrame, shared_data: Path) -> None:
    from tradewar.world.readers.cp2015 import CP2015_REGIONS

    ref = pd.read_csv(shared_data / "cp2015_nafta" / "expected" / "reference_run_cp2015_jax_all_regions.csv")
    codes = list(CP2015_REGIONS)
    assert len(ref) == len(codes) == 31
    ref.index = pd.Index(codes, name="region")
    for paper, ours in (
        ("welfare_pct", "tot_plus_vot_pct"),
        ("terms_of_trade_pct", "terms_of_trade_pct"),
        ("volume_of_trade_pct", "volume_of_trade_pct"),
        ("real_wage_pct", "real_wage_pct"),
    ):
        diff = np.abs(regions.loc[codes, ours].to_numpy() - ref[paper].to_numpy())
        assert diff.max() < 1e-4, (paper, codes[int(diff.argmax())], diff.max())
    # MODELS.md: real wages to six digits
    for code, value in (("MEX", 1.715323), ("CAN", 0.322829), ("USA", 0.112442)):
        assert regions.loc[code, "real_wage_pct"] == pytest.approx(value, abs=5e-6)


def test_same_numbers_as_the_engine_validation(regions: pd.DataFrame, shared_data: Path) -> None:
    from tradewar.model.validation import nafta_equilibria
    from tradewar.world.load import load_world

    world = load_world(f"cp2015:{shared_data / 'cp2015_nafta'}")
    _, cfl = nafta_equilibria(world)
    eng = cfl.regions
    for col in ("welfare_pct", "tot_plus_vot_pct", "real_wage_pct", "terms_of_trade_pct"):
        np.testing.assert_allclose(regions.loc[eng.index, col].to_numpy(), eng[col].to_numpy(), atol=1e-7)
