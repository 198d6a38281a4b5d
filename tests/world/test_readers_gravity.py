"""Gravity-panel readers on the reference data and on bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tradewar.errors import DataError, UnknownCodeError
from tradewar.world.readers import (
    gravity_covariates,
    read_gegravity_sample,
    read_gravity_panel,
    read_liberation_day,
    read_wiod_eu,
)


# ---------------------------------------------------------------------- reference data
def test_gegravity_sample(shared_data: Path) -> None:
    w = read_gegravity_sample(shared_data)
    assert w.shape == (30, 1)
    assert w.regions[:3] == ["AUS", "AUT", "BEL"] and "CAN" in w.regions
    assert w.meta.year == 2006
    raw = pd.read_csv(shared_data / "gegravity_sample" / "sample_data_set.dlm")
    # every flow read as it is in the file, domestic sales included
    for _, row in raw.sample(25, random_state=0).iterrows():
        assert w.final_demand.sel(origin=row.exporter, region=row.importer).item() == row.trade
    assert w.final_demand.sel(origin="CAN", region="JPN").item() == 4910
    assert float(w.final_demand.sum()) == raw.trade.sum()
    assert float(w.intermediate.sum()) == 0.0
    # output = exporter's total sales; expenditure = importer's total purchases
    np.testing.assert_allclose(
        w.gross_output.sel(sector="TOT").to_series().sort_index(),
        raw.groupby("exporter").trade.sum().sort_index(),
    )
    np.testing.assert_allclose(
        w.absorption.sel(product="TOT").to_series().sort_index(),
        raw.groupby("importer").trade.sum().sort_index(),
    )
    assert float(w.theta.item()) == 4.0
    assert float(abs(w.tariff).sum()) == 0.0


def test_gegravity_covariates(shared_data: Path) -> None:
    path = shared_data / "gegravity_sample" / "sample_data_set.dlm"
    cov = gravity_covariates(path, ["lndist", "pta", "international"])
    w = read_gegravity_sample(shared_data)
    assert list(cov["origin"].values) == w.regions
    assert cov["international"].sel(origin="USA", region="USA").item() == 0
    assert cov["international"].sel(origin="USA", region="CAN").item() == 1
    assert cov["pta"].sel(origin="CAN", region="JPN").item() == 0


def test_wiod_eu(shared_data: Path) -> None:
    raw = pd.read_csv(shared_data / "ge_gravity_wiod_eu" / "converted" / "TradeData0014.csv")
    for year in (2000, 2014):
        w = read_wiod_eu(shared_data, year=year)
        assert w.shape == (44, 1)
        assert "ROW" in w.regions and "DEU" in w.regions
        assert w.meta.year == year
        sub = raw[raw.year == year]
        np.testing.assert_allclose(float(w.final_demand.sum()), sub.trade.sum())
        deu_fra = sub[(sub.exporter == "DEU") & (sub.importer == "FRA")].trade.item()
        assert w.final_demand.sel(origin="DEU", region="FRA").item() == pytest.approx(deu_fra)


def test_wiod_eu_requires_a_year(shared_data: Path) -> None:
    path = shared_data / "ge_gravity_wiod_eu" / "converted" / "TradeData0014.csv"
    with pytest.raises(DataError, match="several years"):
        read_gravity_panel(path)
    with pytest.raises(DataError, match="year 1999 not in the panel"):
        read_wiod_eu(shared_data, year=1999)


def test_liberation_day(shared_data: Path) -> None:
    w = read_liberation_day(shared_data)
    assert w.shape == (194, 1)
    assert w.meta.year == 2023
    base = shared_data / "liberation_day_2025" / "base_data"
    X = pd.read_csv(base / "trade_cepii.csv").to_numpy(dtype=float)
    gdp = pd.read_csv(base / "gdp.csv")["gdp"].to_numpy() / 1e6
    F = w.final_demand.sel(product="TOT").to_numpy()
    off = ~np.eye(194, dtype=bool)
    np.testing.assert_allclose(F[off], np.nan_to_num(X)[off] / 1e3)
    # documented rule: domestic = max(GDP - exports, 0)
    exports = F.sum(axis=1) - np.diag(F)
    np.testing.assert_allclose(np.diag(F), np.maximum(gdp - exports, 0.0))
    floored = sorted(np.array(w.regions)[gdp - exports <= 0])
    assert floored == ["GMB", "MHL"]
    # output equals GDP where the floor does not bind
    us = w.regions.index("USA")
    assert float(w.gross_output.sel(region="USA", sector="TOT")) == pytest.approx(gdp[us])
    # imputed flags: the diagonal of final demand, all value added
    mask = w.imputed["final_demand"].sel(product="TOT").to_numpy()
    assert mask.diagonal().all() and not mask[off].any()
    # USTR schedule as a named tariff layer, 10 % floor, nothing on US own sales
    layer = w.tariff_layers["liberation_day"]
    assert float(layer.sel(origin="CHN", region="USA").item()) == pytest.approx(0.54)
    assert float(layer.sel(origin="USA", region="USA").item()) == 0.0
    assert float(layer.sel(region="USA").min()) == 0.0
    assert float(layer.drop_sel(origin="USA").sel(region="USA").min()) == pytest.approx(0.10)
    assert float(layer.drop_sel(region="USA").sum()) == 0.0
    assert float(abs(w.tariff).sum()) == 0.0


def test_liberation_day_floor(shared_data: Path) -> None:
    w = read_liberation_day(shared_data, min_domestic_share=0.2)
    gdp = pd.read_csv(shared_data / "liberation_day_2025" / "base_data" / "gdp.csv")["gdp"] / 1e6
    i = w.regions.index("MHL")
    assert float(w.final_demand.sel(origin="MHL", region="MHL").item()) == pytest.approx(0.2 * gdp[i])
    assert "MHL" in " ".join(w.meta.notes)


# ---------------------------------------------------------------------- bad input
def _write(tmp_path: Path, rows: list[tuple[str, str, float]], name: str = "panel.csv") -> Path:
    df = pd.DataFrame(rows, columns=["exporter", "importer", "trade"])
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


ROWS = [
    ("USA", "USA", 100.0),
    ("USA", "CAN", 10.0),
    ("CAN", "USA", 12.0),
    ("CAN", "CAN", 50.0),
]


def test_generic_panel_balanced(tmp_path: Path) -> None:
    w = read_gravity_panel(_write(tmp_path, ROWS), theta=5.0)
    assert w.regions == ["CAN", "USA"]
    assert float(w.theta.item()) == 5.0
    assert float(w.deficit.sel(region="USA")) == pytest.approx(2.0)
    assert float(w.income.sel(region="USA")) == pytest.approx(112.0)


def test_generic_panel_tab_separated_with_tariffs(tmp_path: Path) -> None:
    df = pd.DataFrame(ROWS, columns=["exp", "imp", "v"])
    df["t"] = [0.0, 0.1, 0.2, 0.0]
    path = tmp_path / "p.tsv"
    df.to_csv(path, sep="\t", index=False)
    w = read_gravity_panel(path, exporter="exp", importer="imp", trade="v", tariff="t")
    assert float(w.tariff.sel(origin="USA", region="CAN").item()) == pytest.approx(0.1)
    assert float(w.tariff_revenue.sel(region="USA")) == pytest.approx(0.2 * 12)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="not found") as err:
        read_gravity_panel(tmp_path / "nope.csv")
    assert "nope.csv" in str(err.value) and "fix:" in str(err.value)
    with pytest.raises(DataError, match="not found"):
        read_gegravity_sample(tmp_path)
    with pytest.raises(DataError, match="not found"):
        read_liberation_day(tmp_path)


def test_wrong_layout(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    pd.DataFrame({"a": [1], "b": [2]}).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"column\(s\) \['exporter', 'importer', 'trade'\] not found"):
        read_gravity_panel(path)


def test_negative_and_nan_flows(tmp_path: Path) -> None:
    bad = [*ROWS[:3], ("CAN", "CAN", -5.0)]
    with pytest.raises(DataError, match="negative") as err:
        read_gravity_panel(_write(tmp_path, bad))
    assert err.value.field == "trade"
    bad = [*ROWS[:3], ("CAN", "CAN", float("nan"))]
    with pytest.raises(DataError, match="NaN"):
        read_gravity_panel(_write(tmp_path, bad))


def test_unknown_code(tmp_path: Path) -> None:
    bad = [("USA", "USA", 1.0), ("USA", "XQZ", 1.0), ("XQZ", "USA", 1.0), ("XQZ", "XQZ", 1.0)]
    with pytest.raises(UnknownCodeError, match="XQZ") as err:
        read_gravity_panel(_write(tmp_path, bad))
    assert "panel.csv" in str(err.value)
    # declared aggregates are fine
    w = read_gravity_panel(_write(tmp_path, bad), region_names={"XQZ": "Somewhere"})
    assert w.meta.region_names["XQZ"] == "Somewhere"


def test_missing_and_duplicate_pairs(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="missing"):
        read_gravity_panel(_write(tmp_path, ROWS[:3]))  # no CAN domestic flow
    with pytest.raises(DataError, match="missing"):
        read_gravity_panel(_write(tmp_path, [ROWS[0], ROWS[1], ROWS[3]]))  # CAN->USA absent
    w = read_gravity_panel(_write(tmp_path, [ROWS[0], ROWS[1], ROWS[3]]), missing="zero")
    assert float(w.final_demand.sel(origin="CAN", region="USA").item()) == 0.0
    with pytest.raises(DataError, match="duplicate"):
        read_gravity_panel(_write(tmp_path, [*ROWS, ROWS[0]]))
