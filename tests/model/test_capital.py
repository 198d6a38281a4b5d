"""Sector-specific capital in the engine: β = 0 is Caliendo-Parro, the specific-factors
supply elasticity, no shock no change, and the long-run mode."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.errors import ModelError
from tradewar.model import Baseline, Capital, Shock, solve, welfare_gradient
from tradewar.model.capital import CAPITAL_SHARES
from tradewar.world.synthetic import synthetic_world


def _two_by_two(beta: float) -> tuple[Baseline, Capital]:
    """Two countries x two goods, no intermediates (γ = 1), balanced trade.

    Flows (exporter, importer) per good: H is the large exporter of good "a", F of "b".
    """
    T = np.array(
        [
            [[30.0, 6.0], [4.0, 20.0]],  # good a: H->H, H->F; F->H, F->F
            [[25.0, 3.0], [5.0, 30.0]],  # good b
        ]
    )  # [j, i, n]
    X = T.sum(axis=1).T  # [n, j]
    pi = np.transpose(T / T.sum(axis=1, keepdims=True), (2, 1, 0))  # [n, i, j]
    out = T.sum(axis=2).T  # [i, j]
    base = Baseline.from_arrays(
        regions=["H", "F"],
        sectors=["a", "b"],
        X=X,
        pi=pi,
        tau=np.ones((2, 2, 2)),
        gamma_va=np.ones((2, 2)),
        gamma_io=np.zeros((2, 2, 2)),
        alpha=X / X.sum(axis=1, keepdims=True),
        wL=out.sum(axis=1),
        D=out.sum(axis=1) - X.sum(axis=1),
        theta=np.array([4.0, 6.0]),
    )
    return base, Capital.uniform(base, beta)


@settings(max_examples=25, deadline=None)
@given(
    beta=st.floats(0.1, 0.9),
    tariff=st.floats(0.0, 1.0),
    k_h=st.floats(0.5, 2.0),
)
def test_specific_factors_supply_elasticity(beta: float, tariff: float, k_h: float) -> None:
    """ln Q̂ = ln K̂ + (1-β)/β (ln p̂ - ln ŵ) in every sector (module docstring of capital.py).

    The textbook specific-factors supply elasticity (1-β)/β (Jones 1971, JPE; Mussa 1974,
    JPE), exact for Cobb-Douglas value added without intermediates, for any shock.
    """
    base, cap = _two_by_two(beta)
    stock = np.array([[k_h, 1.0], [1.0, 1.0]])
    shock = Shock.none(base).set_tariff(tariff, origin="H", region="F", product="a").with_deficits("zero")
    e = solve(base, shock, capital=cap.with_stock(stock))
    p_hat = e.c_hat  # producer price (no productivity change)
    q_hat = e.Y / base.output / p_hat
    lhs = np.log(q_hat)
    rhs = np.log(stock) + (1.0 - beta) / beta * (np.log(p_hat) - np.log(e.w_hat)[:, None])
    np.testing.assert_allclose(lhs, rhs, atol=1e-8)
    # capital income is β × value added, and labour clears over sectors
    np.testing.assert_allclose(e.rental_hat * stock * beta * base.output, beta * e.Y, rtol=1e-8)
    np.testing.assert_allclose(((1 - beta) * e.Y).sum(axis=1), e.w_hat * (1 - beta) * base.wL, rtol=1e-8)


def test_supply_elasticity_is_finite_not_infinite() -> None:
    """A larger capital share makes supply less elastic: the same tariff moves output less."""
    moves = []
    for beta in (0.2, 0.5, 0.8):
        base, cap = _two_by_two(beta)
        shock = Shock.none(base).set_tariff(0.5, origin="F", region="H", product="a").with_deficits("zero")
        e = solve(base, shock, capital=cap)
        moves.append(abs(np.log(e.Y[0, 0] / base.output[0, 0] / e.c_hat[0, 0])))
    assert moves[0] > moves[1] > moves[2] > 0


def test_zero_capital_share_is_caliendo_parro_exactly() -> None:
    w = synthetic_world(4, 3, seed=3)
    base = Baseline.from_world(w)
    shock = Shock.none(w).add_tariff(0.2, origin=w.regions[1]).with_deficits("zero")
    plain = solve(base, shock)
    zero = solve(base, shock, capital=Capital.none(w))
    for a, b in ((plain.w_hat, zero.w_hat), (plain.log_P, zero.log_P), (plain.X, zero.X), (plain.Y, zero.Y)):
        assert np.array_equal(a, b)
    assert zero.capital is None and zero.solver.iterations == plain.solver.iterations


@pytest.mark.parametrize("mode", ["stock", "long_run"])
def test_no_shock_no_change_with_capital(mode: str) -> None:
    w = synthetic_world(4, 3, seed=2)
    cap = Capital.uniform(w, 0.4)
    cap = cap.long_run() if mode == "long_run" else cap
    e = solve(w, Shock.none(w), capital=cap)
    np.testing.assert_allclose(e.w_hat, 1.0, atol=1e-9)
    np.testing.assert_allclose(e.rental_hat, 1.0, atol=1e-9)
    np.testing.assert_allclose(e.capacity, 1.0, atol=1e-8)
    np.testing.assert_allclose(e.regions["welfare_pct"], 0.0, atol=1e-7)


def test_long_run_capacity_restores_the_return_and_is_a_fixed_point() -> None:
    """In the long run r̂ = P̂^I; solving with that capacity as a stock gives the same equilibrium."""
    w = synthetic_world(4, 3, seed=1)
    base = Baseline.from_world(w)
    cap = Capital.uniform(w, 0.5)
    shock = Shock.none(w).set_tariff(0.3, origin=w.regions[0]).with_deficits("zero")
    lr = solve(base, shock, capital=cap.long_run())
    p_inv = np.exp((base.alpha * lr.log_P).sum(axis=1))
    np.testing.assert_allclose(lr.rental_hat, np.broadcast_to(p_inv[:, None], lr.rental_hat.shape), rtol=1e-9)
    again = solve(base, shock, capital=cap.with_stock(lr.capacity))
    np.testing.assert_allclose(again.rental_hat, lr.rental_hat, rtol=1e-7)
    np.testing.assert_allclose(again.regions["welfare_pct"], lr.regions["welfare_pct"], atol=1e-7)


def test_warm_start_with_capital_gives_the_same_equilibrium() -> None:
    w = synthetic_world(4, 3, seed=1)
    base = Baseline.from_world(w)
    cap = Capital.uniform(w, 0.5)
    s1 = Shock.none(w).set_tariff(0.3, origin=w.regions[0]).with_deficits("zero")
    s2 = Shock.none(w).set_tariff(0.35, origin=w.regions[0]).with_deficits("zero")
    e1 = solve(base, s1, capital=cap)
    cold = solve(base, s2, capital=cap)
    warm = solve(base, s2, capital=cap, initial=e1)
    np.testing.assert_allclose(warm.rental_hat, cold.rental_hat, rtol=1e-8)
    assert warm.solver.iterations < cold.solver.iterations


def test_capital_errors() -> None:
    w = synthetic_world(3, 2, seed=1)
    with pytest.raises(ModelError, match="capital shares"):
        Capital.uniform(w, 0.99)
    with pytest.raises(ModelError, match="capacity"):
        Capital.uniform(w, 0.5).with_stock(np.zeros((3, 2)))
    with pytest.raises(ModelError, match="exact closure"):
        solve(w, Shock.none(w), capital=Capital.uniform(w, 0.5), closure="fixed_expenditure")
    with pytest.raises(ModelError, match="no cited capital share"):
        Capital.default(w)
    shock = Shock.none(w).with_deficits("zero").with_capital(Capital.uniform(w, 0.5))
    with pytest.raises(ModelError, match="sector-specific capital"):
        welfare_gradient(w, shock)


def test_default_shares_are_cited() -> None:
    for code, (beta, cite) in CAPITAL_SHARES.items():
        assert 0.0 < beta < 0.95, code
        assert "KLEMS" in cite or "BEA" in cite, code


@settings(max_examples=15, deadline=None)
@given(beta=st.floats(0.2, 0.8), s=st.floats(0.1, 2.0), tariff=st.floats(0.05, 1.0))
def test_ces_value_added_specific_factors(beta: float, s: float, tariff: float) -> None:
    """CES value added (γ = 1): Q̂ = K̂ (r̂/p̂)^s and p̂ = ((1-β) ŵ^(1-s) + β r̂^(1-s))^(1/(1-s)).

    The factor-demand identity of the specific-factors model with a CES value-added
    function (Jones 1971); its local supply elasticity is s (1-β)/β.
    """
    base, cap = _two_by_two(beta)
    cap = cap.with_substitution(s)
    stock = np.array([[1.3, 1.0], [1.0, 0.8]])
    shock = Shock.none(base).set_tariff(tariff, origin="H", region="F", product="a").with_deficits("zero")
    e = solve(base, shock, capital=cap.with_stock(stock))
    p, r, w = e.c_hat, e.rental_hat, e.w_hat[:, None]
    np.testing.assert_allclose(e.Y / base.output / p, stock * (r / p) ** s, rtol=1e-8)
    if abs(1 - s) > 1e-6:
        ces = ((1 - beta) * w ** (1 - s) + beta * r ** (1 - s)) ** (1 / (1 - s))
        np.testing.assert_allclose(p, ces, rtol=1e-8)


def test_low_labour_capital_substitution_limits_supply() -> None:
    """A small shock: the supply response ln Q̂ / ln(p̂/ŵ) is close to s (1-β)/β."""
    beta = 0.6
    for s in (0.3, 1.0):
        base, cap = _two_by_two(beta)
        shock = Shock.none(base).set_tariff(0.01, origin="F", region="H", product="a").with_deficits("zero")
        e = solve(base, shock, capital=cap.with_substitution(s))
        ratio = np.log(e.Y[0, 0] / base.output[0, 0] / e.c_hat[0, 0]) / np.log(e.c_hat[0, 0] / e.w_hat[0])
        assert ratio == pytest.approx(s * (1 - beta) / beta, rel=0.02)


def test_zero_capital_share_reproduces_caliendo_parro_nafta(shared_data) -> None:
    """β = 0 on the CP2015 NAFTA counterfactual: the validated equilibrium, bit for bit."""
    from tradewar.model.validation import nafta_equilibria
    from tradewar.world.load import load_world

    world = load_world(f"cp2015:{shared_data / 'cp2015_nafta'}")
    _, cfl = nafta_equilibria(world)
    again = solve(cfl.baseline, cfl.shock, capital=Capital.none(cfl.baseline))
    assert np.array_equal(again.w_hat, cfl.w_hat) and np.array_equal(again.log_P, cfl.log_P)
    # Table 2 (Caliendo and Parro 2015, REStud 82(1)): Mexico's welfare 1.31 %, real wage 1.72 %
    mex = again.regions.loc["MEX"]
    assert round(float(mex["tot_plus_vot_pct"]), 2) == 1.31
    assert float(mex["real_wage_pct"]) == pytest.approx(1.715323, abs=5e-6)
