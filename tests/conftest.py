"""Shared fixtures: the reference data folder and small generated worlds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tradewar.world.synthetic import synthetic_world
from tradewar.world.world import World

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """``$TRADEWAR_SHARED_DATA`` or ``../shared/data`` beside the checkout."""
    return Path(os.environ.get("TRADEWAR_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"reference data not found at {path} (set TRADEWAR_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def small_world() -> World:
    return synthetic_world(4, 3, seed=1)
