"""`world build`: aggregation, splitting by HS6 trade shares, RAS to output shares, checks.

Every input is written here: a small table in the OECD ICIO 2023 layout, concordances and
a bilateral HS6 trade table; nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.errors import ConcordanceError, DataError, UnknownCodeError
from tradewar.world.aggregate import aggregate
from tradewar.world.build import CALIBRATION_FILE, build_world, check_output_folder, write_build
from tradewar.world.bundle import read_bundle
from tradewar.world.readers.icio import FINAL_DEMAND, read_icio
from tradewar.world.split import SectorMap, read_hs6_trade, read_sector_map, split_sectors, trade_shares
from tradewar.world.synthetic import synthetic_world
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


# ---------------------------------------------------------------------------- command line
SCENARIO = """\
title: Chip controls on a built world
description: end-to-end check that a built bundle runs
years: 2026-2027
measures:
  - name: chip-tariff
    type: tariff
    action: set
    imposer: USA
    target: CHN
    sectors: [SEMA, SEMM]
    magnitude: {unit: percent, value: 50}
    years: 2026-2027
    assumption: test
  - name: chip-ban
    type: export_control
    mode: ban
    imposer: USA
    target: CHN
    sectors: [SEMA]
    years: 2027-
    assumption: test
"""


def _build_args(files: dict[str, Path], out: Path) -> list[str]:
    return [
        "world",
        "build",
        f"icio:{files['icio']}",
        "--regions",
        str(files["regions"]),
        "--sectors",
        str(files["sectors"]),
        "--trade",
        str(files["trade"]),
        "--out",
        str(out),
    ]


def test_cli_build_then_run(files: dict[str, Path], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tradewar.cli.main import app

    runner = CliRunner()
    bundle = tmp_path / "chips"
    res = runner.invoke(app, _build_args(files, bundle))
    assert res.exit_code == 0, res.output
    assert "36 of 36 targets within tolerance" in res.output
    assert "C26 split into SEMA, SEMM, ELE" in res.output
    assert (bundle / CALIBRATION_FILE).is_file() and (bundle / "manifest.json").is_file()
    assert read_bundle(bundle).meta.name == "chips"
    scenario = tmp_path / "chips.yaml"
    scenario.write_text(SCENARIO)
    res = runner.invoke(
        app, ["run", str(scenario), "--world", str(bundle), "--out", str(tmp_path / "run"), "--no-report"]
    )
    assert res.exit_code == 0, res.output
    regions = pd.read_csv(tmp_path / "run" / "regions.csv")
    assert set(regions["region"]) == {"USA", "CHN", "EU", "ROW"}
    assert "stylized" not in res.output
    # rebuilding over the bundle is allowed; over a foreign folder only with --force
    assert runner.invoke(app, _build_args(files, bundle)).exit_code == 0
    res = runner.invoke(app, _build_args(files, tmp_path / "run"))
    assert res.exit_code == 2 and "--force" in res.output and "Traceback" not in res.output
    assert (tmp_path / "run" / "regions.csv").is_file()


def test_cli_build_errors_name_the_file(files: dict[str, Path], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tradewar.cli.main import app

    bad = _write(tmp_path, "sectors.csv", SECTOR_MAP.replace("8471 8517", "8471 854231"))
    args = _build_args(files, tmp_path / "out")
    args[args.index("--sectors") + 1] = str(bad)
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2
    assert "error:" in res.output and str(bad) in res.output and "854231" in res.output
    assert "Traceback" not in res.output
    assert not (tmp_path / "out").exists()


def test_cli_download_oecd_wiring(
    files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pymrio = pytest.importorskip("pymrio")
    from typer.testing import CliRunner

    from tradewar.cli.main import app

    calls: list[dict[str, object]] = []

    def fake_download(storage_folder: str, version: str = "v2023", years: object = None) -> None:
        calls.append({"storage_folder": storage_folder, "version": version, "years": years})
        Path(storage_folder).mkdir(parents=True, exist_ok=True)
        (Path(storage_folder) / "ICIO2023_2020.csv").write_bytes(files["icio"].read_bytes())

    monkeypatch.setattr(pymrio, "download_oecd", fake_download)
    runner = CliRunner()
    res = runner.invoke(app, ["world", "download-oecd", "2020", "--to", str(tmp_path / "icio")])
    assert res.exit_code == 0, res.output
    assert calls == [{"storage_folder": str(tmp_path / "icio"), "version": "v2023", "years": [2020]}]
    assert "ICIO2023_2020.csv" in res.output and "tradewar world build icio:" in res.output
    # a second call finds the file and does not download again
    again = runner.invoke(app, ["world", "download-oecd", "2020", "--to", str(tmp_path / "icio")])
    assert again.exit_code == 0
    assert len(calls) == 1

    def failing(storage_folder: str, version: str = "v2023", years: object = None) -> None:
        raise OSError("no network")

    monkeypatch.setattr(pymrio, "download_oecd", failing)
    res = runner.invoke(app, ["world", "download-oecd", "2019", "--to", str(tmp_path / "icio")])
    assert res.exit_code == 2 and "download failed" in res.output and "no network" in res.output
    res = runner.invoke(app, ["world", "download-oecd", "1990"])
    assert res.exit_code == 2 and "1995-2020" in res.output


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_regions=st.integers(2, 4),
    density=st.floats(0.2, 1.0),
)
def test_split_preserves_source_cells_and_accounts(seed: int, n_regions: int, density: float) -> None:
    """Any trade table: pieces sum back to every source cell, every account closes."""
    w = synthetic_world(n_regions, 3, seed=seed)
    rng = np.random.default_rng(seed)
    pairs = [(o, i) for o in w.regions for i in w.regions]
    rows = [
        (o, i, h, float(rng.uniform(0.0, 10.0)))
        for o, i in pairs
        for h in ("111111", "222222", "333333")
        if rng.uniform() < density
    ] or [(w.regions[0], w.regions[1], "111111", 1.0)]
    trade = pd.DataFrame(rows, columns=["exporter", "importer", "hs6", "value"])
    smap = SectorMap(
        mapping={"S000": "A", "S002": "C"},
        splits={"S001": {"B1": ("111111",), "B2": ("2222",), "B3": ("33",)}},
    )
    regions = {r: r for r in w.regions}
    shares, _ = trade_shares(trade, smap, regions, w.regions, fallback_region=None)
    np.testing.assert_allclose(shares["S001"].shares.sum(axis=2), 1.0)
    split = split_sectors(w, smap, shares)  # validates every account
    back = aggregate(split, sectors={s: s.split(">")[0] for s in split.sectors})
    for var in ("intermediate", "final_demand", "value_added", "tariff"):
        np.testing.assert_allclose(back.data[var].values, w.data[var].values, rtol=1e-9, atol=1e-9)


TARGETS = """key,kind,origin,region,sector,observed,unit,source,tolerance,relative
chips:USA,output_share,,USA,SEMA,0.25,fraction,test data,0.5,false
goods:USA>CHN,bilateral_goods,USA,CHN,,1e9,USD million,test data,0.1,
"""


def test_observed_targets_reported_beside(files: dict[str, Path], source: World, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tradewar.cli.main import app

    path = _write(tmp_path, "targets.csv", TARGETS)
    b = build_world(
        source, regions=files["regions"], sectors=files["sectors"], trade=files["trade"], targets=path
    )
    assert b.n_preserved == 36 and len(b.calibration) == 38 and b.preserved
    rows = b.calibration.iloc[36:].set_index("key")
    assert bool(rows.loc["chips:USA", "within"]) and not bool(rows.loc["goods:USA>CHN", "within"])
    share = (
        b.world.gross_output.sel(region="USA", sector="SEMA") / b.world.gross_output.sel(sector="SEMA").sum()
    )
    assert rows.loc["chips:USA", "world"] == pytest.approx(float(share))
    args = [*_build_args(files, tmp_path / "b"), "--targets", str(path)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output  # observed targets outside tolerance do not fail a build
    assert "observed targets: 1 of 2 targets within tolerance" in res.output
    assert len(pd.read_csv(tmp_path / "b" / CALIBRATION_FILE)) == 38


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (TARGETS.replace("output_share", "output_shar"), "field 'kind': data row 1"),
        (TARGETS.replace("0.25,fraction", "x,fraction"), "data row 1 .*could not convert"),
        (TARGETS.replace(",false", ",maybe"), "relative must be true or false"),
        (TARGETS.replace(",,USA,SEMA", ",,,SEMA"), "needs labels"),
        (TARGETS.replace("tolerance,relative", "tol,relative"), r"\['tolerance'\] not found"),
    ],
)
def test_read_targets_errors(tmp_path: Path, text: str, match: str) -> None:
    from tradewar.world.calibration import read_targets

    path = _write(tmp_path, "targets.csv", text)
    with pytest.raises(DataError, match=match) as err:
        read_targets(path)
    assert "targets.csv" in str(err.value)


def test_baci_file_as_released(tmp_path: Path) -> None:
    """BACI's own layout (t, i, j, k, v, q; numeric countries; k without leading zeros)."""
    countries = _write(
        tmp_path,
        "country_codes_V202401.csv",
        'country_code,country_name,country_iso2,country_iso3\n156,China,CN,CHN\n490,"Other Asia, nes",,S19\n'
        "842,USA,US,USA\n",
    )
    baci = _write(
        tmp_path,
        "BACI_HS17_Y2022_V202401.csv",
        "t,i,j,k,v,q\n2022,490,156,854231,100.5,1.0\n2022,842,490,10121,2.0,0.1\n",
    )
    df = read_hs6_trade(baci, baci_countries=countries)
    assert df["exporter"].tolist() == ["TWN", "USA"]
    assert df["importer"].tolist() == ["CHN", "TWN"]
    assert df["hs6"].tolist() == ["854231", "010121"]
    assert df["value"].tolist() == [100.5, 2.0]
    with pytest.raises(DataError, match="looks like CEPII BACI") as err:
        read_hs6_trade(baci)
    assert "--baci-countries" in str(err.value)
    bad = _write(tmp_path, "baci_bad.csv", "t,i,j,k,v,q\n2022,999,156,854231,1.0,1.0\n")
    with pytest.raises(DataError, match="'999'") as err:
        read_hs6_trade(bad, baci_countries=countries)
    assert "baci_bad.csv" in str(err.value) and "field 'exporter'" in str(err.value)


def test_output_shares_that_cannot_be_met(files: dict[str, Path], source: World, tmp_path: Path) -> None:
    # ROW's trade in the table has no electronics codes, so its ELE piece has no sales to scale
    shares = _write(tmp_path, "shares.csv", "region,sector,share\nROW,SEMA,0.3\nROW,SEMM,0.3\nROW,ELE,0.4\n")
    with pytest.raises(DataError, match="cannot be met") as err:
        build_world(
            source,
            regions=files["regions"],
            sectors=files["sectors"],
            trade=files["trade"],
            output_shares=shares,
        )
    assert "shares.csv" in str(err.value) and "fix:" in str(err.value)
    unknown = _write(tmp_path, "shares2.csv", "region,sector,share\nROW,AGR,1.0\n")
    with pytest.raises(UnknownCodeError, match="'AGR'"):
        build_world(
            source,
            regions=files["regions"],
            sectors=files["sectors"],
            trade=files["trade"],
            output_shares=unknown,
        )


def test_source_imputation_carried_into_pieces() -> None:
    from dataclasses import replace

    w = synthetic_world(2, 3, seed=3)
    tariff_mask = np.zeros((2, 2, 3), bool)
    tariff_mask[0, 1, 1] = True  # R000 -> R001, product S001 (the split one)
    va_mask = np.zeros((2, 3), bool)
    va_mask[1, 2] = True
    w = replace(
        w,
        imputed=w.imputed.assign(
            tariff=(("origin", "region", "product"), tariff_mask),
            value_added=(("region", "sector"), va_mask),
        ),
    )
    smap = SectorMap(mapping={"S000": "A", "S002": "C"}, splits={"S001": {"B1": ("11",), "B2": ("22",)}})
    trade = pd.DataFrame(
        [("R000", "R001", "110000", 1.0), ("R001", "R000", "220000", 1.0)],
        columns=["exporter", "importer", "hs6", "value"],
    )
    shares, _ = trade_shares(trade, smap, {r: r for r in w.regions}, w.regions, fallback_region=None)
    split = split_sectors(w, smap, shares)
    t = split.imputed["tariff"]
    assert bool(t.sel(origin="R000", region="R001", product="S001>B1"))
    assert bool(t.sel(origin="R000", region="R001", product="S001>B2"))
    assert int(t.sum()) == 2
    va = split.imputed["value_added"]
    assert bool(va.sel(region="R001", sector="S002")) and not bool(va.sel(region="R000", sector="S002"))
    assert bool(va.sel(sector="S001>B1").all())


def test_plain_aggregation_without_splits(source: World, tmp_path: Path) -> None:
    sectors = _write(
        tmp_path,
        "plain.csv",
        "from,to\nA01_02,AGR\nC26,ELE\nC27,ELE\nJ62_63,DIG\nK,SRV\n",
    )
    b = build_world(source, regions=REGIONS, sectors=sectors)
    assert b.world.sectors == ["AGR", "ELE", "DIG", "SRV"] and b.preserved
    assert not b.world.imputed.data_vars
    assert "no sector split" in b.world.meta.notes[-1]
    ref = aggregate(
        source,
        regions=REGIONS,
        sectors={"A01_02": "AGR", "C26": "ELE", "C27": "ELE", "J62_63": "DIG", "K": "SRV"},
    )
    np.testing.assert_allclose(b.world.intermediate.values, ref.intermediate.values)
    with pytest.raises(DataError, match="splits no sector"):
        build_world(source, regions=REGIONS, sectors=sectors, output_shares=sectors)


def test_cli_build_from_pymrio_folder(tmp_path: Path) -> None:
    pymrio = pytest.importorskip("pymrio")
    from typer.testing import CliRunner

    from tradewar.cli.main import app

    pymrio.load_test().save_all(tmp_path / "mrio")
    regions = _write(
        tmp_path,
        "regions.csv",
        "from,to\nreg1,NORTH\nreg2,NORTH\nreg3,NORTH\nreg4,SOUTH\nreg5,SOUTH\nreg6,SOUTH\n",
    )
    sectors = _write(
        tmp_path,
        "sectors.csv",
        "from,to,hs6\nfood,AGR,\nmining,MAN,\nmanufactoring,HEAVY,72 73\nmanufactoring,LIGHT,61 62\n"
        "electricity,SRV,\nconstruction,SRV,\ntrade,SRV,\ntransport,SRV,\nother,SRV,\n",
    )
    trade = _write(
        tmp_path,
        "trade.csv",
        "exporter,importer,hs6,value\nreg1,reg4,720110,3\nreg1,reg4,610910,1\nreg5,reg2,620342,2\n",
    )
    out = tmp_path / "bundle"
    res = CliRunner().invoke(
        app,
        [
            "world",
            "build",
            f"pymrio:{tmp_path / 'mrio'}",
            "--regions",
            str(regions),
            "--sectors",
            str(sectors),
            "--trade",
            str(trade),
            "--services",
            "SRV",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    w = read_bundle(out)
    assert w.regions == ["NORTH", "SOUTH"] and w.sectors == ["AGR", "MAN", "HEAVY", "LIGHT", "SRV"]
    assert w.meta.region_names["NORTH"] == "aggregate of reg1, reg2, reg3"
    assert w.meta.unit == "Mill USD"
    heavy = float(w.trade.sel(origin="NORTH", product="HEAVY", region="SOUTH"))
    light = float(w.trade.sel(origin="NORTH", product="LIGHT", region="SOUTH"))
    assert heavy == pytest.approx(3.0 * light)


def test_stylized_source_gives_stylized_world() -> None:
    w = synthetic_world(2, 2, seed=5)
    assert w.meta.stylized
    b = build_world(w)
    assert b.world.meta.stylized and b.preserved
