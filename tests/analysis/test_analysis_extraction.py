"""Hypothetical extraction (Sherman-Morrison) against brute-force re-solves; chokepoint ranking."""

from __future__ import annotations

import numpy as np
import pytest
from analysis_worlds import closed_world
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.analysis import MRIO, chokepoints, hypothetical_extraction, supplier_cutoff
from tradewar.errors import ModelError, UnknownCodeError
from tradewar.world.synthetic import synthetic_world


def test_two_by_one_by_hand(two_by_one):
    # BBB stops supplying AAA: A[B, A] = 0.05 and F[B, A] = 15 go; with f = (70, 40) the
    # output becomes x = (95.833.., 66.666..), i.e. 4.1667 lost in AAA and 33.333 in BBB.
    ds = hypothetical_extraction(two_by_one, ["AAA"])
    cut = ds.sel(origin="BBB", product="G", region="AAA")
    np.testing.assert_allclose(cut.deliveries, 20.0)
    np.testing.assert_allclose(cut.output_lost, 100 - 95.0 - 5 / 6, rtol=1e-12)
    np.testing.assert_allclose(cut.output_lost_pct, 100 * (100 - 95.0 - 5 / 6) / 100, rtol=1e-12)
    np.testing.assert_allclose(cut.world_output_lost, 200 - (95.0 + 5 / 6) - 200 / 3, rtol=1e-12)


def _brute_force(m: MRIO, s: int, p: int, t: int) -> np.ndarray:
    A = m.A.copy()
    F = m.F.copy()
    k = s * m.S + p
    A[k, t * m.S : (t + 1) * m.S] = 0.0
    F[k, t] = 0.0
    x_new = np.linalg.solve(np.eye(m.n) - A, F.sum(axis=1))
    return (m.x - x_new).reshape(m.R, m.S).sum(axis=1)


@settings(max_examples=10, deadline=None)
@given(R=st.integers(2, 4), S=st.integers(1, 3), seed=st.integers(0, 10_000))
def test_sherman_morrison_equals_brute_force(R, S, seed):
    w = synthetic_world(R, S, seed=seed)
    m = MRIO.from_world(w, precision="double")
    ds = hypothetical_extraction(w)
    X = m.x.reshape(R, S).sum(axis=1)
    for s in range(R):
        for p in range(S):
            for t in range(R):
                lost = _brute_force(m, s, p, t)
                cut = ds.isel(origin=s, product=p, region=t)
                np.testing.assert_allclose(cut.output_lost, lost[t], rtol=1e-9, atol=1e-9)
                np.testing.assert_allclose(cut.world_output_lost, lost.sum(), rtol=1e-9, atol=1e-9)
                np.testing.assert_allclose(cut.output_lost_pct, 100 * lost[t] / X[t], rtol=1e-9, atol=1e-9)
    assert (ds.output_lost.values >= -1e-9).all()


def test_extracting_a_zero_flow_changes_nothing():
    w = closed_world(3, 2, seed=4)  # no trade: every foreign supply is zero
    ds = hypothetical_extraction(w)
    foreign = ds.origin.values[:, None] != ds.region.values[None, :]
    lost = ds.world_output_lost.transpose("origin", "region", "product").values
    assert np.all(lost[foreign] == 0.0)
    # domestic supply does matter
    assert np.all(lost[~foreign] > 0.0)


def test_chokepoint_ranking(small_world):
    table = chokepoints(small_world, "R000", top=None)
    assert list(table["rank"]) == list(range(1, len(table) + 1))
    assert (np.diff(table["output_lost"].to_numpy()) <= 0).all()
    assert "R000" not in set(table["origin"])
    assert len(table) == 3 * 3  # three foreign regions x three products
    top = chokepoints(small_world, "R000", top=2)
    assert len(top) == 2
    with_home = chokepoints(small_world, "R000", top=None, foreign_only=False)
    assert len(with_home) == 4 * 3


def test_unknown_region_is_a_clear_error(small_world):
    with pytest.raises(UnknownCodeError, match="did you mean"):
        chokepoints(small_world, "R00O")


def _brute_force_region(m: MRIO, s: int, t: int) -> np.ndarray:
    A = m.A.copy()
    F = m.F.copy()
    rows = slice(s * m.S, (s + 1) * m.S)
    A[rows, t * m.S : (t + 1) * m.S] = 0.0
    F[rows, t] = 0.0
    x_new = np.linalg.solve(np.eye(m.n) - A, F.sum(axis=1))
    return (m.x - x_new).reshape(m.R, m.S).sum(axis=1)


@settings(max_examples=10, deadline=None)
@given(R=st.integers(2, 4), S=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_whole_supplier_cutoff_equals_brute_force(R, S, seed):
    w = synthetic_world(R, S, seed=seed)
    m = MRIO.from_world(w, precision="double")
    X = m.x.reshape(R, S).sum(axis=1)
    for t, region in enumerate(w.regions):
        ds = supplier_cutoff(w, region)
        for s in range(R):
            lost = _brute_force_region(m, s, t)
            cut = ds.isel(origin=s)
            np.testing.assert_allclose(cut.output_lost, lost[t], rtol=1e-9, atol=1e-9)
            np.testing.assert_allclose(cut.world_output_lost, lost.sum(), rtol=1e-9, atol=1e-9)
            np.testing.assert_allclose(cut.output_lost_pct, 100 * lost[t] / X[t], rtol=1e-9, atol=1e-9)


def test_supplier_cutoff_one_product_is_sherman_morrison(two_by_one):
    ds = supplier_cutoff(two_by_one, "AAA", ["BBB"])
    np.testing.assert_allclose(ds.output_lost.sel(origin="BBB"), 100 - 95.0 - 5 / 6, rtol=1e-12)
    np.testing.assert_allclose(ds.deliveries.sel(origin="BBB"), 20.0)


def test_forward_extraction_by_hand(two_by_one):
    # Ghosh: v = (75, 50), B = A here (x = 100 everywhere); without B[BBB, AAA] = 0.05,
    # x' (I - B') = v' gives x = (93.75, 98.958..): AAA loses 6.25, BBB 1.0417
    cut = hypothetical_extraction(two_by_one, ["AAA"]).sel(origin="BBB", product="G", region="AAA")
    np.testing.assert_allclose(cut.forward_output_lost, 6.25, rtol=1e-12)
    np.testing.assert_allclose(cut.forward_world_output_lost, 6.25 + 100 - (50 + 9.375) / 0.6, rtol=1e-12)


def _ghosh_brute_force(m: MRIO, rows: slice, t: int) -> np.ndarray:
    B = m.Z / m.x[:, None]
    v = m.x - m.Z.sum(axis=0)
    B[rows, t * m.S : (t + 1) * m.S] = 0.0
    x_new = np.linalg.solve((np.eye(m.n) - B).T, v)
    return (m.x - x_new).reshape(m.R, m.S).sum(axis=1)


@settings(max_examples=8, deadline=None)
@given(R=st.integers(2, 4), S=st.integers(1, 3), seed=st.integers(0, 10_000))
def test_forward_extraction_equals_brute_force(R, S, seed):
    w = synthetic_world(R, S, seed=seed)
    m = MRIO.from_world(w, precision="double")
    ds = hypothetical_extraction(w)
    for t, region in enumerate(w.regions):
        whole = supplier_cutoff(w, region)
        for s in range(R):
            for p in range(S):
                k = s * S + p
                lost = _ghosh_brute_force(m, slice(k, k + 1), t)
                cut = ds.isel(origin=s, product=p, region=t)
                np.testing.assert_allclose(cut.forward_output_lost, lost[t], rtol=1e-9, atol=1e-9)
                np.testing.assert_allclose(cut.forward_world_output_lost, lost.sum(), rtol=1e-9, atol=1e-9)
            lost = _ghosh_brute_force(m, slice(s * S, (s + 1) * S), t)
            np.testing.assert_allclose(
                whole.isel(origin=s).forward_output_lost, lost[t], rtol=1e-9, atol=1e-9
            )
    assert (ds.forward_output_lost.values >= -1e-9).all()


def test_chokepoints_rank_by_forward_and_reject_unknown_key(small_world):
    table = chokepoints(small_world, "R000", top=None, by="forward_output_lost")
    assert (np.diff(table["forward_output_lost"].to_numpy()) <= 0).all()
    with pytest.raises(ModelError, match="cannot rank"):
        chokepoints(small_world, "R000", by="nonsense")
