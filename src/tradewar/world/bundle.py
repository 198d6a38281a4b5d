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
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from tradewar.errors import DataError
from tradewar.limits import MAX_TABLE_BYTES, check_size, read_text_limited
from tradewar.outdir import destination, output_folder
from tradewar.world.world import DIMS, World, WorldMeta

FORMAT = "tradewar-world"
FORMAT_VERSION = 1


def _to_long(a: xr.DataArray) -> pd.DataFrame:
    return a.to_dataframe(name="value").reset_index()


def _from_long(
    df: pd.DataFrame,
    dims: tuple[str, ...],
    coords: dict[str, list[str]],
    path: Path,
    *,
    boolean: bool = False,
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
    for d in dims:
        labels = df[d].astype(str)
        extra = sorted(set(labels) - set(coords[d]))
        if extra:
            raise DataError(
                f"labels {extra[:5]} are not among the manifest's {d} codes",
                file=str(path),
                field=d,
                expected=f"one of: {', '.join(coords[d])}",
                fix="rewrite the bundle, or list the codes in manifest.json",
            )
        df = df.assign(**{d: labels})
    idx = pd.MultiIndex.from_product([coords[d] for d in dims], names=list(dims))
    raw = df.set_index(list(dims))["value"]
    if raw.index.has_duplicates:
        raise DataError("duplicate labels", file=str(path), fix="keep one row per label combination")
    if boolean and raw.dtype == bool:
        values = raw.astype(float)
    else:
        values = pd.to_numeric(raw, errors="coerce").astype(float)
    s = values.reindex(idx)
    bad = ~np.isfinite(s.to_numpy())
    if bad.any():
        first = str(s.index[bad][0])
        raise DataError(
            f"{int(bad.sum())} label combinations missing, not numbers, NaN or infinite (first {first})",
            file=str(path),
            field="value",
            fix="write a finite number for every combination of labels, with 0 for no flow",
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


#: Largest manifest.json read, in bytes.
MAX_MANIFEST_BYTES = 16 * 1024 * 1024


def _bundle_file(root: Path, name: object, field: str, mpath: Path) -> Path:
    """The file ``name`` listed in the manifest; it must lie inside the bundle folder."""
    if not isinstance(name, str) or not name:
        raise DataError(
            f"file name {name!r} is not a text", file=str(mpath), field=field, fix="rewrite the bundle"
        )
    p = root / name
    inside = Path(os.path.abspath(p)).resolve()
    if Path(name).is_absolute() or root.resolve() not in inside.parents:
        raise DataError(
            f"{name!r} points outside the bundle folder; a bundle only reads its own files",
            file=str(mpath),
            field=field,
            expected="a file name inside the bundle folder, e.g. theta.parquet",
            fix="rewrite the bundle with tradewar.world.bundle.write_bundle",
        )
    if not p.is_file():
        raise DataError("file listed in the manifest is missing", file=str(p), fix="rewrite the bundle")
    check_size(p, MAX_TABLE_BYTES, "a bundle table")
    return p


def _read_table(p: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(p)
    except Exception as err:  # pyarrow raises its own types for every kind of damage
        raise DataError(
            f"not a readable Parquet table ({type(err).__name__}: {str(err)[:200]})",
            file=str(p),
            fix="the file is damaged or truncated: rewrite the bundle with write_bundle",
        ) from None


def _manifest_part(manifest: dict[str, Any], key: str, kind: type, mpath: Path, required: bool = True) -> Any:
    if key not in manifest:
        if required:
            raise DataError(f"no {key!r}", file=str(mpath), field=key, fix="rewrite the bundle")
        return kind()
    value = manifest[key]
    if not isinstance(value, kind):
        raise DataError(
            f"{key!r} is a {type(value).__name__}, not a {kind.__name__}",
            file=str(mpath),
            field=key,
            fix="rewrite the bundle",
        )
    return value


def _read_manifest(root: Path) -> tuple[Path, dict[str, Any]]:
    mpath = root / "manifest.json"
    if not mpath.is_file():
        raise DataError(
            "no manifest.json: not a tradewar World bundle",
            file=str(root),
            fix="pass a folder written by `write_bundle`, a shipped world name, or FORMAT:PATH",
        )
    text = read_text_limited(mpath, MAX_MANIFEST_BYTES, "manifest.json")
    try:
        manifest = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as err:
        raise DataError(
            f"invalid JSON ({err})", file=str(mpath), fix="repair or rewrite the bundle"
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise DataError(f"format is {found!r}", file=str(mpath), field="format", expected=repr(FORMAT))
    return mpath, manifest


def _codes(manifest: dict[str, Any], key: str, mpath: Path) -> list[str]:
    codes = _manifest_part(manifest, key, list, mpath)
    if not codes or not all(isinstance(c, str) and c for c in codes) or len(set(codes)) != len(codes):
        raise DataError(
            f"{key!r} must be a non-empty list of distinct codes",
            file=str(mpath),
            field=key,
            fix="rewrite the bundle",
        )
    return codes


def read_bundle(path: str | os.PathLike[str]) -> World:
    """Read a World bundle written by :func:`write_bundle` (validated on load).

    Every file the manifest names must lie inside the bundle folder; damaged, truncated
    or foreign files are a :class:`~tradewar.errors.DataError` naming the file.
    """
    root = Path(path)
    mpath, manifest = _read_manifest(root)
    regions = _codes(manifest, "regions", mpath)
    sectors = _codes(manifest, "sectors", mpath)
    coords = {"origin": regions, "product": sectors, "region": regions, "sector": sectors}

    def load(name: object, dims: tuple[str, ...], field: str, boolean: bool = False) -> np.ndarray:
        p = _bundle_file(root, name, field, mpath)
        try:
            return _from_long(_read_table(p), dims, coords, p, boolean=boolean)
        except (UnicodeDecodeError, ValueError, TypeError) as err:  # pyarrow decodes lazily
            raise DataError(
                f"damaged table ({type(err).__name__}: {str(err)[:200]})",
                file=str(p),
                fix="the file is damaged: rewrite the bundle with write_bundle",
            ) from None

    variables = _manifest_part(manifest, "variables", dict, mpath)
    if set(variables) != set(DIMS) or not all(isinstance(v, dict) for v in variables.values()):
        raise DataError(
            f"variables are {sorted(variables)}",
            file=str(mpath),
            field="variables",
            expected=f"one entry {{file: ...}} for each of {sorted(DIMS)}",
            fix="rewrite the bundle",
        )
    arrays = {k: load(v.get("file"), DIMS[k], f"variables.{k}.file") for k, v in variables.items()}
    imputed_files = _manifest_part(manifest, "imputed", dict, mpath, required=False)
    unknown = sorted(set(imputed_files) - set(DIMS))
    if unknown:
        raise DataError(f"imputed masks for unknown variables {unknown}", file=str(mpath), field="imputed")
    imputed = {
        k: load(f, DIMS[k], f"imputed.{k}", boolean=True).astype(bool) for k, f in imputed_files.items()
    }
    layer_files = _manifest_part(manifest, "tariff_layers", dict, mpath, required=False)
    layers = {k: load(f, DIMS["tariff"], f"tariff_layers.{k}") for k, f in layer_files.items()}
    meta_dict = _manifest_part(manifest, "meta", dict, mpath)
    try:
        meta = WorldMeta.from_dict(meta_dict)
    except (KeyError, TypeError, ValueError, OverflowError) as err:
        raise DataError(
            f"meta cannot be read ({type(err).__name__}: {err})",
            file=str(mpath),
            field="meta",
            expected="name, source, year, unit, ... as written by write_bundle",
            fix="rewrite the bundle",
        ) from None
    return World.from_arrays(
        regions=regions,
        sectors=sectors,
        intermediate=arrays["intermediate"],
        final_demand=arrays["final_demand"],
        value_added=arrays["value_added"],
        tariff=arrays["tariff"],
        theta=arrays["theta"],
        meta=meta,
        imputed=imputed,
        tariff_layers=layers,
        source_file=str(root),
    )
