"""Aggregate a World's regions and sectors by a concordance.

A concordance maps every old code to exactly one new code (a dict, or a CSV file with
two columns ``from,to``). With indicator matrices G (old x new, G[a, A] = 1 if a maps
to A) the flows aggregate by summation:

    Z'[I, P, N, S] = Σ_{i∈I, p∈P, n∈N, s∈S} Z[i, p, n, s],   F'[I, P, N] = Σ F,
    VA' as the residual of the cost identity (see below).

Tariffs and trade elasticities are averaged with trade weights, the usual choice when
aggregating tariff schedules (WTO/UNCTAD/ITC *World Tariff Profiles*, technical notes):

    t'[I, N, P] = Σ t[i, n, p] T[i, n, p] / Σ T[i, n, p]      (T = Z + F, the flows)
    θ'[P]       = Σ_p θ[p] E[p] / Σ_p E[p]                    (E = international trade)

falling back to the simple mean where the weights are all zero; flows inside a merged
region become domestic and carry no tariff. Averaging preserves each aggregate flow's
tariff revenue but can shift tariff cost between the sectors that buy it, so value added
is recomputed as output minus inputs at purchaser prices,
VA'[N, S] = x'[N, S] - Σ (1 + t') Z', which keeps every account balanced; the largest
shift is recorded in ``meta.notes``. Imputation masks aggregate with "any member imputed".
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np

from tradewar.errors import AccountsError, ConcordanceError, UnknownCodeError
from tradewar.world.readers._common import read_table
from tradewar.world.world import World

Concordance = Mapping[str, str] | str | os.PathLike[str]


def read_concordance(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read a two-column CSV concordance (``from,to``; other names: the first two columns).

    Raises
    ------
    DataError
        Missing file, fewer than two columns, empty codes.
    ConcordanceError
        A ``from`` code listed twice.

    """
    p = Path(path)
    df = read_table(p, "concordance (columns from,to)")
    cols = ["from", "to"] if {"from", "to"} <= set(df.columns) else list(df.columns[:2])
    if len(cols) < 2:
        raise ConcordanceError(
            "a concordance needs two columns",
            file=str(p),
            expected="columns from,to (old code, new code)",
            fix="write one line per old code: OLD,NEW",
        )
    src = df[cols[0]].astype(str).str.strip()
    dst = df[cols[1]].astype(str).str.strip()
    empty = (src == "") | (dst == "") | df[cols].isna().any(axis=1).to_numpy()
    if empty.any():
        raise ConcordanceError(
            f"{int(empty.sum())} rows with an empty code (first data row {int(np.argmax(empty)) + 1})",
            file=str(p),
            field=", ".join(cols),
            expected="an old and a new code on every row",
        )
    dup = src[src.duplicated()].unique().tolist()
    if dup:
        raise ConcordanceError(
            f"codes {dup[:10]} are listed more than once (they would be double-counted)",
            file=str(p),
            field=cols[0],
            expected="each old code exactly once",
            fix="keep one row per old code",
        )
    return dict(zip(src, dst, strict=True))


def _indicator(
    old: list[str], concordance: Concordance | None, kind: str
) -> tuple[np.ndarray, list[str], str | None]:
    """Indicator matrix (old x new), new codes in order of first appearance, and the file."""
    if concordance is None:
        return np.eye(len(old)), list(old), None
    file = None
    if isinstance(concordance, (str, os.PathLike)):
        file = str(concordance)
        mapping = read_concordance(concordance)
    else:
        mapping = {str(k): str(v) for k, v in concordance.items()}
    unknown = [c for c in mapping if c not in old]
    if unknown:
        raise UnknownCodeError(kind, unknown[0], old, file=file, field=f"{kind} concordance")
    dropped = [c for c in old if c not in mapping]
    if dropped:
        raise ConcordanceError(
            f"{len(dropped)} {kind} codes of the World are not mapped and would be dropped: {dropped[:10]}",
            file=file,
            field=f"{kind} concordance",
            expected=f"every {kind} code mapped to exactly one new code",
            fix="add the missing codes (map a code to itself to keep it)",
        )
    new = list(dict.fromkeys(mapping[c] for c in old))
    G = np.zeros((len(old), len(new)))
    for i, c in enumerate(old):
        G[i, new.index(mapping[c])] = 1.0
    return G, new, file


def _weighted_mean(values: np.ndarray, weights: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """Weighted means over the axes listed in ``groups`` (one indicator per axis)."""
    num = values * weights
    den = weights.copy()
    cnt = np.ones_like(values)
    simple = values.copy()
    for ax, G in enumerate(groups):
        num = np.moveaxis(np.tensordot(num, G, axes=([ax], [0])), -1, ax)
        den = np.moveaxis(np.tensordot(den, G, axes=([ax], [0])), -1, ax)
        cnt = np.moveaxis(np.tensordot(cnt, G, axes=([ax], [0])), -1, ax)
        simple = np.moveaxis(np.tensordot(simple, G, axes=([ax], [0])), -1, ax)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), simple / cnt)


def _sum(values: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    out = values
    for ax, G in enumerate(groups):
        out = np.moveaxis(np.tensordot(out, G, axes=([ax], [0])), -1, ax)
    return out


def aggregate(
    world: World,
    regions: Concordance | None = None,
    sectors: Concordance | None = None,
    *,
    region_names: Mapping[str, str] | None = None,
    sector_names: Mapping[str, str] | None = None,
    name: str | None = None,
) -> World:
    """Aggregate ``world`` by region and/or sector concordances (see the module docstring).

    Parameters
    ----------
    world
        The World to aggregate.
    regions, sectors
        Concordances old code -> new code (dict or CSV path); ``None`` keeps the codes.
    region_names, sector_names
        Names of the new codes (new region codes that are not ISO3 must be named here
        unless they are known aggregates such as ``EU`` or ``ROW``).
    name
        Name of the new World (default: the old name + ``"-agg"``).

    Raises
    ------
    ConcordanceError
        A World code missing from a concordance (dropped) or listed twice in a file
        (double-counted).
    UnknownCodeError
        A concordance code that is not in the World, or a new region code that is
        neither ISO3 nor declared.
    AccountsError
        Averaged tariffs would leave negative value added.

    """
    R_old, S_old = world.regions, world.sectors
    Gr, new_r, _ = _indicator(R_old, regions, "region")
    Gs, new_s, _ = _indicator(S_old, sectors, "sector")
    Z = _sum(world.intermediate.values, [Gr, Gs, Gr, Gs])
    F = _sum(world.final_demand.values, [Gr, Gs, Gr])
    flows = world.trade.transpose("origin", "region", "product").values
    t_new = _weighted_mean(world.tariff.values, flows, [Gr, Gr, Gs])
    np.einsum("iip->ip", t_new)[...] = 0.0
    layers = {
        k: _weighted_mean(v.values, flows, [Gr, Gr, Gs]) * (1.0 - np.eye(len(new_r)))[:, :, None]
        for k, v in world.tariff_layers.items()
    }
    intl = (flows * (1.0 - np.eye(len(R_old)))[:, :, None]).sum(axis=(0, 1))
    theta = _weighted_mean(world.theta.values, intl, [Gs])
    x = Z.sum(axis=(2, 3)) + F.sum(axis=2)
    cost = (Z * (1.0 + t_new.transpose(0, 2, 1))[:, :, :, None]).sum(axis=(0, 1))
    va = x - cost
    va_sum = _sum(world.value_added.values, [Gr, Gs])
    shift = np.abs(va - va_sum)
    if (va < -1e-9 * max(float(x.max()), 1.0)).any():
        r, s = np.unravel_index(int(np.argmin(va)), va.shape)
        raise AccountsError(
            f"averaging tariffs leaves negative value added {va[r, s]:.6g} in region "
            f"{new_r[r]!r}, sector {new_s[s]!r}",
            field="value_added",
            expected="non-negative value added after aggregation",
            fix="aggregate regions with similar tariffs, or zero the tariffs first",
        )
    va = np.maximum(va, 0.0)
    masks = {}
    for k in world.imputed.data_vars:
        m = world.imputed[k].values.astype(float)
        dims = world.imputed[k].dims
        groups = [Gr if d in ("origin", "region") else Gs for d in dims]
        masks[str(k)] = _sum(m, groups) > 0
    rn = {c: n for c, n in world.meta.region_names.items() if c in new_r}
    rn.update(region_names or {})
    sn = {c: n for c, n in world.meta.sector_names.items() if c in new_s}
    sn.update(sector_names or {})
    note = (
        f"aggregated from {len(R_old)} regions x {len(S_old)} sectors to {len(new_r)} x "
        f"{len(new_s)}; tariffs and theta trade-weighted; value added recomputed as the cost "
        f"residual (largest change {float(shift.max()):.3g} {world.meta.unit})"
    )
    meta = replace(
        world.meta,
        name=name or f"{world.meta.name}-agg",
        region_names=rn,
        sector_names=sn,
        notes=(*world.meta.notes, note),
    )
    return World.from_arrays(
        regions=new_r,
        sectors=new_s,
        intermediate=Z,
        final_demand=F,
        value_added=va,
        tariff=t_new,
        theta=theta,
        meta=meta,
        imputed=masks,
        tariff_layers=layers,
    )
