"""`world build`: aggregation, splitting by HS6 trade shares, RAS to output shares, checks.

Every input is written here: a small table in the OECD ICIO 2023 layout, concordances and
a bilateral HS6 trade table; nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradewar.errors import ConcordanceError, DataError, UnknownCodeError
from tradewar.world.aggregate import aggregate
from tradewar.world.build import CALIBRATION_FILE, build_world, check_output_folder, write_build
from tradewar.world.bundle import read_bundle
from tradewar.world.readers.icio import FINAL_DEMAND, read_icio
from tradewar.world.split import read_hs6_trade, read_sector_map, split_sectors, trade_shares
from tradewar.world.world import World

COUNTRIES = ["USA", "CN1", "CN2", "DEU", "FRA", "ROW"]
FD_COUNTRIES = ["USA", "CHN", "DEU", "FRA", "ROW"]
INDUSTRIES = ["A01_02", "C26", "C27", "J62_63", "K"]
REGIONS = {"USA": "USA", "CHN": "CHN", "DEU": "EU", "FRA": "EU", "ROW": "ROW"}
SECTOR_MAP = """from,to,hs6,name
A01_02,AGR,,Agriculture
C26,SEMA,854231,Advanced chips
C26,SEMM,854239 8541,Mature chips
C26,ELE,8471 8517,Electronics
C27,ELE,,Electronics
J62_63,DIG,,Digital services
K,SRV,,Other services
"""
#: HS6 trade of the C26 codes (exporter, importer, hs6, value); JPN is not in the region map.
TRADE = {
    ("USA", "CHN"): {"854231": 30.0, "854239": 10.0, "854110": 0.0, "847130": 60.0},
    ("CHN", "USA"): {"854231": 1.0, "854239": 9.0, "851712": 90.0},
    ("DEU", "FRA"): {"854231": 2.0, "854239": 6.0, "847130": 12.0},
    ("DEU", "USA"): {"854239": 5.0, "847130": 15.0},
    ("FRA", "CHN"): {"854231": 4.0, "847130": 4.0},
    ("JPN", "CHN"): {"854231": 10.0, "854110": 10.0},
    ("USA", "DEU"): {"100199": 50.0},  # wheat: not in any split, ignored
}


def icio_frame(seed: int = 0) -> pd.DataFrame:
    """A balanced table in the ICIO 2023 layout (rows CCC_IND + TLS, VA, OUT)."""
    rng = np.random.default_rng(seed)
    ind = [f"{c}_{i}" for c in COUNTRIES for i in INDUSTRIES]
    fd = [f"{c}_{k}" for c in FD_COUNTRIES for k in FINAL_DEMAND]
    n = len(ind)
    Z = rng.uniform(0.0, 10.0, size=(n, n))
    F = rng.uniform(5.0, 30.0, size=(n, len(fd)))
    out = Z.sum(axis=1) + F.sum(axis=1)
    tls = Z.sum(axis=0) * 0.02
    va = out - Z.sum(axis=0) - tls
    body = np.vstack([np.hstack([Z, F, out[:, None]]), np.hstack([tls, np.full(len(fd), 1.0), [np.nan]])])
    body = np.vstack([body, np.hstack([va, np.full(len(fd), np.nan), [np.nan]])])
    body = np.vstack([body, np.hstack([out, np.full(len(fd), np.nan), [np.nan]])])
    frame = pd.DataFrame(body, index=[*ind, "TLS", "VA", "OUT"], columns=[*ind, *fd, "OUT"])
    frame.index.name = "V1"
    return frame


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("build")
    icio = d / "ICIO2023_2020.csv"
    icio_frame().to_csv(icio)
    regions = d / "regions.csv"
    regions.write_text("from,to\n" + "".join(f"{k},{v}\n" for k, v in REGIONS.items()))
    sectors = d / "sectors.csv"
    sectors.write_text(SECTOR_MAP)
    trade = d / "trade.csv"
    rows = [(o, i, h, v) for (o, i), cells in TRADE.items() for h, v in cells.items()]
    pd.DataFrame(rows, columns=["exporter", "importer", "hs6", "value"]).to_csv(trade, index=False)
    return {"icio": icio, "regions": regions, "sectors": sectors, "trade": trade, "dir": d}


@pytest.fixture(scope="module")
def source(files: dict[str, Path]) -> World:
    return read_icio(files["icio"])


@pytest.fixture(scope="module")
def built(files: dict[str, Path], source: World):
    return build_world(
        source, regions=files["regions"], sectors=files["sectors"], trade=files["trade"], name="test"
    )


def test_built_labels_and_calibration(built, source: World) -> None:
    w = built.world
    assert w.regions == ["USA", "CHN", "EU", "ROW"]
    assert w.sectors == ["AGR", "SEMA", "SEMM", "ELE", "DIG", "SRV"]
    assert w.meta.sector_names["SEMA"] == "Advanced chips"
    assert not w.meta.stylized
    table = built.calibration
    assert table["within"].all(), table[~table["within"]]
    assert set(table["kind"]) == {
        "bilateral_goods",
        "bilateral_services",
        "gdp",
        "exports_goods",
        "imports_goods",
    }
    assert len(table) == 4 * 3 * 2 + 4 * 3
    # totals preserved: world output equals the source's
    assert float(w.gross_output.sum()) == pytest.approx(float(source.gross_output.sum()), rel=1e-12)
    assert built.unmapped_countries == ("JPN",)
    assert any("JPN" in note for note in w.meta.notes)


def test_pair_split_follows_trade_shares(built, source: World) -> None:
    w = built.world
    T = w.trade
    # USA -> CHN: SEMA 30, SEMM 10 + 0, ELE 60 (C26 part); C27 goes to ELE whole
    src = aggregate(source, regions=REGIONS)
    c26 = float(src.trade.sel(origin="USA", product="C26", region="CHN"))
    assert float(T.sel(origin="USA", product="SEMA", region="CHN")) == pytest.approx(0.3 * c26)
    assert float(T.sel(origin="USA", product="SEMM", region="CHN")) == pytest.approx(0.1 * c26)
    c27 = float(src.trade.sel(origin="USA", product="C27", region="CHN"))
    assert float(T.sel(origin="USA", product="ELE", region="CHN")) == pytest.approx(0.6 * c26 + c27)
    # EU -> CHN: only FRA's 4 + 4 (DEU->FRA is inside the EU)
    c26 = float(src.trade.sel(origin="EU", product="C26", region="CHN"))
    assert float(T.sel(origin="EU", product="SEMA", region="CHN")) == pytest.approx(0.5 * c26)
    # ROW -> CHN: JPN counted in ROW (SEMA 10, SEMM 10 via the 8541 prefix)
    c26 = float(src.trade.sel(origin="ROW", product="C26", region="CHN"))
    assert float(T.sel(origin="ROW", product="SEMA", region="CHN")) == pytest.approx(0.5 * c26)


def test_domestic_cells_use_exporter_shares(built, source: World) -> None:
    w = built.world
    src = aggregate(source, regions=REGIONS)
    # USA's exports in the table: SEMA 30, SEMM 10, ELE 60 (wheat is in no split) -> 100
    c26 = float(src.trade.sel(origin="USA", product="C26", region="USA"))
    assert float(w.trade.sel(origin="USA", product="SEMA", region="USA")) == pytest.approx(c26 * 30 / 100)
    # EU's exports incl. DEU -> FRA: SEMA 6, SEMM 11, ELE 31 -> 48
    c26 = float(src.trade.sel(origin="EU", product="C26", region="EU"))
    assert float(w.trade.sel(origin="EU", product="SEMM", region="EU")) == pytest.approx(c26 * 11 / 48)
    # a pair without trade in the table (USA -> ROW) takes the exporter's shares
    c26 = float(src.trade.sel(origin="USA", product="C26", region="ROW"))
    assert float(w.trade.sel(origin="USA", product="SEMA", region="ROW")) == pytest.approx(c26 * 30 / 100)


def test_pieces_aggregate_back_to_the_source(files: dict[str, Path], source: World) -> None:
    src = aggregate(source, regions=REGIONS)
    smap = read_sector_map(files["sectors"])
    shares, _ = trade_shares(
        read_hs6_trade(files["trade"]), smap, REGIONS, src.regions, fallback_region="ROW"
    )
    split = split_sectors(src, smap, shares)
    assert split.sectors == ["A01_02", "C26>SEMA", "C26>SEMM", "C26>ELE", "C27", "J62_63", "K"]
    back = aggregate(split, sectors={s: s.split(">")[0] for s in split.sectors})
    for var in ("intermediate", "final_demand", "value_added"):
        np.testing.assert_allclose(back.data[var].values, src.data[var].values, rtol=1e-12, atol=1e-9)
    # imputed: every cell in a piece's row or column, nothing else
    imp = split.imputed["intermediate"]
    assert bool(imp.sel(product="C26>SEMA", sector="K").all())
    assert bool(imp.sel(product="K", sector="C26>ELE").all())
    assert not bool(imp.sel(product="K", sector="C27").any())
    assert bool(split.imputed["value_added"].sel(sector="C26>SEMM").all())
    assert not bool(split.imputed["final_demand"].sel(product="C27").any())


def test_output_shares_by_ras(files: dict[str, Path], source: World) -> None:
    shares = files["dir"] / "shares.csv"
    shares.write_text("region,sector,share\nCHN,SEMA,0.05\nCHN,SEMM,0.25\nCHN,ELE,0.70\n")
    b = build_world(
        source,
        regions=files["regions"],
        sectors=files["sectors"],
        trade=files["trade"],
        output_shares=shares,
    )
    x = b.world.gross_output.sel(region="CHN")
    src = aggregate(source, regions=REGIONS)
    c26 = float(src.gross_output.sel(region="CHN", sector="C26"))
    assert float(x.sel(sector="SEMA")) == pytest.approx(0.05 * c26, rel=1e-8)
    assert float(x.sel(sector="SEMM")) == pytest.approx(0.25 * c26, rel=1e-8)
    assert b.calibration["within"].all()
    # regions not listed keep the trade-implied split
    usa = b.world.gross_output.sel(region="USA", sector="SEMA")
    ref = build_world(source, regions=files["regions"], sectors=files["sectors"], trade=files["trade"])
    assert float(usa) == pytest.approx(float(ref.world.gross_output.sel(region="USA", sector="SEMA")))


def test_output_shares_must_sum_to_one(files: dict[str, Path], source: World) -> None:
    shares = files["dir"] / "bad_shares.csv"
    shares.write_text("region,sector,share\nCHN,SEMA,0.05\nCHN,SEMM,0.25\nCHN,ELE,0.60\n")
    with pytest.raises(DataError, match=r"sum to 0\.9") as err:
        build_world(
            source,
            regions=files["regions"],
            sectors=files["sectors"],
            trade=files["trade"],
            output_shares=shares,
        )
    assert "bad_shares.csv" in str(err.value) and "fix:" in str(err.value)


def _write(d: Path, name: str, text: str) -> Path:
    p = d / name
    p.write_text(text)
    return p


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        (SECTOR_MAP.replace("854239 8541", "854239 8541 854231"), ConcordanceError, "in two target sectors"),
        (SECTOR_MAP.replace("8471 8517", "85"), ConcordanceError, "in two target sectors"),
        (SECTOR_MAP.replace("C27,ELE,,", "C27,ELE,8504,"), ConcordanceError, "C27 is not split"),
        (SECTOR_MAP.replace("8471 8517", ""), ConcordanceError, "lists no HS codes"),
        (SECTOR_MAP.replace("854231", "85423"), ConcordanceError, "not 2, 4 or 6 digits"),
        (SECTOR_MAP.replace("K,SRV", "KK,SRV"), UnknownCodeError, "'KK'"),
        (SECTOR_MAP.replace("K,SRV,,Other services\n", ""), ConcordanceError, "would be dropped"),
        (SECTOR_MAP.replace("from,to", "source,to"), DataError, r"\['from'\] not found"),
    ],
)
def test_sector_map_errors(
    files: dict[str, Path], source: World, text: str, error: type[Exception], match: str
) -> None:
    path = _write(files["dir"], "bad_sectors.csv", text)
    with pytest.raises(error, match=match) as err:
        build_world(source, regions=files["regions"], sectors=path, trade=files["trade"])
    assert "bad_sectors.csv" in str(err.value)


@pytest.mark.parametrize(
    ("text", "match", "field"),
    [
        ("exporter,importer,hs6,val\nUSA,CHN,854231,1\n", r"\['value'\] not found", "value"),
        ("exporter,importer,hs6,value\nUSA,CHN,854231,-1\n", "negative", "value"),
        ("exporter,importer,hs6,value\nUSA,CHN,854231,x\n", "non-numeric", "value"),
        ("exporter,importer,hs6,value\nUSA,CHN,8542311,1\n", "not six digits", "hs6"),
        ("exporter,importer,hs6,value\nUSA,CHN,100199,1\n", "no trade in the HS codes", "hs6"),
    ],
)
def test_trade_table_errors(files: dict[str, Path], source: World, text: str, match: str, field: str) -> None:
    path = _write(files["dir"], "bad_trade.csv", text)
    with pytest.raises(DataError, match=match) as err:
        build_world(source, regions=files["regions"], sectors=files["sectors"], trade=path)
    assert "bad_trade.csv" in str(err.value) and field in str(err.value)


def test_split_needs_trade_and_known_countries(files: dict[str, Path], source: World) -> None:
    with pytest.raises(DataError, match="--trade"):
        build_world(source, regions=files["regions"], sectors=files["sectors"])
    # a source without ROW has no region for countries outside the map: an error
    smap = read_sector_map(files["sectors"])
    with pytest.raises(UnknownCodeError, match="'JPN'") as err:
        trade_shares(
            read_hs6_trade(files["trade"]),
            smap,
            REGIONS,
            ["USA", "CHN", "EU", "ROW"],
            fallback_region=None,
            file="trade.csv",
        )
    assert "trade.csv" in str(err.value) and "exporter, importer" in str(err.value)


def test_region_map_errors(files: dict[str, Path], source: World) -> None:
    path = _write(files["dir"], "bad_regions.csv", "from,to\nUSA,USA\nCHN,CHN\nDEU,EU\nROW,ROW\n")
    with pytest.raises(ConcordanceError, match="FRA"):
        build_world(source, regions=path, sectors=files["sectors"], trade=files["trade"])
    path = _write(files["dir"], "bad_regions.csv", "from,to\nUSA,USA\nUSA,CHN\n")
    with pytest.raises(ConcordanceError, match="more than once"):
        build_world(source, regions=path, sectors=files["sectors"], trade=files["trade"])


def test_write_build_and_safe_output(built, tmp_path: Path) -> None:
    out = write_build(built, tmp_path / "bundle")
    w = read_bundle(out)
    assert w.sectors == built.world.sectors
    table = pd.read_csv(out / CALIBRATION_FILE)
    assert list(table.columns)[:4] == ["key", "kind", "what", "world"]
    assert len(table) == len(built.calibration)
    # an existing bundle is replaced, a foreign non-empty folder is not (unless forced)
    write_build(built, out)
    other = tmp_path / "notes"
    other.mkdir()
    (other / "thesis.txt").write_text("precious")
    with pytest.raises(DataError, match="not a tradewar World bundle") as err:
        write_build(built, other)
    assert "--force" in str(err.value)
    assert (other / "thesis.txt").read_text() == "precious"
    write_build(built, other, force=True)
    assert not (other / "thesis.txt").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert check_output_folder(empty) == empty
