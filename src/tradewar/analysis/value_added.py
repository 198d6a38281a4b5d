"""Foreign value-added shares in exports and in final demand (TiVA style).

Koopman, Wang and Wei (2014), "Tracing value-added and double counting in gross exports",
*American Economic Review* 104(2), 459-494: with the value-added coefficients V and the
global Leontief inverse B = (I - A)⁻¹, the value-added share matrix VB has columns that sum
to one; the gross exports E of country s split into domestic value added V_s B_ss E_s and
foreign value added Σ_{t≠s} V_t B_ts E_s. The OECD TiVA indicator EXGR_FVASH ("foreign
value-added share of gross exports") is the second term over E_s.

Here, with Q[k, s] = Σ_p v[s,p] L[(s,p), k] (:attr:`MRIO.va_source`, rows sum to one):

* ``fva_exports[n, j] = 1 - Q[(n,j), n]``: foreign value-added share of the gross exports
  of sector j of region n (the share does not depend on the destination);
* ``fva_exports_total[n] = Σ_j E[n,j] (1 - Q[(n,j), n]) / Σ_j E[n,j]`` with E the
  exports of (n, j) at basic prices (intermediate and final);
* ``fva_final[n, p] = Σ_s F[(s,p), n] (1 - Q[(s,p), n]) / Σ_s F[(s,p), n]``: share of the
  value of region n's final purchases of product p (from any origin) generated abroad;
* ``fva_final_total[n] = Σ_k F[k, n] (1 - Q[k, n]) / Σ_k F[k, n]``.

``v`` includes the tariffs a region's producers pay on imported inputs, which are income
of that region (see :attr:`MRIO.v`); with no tariffs it is value added over output.
A closed economy has no foreign value added; NaN marks sectors without exports or
products without final demand.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from tradewar.analysis._mrio import MRIO, unpack
from tradewar.world.world import World


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den != 0, num / np.where(den != 0, den, 1.0), np.nan)


def value_added_arrays(mrio: MRIO) -> dict[str, np.ndarray]:
    """Matrix-level core: the four foreign value-added shares of the module docstring.

    Axes: ``fva_exports`` (region, sector); ``fva_final`` (region, product);
    ``fva_exports_total`` and ``fva_final_total`` (region,).
    """
    R, S = mrio.R, mrio.S
    Q = mrio.va_source  # (n, R)
    own = Q[np.arange(mrio.n), mrio.region_of]  # Q[(n,j), n]
    foreign_of_output = 1.0 - own  # per unit of (n, j) output
    T = mrio.trade  # (origin, product, region)
    exports = T.sum(axis=2) - T[np.arange(R), :, np.arange(R)]  # (region, sector)
    fx = foreign_of_output.reshape(R, S)
    # foreign (to destination n) share of each unit of (s, p) output: 1 - Q[(s,p), n]
    foreign_to = 1.0 - Q  # (n_rows, R dest)
    Fv = (mrio.F * foreign_to).reshape(R, S, R).sum(axis=0).T  # (region, product)
    Fp = mrio.F.reshape(R, S, R).sum(axis=0).T  # (region, product)
    return {
        "fva_exports": np.where(exports > 0, fx, np.nan),
        "fva_exports_total": _safe_div((exports * fx).sum(axis=1), exports.sum(axis=1)),
        "fva_final": _safe_div(Fv, Fp),
        "fva_final_total": _safe_div(Fv.sum(axis=1), Fp.sum(axis=1)),
    }


_ATTRS = {
    "fva_exports": (
        "foreign value-added share of gross exports (KWW 2014; TiVA EXGR_FVASH)",
        ("region", "sector"),
    ),
    "fva_exports_total": ("foreign value-added share of the region's gross exports", ("region",)),
    "fva_final": (
        "foreign value-added share of the region's final demand for the product",
        ("region", "product"),
    ),
    "fva_final_total": ("foreign value-added share of the region's final demand", ("region",)),
}


def value_added_dataset(mrio: MRIO) -> xr.Dataset:
    """Labelled :func:`value_added_arrays` (see :func:`foreign_value_added`)."""
    a = value_added_arrays(mrio)
    return xr.Dataset(
        {
            k: unpack(a[k], dims, mrio, k, {"long_name": text, "units": "1"})
            for k, (text, dims) in _ATTRS.items()
        }
    )


def foreign_value_added(world: World) -> xr.Dataset:
    """Foreign value-added shares in exports and final demand (module docstring).

    Returns
    -------
    xarray.Dataset
        ``fva_exports`` (region, sector), ``fva_exports_total`` (region),
        ``fva_final`` (region, product), ``fva_final_total`` (region); shares in [0, 1].
    """
    ds = value_added_dataset(MRIO.from_world(world))
    ds.attrs = {"world": world.meta.name}
    return ds


def value_added_origin(world: World) -> xr.DataArray:
    """Q[origin, region, sector]: income generated in ``origin`` per unit of output of (region, sector).

    The source-region sums of KWW's VB matrix; sums to one over ``origin``.
    """
    mrio = MRIO.from_world(world)
    R, S = mrio.R, mrio.S
    values = mrio.va_source.reshape(R, S, R).transpose(2, 0, 1)
    return unpack(
        values,
        ("origin", "region", "sector"),
        mrio,
        "value_added_origin",
        {"long_name": "value-added origin per unit of output (VB by source region)", "units": "1"},
    )
