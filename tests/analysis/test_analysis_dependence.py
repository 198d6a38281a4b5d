"""Import dependence, supplier HHI and self-sufficiency: hand numbers and invariants."""

from __future__ import annotations

import numpy as np
from analysis_worlds import closed_world, world_from_flows
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.analysis import import_dependence, import_shares, self_sufficiency, supplier_hhi
from tradewar.world.synthetic import synthetic_world


def test_two_by_one_by_hand(two_by_one):
    # region AAA uses 20 + 5 (inputs) + 60 + 15 (final) = 100, of which 20 imported from BBB
    d = import_dependence(two_by_one)
    np.testing.assert_allclose(d.sel(region="AAA", product="G"), 20 / 100)
    np.testing.assert_allclose(d.sel(region="BBB", product="G"), 20 / 100)
    np.testing.assert_allclose(self_sufficiency(two_by_one).sel(region="AAA", product="G"), 100 / 100)
    # one foreign supplier: HHI = 1
    np.testing.assert_allclose(supplier_hhi(two_by_one).values, 1.0)
    assert d.dims == ("region", "product")


def test_hhi_and_shares_three_suppliers():
    # region AAA buys 30 from BBB and 10 from CCC and 60 at home (one sector, final demand only)
    Z = np.zeros((3, 3))
    F = np.array([[60.0, 0.0, 0.0], [30.0, 50.0, 0.0], [10.0, 0.0, 50.0]])
    w = world_from_flows(["AAA", "BBB", "CCC"], ["G"], Z, F)
    shares = import_shares(w).sel(product="G", region="AAA")
    np.testing.assert_allclose(shares.sel(origin=["AAA", "BBB", "CCC"]), [0.0, 0.75, 0.25])
    np.testing.assert_allclose(supplier_hhi(w).sel(region="AAA", product="G"), 0.75**2 + 0.25**2)
    np.testing.assert_allclose(import_dependence(w).sel(region="AAA", product="G"), 0.4)
    # BBB imports nothing: its HHI is undefined (NaN), its dependence zero
    assert np.isnan(supplier_hhi(w).sel(region="BBB", product="G"))
    assert import_dependence(w).sel(region="BBB", product="G") == 0.0
    # BBB produces 80, uses 50
    np.testing.assert_allclose(self_sufficiency(w).sel(region="BBB", product="G"), 80 / 50)


def test_closed_economy_is_fully_self_sufficient():
    w = closed_world(3, 4, seed=2)
    np.testing.assert_allclose(self_sufficiency(w).values, 1.0, rtol=1e-12)
    np.testing.assert_array_equal(import_dependence(w).values, 0.0)
    assert np.isnan(supplier_hhi(w).values).all()


@settings(max_examples=20, deadline=None)
@given(R=st.integers(2, 5), S=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_invariants_on_random_worlds(R, S, seed):
    w = synthetic_world(R, S, seed=seed)
    d = import_dependence(w).values
    assert ((d >= 0) & (d <= 1)).all()
    hhi = supplier_hhi(w).values
    assert ((hhi >= 1 / (R - 1) - 1e-12) & (hhi <= 1 + 1e-12)).all()
    shares = import_shares(w)
    np.testing.assert_allclose(shares.sum("origin").values, 1.0, rtol=1e-12)
    # imports reconstructed from shares x dependence x use equal World.imports
    use = w.trade.sum("origin")
    imports = d * use.transpose("region", "product").values
    np.testing.assert_allclose(imports, w.imports.transpose("region", "product").values, rtol=1e-10)
    # world self-sufficiency: output-weighted, total output = total use (no stocks)
    ss = self_sufficiency(w)
    np.testing.assert_allclose(
        (ss * use.rename(product="product")).sum().item(), w.gross_output.sum().item(), rtol=1e-10
    )
