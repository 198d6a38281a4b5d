import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.errors import ConvergenceError, ModelError, UnknownCodeError
from tradewar.model.ossa import OssaModel
from tradewar.strategy import (
    Instrument,
    InstrumentMap,
    TariffGameModel,
    deal_report,
    deviation_gains,
    efficient_tariffs,
    equal_gains_tariffs,
    nash_bargaining,
    nash_equilibrium,
    optimal_retaliation,
    optimal_tariff,
    reciprocal_retaliation,
    tariff_dataarray,
)


@pytest.fixture(scope="module")
def game(small_ossa):
    return small_ossa(3, 2, seed=3)


@pytest.fixture(scope="module")
def war(game):
    return nash_equilibrium(game, instrument="sector", tol=1e-7)


def test_instrument_map_roundtrip(game):
    t = game.baseline_tariff
    for inst in Instrument:
        m = InstrumentMap.build(game, "B", inst)
        x = np.arange(1, m.size + 1) / 10.0
        t2 = m.apply(x, t)
        np.testing.assert_allclose(m.extract(t2), x)
        # only B's tariffs on others changed
        changed = np.argwhere(t2 != t)
        assert set(changed[:, 1]) == {1} and not np.any(changed[:, 0] == 1)
        g = np.random.default_rng(0).random(t.shape)
        # pullback is the adjoint of apply: <g, apply(x)-apply(0)> = <pullback(g), x>
        lin = float(np.sum(g * (m.apply(x, t) - m.apply(np.zeros(m.size), t))))
        assert float(m.pullback(g) @ x) == pytest.approx(lin)
    assert isinstance(game, TariffGameModel)


def test_unknown_player_and_self_target(game):
    with pytest.raises(UnknownCodeError, match="did you mean"):
        InstrumentMap.build(game, "AA")
    with pytest.raises(ModelError, match="itself"):
        InstrumentMap.build(game, "A", targets=["A", "B"])


@pytest.mark.parametrize("inst", list(Instrument))
def test_optimal_tariff_improves_and_is_stationary(game, inst):
    r = optimal_tariff(game, "A", instrument=inst)
    assert r.converged and r.gain_pct > 0
    imap = InstrumentMap.build(game, "A", inst)
    _, g = game.welfare_and_gradient(r.tariff, np.eye(3)[[0]])
    gx = imap.pullback(g[0])
    interior = r.values > 1e-6
    assert np.max(np.abs(gx[interior])) < 1e-6
    assert np.all(gx[~interior] <= 1e-6)  # at the lower bound only if welfare falls going up


def test_gradient_free_fallback_agrees(game):
    class NoGrad:
        has_gradient = False

        def __init__(self, m: OssaModel) -> None:
            self.m = m
            self.regions, self.products = m.regions, m.products

        @property
        def baseline_tariff(self):
            return self.m.baseline_tariff

        def welfare(self, t):
            return self.m.welfare(t)

        def welfare_and_gradient(self, t, w):
            raise NotImplementedError

    exact = optimal_tariff(game, "B", instrument="uniform")
    free = optimal_tariff(NoGrad(game), "B", instrument="uniform")
    assert free.values[0] == pytest.approx(exact.values[0], abs=1e-5)
    partner = optimal_tariff(NoGrad(game), "B", instrument="partner")
    exact_p = optimal_tariff(game, "B", instrument="partner")
    np.testing.assert_allclose(partner.values, exact_p.values, atol=1e-3)


def test_nash_no_profitable_deviation(game, war):
    """Grid check: no player gains from a unilateral deviation within its policy space."""
    assert war.converged and war.history[-1] <= 1e-7
    grid = np.array([-0.05, -0.01, -0.002, 0.002, 0.01, 0.05])
    for p in game.regions:
        for inst in ("uniform", "sector"):  # both stay within the MFN (sector) policy space
            dev = deviation_gains(game, war.tariff, p, instrument=inst, deltas=grid)
            assert dev["welfare_change_pct"].max() < 1e-8, (p, inst)
    # everyone is worse off in the war than under the low baseline tariffs
    assert np.all(war.welfare < 1.0)


def test_bilateral_nash_no_profitable_deviation(game):
    ne = nash_equilibrium(game, instrument="bilateral", tol=1e-7)
    grid = np.array([-0.05, -0.005, 0.005, 0.05])
    for p in game.regions:
        for inst in ("uniform", "sector", "partner", "bilateral"):
            dev = deviation_gains(game, ne.tariff, p, instrument=inst, deltas=grid)
            assert dev["welfare_change_pct"].max() < 1e-8, (p, inst)


def test_nash_jacobi_agrees(game, war):
    ne = nash_equilibrium(game, instrument="sector", tol=1e-7, scheme="jacobi")
    np.testing.assert_allclose(ne.tariff, war.tariff, atol=1e-5)


def test_nash_failure_is_loud(game):
    with pytest.raises(ConvergenceError, match="did not reach"):
        nash_equilibrium(game, instrument="sector", tol=1e-12, max_iter=1)


class Cycler:
    """Two players, one good: A wants t_A = 1 - t_B, B wants t_B = t_A (best responses cycle)."""

    regions = ("A", "B")
    products = ("g",)
    has_gradient = True

    @property
    def baseline_tariff(self):
        t = np.zeros((2, 2, 1))
        t[1, 0, 0] = 0.1  # A's tariff on B
        t[0, 1, 0] = 0.2  # B's tariff on A
        return t

    def welfare(self, t):
        a, b = t[1, 0, 0], t[0, 1, 0]
        return np.exp(np.array([-((a - (1 - b)) ** 2), -((b - a) ** 2)]))

    def welfare_and_gradient(self, t, w):
        a, b = t[1, 0, 0], t[0, 1, 0]
        dlog = np.zeros((2, 2, 2, 1))
        dlog[0, 1, 0, 0] = -2 * (a - (1 - b))
        dlog[0, 0, 1, 0] = -2 * (a - (1 - b))
        dlog[1, 0, 1, 0] = -2 * (b - a)
        dlog[1, 1, 0, 0] = 2 * (b - a)
        return self.welfare(t), np.tensordot(np.atleast_2d(w), dlog, axes=1)


def test_nash_cycle_detected():
    with pytest.raises(ConvergenceError, match="cycle"):
        nash_equilibrium(Cycler(), instrument="uniform", max_iter=100, cycle_window=4)


def test_cooperative_outcomes_pareto_improve_on_war(game, war):
    eff = efficient_tariffs(game, instrument="sector")
    deal = nash_bargaining(game, war.welfare, instrument="sector")
    talks = equal_gains_tariffs(game, instrument="sector", tol=1e-6)
    for out in (eff, deal, talks):
        assert out.converged
    assert np.all(deal.welfare > war.welfare)
    assert np.all(talks.welfare > war.welfare)
    g = np.log(talks.welfare)
    assert g.max() - g.min() <= 1e-6 and g.min() > 0  # equal gains over the status quo
    # efficiency: the utilitarian optimum beats the others on the sum of log welfare
    assert np.sum(np.log(eff.welfare)) >= np.sum(np.log(deal.welfare)) - 1e-9
    assert np.sum(np.log(eff.welfare)) >= np.sum(np.log(talks.welfare)) - 1e-9
    # Nash bargaining maximises the Nash product: small perturbations within the policy
    # space (MFN tariffs by product) do not raise it
    prod = np.sum(np.log(deal.welfare - war.welfare))
    rng = np.random.default_rng(0)
    maps = [InstrumentMap.build(game, p, "sector") for p in game.regions]
    for _ in range(5):
        t = deal.tariff
        for m in maps:
            t = m.apply(np.maximum(m.extract(t) + rng.normal(0.0, 0.01, size=m.size), 0.0), t)
        W = game.welfare(t)
        if np.all(war.welfare < W):
            assert np.sum(np.log(W - war.welfare)) <= prod + 1e-9
    rep = deal_report(
        game, {"deal": deal.tariff, "talks": talks.tariff}, status_quo=game.baseline_tariff, war=war.tariff
    )
    assert rep.loc[rep.outcome == "talks", "all_prefer"].all()
    assert rep["prefers_to_war"].all()
    assert set(rep.columns) >= {"welfare_vs_status_quo_pct", "welfare_vs_war_pct", "prefers_to_status_quo"}


def test_two_player_deal(game, war):
    deal = nash_bargaining(game, war.welfare, ["A", "C"], instrument="uniform")
    assert deal.converged and deal.players == ("A", "C")
    assert np.all(deal.welfare[[0, 2]] > war.welfare[[0, 2]])
    # B's tariffs are untouched
    np.testing.assert_array_equal(deal.tariff[:, 1, :], game.baseline_tariff[:, 1, :])
    with pytest.raises(ModelError, match="two players"):
        nash_bargaining(game, war.welfare, ["A"])


def test_retaliation(game):
    rec = reciprocal_retaliation(game, "A", "B", 0.3)
    t = rec.tariff_retaliation
    assert t[1, 0, 0] == pytest.approx(game.tariff[1, 0, 0] + 0.3)
    assert t[0, 1, 0] == pytest.approx(game.tariff[0, 1, 0] + 0.3)
    opt = optimal_retaliation(game, "A", "B", 0.3)
    # B's best reply on A's goods does at least as well for B as tit-for-tat and as no reply
    assert opt.welfare_retaliation[1] >= rec.welfare_retaliation[1] - 1e-12
    assert opt.welfare_retaliation[1] >= opt.welfare_first[1] - 1e-12
    # the first move hurts B
    assert opt.welfare_first[1] < opt.welfare_start[1]
    assert list(opt.to_frame().columns) == ["region", "after_first_move_pct", "after_retaliation_pct"]


@settings(max_examples=6, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 4))
def test_property_nash_and_bargaining_random_worlds(small_ossa, seed, n):
    """Any small balanced world: no profitable unilateral deviation at the MFN Nash
    equilibrium (grid), and the Nash-bargaining deal Pareto-improves on it."""
    game = small_ossa(n, 2, seed=seed)
    ne = nash_equilibrium(game, instrument="sector", tol=1e-8)
    grid = np.array([-0.02, -0.002, 0.002, 0.02])
    for p in game.regions:
        dev = deviation_gains(game, ne.tariff, p, instrument="sector", deltas=grid)
        assert dev["welfare_change_pct"].max() < 1e-7
    deal = nash_bargaining(game, ne.welfare, instrument="sector")
    assert deal.converged
    assert np.all(deal.welfare > ne.welfare)


def test_equal_gains_slsqp_fallback(game, war):
    """With one weight update allowed, Ossa's formulation (max s s.t. equal gains) by SLSQP."""
    talks = equal_gains_tariffs(game, instrument="sector", reference=war.welfare, max_iter=1, tol=1e-6)
    g = np.log(talks.welfare / war.welfare)
    assert g.max() - g.min() <= 1e-6 and g.min() > 0
    weighted = equal_gains_tariffs(game, instrument="sector", reference=war.welfare, tol=1e-6)
    # both are efficient equal-gains points: the same common gain
    assert float(np.mean(g)) == pytest.approx(
        float(np.mean(np.log(weighted.welfare / war.welfare))), abs=1e-5
    )


def test_tariff_dataarray_labels(game, war):
    da = tariff_dataarray(game, war.tariff)
    assert da.dims == ("origin", "region", "product")
    assert float(da.sel(origin="B", region="A", product="S2")) == war.tariff[1, 0, 1]
    with pytest.raises(ModelError, match="shape"):
        tariff_dataarray(game, war.tariff[:, :, :1])
