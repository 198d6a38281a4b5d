"""Small worlds with hand-checkable numbers for the analysis tests (imported by them)."""

from __future__ import annotations

import numpy as np

from tradewar.world.world import World, WorldMeta


def world_from_flows(regions: list[str], sectors: list[str], Z: np.ndarray, F: np.ndarray) -> World:
    """A World from (n, n) Z and (n, R) F, no tariffs, value added closing the columns."""
    R, S = len(regions), len(sectors)
    x = Z.sum(axis=1) + F.sum(axis=1)
    va = (x - Z.sum(axis=0)).reshape(R, S)
    return World.from_arrays(
        regions=regions,
        sectors=sectors,
        intermediate=Z,
        final_demand=F,
        value_added=va,
        tariff=None,
        theta=np.full(S, 4.0),
        meta=WorldMeta(
            name="test",
            source="hand-made test world",
            stylized=True,
            region_names={r: f"Test region {r}" for r in regions},
        ),
    )


def closed_world(n_regions: int, n_sectors: int, seed: int = 0) -> World:
    """R economies that do not trade: block-diagonal Z, F only for home goods."""
    rng = np.random.default_rng(seed)
    R, S = n_regions, n_sectors
    n = R * S
    Z = np.zeros((n, n))
    F = np.zeros((n, R))
    for r in range(R):
        block = slice(r * S, (r + 1) * S)
        A = rng.uniform(0.0, 1.0, size=(S, S))
        A *= rng.uniform(0.2, 0.7, size=S) / A.sum(axis=0)
        f = rng.uniform(10.0, 100.0, size=S)
        x = np.linalg.solve(np.eye(S) - A, f)
        Z[block, block] = A * x[None, :]
        F[block, r] = f
    return world_from_flows([f"C{r:02d}" for r in range(R)], [f"S{s}" for s in range(S)], Z, F)
