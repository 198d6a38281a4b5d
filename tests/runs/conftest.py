"""Fixtures of the uncertainty tests: a synthetic world and a scenario with uncertain numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tradewar.policy import Scenario, load_scenario
from tradewar.world.synthetic import synthetic_world
from tradewar.world.world import World

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def draw_world() -> World:
    """The 4 x 3 synthetic world the scenario file ``uncertain.yaml`` is written for."""
    return synthetic_world(4, 3, seed=1)


@pytest.fixture(scope="session")
def uncertain_scenario() -> Scenario:
    """A tariff, a phased licence, a funding return and sigma, each with a range."""
    return load_scenario(HERE / "uncertain.yaml")
