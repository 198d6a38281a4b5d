"""Direct and total exposure: hand numbers, dense-algebra cross-checks and invariants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analysis_worlds import closed_world, world_from_flows
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.analysis import MRIO, exposure, exposure_profile, value_added_origin
from tradewar.world.synthetic import synthetic_world


def test_two_by_one_by_hand(two_by_one):
    e = exposure(two_by_one)
    # A = [[.2, .1], [.05, .4]]: AAA spends 5 % of its output on inputs from BBB
    np.testing.assert_allclose(e.input_direct.sel(origin="BBB", region="AAA", sector="G"), 0.05)
    # VB = [[18/19, 3/19], [1/19, 16/19]]: 1/19 of AAA's output value is generated in BBB
    np.testing.assert_allclose(e.input_total.sel(origin="BBB", region="AAA", sector="G"), 1 / 19)
    np.testing.assert_allclose(e.input_total.sel(origin="AAA", region="BBB", sector="G"), 3 / 19)
    # AAA's final demand: 60 home + 15 from BBB, VA from BBB = 60 * 1/19 + 15 * 16/19 = 300/19
    np.testing.assert_allclose(e.final_direct.sel(origin="BBB", product="G", region="AAA"), 15 / 75)
    np.testing.assert_allclose(e.final_total.sel(origin="BBB", product="G", region="AAA"), 300 / 19 / 75)


def _dense(w):
    m = MRIO.from_world(w, precision="double")
    L = np.linalg.inv(np.eye(m.n) - m.A)
    return m, L


@settings(max_examples=15, deadline=None)
@given(R=st.integers(2, 4), S=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_total_exposure_matches_explicit_inverse(R, S, seed):
    w = synthetic_world(R, S, seed=seed)
    e = exposure(w)
    m, L = _dense(w)
    VB = m.v[:, None] * L  # (n, n)
    by_source = VB.reshape(R, S, R * S).sum(axis=1)  # (origin, (region, sector))
    np.testing.assert_allclose(e.input_total.values, by_source.reshape(R, R, S), rtol=1e-10, atol=1e-14)
    final = (m.v[:, None] * (L @ m.F)) / m.F.sum(axis=0)[None, :]
    np.testing.assert_allclose(e.final_total.values, final.reshape(R, S, R), rtol=1e-10, atol=1e-14)
    X = m.x.reshape(R, S).sum(axis=1)
    blocks = np.zeros((R * S, R))
    blocks[np.arange(R * S), np.repeat(np.arange(R), S)] = m.x
    by_product = m.v[:, None] * (L @ blocks) / X[None, :]
    np.testing.assert_allclose(e.input_total_by_product.values, by_product.reshape(R, S, R), rtol=1e-10)


@settings(max_examples=20, deadline=None)
@given(R=st.integers(2, 5), S=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_shares_and_sums(R, S, seed):
    w = synthetic_world(R, S, seed=seed)
    e = exposure(w)
    for name in e.data_vars:
        values = e[name].values
        assert ((values >= -1e-15) & (values <= 1 + 1e-12)).all(), name
    np.testing.assert_allclose(e.input_total.sum("origin").values, 1.0, rtol=1e-12)
    np.testing.assert_allclose(e.final_total.sum(("origin", "product")).values, 1.0, rtol=1e-12)
    np.testing.assert_allclose(e.final_direct.sum(("origin", "product")).values, 1.0, rtol=1e-12)
    # direct input shares add up to intermediate inputs / output (at basic prices)
    x = w.gross_output
    inputs = w.intermediate.sum(("origin", "product"))
    np.testing.assert_allclose(e.input_direct.sum("origin").values, (inputs / x).values, rtol=1e-12)
    # by-product measures are output-weighted means of the by-sector ones
    weights = x / x.sum("sector")
    for direct_or_total in ("direct", "total"):
        agg = (e[f"input_{direct_or_total}"] * weights).sum("sector")
        by_product = e[f"input_{direct_or_total}_by_product"].sum("product")
        np.testing.assert_allclose(by_product.values, agg.transpose("origin", "region").values, rtol=1e-10)
    # value_added_origin is the same VB-by-source matrix
    np.testing.assert_allclose(value_added_origin(w).values, e.input_total.values, rtol=1e-12)


def test_closed_economy_has_no_foreign_exposure():
    w = closed_world(3, 3, seed=5)
    e = exposure(w)
    eye = np.eye(3, dtype=bool)
    assert np.all(e.input_total.values[~eye] == 0.0)
    assert np.all(e.final_total.values.transpose(0, 2, 1)[~eye] == 0.0)
    np.testing.assert_allclose(e.input_total.values[eye], 1.0, rtol=1e-12)


def test_mixed_precision_agrees_with_double():
    w = synthetic_world(6, 5, seed=9)
    a = exposure_profile(w, ["R001"], precision="double")
    b = exposure_profile(w, ["R001"], precision="mixed")
    for name in a.data_vars:
        np.testing.assert_allclose(a[name].values, b[name].values, rtol=1e-9, atol=1e-12, err_msg=name)


def test_results_are_labelled_and_world_untouched(small_world):
    before = small_world.intermediate.values.copy()
    e = exposure(small_world)
    assert e.input_total.dims == ("origin", "region", "sector")
    assert list(e.origin.values) == small_world.regions
    assert e.final_total.dims == ("origin", "product", "region")
    np.testing.assert_array_equal(small_world.intermediate.values, before)


def test_batched_solves_equal_one_by_one():
    w = synthetic_world(5, 4, seed=11)
    one = MRIO.from_world(w)
    batched = MRIO.from_world(w)
    batched.prepare([0, 3])
    for name in ("va_source", "block_column_sums", "output_for_final", "output_for_output"):
        np.testing.assert_allclose(getattr(batched, name), getattr(one, name), rtol=1e-12, err_msg=name)
    for t in (0, 3):
        np.testing.assert_allclose(batched.rows_of_L(t), one.rows_of_L(t), rtol=1e-12)


def test_value_added_in_final_demand_matches_pymrio():
    pymrio = pytest.importorskip("pymrio")

    w = synthetic_world(3, 4, seed=21)
    m = MRIO.from_world(w)
    idx = pd.MultiIndex.from_product([w.regions, w.sectors], names=["region", "sector"])
    ycols = pd.MultiIndex.from_product([w.regions, ["final demand"]], names=["region", "category"])
    va_by_source = np.zeros((m.R, m.n))
    va_by_source[m.region_of, np.arange(m.n)] = m.v * m.x
    io = pymrio.IOSystem(
        Z=pd.DataFrame(m.Z, index=idx, columns=idx),
        Y=pd.DataFrame(m.F, index=idx, columns=ycols),
        value_added={"name": "value_added", "F": pd.DataFrame(va_by_source, index=w.regions, columns=idx)},
    )
    io.calc_all()
    ours = exposure(w).final_total.sum("product") * w.final_demand.sum(("origin", "product"))
    np.testing.assert_allclose(ours.values, io.value_added.D_cba_reg.to_numpy(), rtol=1e-10)


def test_zero_output_sector_and_zero_final_demand():
    # sector T is not produced anywhere; region CCC has no final demand
    Z = np.zeros((4, 4))
    Z[0, 2] = 10.0  # AAA G -> CCC G
    Z[2, 0] = 5.0  # CCC G -> AAA G
    F = np.array([[50.0, 0.0], [0.0, 0.0], [20.0, 0.0], [0.0, 0.0]])
    w = world_from_flows(["AAA", "CCC"], ["G", "T"], Z, F)
    e = exposure(w)
    total = e.input_total.sel(sector="G")
    np.testing.assert_allclose(total.sum("origin").values, 1.0, rtol=1e-12)
    assert np.isfinite(e.input_total.values).all()
    assert np.isnan(e.final_total.sel(region="CCC")).all()
