"""Readers that turn published data sets into Worlds.

Each reader takes the data folder (default ``../shared/data``) or a file path and
returns a validated :class:`~tradewar.world.world.World`; bad input raises a
:class:`~tradewar.errors.DataError` naming the file, the field, what was expected and
how to fix it.
"""

from tradewar.world.readers.gravity import (
    gravity_covariates,
    read_gegravity_sample,
    read_gravity_panel,
    read_liberation_day,
    read_wiod_eu,
)
from tradewar.world.readers.icio import read_icio

__all__ = [
    "gravity_covariates",
    "read_gegravity_sample",
    "read_gravity_panel",
    "read_icio",
    "read_liberation_day",
    "read_wiod_eu",
]
