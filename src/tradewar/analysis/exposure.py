"""Direct and total (value-chain) exposure of each region to each supplier region.

Region ``n`` (``region``), its using sectors ``j`` (``sector``), supplier region ``s``
(``origin``) and the supplier's product ``p`` (``product``). Values at basic prices;
``A = Z x̂⁻¹``, ``L = (I - A)⁻¹`` (never formed), ``v' = 1' - 1'A`` the income generated
per unit of output (value added plus tariffs on inputs, income of the producing region;
see :attr:`MRIO.v`), ``X[n] = Σ_j x[n, j]``, ``Y[n] = Σ_{s,p} F[s, p, n]``.

For inputs (production of region n):

* direct, by using sector     ``input_direct[s, n, j] = Σ_p A[(s,p), (n,j)]``
  share of (n, j)'s output value spent on inputs bought from s;
* direct, by supplier product ``input_direct_by_product[s, p, n] = Σ_j Z[(s,p), (n,j)] / X[n]``;
* total, by using sector      ``input_total[s, n, j] = Σ_p v[s,p] L[(s,p), (n,j)]``
  share of the value of (n, j)'s output that is income generated in s, directly and
  through every upstream tier (the value-added multipliers v' L of Miller and Blair
  2009, ch. 6, split by origin region as in the interregional model of their ch. 3;
  Koopman, Wang and Wei 2014, the VB matrix);
* total, by supplier product  ``input_total_by_product[s, p, n] = v[s,p] Σ_j L[(s,p), (n,j)] x[n,j] / X[n]``
  the output-weighted mean over n's sectors of the income share generated in (s, p).

For final demand of region n:

* direct  ``final_direct[s, p, n] = F[(s,p), n] / Y[n]`` share of n's final purchases
  bought from (s, p);
* total   ``final_total[s, p, n] = v[s,p] (L F)[(s,p), n] / Y[n]`` share of the value of
  n's final demand that is income generated in (s, p) (value added embodied in final
  demand: pymrio's consumption-based account ``D_cba`` with value added as the
  extension; ``benchmarks/bench_exposure.py`` checks the two agree).

Sums: over all origins (domestic included) ``input_total`` and ``final_total`` add up to
one; ``input_direct`` to the intermediate-input share 1 - v of output; ``final_direct``
to one. The total measures need 3R solves of the factored system and no inverse.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from tradewar.analysis._mrio import MRIO, unpack
from tradewar.world.world import World


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den != 0, num / np.where(den != 0, den, 1.0), np.nan)


def exposure_arrays(mrio: MRIO) -> dict[str, np.ndarray]:
    """Matrix-level core: every exposure measure of the module docstring.

    Axes: ``input_direct`` and ``input_total`` (origin, region, sector); the others
    (origin, product, region).
    """
    R, S, n = mrio.R, mrio.S, mrio.n
    Z4 = mrio.Z.reshape(R, S, R, S)
    Zb = mrio.Z.reshape(n, R, S).sum(axis=2)  # (n, region)
    X = mrio.region_output
    Y = mrio.F.sum(axis=0)
    v = mrio.v[:, None]
    return {
        "input_direct": Z4.sum(axis=1) * mrio.inv_x.reshape(1, R, S),
        "input_total": mrio.va_source.reshape(R, S, R).transpose(2, 0, 1),
        "input_direct_by_product": _safe_div(Zb, X[None, :]).reshape(R, S, R),
        "input_total_by_product": _safe_div(v * mrio.output_for_output, X[None, :]).reshape(R, S, R),
        "final_direct": _safe_div(mrio.F, Y[None, :]).reshape(R, S, R),
        "final_total": _safe_div(v * mrio.output_for_final, Y[None, :]).reshape(R, S, R),
    }


_ATTRS = {
    "input_direct": "inputs bought from origin per unit of the region-sector's output",
    "input_total": "income generated in origin per unit of the region-sector's output (value chain, v'L)",
    "input_direct_by_product": "inputs of product bought from origin / region's gross output",
    "input_total_by_product": "income generated in (origin, product) / region's gross output (value chain)",
    "final_direct": "region's final purchases of product from origin / its final demand",
    "final_total": "income generated in (origin, product) embodied in region's final demand / final demand",
}


def exposure_dataset(mrio: MRIO) -> xr.Dataset:
    """Labelled :func:`exposure_arrays` (see :func:`exposure`)."""
    arrays = exposure_arrays(mrio)
    out = {}
    for name, values in arrays.items():
        by_sector = name in ("input_direct", "input_total")
        dims = ("origin", "region", "sector") if by_sector else ("origin", "product", "region")
        out[name] = unpack(values, dims, mrio, name, {"long_name": _ATTRS[name], "units": "1"})
    return xr.Dataset(out)


def exposure(world: World) -> xr.Dataset:
    """All direct and total exposure measures of ``world`` (see the module docstring).

    Returns
    -------
    xarray.Dataset
        ``input_direct``, ``input_total`` with dims (origin, region, sector) and
        ``input_direct_by_product``, ``input_total_by_product``, ``final_direct``,
        ``final_total`` with dims (origin, product, region); shares (unit 1).
    """
    ds = exposure_dataset(MRIO.from_world(world))
    ds.attrs = {"world": world.meta.name}
    return ds
