"""Foreign value-added shares (Koopman, Wang and Wei 2014; OECD TiVA) by hand and invariants."""

from __future__ import annotations

import numpy as np
from analysis_worlds import closed_world
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.analysis import exposure, foreign_value_added
from tradewar.world.synthetic import synthetic_world


def test_two_by_one_by_hand(two_by_one):
    # VB = [[18/19, 3/19], [1/19, 16/19]] (columns: value-added sources of each unit of output)
    f = foreign_value_added(two_by_one)
    np.testing.assert_allclose(f.fva_exports.sel(region="AAA", sector="G"), 1 / 19)
    np.testing.assert_allclose(f.fva_exports.sel(region="BBB", sector="G"), 3 / 19)
    np.testing.assert_allclose(f.fva_exports_total.values, [1 / 19, 3 / 19])
    # AAA's final demand: 60 of its own good (1/19 foreign), 15 of BBB's (16/19 foreign)
    np.testing.assert_allclose(f.fva_final_total.sel(region="AAA"), (60 / 19 + 15 * 16 / 19) / 75)
    np.testing.assert_allclose(f.fva_final_total.sel(region="AAA"), 4 / 19)


def test_closed_economy_has_no_foreign_value_added():
    f = foreign_value_added(closed_world(2, 3, seed=1))
    np.testing.assert_allclose(f.fva_final.values, 0.0, atol=1e-15)
    np.testing.assert_allclose(f.fva_final_total.values, 0.0, atol=1e-15)
    assert np.isnan(f.fva_exports.values).all()  # nothing is exported


@settings(max_examples=20, deadline=None)
@given(R=st.integers(2, 5), S=st.integers(1, 4), seed=st.integers(0, 10_000))
def test_invariants(R, S, seed):
    w = synthetic_world(R, S, seed=seed)
    f = foreign_value_added(w)
    for name in f.data_vars:
        values = f[name].values
        assert ((values >= 0) & (values <= 1)).all(), name
    e = exposure(w)
    own = np.stack([e.input_total.sel(origin=r, region=r).values for r in w.regions])
    np.testing.assert_allclose(f.fva_exports.values, 1.0 - own, rtol=1e-12)
    # final demand's foreign share = 1 - domestic share of its value-added content
    dom = np.array([e.final_total.sel(origin=r, region=r).sum("product").item() for r in w.regions])
    np.testing.assert_allclose(f.fva_final_total.values, 1.0 - dom, rtol=1e-10)
