"""Invariants of the GE engine on random small worlds (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradewar.model import Baseline, Shock, solve
from tradewar.model import equations as eqs
from tradewar.world.synthetic import synthetic_world
from tradewar.world.world import World

SETTINGS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

worlds = st.builds(
    synthetic_world,
    n_regions=st.integers(2, 5),
    n_sectors=st.integers(1, 4),
    seed=st.integers(0, 10_000),
    tariff=st.floats(0.0, 0.2),
    theta=st.floats(2.0, 10.0),
    intermediates=st.booleans(),
)


def _scaled(world: World, c: float) -> World:
    return World.from_arrays(
        regions=world.regions,
        sectors=world.sectors,
        intermediate=world.intermediate.values * c,
        final_demand=world.final_demand.values * c,
        value_added=world.value_added.values * c,
        tariff=world.tariff.values,
        theta=world.theta.values,
        meta=world.meta,
    )


def _shock(world: World, draw: st.DrawFn) -> Shock:
    r = world.regions
    s = Shock.none(world)
    s = s.add_tariff(draw(st.floats(0.0, 0.5)), origin=r[0], region=r[-1])
    s = s.scale_trade_cost(draw(st.floats(0.7, 1.3)), origin=r[-1])
    return s.with_deficits(draw(st.sampled_from(["zero", "fixed", "data"])))


@SETTINGS
@given(worlds)
def test_no_shock_no_change(world: World) -> None:
    eq = solve(world)
    assert np.abs(eq.w_hat - 1).max() < 1e-10
    assert np.abs(eq.P_hat - 1).max() < 1e-10
    assert np.abs(eq.regions["welfare_pct"].to_numpy()).max() < 1e-8  # percent: 1e-10 as a ratio


@SETTINGS
@given(worlds, st.floats(1e-3, 1e3), st.data())
def test_scaling_nominal_values_changes_no_percent(world: World, c: float, data: st.DataObject) -> None:
    shock = _shock(world, data.draw)
    a = solve(world, shock).regions
    scaled = _scaled(world, c)
    shock_b = (
        Shock.none(scaled)
        .set_tariff(shock.tariff)
        .scale_trade_cost(shock.trade_cost)
        .with_deficits(shock.deficits)
    )
    b = solve(scaled, shock_b).regions
    for col in ("welfare_pct", "terms_of_trade_pct", "volume_of_trade_pct", "real_wage_pct"):
        np.testing.assert_allclose(a[col], b[col], atol=1e-7)
    np.testing.assert_allclose(b["tariff_revenue"], c * a["tariff_revenue"], rtol=1e-7, atol=1e-9 * c)


@SETTINGS
@given(worlds, st.data())
def test_budgets_and_trade_balance_close(world: World, data: st.DataObject) -> None:
    eq = solve(world, _shock(world, data.draw))
    assert max(eq.solver.checks.values()) < 1e-8
    b = eq.baseline
    gdp = b.wL.sum()
    M = eq.trade  # [n, i, j]
    imports = M.sum(axis=(1, 2)) - np.einsum("nnj->n", M)
    exports = M.sum(axis=(0, 2)) - np.einsum("nnj->n", M)
    assert np.abs(imports - exports - eq.D).max() < 1e-8 * gdp
    # income = wages + tariff revenue + deficit, and equals final spending
    revenue = ((eq.tau - 1) * M).sum(axis=(1, 2))
    np.testing.assert_allclose(eq.R, revenue, rtol=1e-9, atol=1e-12 * gdp)
    final = eq.X.sum(axis=1) - (b.gamma_io.sum(axis=1) * eq.Y).sum(axis=1)
    np.testing.assert_allclose(final, eq.w_hat * b.wL + eq.R + eq.D, rtol=1e-8, atol=1e-10 * gdp)
    # the counterfactual is itself a balanced World
    eq.counterfactual_world()


@SETTINGS
@given(worlds, st.floats(1.01, 1.5), st.data())
def test_uniform_productivity_gain_raises_welfare(world: World, a: float, data: st.DataObject) -> None:
    region = data.draw(st.sampled_from(world.regions))
    eq = solve(world, Shock.none(world).scale_productivity(a, region=region).with_deficits("fixed"))
    n = world.regions.index(region)
    assert eq.regions["welfare_pct"].iloc[n] > 0
    assert eq.regions["real_wage_pct"].iloc[n] > 0


@SETTINGS
@given(worlds, st.floats(0.2, 5.0), st.data())
def test_price_homogeneity(world: World, k: float, data: st.DataObject) -> None:
    """Scaling every nominal variable of an equilibrium by k gives an equilibrium."""
    eq = solve(world, _shock(world, data.draw).with_deficits("zero")).rescaled(k)
    b = eq.baseline
    shock = eq.shock
    tau_new = 1.0 + shock.tariff.transpose("region", "origin", "product").values
    d_hat = shock.trade_cost.transpose("region", "origin", "product").values
    log_kappa = np.log(tau_new / b.tau) + np.log(d_hat)
    log_A = np.zeros(b.shape)
    lc = eqs.log_unit_cost(np.log(eq.w_hat), eq.log_P, b.gamma_va, b.gamma_io, log_A)
    np.testing.assert_allclose(lc, eq.log_c, atol=1e-9)
    lP, pi = eqs.price_index_and_shares(b.pi, log_kappa, lc, eq.log_P, b.theta)
    np.testing.assert_allclose(lP, eq.log_P, atol=1e-9)
    np.testing.assert_allclose(pi, eq.pi, atol=1e-9)
    Y = eqs.sales(pi, 1.0 / tau_new, eq.X)
    R = eqs.tariff_revenue(pi, 1.0 - 1.0 / tau_new, eq.X)
    X = eqs.expenditure(Y, b.gamma_io, b.alpha, eq.w_hat * b.wL + R)
    np.testing.assert_allclose(X, eq.X, rtol=1e-8, atol=1e-10 * b.wL.sum() * k)
    # real outcomes do not depend on k
    base = solve(Baseline.from_world(world), eq.shock).regions
    np.testing.assert_allclose(eq.regions["welfare_pct"], base["welfare_pct"], atol=1e-8)
