"""Shared fixtures: the reference data folder and small generated worlds."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from tradewar.world.synthetic import synthetic_world
from tradewar.world.world import World

REPO = Path(__file__).resolve().parents[1]

# CI replays the same examples on every run (a red CI blocks every landing); locally,
# hypothesis explores new examples each run.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")


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
