"""OECD ICIO (2023 layout) reader, on a small file written here in that exact layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradewar.errors import DataError, UnknownCodeError
from tradewar.world.readers.icio import FINAL_DEMAND, read_icio

COUNTRIES = ["AUS", "CN1", "CN2", "MX1", "MX2", "USA", "ROW"]
FD_COUNTRIES = ["AUS", "CHN", "MEX", "USA", "ROW"]
INDUSTRIES = ["A01_02", "C26", "J62_63"]


def icio_frame(seed: int = 0) -> pd.DataFrame:
    """A balanced table in the ICIO 2023 layout: rows CCC_IND + TLS, VA, OUT; columns
    CCC_IND, CCC_HFCE..CCC_DPABR, OUT (first column: row labels, header 'V1')."""
    rng = np.random.default_rng(seed)
    ind = [f"{c}_{i}" for c in COUNTRIES for i in INDUSTRIES]
    fd = [f"{c}_{k}" for c in FD_COUNTRIES for k in FINAL_DEMAND]
    n = len(ind)
    Z = rng.uniform(0.0, 10.0, size=(n, n))
    F = rng.uniform(0.0, 30.0, size=(n, len(fd)))
    inv = [j for j, c in enumerate(fd) if c.endswith("_INVNT")]
    F[:, inv] = rng.uniform(-1.0, 1.0, size=(n, len(inv)))  # inventory changes, some negative
    out = Z.sum(axis=1) + F.sum(axis=1)
    tls = Z.sum(axis=0) * 0.02
    va = out - Z.sum(axis=0) - tls
    body = np.vstack([np.hstack([Z, F, out[:, None]]), np.hstack([tls, np.full(len(fd), 1.0), [np.nan]])])
    body = np.vstack([body, np.hstack([va, np.full(len(fd), np.nan), [np.nan]])])
    body = np.vstack([body, np.hstack([out, np.full(len(fd), np.nan), [np.nan]])])
    frame = pd.DataFrame(body, index=[*ind, "TLS", "VA", "OUT"], columns=[*ind, *fd, "OUT"])
    frame.index.name = "V1"
    return frame


def write(tmp_path: Path, frame: pd.DataFrame, name: str = "ICIO2023_2020.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path)
    return path


def test_layout_read_and_merged(tmp_path: Path) -> None:
    frame = icio_frame()
    w = read_icio(write(tmp_path, frame))
    assert w.regions == ["AUS", "CHN", "MEX", "USA", "ROW"]
    assert w.sectors == INDUSTRIES
    assert w.meta.year == 2020
    assert w.meta.sector_names["C26"] == "Computer, electronic and optical equipment"
    # CN1 + CN2 rows and columns are summed
    z = frame.loc[["CN1_C26", "CN2_C26"], ["USA_C26"]].to_numpy().sum()
    assert float(
        w.intermediate.sel(origin="CHN", product="C26", region="USA", sector="C26")
    ) == pytest.approx(z)
    z = frame.loc[["AUS_A01_02"], ["MX1_J62_63", "MX2_J62_63"]].to_numpy().sum()
    assert float(
        w.intermediate.sel(origin="AUS", product="A01_02", region="MEX", sector="J62_63")
    ) == pytest.approx(z)
    # final demand: the six categories summed, net of inventories, clipped at zero
    cols = [f"USA_{k}" for k in FINAL_DEMAND]
    f = frame.loc[["CN1_C26", "CN2_C26"], cols].to_numpy().sum()
    assert float(w.final_demand.sel(origin="CHN", product="C26", region="USA")) == pytest.approx(max(f, 0.0))
    # totals: intermediate use preserved exactly; output = OUT where nothing was clipped
    Zsum = frame.iloc[:-3, : len(COUNTRIES) * len(INDUSTRIES)].to_numpy().sum()
    assert w.summary()["intermediate_use"] == pytest.approx(Zsum)
    out = frame.loc["OUT"].iloc[: len(COUNTRIES) * len(INDUSTRIES)]
    aus = float(w.gross_output.sel(region="AUS", sector="A01_02"))
    assert aus == pytest.approx(float(out["AUS_A01_02"]), rel=1e-3)
    # value added absorbs TLS (a World has no product-tax row)
    va = frame.loc[["VA", "TLS"], "USA_J62_63"].sum()
    assert float(w.value_added.sel(region="USA", sector="J62_63")) == pytest.approx(va, rel=1e-3)
    assert float(abs(w.tariff).sum()) == 0.0
    assert (w.theta.values == 5.0).all()


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found"):
        read_icio(tmp_path / "ICIO2023_2020.csv")


def test_wrong_layout(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    pd.DataFrame({"a": [1, 2], "b": [3, 4]}).to_csv(path, index=False)
    with pytest.raises(DataError, match="no industry rows"):
        read_icio(path)
    frame = icio_frame().drop(index="VA")
    with pytest.raises(DataError, match="VA"):
        read_icio(write(tmp_path, frame))
    frame = icio_frame().drop(columns=[f"{c}_{k}" for c in FD_COUNTRIES for k in FINAL_DEMAND])
    with pytest.raises(DataError, match="no final-demand columns"):
        read_icio(write(tmp_path, frame))


def test_nan_and_negative(tmp_path: Path) -> None:
    frame = icio_frame()
    frame.loc["AUS_C26", "USA_C26"] = np.nan
    with pytest.raises(DataError, match="empty or non-numeric"):
        read_icio(write(tmp_path, frame))
    frame = icio_frame()
    frame.loc["AUS_C26", "USA_C26"] = -5.0
    with pytest.raises(DataError, match="negative intermediate flow"):
        read_icio(write(tmp_path, frame))


def test_inconsistent_out(tmp_path: Path) -> None:
    frame = icio_frame()
    frame.loc["OUT", "USA_C26"] *= 1.5
    with pytest.raises(DataError, match="do not match OUT"):
        read_icio(write(tmp_path, frame))


def test_unknown_country(tmp_path: Path) -> None:
    frame = icio_frame()
    frame = frame.rename(
        index=lambda s: s.replace("AUS_", "XQZ_"), columns=lambda s: s.replace("AUS_", "XQZ_")
    )
    with pytest.raises(UnknownCodeError, match="XQZ"):
        read_icio(write(tmp_path, frame))


def test_load_world_icio(tmp_path: Path) -> None:
    from tradewar.world.load import load_world

    path = write(tmp_path, icio_frame())
    assert load_world(f"icio:{path}").shape == (5, 3)
