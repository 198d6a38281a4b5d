"""One entry point for every World: ``load_world(spec)``.

``spec`` is one of

* a shipped name: ``default`` (the 14-region x 14-sector world of 2023 that ships with
  the package, built from observed trade and output data, see
  ``world/default/PROVENANCE.md``);
* ``FORMAT:PATH``, e.g. ``cp2015:../shared/data/cp2015_nafta``,
  ``gegravity:../shared/data/gegravity_sample``, ``icio:ICIO2023_2020.csv``,
  ``bundle:worlds/mine``; a bare ``FORMAT`` of a reference data set (``gegravity``)
  reads it from ``data_dir`` (default ``../shared/data``);
* a path to a World bundle folder (written by :func:`tradewar.world.bundle.write_bundle`).

Formats: see :data:`FORMATS`. Extra keyword arguments go to the reader (for example
``year=2000`` for ``wiod-eu``).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from tradewar.errors import DataError
from tradewar.world.bundle import read_bundle
from tradewar.world.readers._common import DEFAULT_DATA_DIR
from tradewar.world.world import World

#: Input formats accepted as ``FORMAT:PATH``, with what PATH is.
FORMATS: Mapping[str, str] = {
    "cp2015": "Caliendo-Parro (2015) replication folder (cp2015_nafta): 31 regions x 40 sectors, 1993",
    "gegravity": "USITC gegravity sample folder or data root (gegravity_sample): 30 countries, 2006",
    "wiod-eu": "ge_gravity WIOD example folder or data root (ge_gravity_wiod_eu); option year=2014",
    "liberation-day": "Ignatenko et al. (2025) folder or data root (liberation_day_2025): 194 countries",
    "gravity": "any gravity panel file (exporter, importer, trade incl. domestic flows)",
    "icio": "OECD ICIO (2023 release) CSV file",
    "pymrio": "a folder saved by pymrio (needs the 'mrio' extra: pip install tradewar[mrio])",
    "bundle": "a tradewar World bundle folder (manifest.json + Parquet)",
}

#: Worlds that ship with the package.
SHIPPED: Mapping[str, str] = {
    "default": "14 regions x 14 sectors, 2023: observed trade, imputed inter-industry detail",
}

#: Reference data sets that can be named without a path (read from ``data_dir``).
_DATASET_FORMATS = ("cp2015", "gegravity", "wiod-eu", "liberation-day")


#: Printed once by every command that uses a stylized World.
STYLIZED_NOTICE = "stylized world, not for policy conclusions"


def stylized_notice(world: World) -> str | None:
    """The notice to print once for ``world``, or ``None``.

    A stylized World gets the stylized notice; a World whose ``meta.provenance`` states
    what is observed and what is imputed (the shipped default) gets that statement.
    """
    if world.meta.stylized:
        return f"Note: {world.meta.name!r} is a {STYLIZED_NOTICE}."
    if world.meta.provenance:
        return f"Note: world {world.meta.name!r}: {world.meta.provenance}."
    return None


def shipped_path(name: str) -> Path:
    """Folder of the bundle of a shipped World."""
    return Path(str(resources.files("tradewar.world") / name / "bundle"))


@functools.lru_cache(maxsize=8)
def _load_shipped(name: str) -> World:
    return read_bundle(shipped_path(name))


def _read_cp2015(path: Path, **options: Any) -> World:
    try:
        from tradewar.world.readers.cp2015 import read_cp2015
    except ImportError:
        raise DataError(
            "the cp2015 reader is not available in this installation",
            field="cp2015",
            fix="update tradewar (tradewar.world.readers.cp2015)",
        ) from None
    return read_cp2015(path, **options)


def _read_icio(path: Path, **options: Any) -> World:
    from tradewar.world.readers.icio import read_icio

    return read_icio(path, **options)


def _read_pymrio(path: Path, **options: Any) -> World:
    from tradewar.world.readers.mrio import read_pymrio_folder

    return read_pymrio_folder(path, **options)


def _readers() -> dict[str, Callable[..., World]]:
    from tradewar.world.readers import gravity

    return {
        "cp2015": _read_cp2015,
        "gegravity": gravity.read_gegravity_sample,
        "wiod-eu": gravity.read_wiod_eu,
        "liberation-day": gravity.read_liberation_day,
        "gravity": gravity.read_gravity_panel,
        "icio": _read_icio,
        "pymrio": _read_pymrio,
        "bundle": read_bundle,
    }


def _unknown(spec: str, detail: str) -> DataError:
    shipped = ", ".join(SHIPPED)
    formats = "; ".join(f"{k} ({v})" for k, v in FORMATS.items())
    return DataError(
        f"cannot load World {spec!r}: {detail}",
        field="WORLD",
        expected=f"a shipped name ({shipped}), a bundle folder, or FORMAT:PATH with FORMAT one of: {formats}",
        fix="e.g. `default`, `gegravity:../shared/data/gegravity_sample` or `bundle:path/to/world`",
    )


def load_world(
    spec: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None = None, **options: Any
) -> World:
    """Load a World from a shipped name, a bundle path or ``FORMAT:PATH``.

    Parameters
    ----------
    spec
        See the module docstring.
    data_dir
        Root of the reference data for bare data-set formats (default ``../shared/data``).
    **options
        Passed to the reader (e.g. ``year=2000`` for ``wiod-eu``, ``theta=5`` for gravity).

    Returns
    -------
    World
        Validated; shipped worlds are cached (Worlds are immutable).

    Raises
    ------
    DataError
        Unknown name or format (the message lists the valid ones), missing path, or any
        error of the reader.

    """
    text = os.fspath(spec).strip()
    if text in SHIPPED:
        if options:
            raise DataError(
                f"the shipped world {text!r} takes no reader options (got {sorted(options)})",
                field="WORLD",
                fix="drop the options, or aggregate the loaded World instead",
            )
        return _load_shipped(text)
    readers = _readers()
    fmt, sep, rest = text.partition(":")
    if sep and fmt in readers:
        if not rest:
            if fmt in _DATASET_FORMATS:
                return readers[fmt](Path(data_dir or DEFAULT_DATA_DIR), **options)
            raise _unknown(text, f"format {fmt!r} needs a path after the colon")
        path = Path(rest).expanduser()
        if not path.exists():
            raise DataError(
                f"path {str(path)!r} does not exist",
                file=str(path),
                field="WORLD",
                fix="check the path after FORMAT:",
            )
        return readers[fmt](path, **options)
    if sep and len(fmt) > 1:
        raise _unknown(text, f"unknown format {fmt!r}")
    if text in _DATASET_FORMATS:
        return readers[text](Path(data_dir or DEFAULT_DATA_DIR), **options)
    path = Path(text).expanduser()
    if path.is_dir():
        return read_bundle(path)
    if path.exists():
        raise _unknown(text, "a file is not a World bundle; prefix it with its format (e.g. icio:FILE)")
    raise _unknown(text, "not a shipped name, a known format or an existing bundle folder")
