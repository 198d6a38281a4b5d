"""Helpers shared by the readers: reading delimited files with errors that name the file."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.errors import DataError

#: Default location of the reference data, relative to the current directory.
DEFAULT_DATA_DIR = Path("..") / "shared" / "data"


def data_path(data_dir: str | os.PathLike[str] | None, *parts: str) -> Path:
    """``data_dir / parts`` with ``data_dir`` defaulting to :data:`DEFAULT_DATA_DIR`."""
    root = Path(DEFAULT_DATA_DIR if data_dir is None else data_dir)
    return root.joinpath(*parts)


def dataset_dir(data_dir: str | os.PathLike[str] | None, folder: str, marker: str) -> Path:
    """The folder of one data set: ``data_dir`` itself if it holds ``marker``, else ``data_dir/folder``.

    Readers accept either the data root (``../shared/data``) or the data set's own folder.
    """
    root = Path(DEFAULT_DATA_DIR if data_dir is None else data_dir)
    return root if (root / marker).exists() else root / folder


def require_file(path: Path, what: str) -> Path:
    """Raise a :class:`DataError` naming ``path`` if it is not a file."""
    if not path.is_file():
        raise DataError(
            f"{what} not found",
            file=str(path),
            expected=f"a readable file ({what})",
            fix="check the path (the reference data live in ../shared/data by default; "
            "pass data_dir=... or set the path explicitly)",
        )
    return path


def read_table(path: str | os.PathLike[str], what: str, *, sep: str | None = None) -> pd.DataFrame:
    """Read a comma- or tab-delimited file into a DataFrame.

    The delimiter is guessed from the header line unless ``sep`` is given.

    Raises
    ------
    DataError
        If the file is missing, empty or cannot be parsed.

    """
    p = require_file(Path(path), what)
    if sep is None:
        with p.open(encoding="utf-8-sig", errors="replace") as fh:
            header = fh.readline()
        sep = "\t" if header.count("\t") > header.count(",") else ","
    try:
        df = pd.read_csv(p, sep=sep, low_memory=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise DataError(
            f"cannot parse the file ({type(err).__name__}: {err})",
            file=str(p),
            expected=f"a delimited text table ({what})",
            fix="check that the file is a CSV/TSV with one header line",
        ) from None
    if df.empty:
        raise DataError("the file has no data rows", file=str(p), expected=what)
    return df


def require_columns(df: pd.DataFrame, columns: Iterable[str], path: str | os.PathLike[str]) -> None:
    """Raise a :class:`DataError` listing the missing and the available columns."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(
            f"column(s) {missing} not found; the file has columns {list(df.columns)[:30]}",
            file=str(path),
            field=", ".join(missing),
            expected=f"columns {list(columns)}",
            fix="pass the right column names (e.g. exporter=..., importer=..., trade=...)",
        )


def numeric_column(df: pd.DataFrame, column: str, path: str | os.PathLike[str]) -> np.ndarray:
    """Column as floats; non-numeric, NaN or negative entries raise a :class:`DataError`."""
    values = pd.to_numeric(df[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.argmax(bad))
        raise DataError(
            f"{int(bad.sum())} missing, NaN or non-numeric values (first in data row {row + 1}: "
            f"{df[column].iloc[row]!r})",
            file=str(path),
            field=column,
            expected="finite numbers",
            fix="fill missing flows with 0 or drop the rows",
        )
    neg = values < 0
    if neg.any():
        row = int(np.argmax(neg))
        raise DataError(
            f"{int(neg.sum())} negative values (first in data row {row + 1}: {values[row]:.6g})",
            file=str(path),
            field=column,
            expected="non-negative flows",
            fix="trade flows cannot be negative; correct or drop the rows",
        )
    return values


def final_demand_and_value_added(
    Z: np.ndarray,
    F: np.ndarray,
    labels: list[str],
    *,
    rtol: float,
    file: str | None,
    field: str,
) -> tuple[np.ndarray, np.ndarray, int, float]:
    """Net negative final demand out and take value added as the cost residual of a flat MRIO.

    ``Z`` is (RS, RS) intermediate use, ``F`` (RS, R) final demand (basic prices, no
    tariffs), ``labels`` the RS row labels. Negative final-demand cells (inventory
    drawdowns) are set to 0; then x = Z 1 + F 1 and VA = x - 1'Z (Miller & Blair 2009,
    eq. 2.7). Value added below ``-rtol x`` is an error naming the row; smaller negatives
    are rounding and set to 0.

    Returns
    -------
    (F clipped, VA, number of cells clipped, total clipped)
    """
    n_clipped = int((F < 0).sum())
    clipped = float(-F[F < 0].sum())
    F = np.maximum(F, 0.0)
    x = Z.sum(axis=1) + F.sum(axis=1)
    VA = x - Z.sum(axis=0)
    if (VA + rtol * np.maximum(x, 1.0) < 0).any():
        k = int(np.argmin(VA))
        raise DataError(
            f"value added negative for {labels[k]}: {VA[k]:.6g}",
            file=file,
            field=field,
            expected="non-negative value added (output by use minus intermediate inputs)",
            fix="aggregate the sector with another one (tradewar.world.aggregate.aggregate)",
        )
    return F, np.maximum(VA, 0.0), n_clipped, clipped
