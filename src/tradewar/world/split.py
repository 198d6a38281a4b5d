r"""Split source sectors into several target sectors by bilateral HS6 trade shares.

A sector concordance may map one source sector to several target sectors, each with a
list of HS codes (for example ICIO ``C26`` -> ``SEMA`` (HS 854231 ...), ``SEMM``,
``ELE``). A bilateral HS6 trade table (exporter, importer, hs6, value; e.g. an extract of
CEPII BACI) gives the split shares.

The split rule (p the split source sector, k its pieces, V[i, n, k] the table's trade of
the HS codes of piece k from region i to region n after mapping countries to regions):

* **sales (rows)**: every flow of p from i to n, intermediate and final,
  Z[i, p, n, s] and F[i, p, n], is divided in the pair shares
  σ[i, n, k] = V[i, n, k] / Σ_k V[i, n, k] for i ≠ n;
* **domestic cells** (i = n; inside an aggregate region this includes trade between its
  members) use the exporter's export shares e[i, k] = Σ_n V[i, n, k] / Σ_{n,k} V[i, n, k]
  (all of i's exports in the table); pairs without trade in the table fall back to e[i],
  exporters without any to the world shares Σ_{i,n} V[i, n, k] / Σ V;
* **optionally, observed output shares** ω[i, k] (fractions of p's output in region i)
  replace the trade-implied ones: the row split X[i, k, m] (m = every buyer: region and
  using sector, or final demand) is scaled by iterative proportional fitting (RAS,
  :func:`tradewar.world.balance.ipf`) so that Σ_m X[i, k, m] = ω[i, k] x[i, p] while
  Σ_k X[i, k, m] stays the source cell (Lenzen, Wood and Gallego 2007, "Some comments on
  the GRAS method", *Economic Systems Research* 19(4); Miller & Blair 2009, section 7.4);
* **costs (columns)**: each piece uses the inputs and value added of p in region n in
  proportion to its output, c[n, k] = x[n, k] / x[n, p] (the proportional-technology
  assumption: pieces share p's cost structure).

With these rules every account closes exactly: the cost of piece k in n is
c[n, k] (Σ_{i,q} (1 + t) Z[i, q, n, p] + VA[n, p]) = c[n, k] x[n, p] = x[n, k], and the
pieces of every source cell sum to it, so aggregating the pieces back gives the source
table. Every cell in a row or column of a piece is marked imputed in ``World.imputed``.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.errors import ConcordanceError, DataError, UnknownCodeError
from tradewar.world.balance import ipf
from tradewar.world.readers._common import numeric_column, read_table, require_columns
from tradewar.world.world import World

#: Separators accepted between HS codes in the concordance's ``hs6`` column.
HS_SEPARATORS = r"[\s;,|]+"
#: Columns of the bilateral HS6 trade table.
TRADE_COLUMNS = ("exporter", "importer", "hs6", "value")
#: Tolerance on output shares summing to one.
SHARE_TOL = 1e-6


@dataclass(frozen=True)
class SectorMap:
    """A sector concordance whose source codes map to one target, or split into several.

    Attributes
    ----------
    mapping: source code -> target code, for sectors that are not split.
    splits: source code -> {target code: HS codes (2, 4 or 6 digits; shorter ones are
        prefixes matching every HS6 code under that chapter or heading)}.
    names: names of target codes (optional ``name`` column).
    file: the file it was read from, for error messages.

    """

    mapping: Mapping[str, str]
    splits: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    names: Mapping[str, str] = field(default_factory=dict)
    file: str | None = None

    @property
    def targets(self) -> list[str]:
        """Target codes in order of first appearance."""
        out = list(self.mapping.values())
        for pieces in self.splits.values():
            out.extend(pieces)
        return list(dict.fromkeys(out))

    def piece(self, source: str, target: str) -> str:
        """Label of a split piece in the intermediate World (``SOURCE>TARGET``)."""
        return f"{source}>{target}"

    def piece_mapping(self) -> dict[str, str]:
        """Concordance from the split World's codes (sources and pieces) to the targets."""
        out = dict(self.mapping)
        for src, pieces in self.splits.items():
            out.update({self.piece(src, k): k for k in pieces})
        return out


def _hs_codes(text: str, file: str, row: int, source: str, target: str) -> tuple[str, ...]:
    codes = tuple(c for c in pd.Series([text]).str.split(HS_SEPARATORS, regex=True).iloc[0] if c)
    bad = [c for c in codes if not (c.isdigit() and len(c) in (2, 4, 6))]
    if bad:
        raise ConcordanceError(
            f"row {row} ({source} -> {target}) has HS codes {bad[:5]} that are not 2, 4 or 6 digits",
            file=file,
            field="hs6",
            expected="HS codes of 2 (chapter), 4 (heading) or 6 digits, separated by spaces or ';'",
            fix="write HS codes with their leading zeros, e.g. 080810 not 80810",
        )
    return codes


def read_sector_map(path: str | os.PathLike[str]) -> SectorMap:
    """Read a sector concordance CSV: ``from,to`` plus optional ``hs6`` and ``name`` columns.

    A ``from`` code on several rows is split into those rows' ``to`` codes; each such row
    lists the HS codes of its piece in ``hs6``. Rows of codes that are not split leave
    ``hs6`` empty.

    Raises
    ------
    ConcordanceError
        Empty codes; a source mapped twice to the same target; a split row without HS
        codes, or HS codes on a row that is not split; malformed HS codes; an HS code
        (or a prefix of it) in two target sectors.

    """
    p = Path(path)
    file = str(p)
    df = read_table(p, "sector concordance (columns from,to[,hs6][,name])", sep=",")
    df.columns = [str(c).strip() for c in df.columns]
    require_columns(df, ("from", "to"), p)
    df = df.fillna("")
    src = df["from"].astype(str).str.strip().tolist()
    dst = df["to"].astype(str).str.strip().tolist()
    hs = df["hs6"].astype(str).str.strip().tolist() if "hs6" in df.columns else [""] * len(df)
    names = df["name"].astype(str).str.strip().tolist() if "name" in df.columns else [""] * len(df)
    for k, (a, b) in enumerate(zip(src, dst, strict=True)):
        if not a or not b:
            raise ConcordanceError(
                f"data row {k + 1} has an empty code",
                file=file,
                field="from, to",
                expected="a source and a target code on every row",
            )
    pairs = pd.Series(list(zip(src, dst, strict=True)))
    if pairs.duplicated().any():
        a, b = pairs[pairs.duplicated()].iloc[0]
        raise ConcordanceError(
            f"{a} -> {b} is listed twice",
            file=file,
            field="from, to",
            expected="each source -> target pair once",
            fix="merge the rows (list all HS codes of the piece on one row)",
        )
    counts = pd.Series(src).value_counts()
    mapping: dict[str, str] = {}
    splits: dict[str, dict[str, tuple[str, ...]]] = {}
    for k, (a, b, h) in enumerate(zip(src, dst, hs, strict=True)):
        if counts[a] == 1:
            if h:
                raise ConcordanceError(
                    f"data row {k + 1} ({a} -> {b}) lists HS codes but {a} is not split",
                    file=file,
                    field="hs6",
                    expected="HS codes only on the rows of a sector split into several targets",
                    fix=f"leave hs6 empty for {a}, or add the other targets {a} splits into",
                )
            mapping[a] = b
            continue
        if not h:
            raise ConcordanceError(
                f"data row {k + 1}: {a} is split into {counts[a]} targets but its piece {b} "
                "lists no HS codes",
                file=file,
                field="hs6",
                expected="the HS6 codes (or 2/4-digit prefixes) of every piece of a split sector",
                fix=f"list the HS codes of {b}, separated by spaces",
            )
        splits.setdefault(a, {})[b] = _hs_codes(h, file, k + 1, a, b)
    owner = sorted((c, f"{a} -> {b}") for a, pieces in splits.items() for b, cs in pieces.items() for c in cs)
    for (c1, o1), (c2, o2) in itertools.pairwise(owner):
        if c2.startswith(c1):
            raise ConcordanceError(
                f"HS code {c2} is in two target sectors: {o1} (as {c1}) and {o2}",
                file=file,
                field="hs6",
                expected="every HS6 code in at most one target sector",
                fix=f"remove {c2} (or the prefix {c1}) from one of the two rows",
            )
    named = {b: n for b, n in zip(dst, names, strict=True) if n}
    return SectorMap(mapping=mapping, splits=splits, names=named, file=file)


def read_baci_countries(path: str | os.PathLike[str]) -> dict[str, str]:
    """BACI numeric country code -> ISO3, from BACI's ``country_codes_V*.csv``.

    Reads the columns ``country_code`` and ``country_iso3`` (releases since 2023) or
    ``iso_3digit_alpha`` (older releases). BACI's code ``S19`` ("Other Asia, nes", the
    customs name of Taiwan) becomes ``TWN``, as in ICIO (:data:`BACI_ALIASES`).
    """
    p = Path(path)
    df = read_table(p, "BACI country codes (country_code, country_iso3)", sep=",")
    df.columns = [str(c).strip() for c in df.columns]
    iso = next((c for c in ("country_iso3", "iso_3digit_alpha") if c in df.columns), "country_iso3")
    require_columns(df, ("country_code", iso), p)
    codes = df["country_code"].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    iso3 = df[iso].fillna("").astype(str).str.strip().replace(BACI_ALIASES)
    return {c: i for c, i in zip(codes, iso3, strict=True) if i}


#: BACI codes that differ from the ISO3 codes the source tables use.
BACI_ALIASES = {"S19": "TWN"}
#: Columns of a CEPII BACI file (year, exporter, importer, HS6 product, value in USD thousand).
BACI_COLUMNS = ("i", "j", "k", "v")


def read_hs6_trade(
    path: str | os.PathLike[str], *, baci_countries: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """Read a bilateral HS6 trade table: columns exporter, importer, hs6, value.

    Country codes are those of the source table (ISO3, as ICIO uses); HS codes with their
    leading zeros dropped (BACI's integer ``k``) are padded to six digits. A CEPII BACI
    file as released (columns ``t, i, j, k, v, q`` with numeric country codes) is read
    too, given BACI's country-code file ``baci_countries`` (:func:`read_baci_countries`).

    Raises
    ------
    DataError
        Missing columns, empty codes, HS codes that are not six digits, non-numeric,
        NaN or negative values; a BACI file without its country codes, or with codes
        that file does not list.

    """
    p = Path(path)
    df = read_table(p, "bilateral HS6 trade (columns exporter,importer,hs6,value)")
    df.columns = [str(c).strip() for c in df.columns]
    if set(BACI_COLUMNS) <= set(df.columns) and not set(TRADE_COLUMNS) <= set(df.columns):
        if baci_countries is None:
            raise DataError(
                "the file looks like CEPII BACI (columns i, j, k, v) but BACI's country codes were not given",
                file=str(p),
                field="i, j",
                expected="exporter,importer,hs6,value with ISO3 codes, or BACI with its country_codes file",
                fix="pass --baci-countries country_codes_V202401.csv (it ships with BACI)",
            )
        iso = read_baci_countries(baci_countries)
        df = df.rename(columns=dict(zip(BACI_COLUMNS, TRADE_COLUMNS, strict=True)))
        for col in ("exporter", "importer"):
            num = df[col].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
            mapped = num.map(iso)
            if mapped.isna().any():
                row = int(np.argmax(mapped.isna().to_numpy()))
                raise DataError(
                    f"{int(mapped.isna().sum())} rows with a country code that {Path(baci_countries).name} "
                    f"does not list (first in data row {row + 1}: {num.iloc[row]!r})",
                    file=str(p),
                    field=col,
                    expected="BACI country codes listed in the country-code file",
                    fix="use the country-code file of the same BACI release",
                )
            df[col] = mapped
    require_columns(df, TRADE_COLUMNS, p)
    value = numeric_column(df, "value", p)
    out = pd.DataFrame(
        {
            "exporter": df["exporter"].fillna("").astype(str).str.strip(),
            "importer": df["importer"].fillna("").astype(str).str.strip(),
            "hs6": df["hs6"].astype(str).str.strip().str.replace(r"\.0$", "", regex=True).str.zfill(6),
            "value": value,
        }
    )
    bad = ~out["hs6"].str.fullmatch(r"\d{6}")
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise DataError(
            f"{int(bad.sum())} HS codes that are not six digits (first in data row {row + 1}: "
            f"{df['hs6'].iloc[row]!r})",
            file=str(p),
            field="hs6",
            expected="six-digit HS codes (HS 2017 or the revision of the concordance)",
            fix="keep only HS6 product rows",
        )
    empty = (out["exporter"] == "") | (out["importer"] == "")
    if empty.any():
        row = int(np.argmax(empty.to_numpy()))
        raise DataError(
            f"{int(empty.sum())} rows with an empty country code (first data row {row + 1})",
            file=str(p),
            field="exporter, importer",
            expected="a country code of the source table on every row",
        )
    return out


def read_output_shares(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read observed output shares of split pieces: columns region, sector, share (fractions)."""
    p = Path(path)
    df = read_table(p, "output shares (columns region,sector,share)")
    df.columns = [str(c).strip() for c in df.columns]
    require_columns(df, ("region", "sector", "share"), p)
    share = numeric_column(df, "share", p)
    return pd.DataFrame(
        {
            "region": df["region"].astype(str).str.strip(),
            "sector": df["sector"].astype(str).str.strip(),
            "share": share,
        }
    ).assign(file=str(p))


@dataclass(frozen=True)
class SplitShares:
    """Split shares of one source sector: σ[origin, region, piece], with their provenance.

    Attributes
    ----------
    source: the split source sector.
    pieces: its target codes.
    shares: σ[i, n, k], shape (R, R, K), summing to one over k.
    observed_pairs: number of off-diagonal pairs with their own trade in the table.
    fallback_pairs: off-diagonal pairs that took the exporter's (or world) shares.

    """

    source: str
    pieces: tuple[str, ...]
    shares: np.ndarray
    observed_pairs: int
    fallback_pairs: int


def _match_hs(hs6: pd.Series, codes: Mapping[str, int]) -> np.ndarray:
    """Index of the piece each HS6 code belongs to (-1 for none); codes are 2/4/6-digit prefixes."""
    out = np.full(len(hs6), -1, dtype=int)
    for length in (2, 4, 6):
        table = {c: k for c, k in codes.items() if len(c) == length}
        if table:
            hit = hs6.str[:length].map(table)
            mask = hit.notna().to_numpy()
            out[mask] = hit[mask].to_numpy(dtype=int)
    return out


def trade_shares(
    trade: pd.DataFrame,
    sector_map: SectorMap,
    region_of: Mapping[str, str],
    regions: list[str],
    *,
    fallback_region: str | None,
    file: str | None = None,
) -> tuple[dict[str, SplitShares], list[str]]:
    """Pair split shares σ[i, n, k] of every split sector from an HS6 trade table.

    Parameters
    ----------
    trade
        Columns exporter, importer, hs6, value (:func:`read_hs6_trade`).
    sector_map
        The concordance with the splits and their HS codes.
    region_of
        Source country code -> target region code.
    regions
        The target regions, in the World's order.
    fallback_region
        Target region of countries not in ``region_of`` (the one the source's ``ROW``
        maps to); ``None`` makes such countries an error.
    file
        The trade table's path, for messages.

    Returns
    -------
    (shares by source sector, country codes sent to the fallback region)

    """
    codes = pd.concat([trade["exporter"], trade["importer"]]).unique()
    unmapped = sorted(c for c in codes if c not in region_of)
    if unmapped and fallback_region is None:
        raise UnknownCodeError(
            "country (of the region concordance)",
            unmapped[0],
            sorted(region_of),
            file=file,
            field="exporter, importer",
        )
    index = {r: k for k, r in enumerate(regions)}
    lookup = {c: index[region_of.get(c, fallback_region or "")] for c in codes}
    o = trade["exporter"].map(lookup).to_numpy(dtype=int)
    d = trade["importer"].map(lookup).to_numpy(dtype=int)
    value = trade["value"].to_numpy(dtype=float)
    R = len(regions)
    out: dict[str, SplitShares] = {}
    for source, pieces in sector_map.splits.items():
        K = len(pieces)
        codes_k = {c: k for k, cs in enumerate(pieces.values()) for c in cs}
        piece = _match_hs(trade["hs6"], codes_k)
        sel = piece >= 0
        V = np.zeros((R, R, K))
        np.add.at(V, (o[sel], d[sel], piece[sel]), value[sel])
        world = V.sum(axis=(0, 1))
        if world.sum() <= 0:
            raise DataError(
                f"the trade table has no trade in the HS codes of the split sector {source} "
                f"({', '.join(pieces)})",
                file=file,
                field="hs6",
                expected=f"rows with the HS codes listed for {source} in the sector concordance",
                fix="use a trade extract that covers those HS codes, or check the concordance's HS lists",
            )
        exporter = V.sum(axis=1)  # (R, K), all of i's trade in the table
        has_exports = exporter.sum(axis=1) > 0
        exporter_sh = np.where(
            has_exports[:, None],
            exporter / np.where(has_exports, exporter.sum(axis=1), 1.0)[:, None],
            world / world.sum(),
        )
        pair_total = V.sum(axis=2)
        observed = (pair_total > 0) & ~np.eye(R, dtype=bool)
        shares = np.where(
            observed[:, :, None], V / np.where(observed, pair_total, 1.0)[:, :, None], exporter_sh[:, None, :]
        )
        off = ~np.eye(R, dtype=bool)
        out[source] = SplitShares(
            source=source,
            pieces=tuple(pieces),
            shares=shares,
            observed_pairs=int(observed.sum()),
            fallback_pairs=int((off & ~observed).sum()),
        )
    return out, unmapped


def _rebalance_rows(
    rows: np.ndarray, target: np.ndarray, source: str, pieces: tuple[str, ...], file: str | None
) -> np.ndarray:
    """RAS the row split X[i, k, m] to piece outputs ``target[i, k]`` keeping Σ_k X = source cells."""
    cells = rows.sum(axis=1)
    try:
        res = ipf(rows, [((0, 2), cells), ((0, 1), target)])
    except DataError as err:
        raise DataError(
            f"the observed output shares of {source} ({', '.join(pieces)}) cannot be met from the "
            f"trade-share split: {err.message}",
            file=file,
            field="share",
            expected="a positive share only for pieces the trade table gives some sales in that region",
            fix="set that share to 0, or extend the HS6 trade table",
        ) from None
    return res.table


def split_sectors(
    world: World,
    sector_map: SectorMap,
    shares: Mapping[str, SplitShares],
    *,
    output_shares: pd.DataFrame | None = None,
) -> World:
    """Split the World's source sectors into pieces ``SOURCE>TARGET`` (see the module docstring).

    Parameters
    ----------
    world
        A balanced World at the source sectors (regions already aggregated).
    sector_map
        The concordance; only its splits are used here.
    shares
        :func:`trade_shares` of every split sector, on ``world``'s regions.
    output_shares
        Optional observed output shares (:func:`read_output_shares`: region, sector =
        target piece code, share); regions not listed keep the trade-implied shares.

    Returns
    -------
    World
        Sectors in the source order with each split sector replaced by its pieces;
        balanced; ``imputed`` marks every cell in a piece's row or column.

    Raises
    ------
    UnknownCodeError
        A split sector that is not in the World; an output share for an unknown region or
        piece.
    DataError
        Output shares that do not sum to one over the pieces of a sector in a region, or
        that cannot be met (a piece with no trade-implied sales where a share is positive).

    """
    R, S = world.shape
    regions, sectors = world.regions, world.sectors
    for src in sector_map.splits:
        if src not in sectors:
            raise UnknownCodeError("sector", src, sectors, file=sector_map.file, field="from")
    new: list[str] = []
    parent: list[int] = []
    split: list[bool] = []
    for s, code in enumerate(sectors):
        own: list[str | None] = [*sector_map.splits.get(code, {})] or [None]
        for k in own:
            new.append(code if k is None else sector_map.piece(code, k))
            parent.append(s)
            split.append(k is not None)
    par = np.array(parent)
    S2 = len(new)
    # row weights W[i, s2, n]: 1 for unsplit sectors, σ[i, n, k] for pieces
    W = np.ones((R, S2, R))
    start = {code: new.index(sector_map.piece(code, next(iter(p)))) for code, p in sector_map.splits.items()}
    for code, sh in shares.items():
        W[:, start[code] : start[code] + len(sh.pieces), :] = sh.shares.transpose(0, 2, 1)
    Z, F = world.intermediate.values, world.final_demand.values
    Zr = Z[:, par, :, :] * W[:, :, :, None]  # (R, S2, R, S) rows split
    Fr = F[:, par, :] * W
    if output_shares is not None and len(output_shares):
        Zr, Fr = _impose_output_shares(Zr, Fr, world, sector_map, new, output_shares)
    x = world.gross_output.values  # (R, S)
    x2 = Zr.sum(axis=(2, 3)) + Fr.sum(axis=2)  # (R, S2)
    xp = x[:, par]
    c = np.where(xp > 0, x2 / np.where(xp > 0, xp, 1.0), 0.0)
    n_pieces = np.bincount(par, minlength=S)[par]
    c = np.where(xp > 0, c, 1.0 / n_pieces)
    Z2 = Zr[:, :, :, par] * c[None, None, :, :]
    va2 = world.value_added.values[:, par] * c
    t2 = world.tariff.values[:, :, par]
    theta2 = world.theta.values[par]
    is_piece = np.array(split, dtype=bool)
    imp_z = np.broadcast_to(is_piece[None, :, None, None] | is_piece[None, None, None, :], Z2.shape)
    masks = {
        "intermediate": imp_z,
        "final_demand": np.broadcast_to(is_piece[None, :, None], Fr.shape),
        "value_added": np.broadcast_to(is_piece[None, :], va2.shape),
    }
    # cells imputed in the source stay imputed in their pieces
    for var in world.imputed.data_vars:
        old = world.imputed[var].values
        axes = [k for k, d in enumerate(world.imputed[var].dims) if d in ("product", "sector")]
        for ax in axes:
            old = np.take(old, par, axis=ax)
        masks[str(var)] = masks.get(str(var), np.zeros(old.shape, bool)) | old
    names = dict(world.meta.sector_names)
    for code, parts in sector_map.splits.items():
        for k in parts:
            names[sector_map.piece(code, k)] = f"{names.get(code, code)}: {sector_map.names.get(k, k)} part"
    notes = [
        f"{code} split into {', '.join(sh.pieces)} by HS6 trade shares: {sh.observed_pairs} region pairs "
        f"from their own trade, {sh.fallback_pairs} from the exporter's (or world) shares; domestic "
        "cells by the exporter's export shares; inputs and value added by output shares"
        for code, sh in shares.items()
    ]
    meta = replace(world.meta, sector_names=names, notes=(*world.meta.notes, *notes))
    return World.from_arrays(
        regions=regions,
        sectors=new,
        intermediate=Z2,
        final_demand=Fr,
        value_added=va2,
        tariff=t2,
        theta=theta2,
        meta=meta,
        imputed=masks,
        tariff_layers={k: v.values[:, :, par] for k, v in world.tariff_layers.items()},
    )


def _impose_output_shares(
    Zr: np.ndarray,
    Fr: np.ndarray,
    world: World,
    sector_map: SectorMap,
    new: list[str],
    output_shares: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray]:
    """RAS the row split of each split sector to observed output shares (module docstring)."""
    regions = world.regions
    file = str(output_shares["file"].iloc[0]) if "file" in output_shares else None
    piece_of = {k: code for code, pieces in sector_map.splits.items() for k in pieces}
    for col, known in (("region", regions), ("sector", list(piece_of))):
        bad = sorted(set(output_shares[col]) - set(known))
        if bad:
            kind = "region" if col == "region" else "split piece (a target code of a split sector)"
            raise UnknownCodeError(kind, bad[0], known, file=file, field=col)
    R = len(regions)
    S = Zr.shape[3]
    x = world.gross_output.values
    for code, pieces in sector_map.splits.items():
        rows = output_shares[output_shares["sector"].isin(list(pieces))]
        if rows.empty:
            continue
        ks = list(pieces)
        omega = np.full((R, len(ks)), np.nan)
        r_idx = rows["region"].map({r: i for i, r in enumerate(regions)}).to_numpy(dtype=int)
        k_idx = rows["sector"].map({k: i for i, k in enumerate(ks)}).to_numpy(dtype=int)
        dup = pd.Series(list(zip(r_idx, k_idx, strict=True))).duplicated()
        if dup.any():
            raise DataError(
                "a region and sector listed twice", file=file, field="region, sector", fix="keep one row"
            )
        omega[r_idx, k_idx] = rows["share"].to_numpy(dtype=float)
        listed = ~np.isnan(omega).all(axis=1)
        partial = listed & np.isnan(omega).any(axis=1)
        total = np.nansum(omega, axis=1)
        wrong = listed & (partial | (np.abs(total - 1.0) > SHARE_TOL))
        if wrong.any():
            i = int(np.argmax(wrong))
            raise DataError(
                f"the output shares of {code}'s pieces in {regions[i]} sum to {total[i]:.6g} "
                f"over {int((~np.isnan(omega[i])).sum())} of {len(ks)} pieces",
                file=file,
                field="share",
                expected=f"one share per piece ({', '.join(ks)}) for each region listed, summing to 1",
                fix="list every piece of the sector for that region, as fractions that sum to 1",
            )
        lo = new.index(sector_map.piece(code, ks[0]))
        block = np.concatenate(
            [Zr[:, lo : lo + len(ks)].reshape(R, len(ks), R * S), Fr[:, lo : lo + len(ks)]], axis=2
        )
        prior_out = block.sum(axis=2)
        omega = omega / np.where(listed, total, 1.0)[:, None]
        s = world.sectors.index(code)
        target = np.where(listed[:, None], np.nan_to_num(omega) * x[:, s][:, None], prior_out)
        bal = _rebalance_rows(block, target, code, tuple(ks), file)
        Zr = Zr.copy()
        Fr = Fr.copy()
        Zr[:, lo : lo + len(ks)] = bal[:, :, : R * S].reshape(R, len(ks), R, S)
        Fr[:, lo : lo + len(ks)] = bal[:, :, R * S :]
    return Zr, Fr
