"""Download the OECD Inter-Country Input-Output tables (2023 release) with pymrio.

``pymrio.download_oecd`` fetches the release's five-year bundles (``ICIO-2016-2020-extended.zip``
...) from the OECD and unpacks them into ``ICIO2023_<year>.csv`` files (USD million,
basic prices; OECD, *Inter-Country Input-Output Database*, 2023 edition,
https://oe.cd/icio). This needs internet access and the ``mrio`` extra
(``pip install tradewar[mrio]``); the files are then read with ``icio:PATH``.
"""

from __future__ import annotations

import os
from pathlib import Path

from tradewar.errors import DataError

#: ICIO release read by :mod:`tradewar.world.readers.icio`.
OECD_VERSION = "v2023"
#: Years covered by the 2023 release.
OECD_YEARS = range(1995, 2021)


def oecd_icio_file(folder: str | os.PathLike[str], year: int) -> Path:
    """Path of the ICIO 2023 CSV of ``year`` inside ``folder``."""
    return Path(folder) / f"ICIO2023_{year}.csv"


def download_oecd_icio(year: int, folder: str | os.PathLike[str]) -> Path:
    """Download the ICIO 2023 table of ``year`` into ``folder`` (skipped if it is there).

    Returns
    -------
    Path
        The CSV file, ready for ``tradewar world build icio:PATH ...``.

    Raises
    ------
    DataError
        A year outside the release, pymrio missing, a failed download, or no file for the
        year after it.

    """
    if year not in OECD_YEARS:
        raise DataError(
            f"the OECD ICIO 2023 release has no table for {year}",
            field="YEAR",
            expected=f"a year in {OECD_YEARS.start}-{OECD_YEARS.stop - 1}",
        )
    try:
        import pymrio
    except ImportError:
        raise DataError(
            "downloading the OECD tables needs pymrio",
            field="pymrio",
            fix="pip install 'tradewar[mrio]' (or pip install pymrio)",
        ) from None
    dest = Path(folder)
    target = oecd_icio_file(dest, year)
    if target.is_file():
        return target
    try:
        pymrio.download_oecd(storage_folder=str(dest), version=OECD_VERSION, years=[year])
    except (OSError, ValueError) as err:
        raise DataError(
            f"the download failed ({type(err).__name__}: {err})",
            file=str(dest),
            fix="check the internet connection, or download ICIO2023 from https://oe.cd/icio "
            "and pass icio:PATH to `tradewar world build`",
        ) from None
    if not target.is_file():
        found = sorted(p.name for p in dest.glob("ICIO*.csv"))
        raise DataError(
            f"the download finished but {target.name} is not there (found {found[:10]})",
            file=str(dest),
            fix="download the table by hand from https://oe.cd/icio",
        )
    return target
