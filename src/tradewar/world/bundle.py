"""The project's own World bundle format: a folder with ``manifest.json`` and Parquet files.

Layout::

    WORLD/
      manifest.json            format version, meta (units, provenance), regions, sectors,
                               variables and tariff layers with their files and dims
      intermediate.parquet     one long table per variable: one column per dim + "value"
      final_demand.parquet
      value_added.parquet
      tariff.parquet
      theta.parquet
      imputed_<var>.parquet    boolean masks (True = imputed), where any
      tariff_layer_<name>.parquet

Long tables keep the labels with every number, so the files are readable with any
Parquet tool. Writing goes through :func:`tradewar.outdir.output_folder`: atomic (files
go to a temporary sibling folder that replaces the destination at the end), and a
destination that is not a World bundle (or empty, or new) is refused unless ``force``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from tradewar.errors import DataError
from tradewar.outdir import destination, output_folder
from tradewar.world.world import DIMS, World, WorldMeta

FORMAT = "tradewar-world"
FORMAT_VERSION = 1


def _to_long(a: xr.DataArray) -> pd.DataFrame:
    return a.to_dataframe(name="value").reset_index()


def _from_long(
    df: pd.DataFrame, dims: tuple[str, ...], coords: dict[str, list[str]], path: Path
) -> np.ndarray:
    missing = [d for d in (*dims, "value") if d not in df.columns]
    if missing:
        raise DataError(
            f"columns {missing} missing",
            file=str(path),
            field=", ".join(missing),
            expected=f"columns {[*dims, 'value']}",
            fix="rewrite the bundle with tradewar.world.bundle.write_bundle",
        )
    idx = pd.MultiIndex.from_product([coords[d] for d in dims], names=list(dims))
    s = df.set_index(list(dims))["value"]
    if s.index.has_duplicates:
        raise DataError("duplicate labels", file=str(path), fix="keep one row per label combination")
    s = s.reindex(idx)
    if s.isna().any():
        first = str(s.index[s.isna().to_numpy()][0])
        raise DataError(
            f"{int(s.isna().sum())} label combinations missing or NaN (first {first})",
            file=str(path),
            field="value",
            fix="write every combination of labels, with 0 for no flow",
        )
    return s.to_numpy().reshape([len(coords[d]) for d in dims])


#: Output kind of a bundle folder (in its marker file, see :mod:`tradewar.outdir`).
KIND = "world-bundle"


def is_bundle(path: Path) -> bool:
    """Whether ``path`` is a folder holding a tradewar World bundle manifest."""
    manifest = path / "manifest.json"
    if not manifest.is_file():
        return False
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(data, dict) and data.get("format") == FORMAT


def write_bundle_files(world: World, folder: Path) -> None:
    """Write the bundle's files into the existing folder ``folder`` (no atomicity, no checks).

    For callers that add files of their own inside :func:`tradewar.outdir.output_folder`
    (kind :data:`KIND`, ``recognise=is_bundle``); everyone else calls :func:`write_bundle`.
    """
    manifest: dict[str, object] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "meta": world.meta.to_dict(),
        "regions": world.regions,
        "sectors": world.sectors,
        "variables": {k: {"file": f"{k}.parquet", "dims": list(DIMS[k])} for k in DIMS},
        "imputed": {k: f"imputed_{k}.parquet" for k in world.imputed.data_vars},
        "tariff_layers": {k: f"tariff_layer_{k}.parquet" for k in world.tariff_layers},
    }
    for k in DIMS:
        _to_long(world.data[k]).to_parquet(folder / f"{k}.parquet", index=False)
    for mask_name in world.imputed.data_vars:
        _to_long(world.imputed[mask_name]).to_parquet(folder / f"imputed_{mask_name}.parquet", index=False)
    for k, layer in world.tariff_layers.items():
        _to_long(layer).to_parquet(folder / f"tariff_layer_{k}.parquet", index=False)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def write_bundle(world: World, path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write ``world`` to the folder ``path``, replacing a previous bundle there atomically.

    Raises
    ------
    DataError
        If ``path`` is refused (see :func:`tradewar.outdir.check_destination`: ``force``
        replaces a non-empty folder that is not a bundle, or a file) or cannot be written.
    """
    with output_folder(path, KIND, force=force, recognise=is_bundle) as tmp:
        write_bundle_files(world, tmp)
    return destination(path)


def read_bundle(path: str | os.PathLike[str]) -> World:
    """Read a World bundle written by :func:`write_bundle` (validated on load)."""
    root = Path(path)
    mpath = root / "manifest.json"
    if not mpath.is_file():
        raise DataError(
            "no manifest.json: not a tradewar World bundle",
            file=str(root),
            fix="pass a folder written by `write_bundle`, a shipped world name, or FORMAT:PATH",
        )
    try:
        manifest = json.loads(mpath.read_text())
    except json.JSONDecodeError as err:
        raise DataError(
            f"invalid JSON ({err})", file=str(mpath), fix="repair or rewrite the bundle"
        ) from None
    if manifest.get("format") != FORMAT:
        raise DataError(
            f"format is {manifest.get('format')!r}",
            file=str(mpath),
            field="format",
            expected=repr(FORMAT),
        )
    regions = [str(r) for r in manifest["regions"]]
    sectors = [str(s) for s in manifest["sectors"]]
    coords = {"origin": regions, "product": sectors, "region": regions, "sector": sectors}

    def load(name: str, dims: tuple[str, ...]) -> np.ndarray:
        p = root / name
        if not p.is_file():
            raise DataError("file listed in the manifest is missing", file=str(p), fix="rewrite the bundle")
        return _from_long(pd.read_parquet(p), dims, coords, p)

    arrays = {k: load(v["file"], DIMS[k]) for k, v in manifest["variables"].items()}
    imputed = {k: load(f, DIMS[k]).astype(bool) for k, f in manifest.get("imputed", {}).items()}
    layers = {k: load(f, DIMS["tariff"]) for k, f in manifest.get("tariff_layers", {}).items()}
    return World.from_arrays(
        regions=regions,
        sectors=sectors,
        intermediate=arrays["intermediate"],
        final_demand=arrays["final_demand"],
        value_added=arrays["value_added"],
        tariff=arrays["tariff"],
        theta=arrays["theta"],
        meta=WorldMeta.from_dict(manifest["meta"]),
        imputed=imputed,
        tariff_layers=layers,
        source_file=str(root),
    )
