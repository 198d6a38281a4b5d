"""Fixtures of the analysis tests; the worlds are built in ``analysis_worlds``."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_worlds import world_from_flows

from tradewar.world.world import World


@pytest.fixture()
def two_by_one() -> World:
    """Two regions, one sector: Z = [[20, 10], [5, 40]], F = [[60, 10], [15, 40]], x = (100, 100).

    An interregional table in the layout of Miller and Blair (2009, ch. 3, the IRIO model
    x = (I - A)⁻¹ f with blocks A^rr, A^rs), small enough to work every measure by hand.

    By hand: A = [[.2, .1], [.05, .4]], v = (.75, .5), L = [[.6, .1], [.05, .8]] / .475,
    VB = [[18/19, 3/19], [1/19, 16/19]].
    """
    Z = np.array([[20.0, 10.0], [5.0, 40.0]])
    F = np.array([[60.0, 10.0], [15.0, 40.0]])
    return world_from_flows(["AAA", "BBB"], ["G"], Z, F)
