"""RAS / IPF balancing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.errors import ConvergenceError, DataError
from tradewar.world.balance import ipf, ras


def test_ras_matches_margins_biproportionally() -> None:
    # a 3 x 3 prior updated to new margins: the margins must match and the result must
    # have the biproportional form X = diag(r) X0 diag(s) (Miller & Blair 2009, sec. 7.4)
    X0 = np.array([[120.0, 40.0, 80.0], [60.0, 20.0, 40.0], [100.0, 60.0, 80.0]])
    u = np.array([300.0, 120.0, 280.0])
    v = np.array([320.0, 130.0, 250.0])
    res = ras(X0, u, v)
    assert res.converged and res.residual <= 1e-10
    np.testing.assert_allclose(res.table.sum(axis=1), u, rtol=1e-9)
    np.testing.assert_allclose(res.table.sum(axis=0), v, rtol=1e-9)
    ratio = res.table / X0
    # rank one: ratio[i, j] = r_i s_j
    np.testing.assert_allclose(ratio / ratio[:, :1], np.tile(ratio[:1] / ratio[0, 0], (3, 1)), rtol=1e-8)


def test_zeros_stay_zero() -> None:
    X0 = np.array([[1.0, 0.0], [1.0, 1.0]])
    res = ras(X0, np.array([2.0, 3.0]), np.array([4.0, 1.0]))
    assert res.table[0, 1] == 0.0


def test_inconsistent_margins() -> None:
    with pytest.raises(DataError, match="different totals"):
        ras(np.ones((2, 2)), np.array([1.0, 1.0]), np.array([1.0, 2.0]))


def test_infeasible_margin() -> None:
    X0 = np.array([[0.0, 0.0], [1.0, 1.0]])
    with pytest.raises(DataError, match="prior is all zero"):
        ras(X0, np.array([1.0, 1.0]), np.array([1.0, 1.0]))


def test_bad_prior() -> None:
    with pytest.raises(DataError, match="negative"):
        ras(np.array([[1.0, -1.0], [1.0, 1.0]]), np.ones(2), np.ones(2))


def test_non_convergence_reports_residual() -> None:
    # feasible only in the limit (a structural zero forces an entry to vanish): slow
    X0 = np.array([[1.0, 1.0], [1.0, 0.0]])
    with pytest.raises(ConvergenceError, match="residual") as err:
        ras(X0, np.array([1.0, 1.0]), np.array([1.0, 1.0]), max_iter=5)
    assert err.value.iterations == 5 and err.value.residual > 0
    res = ras(X0, np.array([1.0, 1.0]), np.array([1.0, 1.0]), max_iter=5, raise_on_failure=False)
    assert not res.converged and res.residual == pytest.approx(err.value.residual)


def test_ipf_three_dimensions() -> None:
    rng = np.random.default_rng(0)
    X0 = rng.uniform(0.1, 1.0, size=(3, 4, 5))
    truth = rng.uniform(0.5, 2.0, size=(3, 4, 5))
    a = truth.sum(axis=2)
    b = truth.sum(axis=0).T  # axes given out of order: (2, 1)
    res = ipf(X0, [((0, 1), a), ((2, 1), b)])
    np.testing.assert_allclose(res.table.sum(axis=2), a, rtol=1e-8)
    np.testing.assert_allclose(res.table.sum(axis=0).T, b, rtol=1e-8)
    with pytest.raises(DataError, match="disagree on their common axes"):
        ipf(X0, [((0, 1), a), ((2, 1), b[:, ::-1])])


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 6),
    st.integers(2, 6),
    st.integers(0, 10_000),
)
def test_ras_property_margins(n: int, m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    X0 = rng.uniform(0.01, 5.0, size=(n, m))
    u = rng.uniform(0.1, 10.0, size=n)
    v = rng.uniform(0.1, 10.0, size=m)
    v *= u.sum() / v.sum()
    res = ras(X0, u, v)
    assert (res.table >= 0).all()
    np.testing.assert_allclose(res.table.sum(axis=1), u, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(res.table.sum(axis=0), v, rtol=1e-7, atol=1e-9)
