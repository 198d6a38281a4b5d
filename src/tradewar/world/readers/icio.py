"""OECD Inter-Country Input-Output tables (ICIO, 2023 release, CSV layout) as a World.

Layout of ``ICIO2023_<year>.csv`` (values in USD million at basic prices):

* first column: row labels; one row per (country, industry) labelled ``CCC_IND``, e.g.
  ``AUS_A01_02``, ``USA_C26``, ``ROW_T``; then ``TLS`` (taxes less subsidies on
  products), ``VA`` (value added) and ``OUT`` (output);
* columns: the same ``CCC_IND`` industry columns (intermediate use), then final demand
  ``CCC_HFCE`` (households), ``CCC_NPISH``, ``CCC_GGFC`` (government), ``CCC_GFCF``
  (fixed capital formation), ``CCC_INVNT`` (changes in inventories), ``CCC_DPABR``
  (direct purchases abroad by residents), and ``OUT``;
* China and Mexico are split into ``CN1``/``CN2`` and ``MX1``/``MX2`` (processing and
  non-processing trade); the reader merges them into ``CHN`` and ``MEX`` by summation,
  in rows and in columns.

Mapping to a World (documented rules):

* Z[i, p, n, s] = the industry block; F[i, p, n] = Σ of n's six final-demand columns;
* F is net of inventory changes, which can be negative; remaining negative cells of F
  are set to zero (the amount is recorded in ``meta.notes``);
* a World has no product-tax row, so taxes less subsidies paid by industries (``TLS``)
  are counted with value added, and value added is the cost residual
  VA = x - ΣZ with x = ΣZ + ΣF by use (it equals ``VA + TLS`` where F was not clipped);
* tariffs are zero (ICIO carries none) and θ is the argument ``theta`` (one value for
  every sector; ICIO carries no elasticities).

The ``OUT`` row and column are used to check the layout: output by use must match
``OUT`` to ``rtol``, otherwise the file is reported as inconsistent.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.errors import DataError
from tradewar.world.readers._common import final_demand_and_value_added, read_table
from tradewar.world.world import World, WorldMeta

#: Final-demand categories of the 2023 release.
FINAL_DEMAND = ("HFCE", "NPISH", "GGFC", "GFCF", "INVNT", "DPABR")
#: Split countries merged by the reader.
MERGE = {"CN1": "CHN", "CN2": "CHN", "MX1": "MEX", "MX2": "MEX"}
#: Non-industry rows and columns (2023 names; older releases' names accepted too).
TAX_ROWS = ("TLS", "TAXSUB")
VA_ROWS = ("VA", "VALU")
OUT_LABELS = ("OUT", "OUTPUT", "TOTAL")

#: ICIO 2023 industries (ISIC Rev. 4), for sector names.
INDUSTRY_NAMES = {
    "A01_02": "Agriculture, hunting, forestry",
    "A03": "Fishing and aquaculture",
    "B05_06": "Mining and quarrying, energy producing products",
    "B07_08": "Mining and quarrying, non-energy producing products",
    "B09": "Mining support service activities",
    "C10T12": "Food products, beverages and tobacco",
    "C13T15": "Textiles, textile products, leather and footwear",
    "C16": "Wood and products of wood and cork",
    "C17_18": "Paper products and printing",
    "C19": "Coke and refined petroleum products",
    "C20": "Chemical and chemical products",
    "C21": "Pharmaceuticals, medicinal chemical and botanical products",
    "C22": "Rubber and plastics products",
    "C23": "Other non-metallic mineral products",
    "C24": "Basic metals",
    "C25": "Fabricated metal products",
    "C26": "Computer, electronic and optical equipment",
    "C27": "Electrical equipment",
    "C28": "Machinery and equipment, nec",
    "C29": "Motor vehicles, trailers and semi-trailers",
    "C30": "Other transport equipment",
    "C31T33": "Manufacturing nec; repair and installation of machinery and equipment",
    "D": "Electricity, gas, steam and air conditioning supply",
    "E": "Water supply; sewerage, waste management and remediation activities",
    "F": "Construction",
    "G": "Wholesale and retail trade; repair of motor vehicles",
    "H49": "Land transport and transport via pipelines",
    "H50": "Water transport",
    "H51": "Air transport",
    "H52": "Warehousing and support activities for transportation",
    "H53": "Postal and courier activities",
    "I": "Accommodation and food service activities",
    "J58T60": "Publishing, audiovisual and broadcasting activities",
    "J61": "Telecommunications",
    "J62_63": "IT and other information services",
    "K": "Financial and insurance activities",
    "L": "Real estate activities",
    "M": "Professional, scientific and technical activities",
    "N": "Administrative and support services",
    "O": "Public administration and defence; compulsory social security",
    "P": "Education",
    "Q": "Human health and social work activities",
    "R": "Arts, entertainment and recreation",
    "S": "Other service activities",
    "T": "Activities of households as employers",
}

_LABEL = re.compile(r"^([A-Z][A-Z0-9]{2})_(.+)$")


def _split(label: str) -> tuple[str, str] | None:
    m = _LABEL.match(label.strip())
    if not m:
        return None
    country, rest = m.groups()
    return MERGE.get(country, country), rest


def read_icio(
    path: str | os.PathLike[str],
    *,
    theta: float = 5.0,
    year: int | None = None,
    rtol: float = 1e-6,
) -> World:
    """Read an OECD ICIO (2023 release layout) CSV file; see the module docstring.

    Parameters
    ----------
    path
        The CSV file (e.g. ``ICIO2023_2020.csv``).
    theta
        Trade elasticity given to every sector (ICIO has none); 5 is the median of
        structural-gravity estimates (Head & Mayer 2014).
    year
        Base year; taken from a file name like ``ICIO2023_2020.csv`` when ``None``.
    rtol
        Tolerance of the check of the ``OUT`` row/column against the flows.

    Raises
    ------
    DataError
        Missing file; no ``CCC_IND`` rows; rows and columns with different industries;
        missing ``VA``/``OUT`` rows; non-numeric or NaN cells; ``OUT`` inconsistent with
        the flows; negative value added after the documented adjustments.
    UnknownCodeError
        Country codes that are neither ISO3 nor ``ROW``.

    """
    p = Path(path)
    df = read_table(p, "OECD ICIO CSV (2023 layout)")
    first = df.columns[0]
    df = df.set_index(first)
    df.index = df.index.astype(str).str.strip()
    df.columns = [str(c).strip() for c in df.columns]
    layout = (
        "row labels CCC_IND (e.g. AUS_A01_02) plus TLS, VA, OUT; columns CCC_IND, CCC_HFCE...CCC_DPABR, OUT"
    )

    rows = [(lab, _split(lab)) for lab in df.index]
    ind_rows = [(lab, s) for lab, s in rows if s is not None]
    if not ind_rows:
        raise DataError(
            "no industry rows labelled like AUS_A01_02",
            file=str(p),
            field=str(first),
            expected=layout,
            fix="pass an ICIO 2023 CSV (the release's 'ICIO2023_<year>.csv' files)",
        )
    industries = list(dict.fromkeys(s[1] for _, s in ind_rows))
    countries = list(dict.fromkeys(s[0] for _, s in ind_rows))
    cols = [(c, _split(c)) for c in df.columns]
    ind_cols = [(c, s) for c, s in cols if s is not None and s[1] in industries]
    fd_cols = [(c, s) for c, s in cols if s is not None and s[1] in FINAL_DEMAND]
    col_ind = set(s[1] for _, s in ind_cols)
    if col_ind != set(industries):
        missing = sorted(set(industries) - col_ind)
        raise DataError(
            f"industry columns do not match industry rows (missing columns for {missing[:10]})",
            file=str(p),
            expected=layout,
        )
    if not fd_cols:
        raise DataError("no final-demand columns (CCC_HFCE ... CCC_DPABR)", file=str(p), expected=layout)
    unknown_dest = sorted({s[0] for _, s in fd_cols} - set(countries))
    if unknown_dest:
        raise DataError(
            f"final-demand columns for countries without industry rows: {unknown_dest}",
            file=str(p),
            expected=layout,
        )
    va_row = next((r for r in VA_ROWS if r in df.index), None)
    out_row = next((r for r in OUT_LABELS if r in df.index), None)
    tax_row = next((r for r in TAX_ROWS if r in df.index), None)
    if va_row is None or out_row is None:
        raise DataError(
            f"rows {'VA' if va_row is None else ''} {'OUT' if out_row is None else ''} missing".replace(
                "  ", " "
            ),
            file=str(p),
            field=str(first),
            expected=layout,
        )
    values = df.apply(pd.to_numeric, errors="coerce")
    ind_labels = [lab for lab, _ in ind_rows]
    ind_col_labels = [c for c, _ in ind_cols]
    used_cols = ind_col_labels + [c for c, _ in fd_cols]
    special = [r for r in (tax_row, va_row, out_row) if r]
    for rows_, cols_ in ((ind_labels, used_cols), (special, ind_col_labels)):
        block = values.loc[rows_, cols_]
        bad = block.isna().to_numpy()
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise DataError(
                f"{int(bad.sum())} empty or non-numeric cells (first at row {rows_[r]!r}, "
                f"column {cols_[c]!r})",
                file=str(p),
                field=cols_[c],
                expected="numbers in every cell (0 for no flow)",
            )

    C, K = len(countries), len(industries)
    ci = {c: k for k, c in enumerate(countries)}
    ki = {s: k for k, s in enumerate(industries)}
    row_pos = np.array([ci[s[0]] * K + ki[s[1]] for _, s in ind_rows])
    col_pos = np.array([ci[s[0]] * K + ki[s[1]] for _, s in ind_cols])
    fd_pos = np.array([ci[s[0]] for _, s in fd_cols])
    zraw = values.loc[[lab for lab, _ in ind_rows], [c for c, _ in ind_cols]].to_numpy(dtype=float)
    fraw = values.loc[[lab for lab, _ in ind_rows], [c for c, _ in fd_cols]].to_numpy(dtype=float)
    Z = np.zeros((C * K, C * K))
    np.add.at(Z, (row_pos[:, None], col_pos[None, :]), zraw)
    F = np.zeros((C * K, C))
    np.add.at(F, (row_pos[:, None], fd_pos[None, :]), fraw)
    if (Z < 0).any():
        k = np.argwhere(Z < 0)[0]
        raise DataError(
            f"negative intermediate flow at row {countries[k[0] // K]}_{industries[k[0] % K]}, "
            f"column {countries[k[1] // K]}_{industries[k[1] % K]}: {Z[k[0], k[1]]:.6g}",
            file=str(p),
            expected="non-negative intermediate flows",
        )
    # the OUT row checks the layout: output by cost from the file's own rows
    out_cols = values.loc[out_row, [c for c, _ in ind_cols]].to_numpy(dtype=float)
    out = np.zeros(C * K)
    np.add.at(out, col_pos, out_cols)
    x_use = Z.sum(axis=1) + F.sum(axis=1)
    gap = np.abs(x_use - out) / np.maximum(np.abs(out), 1.0)
    if (gap > rtol).any():
        k = int(np.argmax(gap))
        raise DataError(
            f"row sums do not match OUT for {countries[k // K]}_{industries[k % K]}: "
            f"{x_use[k]:.6g} vs {out[k]:.6g}",
            file=str(p),
            field=out_row,
            expected="OUT equal to intermediate plus final use of each industry",
            fix="check that the file is complete and not a modified extract",
        )
    labels = [f"{c}_{k}" for c in countries for k in industries]
    F, VA, n_clipped, clipped = final_demand_and_value_added(
        Z, F, labels, rtol=rtol, file=str(p), field=va_row
    )
    if year is None:
        m = re.search(r"(19|20)\d{2}(?=\D*$)", p.stem)
        year = int(m.group(0)) if m else None
    meta = WorldMeta(
        name="icio",
        source=f"OECD Inter-Country Input-Output tables (2023 release layout), {p.name}",
        year=year,
        unit="USD million",
        sector_names={s: INDUSTRY_NAMES.get(s, s) for s in industries},
        notes=(
            "CN1/CN2 and MX1/MX2 merged into CHN and MEX",
            "final demand = HFCE + NPISH + GGFC + GFCF + INVNT + DPABR (net of inventory changes)",
            f"{n_clipped} negative final-demand cells set to 0 (total {clipped:.6g} USD million)",
            "taxes less subsidies on intermediates (TLS) counted with value added; "
            "value added = cost residual",
            f"no tariffs; theta = {theta:g} for every sector (not in the data)",
        ),
    )
    return World.from_arrays(
        regions=countries,
        sectors=industries,
        intermediate=Z,
        final_demand=F,
        value_added=VA.reshape(C, K),
        tariff=None,
        theta=np.full(K, float(theta)),
        meta=meta,
        source_file=str(p),
    )
