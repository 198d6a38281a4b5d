"""Any MRIO that pymrio can parse (EXIOBASE, WIOD, Eora, GLORIA, OECD...) as a World.

pymrio maintains the parsers of the big multi-regional input-output databases; tradewar
does not duplicate them. Parse with pymrio (``pymrio.parse_exiobase3``,
``pymrio.parse_wiod``, ``pymrio.load_all`` ...) and convert the ``IOSystem`` with
:func:`from_pymrio`. pymrio is an optional extra: ``pip install tradewar[mrio]``.

Mapping (documented rules, as for the ICIO reader):

* Z[i, p, n, s] = ``io.Z`` (rows and columns indexed by (region, sector));
* F[i, p, n] = ``io.Y`` summed over the final-demand categories of region n; negative
  cells left after that netting (inventory drawdowns) are set to zero and counted in
  ``meta.notes``;
* value added is the cost residual VA = x - ΣZ with x = ΣZ + ΣF (so it includes any
  taxes the system books outside Z), which balances the accounts;
* no tariffs; θ = ``theta`` for every sector.

Region codes that are neither ISO3 nor known aggregates (EXIOBASE's ``WA``, pymrio's
test regions ``reg1``...) are declared as aggregates named by themselves unless
``region_names`` names them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from tradewar.errors import DataError, UnknownCodeError
from tradewar.world.codes import region_name
from tradewar.world.readers._common import final_demand_and_value_added
from tradewar.world.world import World, WorldMeta


def _pymrio() -> Any:
    try:
        import pymrio
    except ImportError:
        raise DataError(
            "pymrio is not installed",
            field="pymrio",
            expected="the optional 'mrio' extra",
            fix="pip install 'tradewar[mrio]' (or pip install pymrio)",
        ) from None
    return pymrio


def from_pymrio(
    io_system: Any,
    *,
    theta: float = 5.0,
    name: str | None = None,
    year: int | None = None,
    region_names: Mapping[str, str] | None = None,
) -> World:
    """Convert a pymrio ``IOSystem`` (with ``Z`` and ``Y``) to a World.

    Parameters
    ----------
    io_system
        A pymrio IOSystem; if ``Z`` is missing it is computed with ``calc_system()``.
    theta
        Trade elasticity given to every sector.
    name, year
        Provenance (defaults: the system's name; ``None``).
    region_names
        Names for region codes that are not ISO3.

    Raises
    ------
    DataError
        No ``Z``/``Y``, labels that are not (region, sector) pairs, NaN or negative
        intermediate flows, negative value added.

    """
    Z_df = getattr(io_system, "Z", None)
    if Z_df is None and hasattr(io_system, "calc_system"):
        io_system.calc_system()
        Z_df = io_system.Z
    Y_df = getattr(io_system, "Y", None)
    if Z_df is None or Y_df is None:
        raise DataError(
            "the IOSystem has no Z or Y",
            field="Z, Y",
            expected="an IOSystem with intermediate (Z) and final demand (Y) tables",
            fix="parse the database with pymrio and call calc_system() if only A is present",
        )
    if Z_df.index.nlevels != 2 or Y_df.columns.nlevels != 2:
        raise DataError(
            "Z rows must be (region, sector) and Y columns (region, category)",
            field="Z.index, Y.columns",
            expected="pymrio's standard MultiIndex layout",
        )
    regions = [str(r) for r in dict.fromkeys(Z_df.index.get_level_values(0))]
    sectors = [str(s) for s in dict.fromkeys(Z_df.index.get_level_values(1))]
    R, S = len(regions), len(sectors)
    full = [(r, s) for r in regions for s in sectors]
    try:
        Z = Z_df.reindex(index=full, columns=full).to_numpy(dtype=float)
        Y = Y_df.reindex(index=full).T.groupby(level=0, sort=False).sum().T.reindex(columns=regions)
        F = Y.to_numpy(dtype=float)
    except (KeyError, ValueError) as err:
        raise DataError(f"cannot align Z and Y ({err})", field="Z, Y") from None
    for label, arr in (("Z", Z), ("Y", F)):
        if (~np.isfinite(arr)).any():
            raise DataError(
                f"{label} has {int((~np.isfinite(arr)).sum())} missing or NaN cells "
                "(regions or sectors absent from some tables)",
                field=label,
                expected="every (region, sector) in every table",
            )
    if (Z < 0).any():
        i, j = np.argwhere(Z < 0)[0]
        raise DataError(
            f"negative intermediate flow {full[i]} -> {full[j]}: {Z[i, j]:.6g}",
            field="Z",
            expected="non-negative intermediate flows",
        )
    F, VA, n_clipped, clipped = final_demand_and_value_added(
        Z, F, [f"{r}/{s}" for r, s in full], rtol=1e-9, file=None, field="value added"
    )
    names: dict[str, str] = dict(region_names or {})
    for r in regions:
        if r not in names:
            try:
                region_name(r)
            except UnknownCodeError:
                names[r] = r
    unit = "USD million"
    unit_df = getattr(io_system, "unit", None)
    if unit_df is not None and len(unit_df):
        unit = str(unit_df.iloc[0, 0])
    sys_name = str(getattr(io_system, "name", None) or "pymrio")
    meta = WorldMeta(
        name=name or sys_name,
        source=f"pymrio IOSystem {sys_name!r}",
        year=year,
        unit=unit,
        region_names=names,
        notes=(
            "converted from pymrio: F = Y summed over final-demand categories; value added = cost residual",
            f"{n_clipped} negative final-demand cells set to 0 (total {clipped:.6g} {unit})",
            f"no tariffs; theta = {theta:g} for every sector (not in the data)",
        ),
    )
    return World.from_arrays(
        regions=regions,
        sectors=sectors,
        intermediate=Z,
        final_demand=F,
        value_added=VA.reshape(R, S),
        tariff=None,
        theta=np.full(S, float(theta)),
        meta=meta,
    )


def read_pymrio_folder(path: str | os.PathLike[str], **options: Any) -> World:
    """Load a folder saved by pymrio (``IOSystem.save_all``) and convert it."""
    pymrio = _pymrio()
    p = Path(path)
    if not p.is_dir():
        raise DataError("not a folder", file=str(p), expected="a folder saved by pymrio's save_all")
    try:
        io = pymrio.load_all(p)
    except Exception as err:  # pymrio raises assorted errors on bad folders
        raise DataError(
            f"pymrio cannot load the folder ({type(err).__name__}: {err})",
            file=str(p),
            fix="save the system with IOSystem.save_all(path) first",
        ) from None
    return from_pymrio(io, **options)


def pymrio_test_world(**options: Any) -> World:
    """The bundled pymrio test system (6 regions x 8 sectors) as a World."""
    return from_pymrio(_pymrio().load_test(), **options)
