"""Gravity panels as one-sector Worlds.

A gravity panel is a long table with one row per (exporter, importer[, year]) and the
value of the flow, *including domestic sales* (exporter == importer). It becomes a
World with one sector (code ``TOT``) and no intermediate inputs — the Armington /
Eaton-Kortum one-sector economy of structural gravity:

* ``final_demand[i, TOT, n] = trade[i -> n]`` (domestic sales on the diagonal);
* ``intermediate = 0``;
* ``value_added[i, TOT] = Σ_n trade[i -> n]``, each exporter's total sales (output),
  so the accounts balance by construction;
* ``tariff`` is 0 unless a tariff column (ad-valorem fraction) is named;
* ``theta`` is the trade elasticity passed in (θ = σ - 1 in Armington terms); the
  panel files do not carry one, so each reader documents the value its source uses.

A region's income is then I_n = Y_n + D_n with the deficit D_n = imports - exports, so
its expenditure Σ_i trade[i -> n] matches the panel's importer expenditure.

Readers of the reference data in ``../shared/data`` (see each folder's ``SOURCE.md``):
:func:`read_gegravity_sample`, :func:`read_wiod_eu`, :func:`read_liberation_day`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import xarray as xr

from tradewar.errors import DataError
from tradewar.world.readers._common import (
    dataset_dir,
    numeric_column,
    read_table,
    require_columns,
    require_file,
)
from tradewar.world.world import World, WorldMeta

#: Sector code and name of one-sector worlds.
ONE_SECTOR = "TOT"
ONE_SECTOR_NAME = "All goods and services (one-sector aggregate)"


def _pick_year(df: pd.DataFrame, year: int | None, year_column: str | None, path: Path) -> pd.DataFrame:
    """Rows of ``year``; without a year, the panel must hold a single year (or none)."""
    if year_column is None or year_column not in df.columns:
        if year is not None:
            raise DataError(
                f"year={year} was asked for but the file has no column {year_column!r}",
                file=str(path),
                field=str(year_column),
                fix="name the year column with year_column=... or drop year=",
            )
        return df
    years = sorted(pd.to_numeric(df[year_column], errors="coerce").dropna().astype(int).unique())
    if year is None:
        if len(years) > 1:
            raise DataError(
                f"the panel holds several years {years}; choose one",
                file=str(path),
                field=year_column,
                expected=f"one of {years}",
                fix="pass year=...",
            )
        return df
    if year not in years:
        raise DataError(
            f"year {year} not in the panel",
            file=str(path),
            field=year_column,
            expected=f"one of {years}",
            fix=f"pass one of {years}",
        )
    return df[pd.to_numeric(df[year_column], errors="coerce") == year]


def _square(
    df: pd.DataFrame,
    exporter: str,
    importer: str,
    value: np.ndarray,
    path: Path,
    missing: Literal["error", "zero"],
) -> tuple[list[str], np.ndarray, int]:
    """Pivot a long table to a square [exporter, importer] array over the union of codes."""
    exp = df[exporter].astype(str).str.strip().to_numpy()
    imp = df[importer].astype(str).str.strip().to_numpy()
    pairs = pd.Series(value, index=pd.MultiIndex.from_arrays([exp, imp], names=["exporter", "importer"]))
    if pairs.index.has_duplicates:
        dup = pairs.index[pairs.index.duplicated()][0]
        raise DataError(
            f"{int(pairs.index.duplicated().sum())} duplicate (exporter, importer) rows (first {dup})",
            file=str(path),
            field=f"{exporter}, {importer}",
            expected="one row per pair (and year)",
            fix="aggregate duplicates or pick one year with year=...",
        )
    codes = sorted(set(exp) | set(imp))
    full = pd.MultiIndex.from_product([codes, codes], names=["exporter", "importer"])
    square = pairs.reindex(full)
    absent = square.isna().to_numpy().reshape(len(codes), len(codes))
    if absent.any():
        diag_absent = np.diag(absent)
        if diag_absent.any() or missing == "error":
            if diag_absent.any():
                i = j = int(np.argmax(diag_absent))
            else:
                i, j = (int(k) for k in np.argwhere(absent)[0])
            kind = "domestic flows" if diag_absent.any() else "pairs"
            raise DataError(
                f"{int(absent.sum())} (exporter, importer) combinations missing, incl. "
                f"{kind} (first {codes[i]}->{codes[j]})",
                file=str(path),
                field=f"{exporter}, {importer}",
                expected="every pair of the countries present, incl. domestic sales (exporter == importer)",
                fix="add the missing rows (0 for no trade; domestic sales are required), "
                "or pass missing='zero' to treat absent international pairs as zero",
            )
    return codes, square.fillna(0.0).to_numpy().reshape(len(codes), len(codes)), int(absent.sum())


def read_gravity_panel(
    path: str | os.PathLike[str],
    *,
    exporter: str = "exporter",
    importer: str = "importer",
    trade: str = "trade",
    year: int | None = None,
    year_column: str | None = "year",
    tariff: str | None = None,
    theta: float = 4.0,
    missing: Literal["error", "zero"] = "error",
    scale: float = 1.0,
    name: str | None = None,
    source: str | None = None,
    unit: str = "USD million",
    region_names: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
    sep: str | None = None,
) -> World:
    """Read a gravity panel (one row per exporter, importer[, year]) as a one-sector World.

    Parameters
    ----------
    path
        Comma- or tab-delimited file.
    exporter, importer, trade
        Column names: origin code, destination code (ISO3 or declared aggregates) and the
        flow value including domestic sales (exporter == importer), net of tariffs.
    year, year_column
        The year to keep when the panel has several; ``year=None`` requires one year.
    tariff
        Optional column of ad-valorem tariffs (fractions) levied by the importer.
    theta
        Trade elasticity θ of the one sector (= σ - 1 for an Armington CES σ).
    missing
        ``"error"`` (default): every pair of the countries present must have a row;
        ``"zero"``: absent international pairs are zero flows (domestic flows are
        always required).
    scale
        Factor applied to the flows to express them in ``unit``.
    name, source, unit, region_names, notes
        Provenance stored in :class:`WorldMeta`.
    sep
        Delimiter; guessed from the header when ``None``.

    Returns
    -------
    World
        One sector ``TOT``; ``F[i, TOT, n] = trade[i -> n]``, ``Z = 0``,
        ``VA[i] = Σ_n trade[i -> n]``.

    Raises
    ------
    DataError, UnknownCodeError
        Missing file or columns, several years without ``year``, duplicate or missing
        pairs, negative or NaN flows, unknown region codes.

    """
    p = Path(path)
    df = read_table(p, "gravity panel", sep=sep)
    require_columns(df, [exporter, importer, trade] + ([tariff] if tariff else []), p)
    df = _pick_year(df, year, year_column, p)
    flows = numeric_column(df, trade, p) * scale
    codes, X, n_absent = _square(df, exporter, importer, flows, p, missing)
    R = len(codes)
    t = None
    if tariff is not None:
        rates = pd.to_numeric(df[tariff], errors="coerce").to_numpy(dtype=float)
        if (~np.isfinite(rates)).any() or (rates <= -1).any():
            raise DataError(
                "tariff column has NaN values or values <= -1",
                file=str(p),
                field=tariff,
                expected="ad-valorem fractions (0.1 = 10 %)",
                fix="convert percent to fractions and fill missing tariffs with 0",
            )
        _, t2, _ = _square(df, exporter, importer, rates, p, "zero")
        t = (t2 * (1.0 - np.eye(R))).reshape(R, R, 1)
    extra = [f"{n_absent} absent international pairs read as zero flows"] if n_absent else []
    yr = year
    if yr is None and year_column in df.columns and len(df):
        yr = int(pd.to_numeric(df[year_column], errors="coerce").iloc[0])
    meta = WorldMeta(
        name=name or p.stem,
        source=source or f"gravity panel {p}",
        year=yr,
        unit=unit,
        region_names=dict(region_names or {}),
        sector_names={ONE_SECTOR: ONE_SECTOR_NAME},
        notes=(
            "one-sector gravity world: final_demand = trade incl. domestic sales, no "
            "intermediates, value_added = each exporter's total sales",
            f"theta = {theta:g} (given to the reader, not in the data)",
            *extra,
            *notes,
        ),
    )
    return _one_sector_world(codes, X, meta, theta=theta, tariff=t, source_file=str(p))


def _one_sector_world(
    codes: list[str],
    X: np.ndarray,
    meta: WorldMeta,
    *,
    theta: float,
    tariff: np.ndarray | None = None,
    imputed: Mapping[str, np.ndarray] | None = None,
    tariff_layers: Mapping[str, np.ndarray] | None = None,
    source_file: str | None = None,
) -> World:
    """World with F = X[exporter, importer], Z = 0, VA = row sums of X."""
    R = len(codes)
    return World.from_arrays(
        regions=codes,
        sectors=[ONE_SECTOR],
        intermediate=np.zeros((R, 1, R, 1)),
        final_demand=X.reshape(R, 1, R),
        value_added=X.sum(axis=1).reshape(R, 1),
        tariff=tariff,
        theta=np.array([theta], dtype=float),
        meta=meta,
        imputed=imputed,
        tariff_layers=tariff_layers,
        source_file=source_file,
    )


def gravity_covariates(
    path: str | os.PathLike[str],
    columns: Sequence[str],
    *,
    exporter: str = "exporter",
    importer: str = "importer",
    year: int | None = None,
    year_column: str | None = "year",
    sep: str | None = None,
) -> xr.Dataset:
    """Pair covariates of a gravity panel (distance, contiguity, FTA dummies...).

    Returns a Dataset with one variable per column and dims ``(origin, region)`` labelled
    by the codes of the panel (same order as the World read from it); pairs absent from
    the file are NaN.

    Raises
    ------
    DataError
        Missing file or columns, several years without ``year``, duplicate pairs.

    """
    p = Path(path)
    df = read_table(p, "gravity panel", sep=sep)
    require_columns(df, [exporter, importer, *columns], p)
    df = _pick_year(df, year, year_column, p)
    exp = df[exporter].astype(str).str.strip()
    imp = df[importer].astype(str).str.strip()
    codes = sorted(set(exp) | set(imp))
    idx = pd.MultiIndex.from_arrays([exp, imp], names=["origin", "region"])
    if idx.has_duplicates:
        raise DataError(
            "duplicate (exporter, importer) rows",
            file=str(p),
            field=f"{exporter}, {importer}",
            fix="pick one year with year=...",
        )
    full = pd.MultiIndex.from_product([codes, codes], names=["origin", "region"])
    out = {}
    for c in columns:
        s = pd.Series(pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float), index=idx).reindex(full)
        out[c] = (("origin", "region"), s.to_numpy().reshape(len(codes), len(codes)))
    return xr.Dataset(out, coords={"origin": codes, "region": codes})


# ---------------------------------------------------------------------- reference data
def read_gegravity_sample(data_dir: str | os.PathLike[str] | None = None, *, theta: float = 4.0) -> World:
    """USITC ``gegravity`` example: 30 countries, 2006, trade incl. domestic flows.

    ``data_dir`` is the data root (default ``../shared/data``) or the data set's folder.

    ``data_dir/gegravity_sample/sample_data_set.dlm`` (see its ``SOURCE.md``); values in
    USD million. ``theta = 4`` matches the documented experiment's σ = 5 (θ = σ - 1).
    Covariates (``lndist``, ``contiguity``, ``common_language``, ``pta``,
    ``international``) are available through :func:`gravity_covariates`. The file's
    ``Y`` and ``E`` columns are not used: they exceed the sums of the 30 x 30 flows
    (they include trade with countries outside the sample), whereas a World's output and
    expenditure are the sums of its flows, as gegravity computes them.
    """
    path = dataset_dir(data_dir, "gegravity_sample", "sample_data_set.dlm") / "sample_data_set.dlm"
    return read_gravity_panel(
        path,
        theta=theta,
        name="gegravity",
        source="USITC gegravity 0.3 example data (Herman 2021), after Yotov et al. (2016), 2006",
        unit="USD million",
    )


def read_wiod_eu(
    data_dir: str | os.PathLike[str] | None = None, year: int = 2014, *, theta: float = 4.0
) -> World:
    """Zylkin's ``ge_gravity`` example: WIOD 2016 release, 43 countries + ROW, one year.

    ``data_dir`` is the data root (default ``../shared/data``) or the data set's folder.

    ``data_dir/ge_gravity_wiod_eu/converted/TradeData0014.csv`` (see its ``SOURCE.md``);
    years 2000, 2005, 2010, 2014; USD million; ``theta = 4`` as in Baier, Yotov & Zylkin
    (2019). The EU-enlargement experiment uses ``year=2000`` as its baseline.
    """
    marker = "converted/TradeData0014.csv"
    path = dataset_dir(data_dir, "ge_gravity_wiod_eu", marker) / marker
    return read_gravity_panel(
        path,
        year=year,
        theta=theta,
        name=f"wiod-eu-{year}",
        source="WIOD 2016 release aggregated to total trade (Timmer et al. 2015), as shipped with "
        "ge_gravity / GEGravity (Baier, Yotov & Zylkin 2019)",
        unit="USD million",
    )


def read_liberation_day(
    data_dir: str | os.PathLike[str] | None = None,
    *,
    theta: float = 4.0,
    min_domestic_share: float = 0.0,
) -> World:
    """Ignatenko, Lashkaripour, Macedoni & Simonovska (2025): 194 countries, 2023.

    ``data_dir`` is the data root (default ``../shared/data``) or the data set's folder.

    Files in ``data_dir/liberation_day_2025/base_data`` (see ``SOURCE.md``): a 194 x 194
    matrix ``trade_cepii.csv`` (row = exporter, column = importer, thousand USD, diagonal
    empty), ``gdp.csv`` (USD), ``country_labels.csv`` (ISO3 in matrix order) and
    ``tariffs.csv`` (the USTR 2 April 2025 tariff on each exporter).

    Rules (documented, tested):

    * flows are converted to USD million; empty off-diagonal cells are zero trade;
    * domestic sales are imputed from GDP as in a one-sector Armington economy where
      GDP is total sales: X_ii = max(GDP_i - Σ_{n≠i} X_in, m · GDP_i) with
      ``m = min_domestic_share`` (default 0, the floor of the authors' code, which sets
      negative domestic sales to zero; it binds for GMB and MHL, whose recorded exports
      exceed GDP). This is the authors' rule X_ii = E_i - imports_i with
      E_i = Y_i + D_i in their ν = 0 (Eaton-Kortum) variant;
    * baseline tariffs are zero; the USTR schedule is kept as the tariff layer
      ``"liberation_day"``: t[i, USA] = max(applied_i, 0.10), as the authors impose the
      10 % floor, and 0 on USA's own sales;
    * θ = 4, the authors' baseline trade elasticity ε.

    The diagonal of ``final_demand`` and all of ``value_added`` are flagged imputed.
    """
    base = dataset_dir(data_dir, "liberation_day_2025", "base_data") / "base_data"
    f_trade = base / "trade_cepii.csv"
    f_gdp = base / "gdp.csv"
    f_labels = base / "country_labels.csv"
    f_tariff = base / "tariffs.csv"
    for f, what in (
        (f_trade, "trade matrix"),
        (f_gdp, "GDP vector"),
        (f_labels, "country labels"),
        (f_tariff, "USTR tariffs"),
    ):
        require_file(f, what)
    labels = read_table(f_labels, "country labels")
    require_columns(labels, ["iso3", "iso_code"], f_labels)
    labels = labels.sort_values("iso_code")
    codes = labels["iso3"].astype(str).str.strip().tolist()
    N = len(codes)
    mat = read_table(f_trade, "trade matrix")
    if mat.shape != (N, N):
        raise DataError(
            f"trade matrix has shape {mat.shape} but there are {N} country labels",
            file=str(f_trade),
            expected=f"a {N} x {N} matrix (rows exporters, columns importers) with a header line",
            fix="use the base_data files of one release together",
        )
    X = mat.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    if (X[np.isfinite(X)] < 0).any():
        i, j = np.argwhere(np.isfinite(X) & (X < 0))[0]
        raise DataError(
            f"negative trade flow {codes[i]}->{codes[j]}: {X[i, j]:.6g}",
            file=str(f_trade),
            field=str(mat.columns[j]),
            expected="non-negative flows",
        )
    X = np.nan_to_num(X, nan=0.0) / 1e3  # thousand USD -> USD million
    np.fill_diagonal(X, 0.0)
    gdp_df = read_table(f_gdp, "GDP vector")
    require_columns(gdp_df, ["gdp"], f_gdp)
    gdp = numeric_column(gdp_df, "gdp", f_gdp) / 1e6  # USD -> USD million
    tar_df = read_table(f_tariff, "USTR tariffs")
    require_columns(tar_df, ["applied_tariff"], f_tariff)
    applied = numeric_column(tar_df, "applied_tariff", f_tariff)
    for arr, f in ((gdp, f_gdp), (applied, f_tariff)):
        if len(arr) != N:
            raise DataError(
                f"{len(arr)} rows but {N} country labels",
                file=str(f),
                expected=f"{N} rows in the order of country_labels.csv",
            )
    exports = X.sum(axis=1)
    domestic = np.maximum(gdp - exports, min_domestic_share * gdp)
    floored = [codes[i] for i in np.flatnonzero(gdp - exports < min_domestic_share * gdp)]
    np.fill_diagonal(X, domestic)
    usa = codes.index("USA")
    layer = np.zeros((N, N, 1))
    layer[:, usa, 0] = np.maximum(applied, 0.10)
    layer[usa, usa, 0] = 0.0
    meta = WorldMeta(
        name="liberation-day",
        source="Ignatenko, Lashkaripour, Macedoni & Simonovska (2025, JIE 157:104138) replication "
        "data: CEPII BACI 2023 trade, WDI GDP, USTR 2-Apr-2025 tariffs",
        year=2023,
        unit="USD million",
        sector_names={ONE_SECTOR: ONE_SECTOR_NAME},
        notes=(
            "one-sector gravity world: final_demand = trade incl. domestic sales, no "
            "intermediates, value_added = each exporter's total sales",
            "domestic sales imputed: X_ii = max(GDP_i - exports_i, "
            f"{min_domestic_share:g} * GDP_i); floor binds for {', '.join(floored) or 'none'}",
            "tariff layer 'liberation_day': USTR 2-Apr-2025 tariffs on imports into USA, floored at 10 %",
            f"theta = {theta:g} (the authors' baseline epsilon)",
        ),
    )
    imputed = {
        "final_demand": np.eye(N, dtype=bool).reshape(N, 1, N),
        "value_added": np.ones((N, 1), dtype=bool),
    }
    return _one_sector_world(
        codes,
        X,
        meta,
        theta=theta,
        imputed=imputed,
        tariff_layers={"liberation_day": layer},
        source_file=str(base),
    )
