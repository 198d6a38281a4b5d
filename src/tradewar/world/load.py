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

Formats: see :data:`FORMATS`. Reader options (for example ``year=2000`` for ``wiod-eu``)
are given as keyword arguments or written after a ``?`` in the spec:
``wiod-eu:../shared/data?year=2000``, ``gravity:panel.csv?year=2006&theta=5``. Values in
a spec are text, converted by the reader's type hints; an option the reader does not
take is an error listing the ones it does (:func:`reader_options`).
"""

from __future__ import annotations

import difflib
import functools
import inspect
import os
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal

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


#: Name of the calibration report (observed targets against the World's values) kept
#: beside a shipped bundle or inside a bundle written by ``tradewar world build``.
CALIBRATION_REPORT = "calibration.csv"


def calibration_report_path(spec: str | os.PathLike[str]) -> Path:
    """The calibration report of a shipped World or of a bundle folder.

    Raises
    ------
    DataError
        When ``spec`` names no shipped World or bundle folder with a report.

    """
    text = os.fspath(spec).strip()
    if text in SHIPPED:
        path = shipped_path(text).parent / CALIBRATION_REPORT
    else:
        fmt, sep, rest = text.partition(":")
        folder = Path(rest if sep and fmt == "bundle" else text).expanduser()
        path = folder / CALIBRATION_REPORT
    if not path.is_file():
        raise DataError(
            "no calibration report for this World",
            file=str(path),
            field="WORLD",
            fix="use a shipped World or a bundle written by `tradewar world build` (it writes "
            f"{CALIBRATION_REPORT}); rebuild the default world with `python -m tradewar.world.default_build`",
        )
    return path


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


def _option_functions() -> dict[str, Callable[..., World]]:
    """The functions whose keyword parameters are each format's reader options."""
    from tradewar.world.readers import gravity, icio

    out: dict[str, Callable[..., World]] = {
        "gegravity": gravity.read_gegravity_sample,
        "wiod-eu": gravity.read_wiod_eu,
        "liberation-day": gravity.read_liberation_day,
        "gravity": gravity.read_gravity_panel,
        "icio": icio.read_icio,
        "bundle": read_bundle,
    }
    try:
        from tradewar.world.readers import cp2015

        out["cp2015"] = cp2015.read_cp2015
    except ImportError:  # pragma: no cover - the reader ships with the package
        pass
    from tradewar.world.readers import mrio

    out["pymrio"] = mrio.from_pymrio
    return out


_SCALARS = (int, float, str, bool)
_BOOLS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def _scalar_type(annotation: Any) -> Any:
    """The scalar type (or Literal) an option takes, unwrapping ``X | None``; None if not one."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _scalar_type(args[0]) if len(args) == 1 else None
    if origin is Literal or annotation in _SCALARS:
        return annotation
    return None


def reader_options(fmt: str) -> dict[str, Any]:
    """Reader options of a format: name -> type (``int``, ``float``, ``str``, ``bool`` or a Literal).

    Parameters that cannot be written as text (mappings, lists) are left out; the shipped
    worlds take none.

    Raises
    ------
    DataError
        Unknown format.
    """
    if fmt in SHIPPED:
        return {}
    funcs = _option_functions()
    if fmt not in funcs:
        raise _unknown(fmt, f"unknown format {fmt!r}")
    func = funcs[fmt]
    hints = typing.get_type_hints(func)
    params = list(inspect.signature(func).parameters.values())
    out: dict[str, Any] = {}
    for p in params[1:]:  # the first parameter is the path
        if p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL):
            continue
        kind = _scalar_type(hints.get(p.name, str))
        if kind is not None:
            out[p.name] = kind
    return out


def _describe(kind: Any) -> str:
    if typing.get_origin(kind) is Literal:
        return " | ".join(str(a) for a in typing.get_args(kind))
    return str(kind.__name__)


def _convert(fmt: str, name: str, value: Any, kind: Any) -> Any:
    """``value`` (text from a spec or the command line, or already typed) as ``kind``."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if typing.get_origin(kind) is Literal:
            allowed = {str(a): a for a in typing.get_args(kind)}
            return allowed[text]
        if kind is bool:
            return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}[
                text.lower()
            ]
        return kind(text)
    except (KeyError, ValueError):
        raise DataError(
            f"reader option {name}={value!r} of format {fmt!r} is not a valid {_describe(kind)}",
            field=name,
            expected=f"{name} as {_describe(kind)}",
            fix=f"write e.g. {name}={_example(kind)}",
        ) from None


def _example(kind: Any) -> str:
    if typing.get_origin(kind) is Literal:
        return str(typing.get_args(kind)[0])
    return {int: "2000", float: "4.0", bool: "true"}.get(kind, "text")


def check_reader_options(fmt: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Options for a format's reader, converted; unknown names are an error listing the valid ones.

    Raises
    ------
    DataError
        An option the reader does not take, or a value of the wrong type.
    """
    known = reader_options(fmt)
    out: dict[str, Any] = {}
    for name, value in options.items():
        if name not in known:
            listed = ", ".join(f"{k} ({_describe(v)})" for k, v in known.items()) or "none"
            where = f"the shipped world {fmt!r}" if fmt in SHIPPED else f"format {fmt!r}"
            close = difflib.get_close_matches(name, list(known), n=2, cutoff=0.5)
            raise DataError(
                f"{where} has no reader option {name!r}",
                field=name,
                expected=f"options of {fmt}: {listed}",
                fix=(
                    f"did you mean {', '.join(repr(c) for c in close)}?"
                    if close
                    else ("drop the option" if not known else "use one of the options listed")
                ),
            )
        out[name] = _convert(fmt, name, value, known[name])
    return out


def parse_option_items(items: Sequence[str] | None, flag: str = "--world-option") -> dict[str, str]:
    """``KEY=VALUE`` texts (a repeatable command-line option) as a dict of texts.

    Values stay text; :func:`load_world` converts them by the reader's type hints.
    """
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise DataError(
                f"reader option {item!r} is not KEY=VALUE",
                field=flag,
                expected="KEY=VALUE, e.g. year=2000",
                fix=f"write e.g. {flag} year=2000",
            )
        out[key.strip()] = raw.strip()
    return out


def split_world_spec(spec: str | os.PathLike[str]) -> tuple[str, dict[str, str]]:
    """``"wiod-eu:PATH?year=2000&theta=5"`` -> ``("wiod-eu:PATH", {"year": "2000", "theta": "5"})``.

    Everything after the last ``?`` are ``KEY=VALUE`` pairs joined by ``&``.
    """
    text = os.fspath(spec).strip()
    base, sep, query = text.rpartition("?")
    if not sep:
        return text, {}
    pairs = [p for p in query.split("&") if p.strip()]
    return base.strip(), parse_option_items(pairs, flag="WORLD")


def world_spec_text(spec: str | os.PathLike[str], options: Mapping[str, Any] | None = None) -> str:
    """The spec with its reader options written after ``?`` (one label for a loaded World)."""
    base, inline = split_world_spec(spec)
    merged = {**inline, **{k: str(v) for k, v in (options or {}).items()}}
    if not merged:
        return base
    return base + "?" + "&".join(f"{k}={v}" for k, v in merged.items())


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
        See the module docstring; reader options may follow a ``?``.
    data_dir
        Root of the reference data for bare data-set formats (default ``../shared/data``).
    **options
        Passed to the reader (e.g. ``year=2000`` for ``wiod-eu``, ``theta=5`` for gravity);
        they override the same options in ``spec``. Text values are converted by the
        reader's type hints.

    Returns
    -------
    World
        Validated; shipped worlds are cached (Worlds are immutable).

    Raises
    ------
    DataError
        Unknown name or format (the message lists the valid ones), missing path, an
        option the reader does not take (the message lists those it does), or any error
        of the reader.

    """
    text, inline = split_world_spec(spec)
    options = {**inline, **options}
    if text in SHIPPED:
        if options:
            raise DataError(
                f"the shipped world {text!r} takes no reader options (got {', '.join(sorted(options))})",
                field="WORLD",
                fix="drop the options, or aggregate the loaded World instead",
            )
        return _load_shipped(text)
    readers = _readers()
    fmt, sep, rest = text.partition(":")
    known_fmt = fmt if sep and fmt in readers else (text if text in _DATASET_FORMATS else None)
    if known_fmt is not None:
        options = check_reader_options(known_fmt, options)
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
        check_reader_options("bundle", options)
        return read_bundle(path)
    if path.exists():
        raise _unknown(text, "a file is not a World bundle; prefix it with its format (e.g. icio:FILE)")
    raise _unknown(text, "not a shipped name, a known format or an existing bundle folder")
