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
    # chip tools: each region's use (input of SEM plus investment) equals SEMI's billings,
    # a share lambda of it booked as capital consumption in chip making
    billings = src.c("sme_billings")
    lam = float(src.a("sme_capital_consumption")["share"])
    final = world.final_demand.sel(product="SME").sum("origin")
    inter = world.intermediate.sel(product="SME").sum("origin")
    for r, v in billings.items():
        used = float(final.sel(region=r) + inter.sel(region=r).sum("sector"))
        assert used == pytest.approx(v, rel=1e-9, abs=1e-9), r
        assert float(inter.sel(region=r, sector="SEM")) == pytest.approx(lam * v, rel=1e-9, abs=1e-9), r
    assert float(inter.drop_sel(sector="SEM").sum()) == 0.0  # SEM is the only user


def test_chip_tools_are_an_input_of_chip_making(world: World, src: build.Sources) -> None:
    """The export-control channel: China's chip sector uses imported chip tools."""
    lam = float(src.a("sme_capital_consumption")["share"])
    assert 0.0 < lam < 1.0
    x = world.gross_output.sel(sector="SEM")
    tools = world.intermediate.sel(product="SME", sector="SEM")
    chn = float(tools.sel(region="CHN").sum() / x.sel(region="CHN"))
    assert 0.05 < chn < 0.3  # cost share of chip tools in China's chip making
    allied = float(tools.sel(region="CHN", origin=["USA", "JPN", "EU"]).sum() / tools.sel(region="CHN").sum())
    assert allied > 0.5  # most of it from the US, Japan and the EU
    # the value-added ratio of chip making is kept in every chip-making region (before
    # tariffs on inputs, which lower it slightly)
    va = world.value_added.sel(sector="SEM")
    ratio = (va / x).where(x > 0).dropna("region")
    v_sem = float(src.a("va_ratio")["SEM"])
    assert float(ratio.max()) <= v_sem + 1e-12
    assert float(ratio.min()) == pytest.approx(v_sem, rel=0.01)


def test_capital_consumption_share_is_checked(src: build.Sources) -> None:
    bad = src.model_copy(deep=True)
    bad.assumed["sme_capital_consumption"].values["share"] = 0.3  # type: ignore[index]
    with pytest.raises(DataError, match="1 - the capital-consumption share"):
        build.build_default_world(bad)
    zero = src.model_copy(deep=True)
    zero.assumed["sme_capital_consumption"].values["share"] = 0.0  # type: ignore[index]
    zero.assumed["final_use_share"].values["SME"] = 1.0  # type: ignore[index]
    w = build.build_default_world(zero)  # the former all-investment treatment
    assert float(w.intermediate.sel(product="SME").sum()) == pytest.approx(0.0, abs=1e-9)


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
        # every entry records the check against its publication
        assert len(entry.checked) > 40, key
        assert entry.checked.startswith("Confirmed" if entry.verified else ("Not", "Partly", "Half")), key


def test_verification_record(src: build.Sources) -> None:
    """The entries checked against a retrieved text of their publication (sources.yaml)."""
    verified = {k for k, e in src.cited.items() if e.verified}
    assert verified == {"semiconductor_sales", "sme_billings", "critical_minerals_market", "us_trade_deficit"}
    # the confirmed figures, as published (rounded in sources.yaml)
    assert src.c("semiconductor_sales")["WORLD"] == pytest.approx(526.8, abs=0.5)
    assert sum(src.c("sme_billings").values()) == pytest.approx(106.3, abs=0.05)
    assert src.c("sme_billings")["CHN"] == pytest.approx(36.60)
    assert src.c("critical_minerals_market")["WORLD"] == 325
    assert src.c("us_trade_deficit")["USA"] == pytest.approx(773.4, abs=0.5)
