"""The shipped default world: observed figures reproduced, rebuild equals the shipped bundle."""

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


def test_loads_with_the_new_labels_and_states_its_provenance() -> None:
    _load_shipped.cache_clear()
    w = load_world("default")
    assert not w.meta.stylized
    assert w.regions == [
        "USA", "CHN", "EU", "NLD", "JPN", "KOR", "TWN", "IND", "VNM", "ASEAN", "MEX", "CAN", "AUS", "ROW",
    ]  # fmt: skip
    assert w.sectors == [
        "AGR", "ENE", "REE", "CRM", "CHM", "MAC", "SEMA", "SEMM", "SME", "ELE", "VEH", "MAN", "DIG", "SRV",
    ]  # fmt: skip
    notice = stylized_notice(w)
    assert notice is not None and "observed 2023 data" in notice and "imputed" in notice
    assert load_world("default") is load_world("default")  # cached, immutable


def test_imputed_flags_are_honest(world: World) -> None:
    """Only the US-China goods flows by sector are observed cells; every other cell is imputed."""
    inter = world.imputed["intermediate"]
    observed = ~inter.values
    assert observed.any()
    obs_pairs = {(world.regions[i], world.regions[n]) for i, _, n, _ in np.argwhere(observed)}
    assert obs_pairs == {("USA", "CHN"), ("CHN", "USA")}
    assert bool(world.imputed["final_demand"].sel(origin="CHN", region="USA", product="AGR")) is False
    assert bool(world.imputed["final_demand"].sel(product=["DIG", "SRV"]).all())
    for var in ("value_added", "tariff", "theta"):
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


def test_bilateral_goods_trade_is_the_observed_matrix(world: World, src: build.Sources) -> None:
    goods = world.trade.sel(product=build.GOODS).sum("product")
    for exporter, row in src.c("goods_trade").items():
        for importer, value in row.items():
            got = float(goods.sel(origin=exporter, region=importer))
            assert got == pytest.approx(value, rel=1e-6), (exporter, importer)


def test_us_china_goods_by_sector(world: World, src: build.Sources) -> None:
    for pair, flows in src.c("us_china_goods_by_sector").items():
        exporter, importer = pair.split(">")
        for sector, value in flows.items():
            got = float(world.trade.sel(origin=exporter, region=importer, product=sector))
            assert got == pytest.approx(value, rel=1e-6), (pair, sector)
    # the observed direction of 2018-2025: the USA sells China farm goods, not the reverse
    usa_to_chn = float(world.trade.sel(origin="USA", region="CHN", product="AGR"))
    chn_to_usa = float(world.trade.sel(origin="CHN", region="USA", product="AGR"))
    assert usa_to_chn > 3 * chn_to_usa


def test_services_and_deficit(world: World, src: build.Sources) -> None:
    serv = world.trade.sel(product=build.SERVICES).sum("product")
    pairs = src.c("services_trade_usa")
    for partner, value in pairs["EXP"].items():
        assert float(serv.sel(origin="USA", region=partner)) == pytest.approx(value, rel=1e-6), partner
    for partner, value in pairs["IMP"].items():
        assert float(serv.sel(origin=partner, region="USA")) == pytest.approx(value, rel=1e-6), partner
    assert float(world.deficit.sel(region="USA")) == pytest.approx(src.c("us_trade_deficit")["USA"], rel=0.01)
    assert float(world.deficit.sum()) == pytest.approx(0.0, abs=1e-6)


def test_chips_are_sized_by_value(world: World, src: build.Sources) -> None:
    x = world.gross_output
    chips = x.sel(sector=build.CHIPS).sum("sector")
    contract = sum(sum(v.values()) for v in src.c("chip_contract_output").values())
    # world output = chip sales (WSTS) + contract wafers and assembly sold to designers
    assert float(chips.sum()) == pytest.approx(src.c("semiconductor_sales")["WORLD"] + contract, rel=1e-9)
    assert float(chips.sel(region="USA")) > float(chips.sel(region="CHN"))  # design value at home
    # chips are about a quarter of electronics' costs
    share = world.intermediate.sel(product=build.CHIPS, sector="ELE").sum() / x.sel(sector="ELE").sum()
    assert 0.2 < float(share) < 0.33


def test_rare_earths_concentrated_in_china(world: World) -> None:
    x = world.gross_output.sel(sector="REE")
    assert float(x.sel(region="CHN") / x.sum()) == pytest.approx(0.878, abs=0.01)


def test_chip_tools_are_an_input_of_chip_making(world: World, src: build.Sources) -> None:
    """The export-control channel: chip sectors use chip tools, each region its SEMI billings."""
    lam = float(src.a("sme_capital_consumption")["share"])
    billings = src.c("sme_billings")
    final = world.final_demand.sel(product="SME").sum("origin")
    inter = world.intermediate.sel(product="SME").sum("origin")
    for r, v in billings.items():
        used = float(final.sel(region=r) + inter.sel(region=r).sum("sector"))
        assert used == pytest.approx(v, rel=1e-9, abs=1e-9), r
        assert float(inter.sel(region=r, sector=build.CHIPS).sum()) == pytest.approx(
            lam * v, rel=1e-9, abs=1e-9
        )
    assert float(inter.drop_sel(sector=build.CHIPS).sum()) == 0.0  # only chip making uses chip tools
    tools = world.intermediate.sel(product="SME", region="CHN").sum("sector")
    allied = float(tools.sel(origin=["USA", "JPN", "EU", "NLD"]).sum() / tools.sum())
    assert allied > 0.5  # most of China's chip tools come from the US, Japan and the Netherlands


def test_capital_consumption_share_is_checked(src: build.Sources) -> None:
    bad = src.model_copy(deep=True)
    bad.assumed["sme_capital_consumption"].values["share"] = 0.3  # type: ignore[index]
    with pytest.raises(DataError, match="1 - the capital-consumption share"):
        build.build_default_world(bad)


def test_tariffs(world: World, src: build.Sources) -> None:
    cited = src.c("us_china_tariffs")
    goods = build.GOODS
    for key, exporter, importer in (("USA_on_CHN", "CHN", "USA"), ("CHN_on_USA", "USA", "CHN")):
        flows = world.trade.sel(origin=exporter, region=importer, product=goods)
        t = world.tariff.sel(origin=exporter, region=importer, product=goods)
        assert float((t * flows).sum() / flows.sum()) * 100 == pytest.approx(cited[key], abs=1e-9)
    assert float(world.tariff.sel(product="SEMA", origin="CHN", region="USA")) >= 0.5
    R = len(world.regions)
    diag = world.tariff.values[np.arange(R), np.arange(R), :]
    assert (diag == 0).all()
    assert float(world.tariff.sel(product=["DIG", "SRV"]).max()) == 0.0
    assert float(world.tariff.sel(origin="MEX", region="USA").max()) == 0.0  # USMCA


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
        if not entry.verified and entry.checked.startswith("Not"):
            assert "typed from memory" in entry.checked or "not retrieved" in entry.checked, key


def test_verification_record(src: build.Sources) -> None:
    """The entries checked against a retrieved text of their publication (sources.yaml)."""
    verified = {k for k, e in src.cited.items() if e.verified}
    assert verified == {"semiconductor_sales", "sme_billings", "critical_minerals_market", "us_trade_deficit"}
    assert src.c("semiconductor_sales")["WORLD"] == pytest.approx(526.8, abs=0.5)
    assert sum(src.c("sme_billings").values()) == pytest.approx(106.3, abs=0.05)
    assert src.c("us_trade_deficit")["USA"] == pytest.approx(773.4, abs=0.5)
    # the US-China totals seen second-hand (Census via CPA, Feb 2024)
    assert src.c("goods_trade")["CHN"]["USA"] == pytest.approx(427.2)
    assert src.c("goods_trade")["USA"]["CHN"] == pytest.approx(147.8)
    # figures corrected to what the research note found for the same definition
    assert src.c("agriculture_share")["IND"] == pytest.approx(16.0)
    assert src.c("agriculture_share")["TWN"] == pytest.approx(1.4)
    assert src.c("services_trade_usa")["IMP"]["MEX"] == pytest.approx(44.8)
    services = src.c("services_trade_totals")
    assert services["EXP"]["MEX"] == pytest.approx(52.0) and services["IMP"]["IND"] == pytest.approx(247.0)


def test_calibration_report_is_shipped_and_pinned(world: World, src: build.Sources) -> None:
    """Every observed target within its tolerance."""
    import pandas as pd

    table = build.calibration_report(world, src)
    shipped = pd.read_csv(build.CALIBRATION_FILE)
    assert list(shipped["key"]) == list(table["key"])
    np.testing.assert_allclose(shipped["world"], table["world"], rtol=1e-5, atol=1e-9)
    kinds = table.groupby("kind")["key"].size().to_dict()
    assert kinds["bilateral_goods"] == 14 * 13 and kinds["bilateral_sector"] == 24
    assert kinds["bilateral_services"] == 26 and kinds["gdp"] == 13
    by = table.set_index("key")
    # bilateral totals within 5 %, US-China sector flows within 10 %
    goods = table[table["kind"] == "bilateral_goods"]
    assert (goods["error_pct"].abs() <= 5.0).all() and (goods["tolerance"] == 0.05).all()
    sector = table[table["kind"] == "bilateral_sector"]
    assert (sector["error_pct"].abs() <= 10.0).all() and (sector["tolerance"] == 0.10).all()
    # chokepoint shares within a few points
    shares = table[table["kind"] == "output_share"]
    assert {k.split(":")[1] for k in shares["key"]} == {"SME", "REE", "CHIPS"}
    assert ((shares["world"] - shares["observed"]).abs() <= 0.03).all()
    assert by.loc["share:REE:CHN", "world"] == pytest.approx(0.878, abs=0.01)
    assert 0.25 <= by.loc["input_cost_share:CHIPS:ELE", "world"] <= 0.33
    assert table["within"].all(), table.loc[~table["within"], "key"].tolist()
    # China's chip self-sufficiency, net of sales within the industry, against the same
    # concept observed: China-HQ share of world chip sales over China's share of world ICs
    ss = by.loc["self_sufficiency_net:CHN:CHIPS"]
    assert ss["observed"] == pytest.approx(src.c("chip_sales_share_by_hq")["CHN"] / 100.0 / 0.29, abs=5e-4)
    assert ss["world"] == pytest.approx(0.2247, abs=5e-4)
    assert not table[["world", "observed", "error"]].isna().any().any()
