"""Every dependence and exposure measure at once, from one factorisation of I - A.

:func:`all_metrics` is the matrix-level entry point used by the benchmarks (an MRIO of
any size, no World needed); :func:`exposure_profile` the World-level one used by the
``tradewar exposure`` command. Definitions are in the modules :mod:`.dependence`,
:mod:`.exposure`, :mod:`.value_added` and :mod:`.extraction`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from tradewar.analysis._mrio import MRIO
from tradewar.analysis.dependence import dependence_arrays, dependence_dataset
from tradewar.analysis.exposure import exposure_arrays, exposure_dataset
from tradewar.analysis.extraction import (
    extraction_arrays,
    extraction_dataset,
    forward_extraction_arrays,
    supplier_extraction_arrays,
)
from tradewar.analysis.leontief import Precision
from tradewar.analysis.value_added import value_added_arrays, value_added_dataset
from tradewar.errors import UnknownCodeError
from tradewar.world.world import World


def all_metrics(mrio: MRIO, extraction_targets: Sequence[int] = ()) -> dict[str, np.ndarray]:
    """Dependence, exposure, foreign value added and (for the target regions) extraction.

    One LU factorisation of I - A (``mrio.system``) serves 4R + S·len(targets) solves.
    Extraction results are ``extraction_<index>`` (Leontief) and
    ``forward_extraction_<index>`` (Ghosh) arrays (origin, product, region).
    """
    mrio.prepare(extraction_targets)
    out: dict[str, np.ndarray] = {}
    out.update(dependence_arrays(mrio.trade, mrio.x))
    out.update(exposure_arrays(mrio))
    out.update(value_added_arrays(mrio))
    for t in extraction_targets:
        out[f"extraction_{t}"] = extraction_arrays(mrio, int(t))
        out[f"forward_extraction_{t}"] = forward_extraction_arrays(mrio, int(t))
    return out


def exposure_profile(
    world: World, extraction_regions: Sequence[str] | None = (), *, precision: Precision = "auto"
) -> xr.Dataset:
    """All World-level measures in one labelled Dataset, from one factorisation.

    ``extraction_regions``: regions cut off for hypothetical extraction (``None`` = all,
    ``()`` = none); their variables are prefixed ``extraction_`` and their region dim is
    ``cut_region``.
    """
    mrio = MRIO.from_world(world, precision=precision)
    regions = list(world.regions) if extraction_regions is None else list(extraction_regions)
    mrio.prepare([world.regions.index(r) for r in regions if r in world.regions])
    parts = [dependence_dataset(mrio), exposure_dataset(mrio), value_added_dataset(mrio)]
    if extraction_regions is None or len(extraction_regions) > 0:
        ext = extraction_dataset(mrio, extraction_regions, world.meta.unit)
        parts.append(ext.rename({k: f"extraction_{k}" for k in ext.data_vars}).rename(region="cut_region"))
    ds = xr.merge(parts, compat="no_conflicts", join="exact", combine_attrs="drop")
    ds.attrs = {"world": world.meta.name, "unit": world.meta.unit, "stylized": int(world.meta.stylized)}
    return ds


#: Columns of :func:`exposure_table`, with their meaning (shown by ``tradewar exposure``).
TABLE_COLUMNS: dict[str, str] = {
    "deliveries": "T[supplier, product, region]: what the region buys from the supplier (value)",
    "share_of_use": "deliveries / the region's domestic use of the product",
    "share_of_imports": "deliveries / the region's imports of the product",
    "import_hhi": "HHI of the region's import sources for the product",
    "input_direct": "inputs of the product bought from the supplier / the region's gross output",
    "input_total": "income generated in (supplier, product) / the region's gross output (value chain)",
    "final_direct": "final purchases from (supplier, product) / the region's final demand",
    "final_total": "income generated in (supplier, product) embodied in the region's final demand / it",
    "output_lost": "the region's gross output lost if the supplier stops delivering the product "
    "(ALL: every product at once), hypothetical extraction (value)",
    "output_lost_pct": "output_lost in percent of the region's gross output",
    "world_output_lost": "world gross output lost in that extraction, mostly the supplier's chain (value)",
    "forward_output_lost": "the region's gross output lost downstream of the missing supply, supply-driven "
    "(Ghosh) extraction (value)",
    "forward_output_lost_pct": "forward_output_lost in percent of the region's gross output",
}


def exposure_table(
    world: World, region: str, supplier: str, products: Sequence[str] | None = None
) -> pd.DataFrame:
    """Exposure of ``region`` to ``supplier``, one row per supplier product, plus a total row.

    Columns are listed in :data:`TABLE_COLUMNS`; shares are fractions. The last row,
    ``ALL``, is over all products (also when ``products`` selects some): additive
    measures are summed, shares of use and imports recomputed from the totals, HHI is NaN,
    and output lost is that of extracting every product of the supplier at once (which is
    not the sum of the product-by-product extractions; see :func:`supplier_cutoff`).

    Raises
    ------
    UnknownCodeError
        If ``region``, ``supplier`` or a product is not in the world.
    """
    for kind, code, known in (("region", region, world.regions), ("region", supplier, world.regions)):
        if code not in known:
            raise UnknownCodeError(kind, code, known, field="supplier" if code == supplier else "region")
    chosen = list(world.sectors) if products is None else [str(p) for p in products]
    for p in chosen:
        if p not in world.sectors:
            raise UnknownCodeError("sector", p, world.sectors, field="sector")
    mrio = MRIO.from_world(world)
    mrio.prepare([world.regions.index(region)])
    dep = dependence_dataset(mrio)
    exp = exposure_dataset(mrio)
    ext = extraction_dataset(mrio, [region], world.meta.unit).sel(region=region, origin=supplier)
    T = xr.DataArray(
        mrio.trade,
        dims=("origin", "product", "region"),
        coords={"origin": list(mrio.regions), "product": list(mrio.sectors), "region": list(mrio.regions)},
    )
    deliveries = T.sel(origin=supplier, region=region)
    use = T.sel(region=region).sum("origin")
    imports = T.sel(region=region).where(T.origin != region, 0.0).sum("origin")
    with np.errstate(divide="ignore", invalid="ignore"):
        cols = {
            "deliveries": deliveries.values,
            "share_of_use": (deliveries / use).values,
            "share_of_imports": (deliveries / imports).values
            if supplier != region
            else np.full(mrio.S, np.nan),
            "import_hhi": dep.supplier_hhi.sel(region=region).values,
            "input_direct": exp.input_direct_by_product.sel(origin=supplier, region=region).values,
            "input_total": exp.input_total_by_product.sel(origin=supplier, region=region).values,
            "final_direct": exp.final_direct.sel(origin=supplier, region=region).values,
            "final_total": exp.final_total.sel(origin=supplier, region=region).values,
            "output_lost": ext.output_lost.values,
            "output_lost_pct": ext.output_lost_pct.values,
            "world_output_lost": ext.world_output_lost.values,
            "forward_output_lost": ext.forward_output_lost.values,
            "forward_output_lost_pct": ext.forward_output_lost_pct.values,
        }
    df = pd.DataFrame(cols, index=pd.Index(list(mrio.sectors), name="product"))
    total = {
        k: float(df[k].sum())
        for k in ("deliveries", "input_direct", "input_total", "final_direct", "final_total")
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        total["share_of_use"] = float(deliveries.sum() / use.sum())
        total["share_of_imports"] = float(deliveries.sum() / imports.sum()) if supplier != region else np.nan
    t = mrio.regions.index(region)
    backward, forward = supplier_extraction_arrays(mrio, mrio.regions.index(supplier), t)
    X = mrio.region_output[t]
    total.update(
        import_hhi=np.nan,
        output_lost=float(backward[t]),
        output_lost_pct=100.0 * float(backward[t]) / X,
        world_output_lost=float(backward.sum()),
        forward_output_lost=float(forward[t]),
        forward_output_lost_pct=100.0 * float(forward[t]) / X,
    )
    df = df.loc[chosen]
    df.loc["ALL"] = pd.Series(total)
    df.attrs = {"world": world.meta.name, "region": region, "supplier": supplier, "unit": world.meta.unit}
    return df[list(TABLE_COLUMNS)]
