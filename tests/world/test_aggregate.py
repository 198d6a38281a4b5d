"""Aggregation by concordance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.errors import ConcordanceError, UnknownCodeError
from tradewar.world.aggregate import aggregate, read_concordance
from tradewar.world.synthetic import synthetic_world
from tradewar.world.world import World


def _two_by_two(world: World) -> World:
    regions = {"R000": "AAA", "R001": "AAA", "R002": "BBB", "R003": "BBB"}
    sectors = {"S000": "G", "S001": "G", "S002": "H"}
    return aggregate(world, regions, sectors, region_names={"AAA": "Block A", "BBB": "Block B"})


def test_totals_preserved(small_world: World) -> None:
    agg = _two_by_two(small_world)
    assert agg.regions == ["AAA", "BBB"] and agg.sectors == ["G", "H"]
    for key in ("gross_output", "intermediate_use", "final_demand"):
        assert agg.summary()[key] == pytest.approx(small_world.summary()[key], rel=1e-12)
    # gross output by (new region, new sector) is the sum of the members'
    x = small_world.gross_output
    assert float(agg.gross_output.sel(region="AAA", sector="G")) == pytest.approx(
        float(x.sel(region=["R000", "R001"], sector=["S000", "S001"]).sum())
    )
    # world value added changes only by the tariff cost moved by averaging, and not at all
    # in total tariff revenue on international flows of aggregate pairs
    assert agg.summary()["value_added"] == pytest.approx(small_world.summary()["value_added"], rel=1e-2)


def test_tariffs_trade_weighted(small_world: World) -> None:
    agg = aggregate(
        small_world,
        {"R000": "AAA", "R001": "AAA", "R002": "R002", "R003": "R003"},
        region_names={"AAA": "A", "R002": "x", "R003": "y"},
    )
    T = small_world.trade
    t = small_world.tariff
    members = ["R000", "R001"]
    for p in small_world.sectors:
        w = T.sel(origin=members, region="R002", product=p)
        expected = float((t.sel(origin=members, region="R002", product=p) * w).sum() / w.sum())
        assert float(agg.tariff.sel(origin="AAA", region="R002", product=p)) == pytest.approx(expected)
    # flows inside the merged region are domestic: no tariff
    assert float(agg.tariff.sel(origin="AAA", region="AAA").max()) == 0.0
    # revenue on flows into R002 is preserved exactly
    assert float(agg.tariff_revenue.sel(region="R002")) == pytest.approx(
        float(small_world.tariff_revenue.sel(region="R002")), rel=1e-12
    )


def test_theta_weighted_and_identity(small_world: World) -> None:
    same = aggregate(small_world)
    np.testing.assert_allclose(same.intermediate.values, small_world.intermediate.values)
    np.testing.assert_allclose(same.value_added.values, small_world.value_added.values, rtol=1e-12)
    one = aggregate(small_world, sectors={s: "ALL" for s in small_world.sectors})
    th = small_world.theta.values
    assert th.min() <= float(one.theta.item()) <= th.max()


def test_masks_and_layers(small_world: World) -> None:
    w = World.from_arrays(
        regions=small_world.regions,
        sectors=small_world.sectors,
        intermediate=small_world.intermediate.values,
        final_demand=small_world.final_demand.values,
        value_added=small_world.value_added.values,
        tariff=small_world.tariff.values,
        theta=small_world.theta.values,
        meta=small_world.meta,
        imputed={"value_added": np.eye(4, 3, dtype=bool)},
        tariff_layers={"alt": np.full((4, 4, 3), 0.3)},
    )
    agg = _two_by_two(w)
    assert agg.imputed["value_added"].values.tolist() == [[True, False], [False, True]]
    layer = agg.tariff_layers["alt"]
    assert float(layer.sel(origin="AAA", region="BBB").min()) == pytest.approx(0.3)
    assert float(layer.sel(origin="AAA", region="AAA").max()) == 0.0


def test_csv_concordance(tmp_path: Path, small_world: World) -> None:
    path = tmp_path / "conc.csv"
    path.write_text("from,to\nS000,G\nS001,G\nS002,H\n")
    assert read_concordance(path) == {"S000": "G", "S001": "G", "S002": "H"}
    agg = aggregate(small_world, sectors=path)
    assert agg.sectors == ["G", "H"]


def test_dropped_code(small_world: World) -> None:
    with pytest.raises(ConcordanceError, match="not mapped and would be dropped") as err:
        aggregate(small_world, sectors={"S000": "G", "S001": "G"})
    assert "S002" in str(err.value)


def test_double_counted_code(tmp_path: Path, small_world: World) -> None:
    path = tmp_path / "conc.csv"
    path.write_text("from,to\nS000,G\nS001,G\nS002,H\nS000,H\n")
    with pytest.raises(ConcordanceError, match="double-counted") as err:
        aggregate(small_world, sectors=path)
    assert "conc.csv" in str(err.value)


def test_unknown_codes(small_world: World) -> None:
    with pytest.raises(UnknownCodeError, match="S009"):
        aggregate(small_world, sectors={"S000": "G", "S001": "G", "S002": "H", "S009": "H"})
    with pytest.raises(UnknownCodeError, match="ZZZ"):
        aggregate(small_world, regions={r: "ZZZ" for r in small_world.regions})


@settings(max_examples=15, deadline=None)
@given(st.integers(2, 5), st.integers(1, 4), st.integers(0, 1000))
def test_aggregation_keeps_accounts(n_regions: int, n_sectors: int, seed: int) -> None:
    w = synthetic_world(n_regions, n_sectors, seed=seed)
    rng = np.random.default_rng(seed)
    rmap = {r: f"B{rng.integers(0, 2)}" for r in w.regions}
    smap = {s: f"T{rng.integers(0, 2)}" for s in w.sectors}
    names = {f"B{i}": f"Block {i}" for i in range(2)}
    agg = aggregate(w, rmap, smap, region_names=names)  # validates the accounts
    assert agg.summary()["gross_output"] == pytest.approx(w.summary()["gross_output"], rel=1e-10)
    assert (agg.value_added.values >= 0).all()


def test_aggregate_default_world() -> None:
    from tradewar.world.load import load_world

    w = load_world("default")
    blocks = {r: "WST" for r in ("USA", "EU", "NLD", "JPN", "KOR", "TWN", "CAN", "AUS")}
    blocks |= {"CHN": "CHN"} | {r: "ROW" for r in ("IND", "VNM", "ASEAN", "MEX", "ROW")}
    chips = ["REE", "CRM", "SEMA", "SEMM", "SME"]
    sectors = {s: ("CHIPS" if s in chips else s) for s in w.sectors}
    agg = aggregate(
        w, blocks, sectors, region_names={"WST": "US and allies"}, sector_names={"CHIPS": "Chips"}
    )
    assert agg.shape == (3, 10)
    assert agg.summary()["gross_output"] == pytest.approx(w.summary()["gross_output"], rel=1e-12)
    assert agg.meta.stylized == w.meta.stylized
    # a block cell is observed only if all its members' cells are: US-China flows are
    # observed, but the allied block's flows to China are not
    assert bool(agg.imputed["intermediate"].sel(origin="WST", region="CHN").all())
    # chips bought by CHN from the allied block = the sum over members and chip sectors
    members = [r for r, b in blocks.items() if b == "WST"]
    expected = float(w.trade.sel(origin=members, region="CHN", product=chips).sum())
    assert float(agg.trade.sel(origin="WST", region="CHN", product="CHIPS")) == pytest.approx(expected)
