"""The shipped default world: cited margins reproduced, rebuild equals the shipped bundle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tradewar.errors import DataError
from tradewar.world import default_build as build
from tradewar.world.load import _load_shipped, load_world, stylized_notice
from tradewar.world.world import World


@pytest.fixture(scope="module")
def world() -> World:
    return load_world("default")


@pytest.fixture(scope="module")
def src() -> build.Sources:
    return build.load_sources()


def test_loads_and_is_stylized() -> None:
    _load_shipped.cache_clear()
    w = load_world("default")
    assert w.meta.stylized
    assert w.shape == (9, 12)
    assert w.regions == ["USA", "CHN", "EU", "JPN", "KOR", "TWN", "IND", "ASEAN", "ROW"]
    for s in ("CRM", "SEM", "SME", "ELE", "VEH", "DIG"):
        assert s in w.sectors
    notice = stylized_notice(w)
    assert notice is not None and "not for policy conclusions" in notice
    assert load_world("default") is load_world("default")  # cached, immutable


def test_everything_flagged_imputed(world: World) -> None:
    for var in ("intermediate", "final_demand", "value_added", "tariff", "theta"):
        assert bool(world.imputed[var].all()), var


def test_rebuild_matches_shipped_bundle(world: World) -> None:
    rebuilt = build.build_default_world()
    for var in ("intermediate", "final_demand", "value_added", "tariff", "theta"):
        np.testing.assert_allclose(rebuilt.data[var].values, world.data[var].values, rtol=1e-9, atol=1e-9)
    assert rebuilt.meta == world.meta


def test_gdp(world: World, src: build.Sources) -> None:
    gdp = src.c("gdp")
    va = world.value_added.sum("sector")
    for r in build.REGIONS[:-1]:
        # value added is the cost residual: tariffs paid on inputs lower it a little
        assert float(va.sel(region=r)) == pytest.approx(gdp[r], rel=0.015), r
        assert float(va.sel(region=r)) <= gdp[r]
    assert float(va.sum()) == pytest.approx(gdp["WORLD"], rel=0.01)


def test_exports_and_deficit(world: World, src: build.Sources) -> None:
    exports = world.exports.sum("product")
    for r, value in src.c("exports").items():
        assert float(exports.sel(region=r)) == pytest.approx(value, rel=1e-6), r
    assert float(world.deficit.sel(region="USA")) == pytest.approx(src.c("us_trade_deficit")["USA"], rel=1e-6)
    assert float(world.deficit.sum()) == pytest.approx(0.0, abs=1e-6)


def test_chokepoint_sectors(world: World, src: build.Sources) -> None:
    x = world.gross_output
    assert float(x.sel(sector="SEM").sum()) == pytest.approx(src.c("semiconductor_sales")["WORLD"], rel=1e-9)
    shares = x.sel(sector="SEM") / x.sel(sector="SEM").sum() * 100
    for r, v in src.c("semiconductor_capacity_share").items():
        assert float(shares.sel(region=r)) == pytest.approx(v, abs=1e-6)
    assert float(x.sel(sector="CRM").sum()) == pytest.approx(src.c("critical_minerals_market")["WORLD"])
    units = src.c("vehicle_production")
    veh = x.sel(sector="VEH") / x.sel(sector="VEH").sum()
    assert float(veh.sel(region="CHN")) == pytest.approx(units["CHN"] / sum(units.values()))
    # chip tools are investment goods: purchases by region equal SEMI's billings
    billings = src.c("sme_billings")
    bought = world.final_demand.sel(product="SME").sum("origin")
    for r, v in billings.items():
        assert float(bought.sel(region=r)) == pytest.approx(v, rel=1e-9, abs=1e-9), r
    assert float(world.intermediate.sel(product="SME").sum()) == 0.0


def test_tariffs(world: World, src: build.Sources) -> None:
    cited = src.c("us_china_tariffs")
    goods = build.GOODS
    for key, exporter, importer in (("USA_on_CHN", "CHN", "USA"), ("CHN_on_USA", "USA", "CHN")):
        flows = world.trade.sel(origin=exporter, region=importer, product=goods)
        t = world.tariff.sel(origin=exporter, region=importer, product=goods)
        assert float((t * flows).sum() / flows.sum()) * 100 == pytest.approx(cited[key], abs=1e-9)
    assert float(world.tariff.sel(product="SEM", origin="CHN", region="USA")) >= 0.5
    diag = world.tariff.values[np.arange(9), np.arange(9), :]
    assert (diag == 0).all()
    assert float(world.tariff.sel(product=["DIG", "SRV"]).max()) == 0.0


def test_sources_reject_duplicates_and_unknown_keys(tmp_path: Path) -> None:
    text = build.SOURCES_FILE.read_text()
    dup = tmp_path / "dup.yaml"
    dup.write_text(text.replace("base_year: 2023\n", "base_year: 2023\nbase_year: 2024\n"))
    with pytest.raises(DataError, match="duplicate key 'base_year'"):
        build.load_sources(dup)
    extra = tmp_path / "extra.yaml"
    extra.write_text(text.replace("base_year: 2023\n", "base_year: 2023\nbogus: 1\n"))
    with pytest.raises(DataError, match="bogus"):
        build.load_sources(extra)


def test_every_cited_entry_has_a_source(src: build.Sources) -> None:
    for key, entry in src.cited.items():
        assert entry.source.url.startswith("https://"), key
        assert entry.source.year >= 2024, key
        assert entry.source.publisher and entry.source.table, key
