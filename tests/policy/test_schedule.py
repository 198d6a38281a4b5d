"""HS tariff schedules: the shipped concordance, the reader, weighting, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradewar.errors import ConcordanceError, ScenarioError
from tradewar.policy import load_concordance, load_scenario, read_schedule, sector_tariffs, translate
from tradewar.policy.schedule import HS2_CHAPTERS, Concordance, concord


def test_shipped_concordance_covers_every_hs2_chapter_once() -> None:
    conc = load_concordance("hs-default")
    hs = conc.table["code"]
    assert not hs.duplicated().any()
    chapters = set(hs[hs.str.len() == 2])
    assert chapters == set(HS2_CHAPTERS)
    # every HS6 code in any chapter maps to exactly one sector
    for ch in HS2_CHAPTERS:
        assert conc.sector_of(ch + "0000") is not None


@pytest.mark.parametrize(
    ("hs6", "sector"),
    [
        ("848620", "SME"),  # semiconductor manufacturing machines
        ("854231", "SEMA"),  # processors and controllers
        ("854232", "SEMA"),  # memories
        ("854233", "SEMM"),  # amplifiers
        ("854140", "SEMM"),  # LEDs (HS 8541)
        ("280530", "REE"),  # rare-earth metals
        ("284690", "REE"),  # rare-earth compounds
        ("811292", "CRM"),  # gallium, germanium ... unwrought
        ("850511", "REE"),  # permanent magnets
        ("850760", "VEH"),  # lithium-ion batteries
        ("870380", "VEH"),  # electric cars
        ("847130", "ELE"),  # laptops
        ("851712", "ELE"),  # phones
        ("100199", "AGR"),
        ("270900", "ENE"),
    ],
)
def test_chokepoint_codes_go_to_their_sectors(hs6: str, sector: str) -> None:
    assert load_concordance().sector_of(hs6) == sector


def test_concordance_errors(tmp_path: Path) -> None:
    bad = tmp_path / "c.csv"
    bad.write_text("hs,sector\n01,A\n01,B\n")
    with pytest.raises(ConcordanceError, match="more than once"):
        load_concordance(str(bad))
    bad.write_text("hs,sector\n1,A\n")
    with pytest.raises(ConcordanceError, match="not 2 to 6 digits"):
        load_concordance(str(bad))
    conc = Concordance("tiny", pd.DataFrame({"code": ["01"], "sector": ["A"], "description": [""]}))
    with pytest.raises(ConcordanceError, match="matches no row"):
        concord(["020110"], conc)


def test_weighted_and_simple_means(tmp_path: Path) -> None:
    conc = Concordance(
        "tiny",
        pd.DataFrame({"code": ["01", "02", "0201"], "sector": ["A", "B", "A"], "description": ["", "", ""]}),
    )
    sched = pd.Series([0.1, 0.3, 0.2, 0.5], index=["010101", "020101", "020201", "020301"])
    # 0201 goes to A by the longer prefix
    simple = sector_tariffs(sched, conc)
    assert simple["A"] == pytest.approx((0.1 + 0.3) / 2)
    assert simple["B"] == pytest.approx((0.2 + 0.5) / 2)
    w = pd.Series([1.0, 3.0, 0.0, 2.0], index=sched.index)
    weighted = sector_tariffs(sched, conc, w)
    assert weighted["A"] == pytest.approx((0.1 + 0.9) / 4)
    assert weighted["B"] == pytest.approx(0.5)


def test_reader_errors(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text("hs6,rate\n010101,5\n")
    with pytest.raises(ScenarioError, match="columns"):
        read_schedule(p)
    p.write_text("hs6,tariff\n010101,5\n010101,6\n")
    with pytest.raises(ScenarioError, match="appears twice"):
        read_schedule(p)
    p.write_text("hs6,tariff\n010101,abc\n")
    with pytest.raises(ScenarioError, match="not numbers"):
        read_schedule(p)
    p.write_text("hs6,tariff\n10101,5\n")  # leading zero lost by a spreadsheet: restored
    assert read_schedule(p).index.tolist() == ["010101"]


def test_us_section_301_schedule_as_of_dates(shared_data: Path) -> None:
    path = shared_data / "us_china_tradewar_tariffs" / "us_tariffs_2020.csv"
    with pytest.raises(ScenarioError, match="38 tariffs are missing"):  # 38 HS 44 lines on 2018-01-01
        read_schedule(path, date_column="time_of_tariff", as_of="2018-01-01")
    before = read_schedule(path, date_column="time_of_tariff", as_of="2018-01-01", missing="skip")
    after = read_schedule(path, date_column="time_of_tariff", as_of="2020-02-14", missing="skip")
    assert after.index.is_unique and len(after) == 5114  # SOURCE.md: 5,114 HS6 codes
    assert len(before) == 5114 - 38
    assert after["848620"] == pytest.approx(0.25)  # chip-making machines, List 2 (2018-08-23)
    assert after["854231"] == pytest.approx(0.25)
    assert before["848620"] == pytest.approx(0.0)
    # simple means of the lines (no HS6 trade weights in the data): MFN ~4.6 %, after ~24.8 %
    assert before.mean() == pytest.approx(0.04596, abs=1e-4)
    assert after.mean() == pytest.approx(0.24839, abs=1e-4)
    by_sector = sector_tariffs(after, load_concordance())
    assert by_sector["SME"] == pytest.approx(0.25, abs=0.03)
    assert ((by_sector >= 0) & (by_sector < 1)).all()


def test_schedule_measure_in_a_scenario(tmp_path: Path, small_world) -> None:
    (tmp_path / "sched.csv").write_text("hs6,tariff\n010101,10\n020101,30\n")
    (tmp_path / "conc.csv").write_text("hs,sector,description\n01,S000,x\n02,S001,y\n")
    (tmp_path / "w.csv").write_text("hs6,value\n010101,1\n020101,1\n")
    text = """\
title: Schedule test
description: HS schedule on a synthetic world
measures:
  - type: tariff_schedule
    imposer: R000
    target: R001
    file: sched.csv
    unit: percent
    weights: w.csv
    concordance: conc.csv
    years: 2026
    source: {document: "A schedule", date: 2020-02-14}
"""
    (tmp_path / "s.yaml").write_text(text)
    sc = load_scenario(str(tmp_path / "s.yaml"))
    pol = translate(sc, small_world, [2026])[2026]
    t = pol.tariff.sel(origin="R001", region="R000")
    assert float(t.sel(product="S000")) == pytest.approx(0.10)
    assert float(t.sel(product="S001")) == pytest.approx(0.30)
    np.testing.assert_allclose(
        float(t.sel(product="S002")),
        float(small_world.tariff.sel(origin="R001", region="R000", product="S002")),
    )
    (tmp_path / "conc.csv").write_text("hs,sector,description\n01,S000,x\n02,XYZ,y\n")
    with pytest.raises(ScenarioError, match="does not have"):
        translate(sc, small_world, [2026])


def test_section_301_schedule_on_the_default_world(shared_data: Path, tmp_path: Path, monkeypatch) -> None:
    from tradewar.world.load import load_world

    monkeypatch.setenv("TRADEWAR_SHARED_DATA", str(shared_data))
    (tmp_path / "s301.yaml").write_text(
        """\
title: Section 301 tariffs after Phase One
description: the US tariff schedule on China of 14 February 2020, concorded to the default world
measures:
  - name: section-301-2020
    type: tariff_schedule
    imposer: USA
    target: CHN
    file: ${TRADEWAR_SHARED_DATA}/us_china_tradewar_tariffs/us_tariffs_2020.csv
    unit: percent
    columns: {code: hs6, tariff: tariff, date: time_of_tariff}
    as_of: 2020-02-14
    weights: equal
    missing: skip
    years: 2026-2030
    source: {document: "USITC HTS China tariffs annex via tradewar-tracker (Waugh)", date: 2021-04-07}
    assumption: simple means of HS6 lines (no HS6 trade weights in the data)
"""
    )
    world = load_world("default")
    pol = translate(load_scenario(str(tmp_path / "s301.yaml")), world, [2026])[2026]
    t = pol.tariff.sel(origin="CHN", region="USA")
    assert float(t.sel(product="SME")) == pytest.approx(0.25, abs=0.03)
    assert float(t.sel(product="DIG")) == float(world.tariff.sel(origin="CHN", region="USA", product="DIG"))
    goods = [s for s in world.sectors if s not in ("DIG", "SRV")]
    assert ((t.sel(product=goods) > 0.05) & (t.sel(product=goods) < 0.5)).all()


def test_naics3_concordance_covers_us_trade_codes(shared_data: Path) -> None:
    conc = load_concordance("naics3-default")
    codes = pd.read_csv(shared_data / "us_china_tradewar_tariffs" / "imports_by_naics.csv", dtype=str)[
        "naics3"
    ]
    sectors = concord(sorted(set(codes)), conc)
    assert sectors["334"] == "ELE" and sectors["336"] == "VEH" and sectors["325"] == "CHM"


@pytest.mark.parametrize(
    ("as_of", "mean_pct"),
    # SOURCE.md: China-trade-weighted means of imports_by_naics.csv (own calculation there)
    [("2017-12-01", 3.78), ("2018-10-01", 12.44), ("2019-10-01", 20.53), ("2020-03-01", 19.56)],
)
def test_trade_weighted_naics3_schedule(shared_data: Path, as_of: str, mean_pct: float) -> None:
    from tradewar.policy.schedule import read_schedule_table

    path = shared_data / "us_china_tradewar_tariffs" / "imports_by_naics.csv"
    table = read_schedule_table(
        path,
        code_column="naics3",
        tariff_column="tariff_trd_w_avg",
        date_column="time",
        weight_column="china_trade",
        as_of=as_of,
        digits=3,
    )
    assert len(table) == 30
    conc = load_concordance("naics3-default")
    by_sector = sector_tariffs(table["tariff"], conc, table["weight"])
    # the trade-weighted mean over sectors, weighted by each sector's trade, is the overall mean
    sector_of = concord(table.index, conc)
    sector_trade = table["weight"].groupby(sector_of).sum()
    overall = float((by_sector * sector_trade).sum() / sector_trade.sum())
    assert 100 * overall == pytest.approx(mean_pct, abs=0.005)


def test_naics3_schedule_measure_on_the_default_world(shared_data: Path, tmp_path: Path, monkeypatch) -> None:
    from tradewar.world.load import load_world

    monkeypatch.setenv("TRADEWAR_SHARED_DATA", str(shared_data))
    (tmp_path / "naics.yaml").write_text(
        """\
title: US tariffs on China by NAICS3, March 2020
description: trade-weighted US tariffs on China by industry, concorded to the default world
measures:
  - name: us-tariffs-2020-03
    type: tariff_schedule
    imposer: USA
    target: CHN
    file: ${TRADEWAR_SHARED_DATA}/us_china_tradewar_tariffs/imports_by_naics.csv
    classification: naics3
    unit: percent
    columns: {code: naics3, tariff: tariff_trd_w_avg, date: time, weight: china_trade}
    as_of: 2020-03-01
    weights: column
    years: 2026
    source: {document: "US Census imports by NAICS and USITC tariffs via tradewar-tracker", date: 2021-04-07}
"""
    )
    world = load_world("default")
    pol = translate(load_scenario(str(tmp_path / "naics.yaml")), world, [2026])[2026]
    t = pol.tariff.sel(origin="CHN", region="USA")
    for s in ("AGR", "ENE", "CHM", "MAC", "ELE", "VEH", "MAN"):
        assert 0.0 < float(t.sel(product=s)) < 0.35, s
    # sectors without a NAICS line keep the world's tariff
    for s in ("REE", "CRM", "SEMA", "SEMM", "SME", "DIG", "SRV"):
        assert float(t.sel(product=s)) == float(world.tariff.sel(origin="CHN", region="USA", product=s))
    bad = (
        (tmp_path / "naics.yaml")
        .read_text()
        .replace("weights: column", "weights: column\n    classification: hs6")
    )
    (tmp_path / "bad.yaml").write_text(bad)
    with pytest.raises(ScenarioError, match="duplicate key 'classification'"):
        load_scenario(str(tmp_path / "bad.yaml"))
