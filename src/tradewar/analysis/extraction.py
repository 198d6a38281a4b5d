"""Hypothetical extraction of a supplier's deliveries to one region; chokepoint ranking.

Hypothetical extraction (Miller and Blair 2009, §12.2, after Dietzenbacher and van der
Linden 1997, *J. Regional Science* 37(2), 235-257; for trade links Dietzenbacher, van
Burken and Kondo 2019, *Economic Systems Research* 31(4), 505-519): region n loses every
delivery of product p made in region s: the coefficients A[(s,p), (n,j)] of all of n's
sectors j and the final demand F[(s,p), n] are set to zero, nothing substitutes for them,
the other final demands stay as they are, and output is recomputed with the Leontief model
x̃ = (I - Ã)⁻¹ f̃. Output lost is Δx = x - x̃.

The extraction is a rank-one change of I - A, so Sherman-Morrison gives it without a new
factorisation. With ``a'`` the extracted row (A[(s,p), (n,j)] for n's sectors, zero
elsewhere), ``l = L e_(s,p)`` and T[s,p,n] = Σ_j Z[(s,p),(n,j)] + F[(s,p),n] the lost
deliveries:

    Δx = l · T[s, p, n] / (1 + a' l)

so output lost in region m is ``(Σ_{k∈m} L[k, (s,p)]) T[s,p,n] / (1 + Σ_j A[(s,p),(n,j)] L[(n,j),(s,p)])``.
The block column sums of L come from R transposed solves, shared by all target regions;
the denominators of target n need the S rows of L belonging to n, i.e. S transposed
solves per target region (all R targets together cost as much as forming L).

What the two extractions measure. The Leontief (demand-driven, *backward*) extraction
above is the one Miller and Blair and Dietzenbacher et al. define: n's sectors keep their
output and simply stop buying from (s, p), so the output lost falls mostly on the
*supplier's* value chain (s loses a customer) and only a little, through feedback, on n.
It answers "how much does the supply chain of (s, p) depend on region n's demand?".
For "how much would region n lose without (s, p)'s supply?" the supply-driven (Ghosh,
*forward*) extraction (Miller and Blair 2009, §12.1-12.2; Dietzenbacher and van der
Linden 1997 define both) removes the allocation coefficients B[(s,p), (n,j)] with primary
inputs fixed: x̃' = v' (I - B̃)⁻¹. With G = x̂⁻¹ L x̂ it is again rank one:

    Δx[k] = x[k] · Σ_j A[(s,p),(n,j)] L[(n,j), k] / (1 + a' l)

(same denominator), so output lost downstream in region m is
``Σ_j A[(s,p),(n,j)] H[j, m] / (1 + a' l)`` with ``H[j, m] = Σ_{k∈m} x[k] L[(n,j), k]``, from
the same S rows of L. Final sales play no part in the Ghosh model (they are what is left
of output). Both are linear, no-substitution accounting measures, not counterfactual
equilibria: the forward one charges n's users the value of the lost input and its
downstream propagation, not the collapse of an essential input (for that, use the
general-equilibrium models with low elasticities).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from tradewar.analysis._mrio import MRIO
from tradewar.errors import ModelError, UnknownCodeError
from tradewar.world.world import World


def extraction_arrays(mrio: MRIO, target: int) -> np.ndarray:
    """Output lost by region when each (origin, product) stops supplying region ``target``.

    Returns
    -------
    numpy.ndarray
        (R, S, R) array ``lost[s, p, m]``: gross output lost in region m when product p of
        region s no longer reaches region ``target`` (index), in value units.
    """
    R, S, n = mrio.R, mrio.S, mrio.n
    rows = np.arange(target * S, (target + 1) * S)
    L_rows = mrio.rows_of_L(target)  # L_rows[(s,p), j] = L[(target,j), (s,p)]
    A_rows = mrio.Z[:, rows] * mrio.inv_x[rows][None, :]  # A[(s,p), (target, j)]
    denom = 1.0 + (A_rows * L_rows).sum(axis=1)
    lost_deliveries = mrio.trade[:, :, target].reshape(n)
    C = mrio.block_column_sums
    return (C * (lost_deliveries / denom)[:, None]).reshape(R, S, R)


def forward_extraction_arrays(mrio: MRIO, target: int) -> np.ndarray:
    """Supply-driven (Ghosh) output lost by region when each (origin, product) stops supplying ``target``.

    Returns
    -------
    numpy.ndarray
        (R, S, R) array ``lost[s, p, m]``: gross output lost in region m, in value units,
        when the allocation of product p of region s to the sectors of region ``target``
        is removed with primary inputs fixed (module docstring).
    """
    R, S = mrio.R, mrio.S
    rows = np.arange(target * S, (target + 1) * S)
    L_rows = mrio.rows_of_L(target)  # [k, j] = L[(target, j), k]
    A_rows = mrio.Z[:, rows] * mrio.inv_x[rows][None, :]
    denom = 1.0 + (A_rows * L_rows).sum(axis=1)
    H = (mrio.x[:, None] * L_rows).reshape(R, S, S).sum(axis=1).T  # H[j, m]
    return ((A_rows @ H) / denom[:, None]).reshape(R, S, R)


def supplier_extraction_arrays(mrio: MRIO, supplier: int, target: int) -> tuple[np.ndarray, np.ndarray]:
    """Output lost by region when region ``supplier`` stops delivering anything to ``target``.

    All S products at once: a rank-S change of I - A (or I - B), by the Woodbury identity.
    With U the unit columns of the supplier's S rows, W = A[(supplier, ·), (target, ·)],
    P = L U (S forward solves), K = I_S + W P[target rows], t[p] = T[supplier, p, target]
    and H as in the module docstring (S transposed solves):

        Leontief (backward)  Δx = P K⁻¹ t
        Ghosh (forward)      Δx[k] = x[k] (1' K⁻¹ W L[(target, ·), k])

    (for S = 1 these are the rank-one formulas of the module docstring).

    Returns
    -------
    tuple of numpy.ndarray
        (backward, forward): (R,) gross output lost in each region.
    """
    R, S, n = mrio.R, mrio.S, mrio.n
    rows = np.arange(supplier * S, (supplier + 1) * S)
    cols = np.arange(target * S, (target + 1) * S)
    U = np.zeros((n, S))
    U[rows, np.arange(S)] = 1.0
    P = mrio.system.solve(U)  # columns of L for the supplier's products
    W = mrio.Z[np.ix_(rows, cols)] * mrio.inv_x[cols][None, :]  # A[(supplier, p), (target, j)]
    K = np.eye(S) + W @ P[cols, :]
    t = mrio.trade[supplier, :, target]
    backward = (P @ np.linalg.solve(K, t)).reshape(R, S).sum(axis=1)
    H = (mrio.x[:, None] * mrio.rows_of_L(target)).reshape(R, S, S).sum(axis=1).T  # H[j, m]
    forward = np.linalg.solve(K.T, np.ones(S)) @ W @ H
    return np.asarray(backward), np.asarray(forward)


def supplier_cutoff(world: World, region: str, suppliers: Sequence[str] | None = None) -> xr.Dataset:
    """Output lost when each supplier region stops delivering *all* products to ``region``.

    Hypothetical extraction of a whole bilateral link (Dietzenbacher, van Burken and Kondo
    2019), all products at once: not the sum of the product-by-product extractions.

    Returns
    -------
    xarray.Dataset
        With dim ``origin`` (the suppliers): ``deliveries``, ``output_lost``,
        ``output_lost_pct`` (of the region's gross output), ``world_output_lost`` and
        ``world_output_lost_pct`` (Leontief extraction), ``forward_output_lost``,
        ``forward_output_lost_pct`` and ``forward_world_output_lost`` (Ghosh). Each
        supplier costs S solves of the factored system, plus S for the region.
    """
    mrio = MRIO.from_world(world)
    t = _region_index(mrio.regions, region)
    names = [str(r) for r in (mrio.regions if suppliers is None else suppliers)]
    idx = [_region_index(mrio.regions, r) for r in names]
    both = [supplier_extraction_arrays(mrio, i, t) for i in idx]
    lost = np.stack([b for b, _ in both])  # (supplier, region m)
    fwd = np.stack([f for _, f in both])
    X = mrio.region_output
    unit = world.meta.unit
    dims = ("origin",)
    data = {
        "deliveries": (dims, mrio.trade[idx, :, t].sum(axis=1), {"units": unit}),
        "output_lost": (dims, lost[:, t], {"long_name": "gross output lost in the region", "units": unit}),
        "output_lost_pct": (dims, 100.0 * lost[:, t] / X[t], {"units": "%"}),
        "world_output_lost": (dims, lost.sum(axis=1), {"units": unit}),
        "world_output_lost_pct": (dims, 100.0 * lost.sum(axis=1) / X.sum(), {"units": "%"}),
        "forward_output_lost": (dims, fwd[:, t], {"long_name": "supply-driven (Ghosh)", "units": unit}),
        "forward_output_lost_pct": (dims, 100.0 * fwd[:, t] / X[t], {"units": "%"}),
        "forward_world_output_lost": (dims, fwd.sum(axis=1), {"units": unit}),
    }
    return xr.Dataset(data, coords={"origin": names}, attrs={"world": world.meta.name, "region": region})


def _region_index(regions: Sequence[str], region: str) -> int:
    if region not in regions:
        raise UnknownCodeError("region", region, list(regions), field="region")
    return list(regions).index(region)


def extraction_dataset(mrio: MRIO, regions: Sequence[str] | None = None, unit: str = "") -> xr.Dataset:
    """Labelled :func:`extraction_arrays` for the regions cut off (see :func:`hypothetical_extraction`)."""
    names = list(mrio.regions) if regions is None else [str(r) for r in regions]
    idx = [_region_index(mrio.regions, r) for r in names]
    X = mrio.region_output
    lost = np.stack([extraction_arrays(mrio, t) for t in idx], axis=2)  # (s, p, target, m)
    own = np.stack([lost[:, :, k, t] for k, t in enumerate(idx)], axis=2)
    total = lost.sum(axis=3)
    fwd = np.stack([forward_extraction_arrays(mrio, t) for t in idx], axis=2)
    fwd_own = np.stack([fwd[:, :, k, t] for k, t in enumerate(idx)], axis=2)
    fwd_total = fwd.sum(axis=3)
    with np.errstate(divide="ignore", invalid="ignore"):
        own_pct = 100.0 * own / X[idx][None, None, :]
        total_pct = 100.0 * total / X.sum()
        fwd_pct = 100.0 * fwd_own / X[idx][None, None, :]
    coords = {"origin": list(mrio.regions), "product": list(mrio.sectors), "region": names}
    dims = ("origin", "product", "region")
    data = {
        "deliveries": (dims, mrio.trade[:, :, idx], {"long_name": "deliveries cut off", "units": unit}),
        "output_lost": (dims, own, {"long_name": "gross output lost in the region", "units": unit}),
        "output_lost_pct": (dims, own_pct, {"long_name": "gross output lost in the region", "units": "%"}),
        "world_output_lost": (dims, total, {"long_name": "gross output lost worldwide", "units": unit}),
        "world_output_lost_pct": (dims, total_pct, {"long_name": "world gross output lost", "units": "%"}),
        "forward_output_lost": (
            dims,
            fwd_own,
            {"long_name": "gross output lost in the region, supply-driven (Ghosh)", "units": unit},
        ),
        "forward_output_lost_pct": (dims, fwd_pct, {"long_name": "forward output lost", "units": "%"}),
        "forward_world_output_lost": (
            dims,
            fwd_total,
            {"long_name": "gross output lost worldwide, supply-driven (Ghosh)", "units": unit},
        ),
    }
    return xr.Dataset(data, coords=coords)


def hypothetical_extraction(world: World, regions: Sequence[str] | None = None) -> xr.Dataset:
    """Output lost when each (origin, product) stops supplying each region in ``regions``.

    Parameters
    ----------
    world:
        The baseline.
    regions:
        Regions cut off (default: all; each costs S solves of the factored system).

    Returns
    -------
    xarray.Dataset
        With dims (origin, product, region), ``region`` being the region cut off:
        ``deliveries`` (T[origin, product, region], what is lost); for the Leontief
        (backward) extraction ``output_lost`` (gross output lost in the region itself),
        ``output_lost_pct`` (percent of its gross output), ``world_output_lost`` (lost in
        all regions, mostly the supplier's chain) and ``world_output_lost_pct`` (percent of
        world gross output); for the Ghosh (forward) extraction ``forward_output_lost``,
        ``forward_output_lost_pct`` and ``forward_world_output_lost``.

    Raises
    ------
    UnknownCodeError
        If a region is not in the world.
    """
    ds = extraction_dataset(MRIO.from_world(world), regions, world.meta.unit)
    ds.attrs = {"world": world.meta.name}
    return ds


def chokepoints(
    world: World,
    region: str,
    *,
    top: int | None = 10,
    foreign_only: bool = True,
    by: str = "output_lost",
) -> pd.DataFrame:
    """Rank the (origin, product) supplies of ``region`` by the output lost without them.

    Parameters
    ----------
    world, region:
        The baseline and the region cut off.
    top:
        Rows to keep (None = all).
    foreign_only:
        Leave domestic supply out.
    by:
        Ranking key, a variable of :func:`hypothetical_extraction`: ``output_lost``
        (Leontief extraction, as defined by Miller and Blair; default),
        ``forward_output_lost`` (Ghosh, what the region's users lose downstream),
        ``world_output_lost`` or ``forward_world_output_lost``.

    Returns
    -------
    pandas.DataFrame
        One row per (origin, product), sorted by ``by`` (descending), with the variables of
        :func:`hypothetical_extraction` as columns and ``rank`` (1 = worst).

    Raises
    ------
    UnknownCodeError
        If ``region`` is not in the world.
    ModelError
        If ``by`` is not one of the ranking keys.
    """
    keys = ("output_lost", "forward_output_lost", "world_output_lost", "forward_world_output_lost")
    if by not in keys:
        raise ModelError(f"cannot rank chokepoints by {by!r}", field="by", expected=f"one of {keys}")
    ds = hypothetical_extraction(world, [region]).sel(region=region, drop=True)
    df = ds.to_dataframe().reset_index()
    if foreign_only:
        df = df[df["origin"] != region]
    df = df.sort_values([by, "origin", "product"], ascending=[False, True, True])
    df = df.reset_index(drop=True)
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df if top is None else df.head(top)
