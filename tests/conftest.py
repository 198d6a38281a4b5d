"""Shared fixtures: the reference data folder and small generated worlds."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import settings

from tradewar.world.synthetic import synthetic_world
from tradewar.world.world import World

if TYPE_CHECKING:
    from tradewar.model.baseline import Baseline

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


def _two_country_baseline(theta: float, foreign: float) -> Baseline:
    """Two countries H, F, one good (J = 1), no intermediates, balanced trade.

    Trade ``[[10, 2], [2, foreign]]`` (exporter i, importer n): the world of the
    two-country optimal-tariff theorem ``t* = 1/(θ λ_FF)``.
    """
    from tradewar.model.baseline import Baseline

    T = np.array([[10.0, 2.0], [2.0, foreign]])  # exporter i, importer n
    X = T.sum(axis=0)
    return Baseline.from_arrays(
        regions=["H", "F"],
        sectors=["g"],
        X=X[:, None],
        pi=(T / X[None, :]).T[:, :, None],
        tau=np.ones((2, 2, 1)),
        gamma_va=np.ones((2, 1)),
        gamma_io=np.zeros((2, 1, 1)),
        alpha=np.ones((2, 1)),
        wL=T.sum(axis=1),
        D=np.zeros(2),
        theta=np.array([theta]),
    )


@pytest.fixture(scope="session")
def two_country_baseline() -> Callable[[float, float], Baseline]:
    """Builder ``(theta, foreign) -> Baseline`` of the two-country one-good world."""
    return _two_country_baseline
