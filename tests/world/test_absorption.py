"""The self-sufficiency formulas of the world layer (``tradewar.world.absorption``)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.world.absorption import absorption, net_self_sufficiency
from tradewar.world.synthetic import synthetic_world


def _arrays(seed: int, R: int, S: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w = synthetic_world(R, S, seed=seed)
    trade = w.trade.transpose("origin", "product", "region").values
    x = w.gross_output.transpose("region", "sector").values
    Z = w.intermediate.transpose("origin", "product", "region", "sector").values
    within = np.stack([Z[:, p, :, p] for p in range(S)], axis=1)  # [i, p, n]
    return trade, x, within


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), R=st.integers(2, 4), S=st.integers(2, 4))
def test_net_measure_counts_every_unit_once(seed: int, R: int, S: int) -> None:
    """World sales outside the industry equal world use outside it, product by product.

    Σ_n (x - Σ_m W[n, ·, m]) = Σ_n (U - Σ_i W[i, ·, n]) because Σ_n x = Σ_n U; with no
    intra-industry deliveries the net measure is the gross one.
    """
    trade, x, within = _arrays(seed, R, S)
    use = absorption(trade, x).use
    net = net_self_sufficiency(trade, x, within)
    den = use - within.sum(axis=0).T
    np.testing.assert_allclose((net * den).sum(axis=0), den.sum(axis=0), rtol=1e-10)
    gross = net_self_sufficiency(trade, x, np.zeros_like(within))
    np.testing.assert_allclose(gross, absorption(trade, x).self_sufficiency, rtol=1e-12)


def test_closed_economy_is_self_sufficient() -> None:
    """One region that makes and uses everything: ss = ss_net = 1."""
    trade, _, within = _arrays(1, 2, 3)
    closed = trade.sum(axis=2, keepdims=True).sum(axis=0, keepdims=True)  # (1, S, 1)
    xs = closed[0, :, 0][None, :]
    w = within.sum(axis=(0, 2))[None, :, None]
    np.testing.assert_allclose(absorption(closed, xs).self_sufficiency, 1.0)
    np.testing.assert_allclose(net_self_sufficiency(closed, xs, w), 1.0)
