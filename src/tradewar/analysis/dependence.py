"""Import dependence, supplier concentration and self-sufficiency by region and product.

All values at basic prices (net of tariffs). With deliveries
T[i, p, n] = Σ_s Z[i, p, n, s] + F[i, p, n] (product ``p`` made in ``i`` used in ``n``,
domestic deliveries included):

* domestic use (absorption at basic prices)  U[n, p] = Σ_i T[i, p, n]
* imports                                    M[n, p] = Σ_{i≠n} T[i, p, n]
* import dependence                          d[n, p] = M[n, p] / U[n, p]          ∈ [0, 1]
* import shares by source                    m[i, p, n] = T[i, p, n] / M[n, p], i ≠ n
* supplier concentration (Herfindahl-Hirschman index of import sources)
                                             HHI[n, p] = Σ_{i≠n} m[i, p, n]²       ∈ [1/(R-1), 1]
* self-sufficiency                           ss[n, p] = x[n, p] / U[n, p]          ≥ 0

U and ss are :func:`tradewar.world.absorption.absorption` (one formula for the analytics
and the calibration report). Self-sufficiency is domestic output over domestic use: 1 in
a closed economy, above one for a net exporter of the product. Entries are NaN where
undefined: no use (U = 0) for dependence and self-sufficiency (``inf`` if the region
produces a product it does not use), no imports (M = 0) for shares and HHI.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from tradewar.analysis._mrio import MRIO, unpack
from tradewar.world.absorption import absorption, ratio
from tradewar.world.world import World


def dependence_arrays(trade: np.ndarray, x: np.ndarray) -> dict[str, np.ndarray]:
    """Matrix-level core over T[origin, product, region] (R, S, R) and x (R*S,).

    Returns arrays ``use``, ``imports``, ``import_dependence``, ``self_sufficiency``
    and ``hhi`` with axes (region, product), and ``import_shares`` with axes
    (origin, product, region); see the module docstring for the definitions.
    """
    R = trade.shape[0]
    use, own, ss = absorption(trade, x)  # (region, product)
    imports = use - own
    foreign = trade.copy()
    foreign[np.arange(R), :, np.arange(R)] = 0.0
    shares = ratio(foreign, imports.T[None, :, :])
    return {
        "use": use,
        "imports": imports,
        "import_dependence": ratio(imports, use),
        "self_sufficiency": ss,
        "import_shares": shares,
        "hhi": (shares**2).sum(axis=0).T,
    }


_ATTRS = {
    "import_dependence": ("imports / domestic use (basic prices)", ("region", "product")),
    "import_shares": (
        "share of origin in the region's imports of the product",
        ("origin", "product", "region"),
    ),
    "supplier_hhi": ("HHI of import sources (sum of squared import shares)", ("region", "product")),
    "self_sufficiency": ("domestic output / domestic use (basic prices)", ("region", "product")),
}


def dependence_dataset(mrio: MRIO) -> xr.Dataset:
    """Labelled :func:`dependence_arrays`: the four measures of the module docstring."""
    a = dependence_arrays(mrio.trade, mrio.x)
    a["supplier_hhi"] = a.pop("hhi")
    return xr.Dataset(
        {
            k: unpack(a[k], dims, mrio, k, {"long_name": text, "units": "1"})
            for k, (text, dims) in _ATTRS.items()
        }
    )


def import_dependence(world: World) -> xr.DataArray:
    """Imports over domestic use at basic prices, d[region, product] = M / U ∈ [0, 1]."""
    return dependence_dataset(MRIO.from_world(world))["import_dependence"]


def import_shares(world: World) -> xr.DataArray:
    """Share of each foreign origin in imports, m[origin, product, region] (0 for origin = region)."""
    return dependence_dataset(MRIO.from_world(world))["import_shares"]


def supplier_hhi(world: World) -> xr.DataArray:
    """Herfindahl-Hirschman index of import sources, HHI[region, product] ∈ [1/(R-1), 1]."""
    return dependence_dataset(MRIO.from_world(world))["supplier_hhi"]


def self_sufficiency(world: World) -> xr.DataArray:
    """Domestic output over domestic use, ss[region, product] = x / U (1 = self-sufficient)."""
    return dependence_dataset(MRIO.from_world(world))["self_sufficiency"]
