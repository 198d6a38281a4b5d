"""Two countries, one sector: the optimal tariff is 1 / (θ λ_FF) (Costinot and
Rodriguez-Clare 2014, Handbook of International Economics vol. 4; λ_FF is the foreign
country's spending share on its own goods at the optimum)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.model.ossa import OssaModel
from tradewar.strategy import optimal_tariff


def two_country(theta: float, home: float, foreign: float, trade: float = 2.0) -> OssaModel:
    # X[i, j]: exporter i, importer j; balanced (X[0,1] = X[1,0])
    X = np.array([[home, trade], [trade, foreign]])[:, :, None]
    return OssaModel(trade=X, tariff=np.zeros((2, 2, 1)), sigma=np.array([theta + 1.0]), regions=("H", "F"))


def lambda_ff(trade: np.ndarray, tariff: np.ndarray) -> float:
    spend = (1.0 + tariff[:, 1, 0]) * trade[:, 1, 0]
    return float(spend[1] / spend.sum())


@pytest.mark.parametrize("theta", [1.5, 4.0, 8.0])
@pytest.mark.parametrize(("home", "foreign"), [(2.0, 30.0), (10.0, 10.0), (50.0, 3.0)])
def test_optimal_tariff_formula_ossa(theta, home, foreign):
    m = two_country(theta, home, foreign)
    r = optimal_tariff(m, "H", instrument="uniform")
    eq = m.solve(r.tariff)
    expected = 1.0 / (theta * lambda_ff(eq.trade, r.tariff))
    assert r.values[0] == pytest.approx(expected, rel=1e-5)
    assert r.gain_pct > 0


@settings(max_examples=15, deadline=None)
@given(
    theta=st.floats(1.0, 10.0),
    home=st.floats(1.0, 100.0),
    foreign=st.floats(1.0, 100.0),
    trade=st.floats(0.5, 5.0),
)
def test_optimal_tariff_formula_property(theta, home, foreign, trade):
    m = two_country(theta, home, foreign, trade)
    r = optimal_tariff(m, "H", instrument="uniform")
    eq = m.solve(r.tariff)
    assert r.values[0] * theta * lambda_ff(eq.trade, r.tariff) == pytest.approx(1.0, rel=1e-4)


@pytest.mark.parametrize("theta", [2.0, 5.0])
@pytest.mark.parametrize("foreign", [3.0, 20.0])
def test_optimal_tariff_formula_ge_engine(theta, foreign, two_country_baseline):
    """The same theorem through the main GE engine (J = 1, no intermediates)."""
    pytest.importorskip("tradewar.model")
    from tradewar.strategy.engine import EngineGame

    base = two_country_baseline(theta, foreign)  # trade [[10, 2], [2, foreign]] (tests/conftest.py)
    game = EngineGame(base, deficits="zero")
    assert game.has_gradient  # exact gradients through the engine (tradewar.model.gradient)
    r = optimal_tariff(game, "H", instrument="uniform")
    eq = game.solve(r.tariff)
    lam_ff = float(eq.pi[1, 1, 0])  # importer F, exporter F
    assert r.values[0] == pytest.approx(1.0 / (theta * lam_ff), rel=1e-5)
    # the engine's and Ossa's one-sector models agree (both are Armington with theta = sigma - 1)
    ossa = two_country(theta, 10.0, foreign)
    assert optimal_tariff(ossa, "H", instrument="uniform").values[0] == pytest.approx(r.values[0], rel=1e-5)


def test_engine_game_on_a_world(small_world):
    from tradewar.strategy import reciprocal_retaliation
    from tradewar.strategy.engine import EngineGame

    game = EngineGame(small_world)
    np.testing.assert_allclose(game.welfare(game.baseline_tariff), 1.0, atol=1e-9)
    player = game.regions[0]
    r = optimal_tariff(game, player, instrument="uniform", upper=2.0)
    assert r.converged and r.gain_pct > 0 and 0.0 < r.values[0] < 2.0
    rr = reciprocal_retaliation(game, player, game.regions[1], 0.25)
    frame = rr.to_frame().set_index("region")
    assert frame.loc[game.regions[1], "after_first_move_pct"] < 0


def test_engine_uniform_nash(small_world):
    """A uniform-tariff trade war through the GE engine (derivative-free best responses)."""
    from tradewar.strategy import deviation_gains, nash_equilibrium
    from tradewar.strategy.engine import EngineGame

    game = EngineGame(small_world)
    ne = nash_equilibrium(game, instrument="uniform", upper=2.0, tol=1e-6)
    assert np.all(ne.welfare < 1.0)
    for p in game.regions:
        dev = deviation_gains(game, ne.tariff, p, instrument="uniform", deltas=np.array([-0.01, 0.01]))
        assert dev["welfare_change_pct"].max() < 1e-6
