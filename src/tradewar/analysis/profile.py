"""Every dependence and exposure measure at once, from one factorisation of I - A.

:func:`all_metrics` is the matrix-level entry point used by the benchmarks (an MRIO of
any size, no World needed); :func:`exposure_profile` the World-level one used by the
``tradewar exposure`` command. Definitions are in the modules :mod:`.dependence`,
:mod:`.exposure`, :mod:`.value_added` and :mod:`.extraction`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from tradewar.analysis._mrio import MRIO
from tradewar.analysis.dependence import dependence_arrays, dependence_dataset
from tradewar.analysis.exposure import exposure_arrays, exposure_dataset
from tradewar.analysis.extraction import extraction_arrays, extraction_dataset
from tradewar.analysis.leontief import Precision
from tradewar.analysis.value_added import value_added_arrays, value_added_dataset
from tradewar.world.world import World


def all_metrics(mrio: MRIO, extraction_targets: Sequence[int] = ()) -> dict[str, np.ndarray]:
    """Dependence, exposure, foreign value added and (for the target regions) extraction.

    One LU factorisation of I - A (``mrio.system``) serves 4R + S·len(targets) solves.
    Extraction results are ``extraction_<index>`` arrays (origin, product, region).
    """
    out: dict[str, np.ndarray] = {}
    out.update(dependence_arrays(mrio.trade, mrio.x))
    out.update(exposure_arrays(mrio))
    out.update(value_added_arrays(mrio))
    for t in extraction_targets:
        out[f"extraction_{t}"] = extraction_arrays(mrio, int(t))
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
    parts = [dependence_dataset(mrio), exposure_dataset(mrio), value_added_dataset(mrio)]
    if extraction_regions is None or len(extraction_regions) > 0:
        ext = extraction_dataset(mrio, extraction_regions, world.meta.unit)
        parts.append(ext.rename({k: f"extraction_{k}" for k in ext.data_vars}).rename(region="cut_region"))
    ds = xr.merge(parts, compat="no_conflicts", join="exact", combine_attrs="drop")
    ds.attrs = {"world": world.meta.name, "unit": world.meta.unit, "stylized": int(world.meta.stylized)}
    return ds
