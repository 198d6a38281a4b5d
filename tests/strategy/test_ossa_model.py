import numpy as np
import pytest

from tradewar.errors import DataError, ModelError
from tradewar.model.ossa import OssaModel, read_ossa2014


@pytest.fixture(scope="module")
def ossa_data(shared_data):
    return read_ossa2014(shared_data)


def test_reader_layout(ossa_data):
    d = ossa_data
    assert d.regions == ("Brazil", "China", "EU", "India", "Japan", "ROW", "US")
    assert d.trade.shape == d.tariff.shape == (7, 7, 33)
    assert d.industries[0] == "ric" and d.industry_names[0] == "Raw and processed rice"
    assert d.sigma.shape == (33,) and abs(d.sigma.mean() - 3.42) < 0.01  # SOURCE.md: mean 3.42
    # TRADEs(i,j,s) = TRADE((s-1)*7+i, j): first block, row 0 = Brazil's exports
    import scipy.io

    raw = scipy.io.loadmat(d.source)
    assert d.trade[3, 2, 5] == raw["TRADE"][5 * 7 + 3, 2]
    assert d.tariff[0, 6, 1] == raw["TARIFF"][1 * 7 + 0, 6]
    # purged data: aggregate trade balanced
    nx = d.trade.sum(axis=(1, 2)) - d.trade.sum(axis=(0, 2))
    assert np.max(np.abs(nx)) < 1e-3


def test_reader_missing_folder(tmp_path):
    with pytest.raises(DataError, match="not found"):
        read_ossa2014(tmp_path)


def test_baseline_is_fixed_point(ossa_data):
    m = OssaModel.from_data(ossa_data)
    eq = m.solve(m.baseline_tariff)
    np.testing.assert_allclose(eq.government_welfare_hat, 1.0, atol=1e-12)
    np.testing.assert_allclose(eq.wage_hat, 1.0, atol=1e-12)
    np.testing.assert_allclose(eq.trade, ossa_data.trade, rtol=1e-10)


def test_counterfactual_accounts_and_no_mutation(small_ossa):
    m = small_ossa(4, 3, seed=2)
    t = m.baseline_tariff
    t[:, 0, :] += 0.3
    before = m.trade.copy()
    eq = m.solve(t)
    assert eq.residual < 1e-10
    np.testing.assert_array_equal(m.trade, before)
    # trade balance with net exports held at baseline: sales - purchases = baseline NX (scaled)
    nx = eq.trade.sum(axis=(1, 2)) - eq.trade.sum(axis=(0, 2))
    np.testing.assert_allclose(nx, m.NX, atol=1e-8)
    # real income with lambda = 1 and balanced trade equals E_hat / P_hat
    sym = m.trade + m.trade.transpose(1, 0, 2)
    m1 = OssaModel(trade=sym, tariff=m.tariff, sigma=m.sigma)
    assert np.max(np.abs(m1.NX)) < 1e-9
    eq1 = m1.solve(t)
    np.testing.assert_allclose(eq1.government_welfare_hat, eq1.welfare_hat, rtol=1e-9)


@pytest.mark.parametrize("seed", [0, 1])
def test_gradient_matches_finite_differences(seed, small_ossa):
    m = small_ossa(3, 2, seed=seed)
    m.tol = 1e-14
    rng = np.random.default_rng(seed)
    t = m.baseline_tariff + rng.uniform(0.0, 0.4, size=m.tariff.shape)
    _, g = m.welfare_and_gradient(t, np.eye(3))
    h = 1e-6
    for i, j, s in [(0, 1, 0), (1, 0, 1), (2, 1, 1), (0, 2, 0)]:
        tp, tm = t.copy(), t.copy()
        tp[i, j, s] += h
        tm[i, j, s] -= h
        fd = (np.log(m.welfare(tp)) - np.log(m.welfare(tm))) / (2 * h)
        np.testing.assert_allclose(g[:, i, j, s], fd, rtol=1e-5, atol=1e-9)
    assert np.all(g[:, np.arange(3), np.arange(3), :] == 0.0)


def test_gradient_on_ossa_data(ossa_data):
    m = OssaModel.from_data(ossa_data, tol=1e-14)
    t = m.baseline_tariff
    t[:, 6, :] += 0.2
    _, g = m.welfare_and_gradient(t, np.eye(7)[[6, 1]])
    h = 1e-6
    for i, j, s in [(1, 6, 20), (2, 6, 30), (6, 1, 25)]:
        tp, tm = t.copy(), t.copy()
        tp[i, j, s] += h
        tm[i, j, s] -= h
        fd = (np.log(m.welfare(tp)) - np.log(m.welfare(tm))) / (2 * h)
        np.testing.assert_allclose(g[:, i, j, s], fd[[6, 1]], rtol=1e-4, atol=1e-10)


def test_bad_inputs(small_ossa):
    m = small_ossa()
    with pytest.raises(ModelError, match="shape"):
        m.solve(np.zeros((2, 2, 2)))
    with pytest.raises(ModelError, match="> -1"):
        m.solve(np.full(m.tariff.shape, -1.5))
    with pytest.raises(ModelError, match="σ"):
        OssaModel(trade=m.trade, tariff=m.tariff, sigma=np.array([0.5, 2.0]))
