"""Unit tests of the general-equilibrium engine (tradewar.model)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy.optimize import root

from tradewar.errors import ConvergenceError, ModelError, ScenarioError, UnknownCodeError
from tradewar.model import Baseline, Equilibrium, Shock, solve
from tradewar.world.synthetic import synthetic_world
from tradewar.world.world import World


@pytest.fixture(scope="module")
def world() -> World:
    return synthetic_world(5, 4, seed=3)


def _tariff_war(world: World) -> Shock:
    return (
        Shock.none(world)
        .add_tariff(0.25, origin="R000", region="R001")
        .add_tariff(0.25, origin="R001", region="R000")
    )


def test_no_shock_is_identity(world: World) -> None:
    eq = solve(world)
    assert np.abs(eq.w_hat - 1).max() < 1e-10
    assert np.abs(eq.P_hat - 1).max() < 1e-10
    r = eq.regions
    for col in ("welfare_pct", "terms_of_trade_pct", "volume_of_trade_pct", "real_wage_pct"):
        assert np.abs(r[col].to_numpy()).max() < 1e-8
    assert eq.solver.converged


def test_baseline_world_not_mutated(world: World) -> None:
    before = {k: v.values.copy() for k, v in world.data.data_vars.items()}
    base = Baseline.from_world(world)
    arrays = {k: getattr(base, k).copy() for k in ("X", "pi", "tau", "alpha", "wL", "D")}
    eq = solve(base, _tariff_war(world).scale_productivity(1.1, region="R002"))
    eq.counterfactual_world()
    for k, v in world.data.data_vars.items():
        np.testing.assert_array_equal(v.values, before[k])
        assert not v.values.flags.writeable
    for k, v in arrays.items():
        np.testing.assert_array_equal(getattr(base, k), v)
    with pytest.raises(ValueError):
        base.pi[0, 0, 0] = 2.0


def test_baseline_arrays_are_consistent(world: World) -> None:
    b = Baseline.from_world(world)
    np.testing.assert_allclose(b.pi.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(b.alpha.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(b.gamma_va + b.gamma_io.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(b.income, world.income.values, rtol=1e-9)
    np.testing.assert_allclose(b.output, world.gross_output.values, rtol=1e-9)
    assert abs(b.D.sum()) < 1e-8 * b.wL.sum()


def test_tariff_war_checks_and_labels(world: World) -> None:
    eq = solve(world, _tariff_war(world).with_deficits("zero"))
    assert eq.solver.converged and eq.solver.iterations > 1
    assert max(eq.solver.checks.values()) < 1e-8
    assert set(eq.solver.checks) == {"goods_market", "labour_market", "trade_balance", "budget"}
    assert list(eq.regions.index) == world.regions
    assert eq.sectors.index.names == ["region", "sector"]
    fl = eq.flows
    assert fl["counterfactual"].dims == ("origin", "region", "product")
    # bilateral trade between the belligerents falls
    assert float(fl["counterfactual"].sel(origin="R000", region="R001").sum()) < float(
        fl["baseline"].sel(origin="R000", region="R001").sum()
    )
    # numeraire: world GDP fixed
    b = eq.baseline
    assert abs(eq.w_hat @ b.wL / b.wL.sum() - 1) < 1e-12
    assert repr(eq).startswith("<Equilibrium")


def test_counterfactual_world_round_trip(world: World) -> None:
    eq = solve(world, _tariff_war(world))
    cw = eq.counterfactual_world()
    assert cw.meta.name.endswith("counterfactual")
    np.testing.assert_allclose(
        cw.tariff.sel(origin="R000", region="R001").values,
        world.tariff.sel(origin="R000", region="R001").values + 0.25,
    )
    again = solve(cw)
    assert np.abs(again.w_hat - 1).max() < 1e-9
    # chaining: solving from the counterfactual equals the direct route's levels
    np.testing.assert_allclose(Baseline.from_world(cw).X, eq.X, rtol=1e-8)


def test_prohibitive_trade_cost_is_exact_zero(world: World) -> None:
    shock = Shock.none(world).scale_trade_cost(np.inf, origin="R003", product="S001")
    eq = solve(world, shock)
    flows = eq.flows["counterfactual"].sel(origin="R003", product="S001").drop_sel(region="R003")
    assert np.all(flows.values == 0.0)
    assert np.isfinite(eq.pi).all() and np.isfinite(eq.P_hat).all()
    assert eq.solver.converged


def test_banning_every_source_is_refused(world: World) -> None:
    b = Baseline.from_world(world)
    # a region whose only supplier would be banned: make R000 import everything, then ban
    shock = Shock.none(world).scale_trade_cost(np.inf, region="R000", product="S000")
    pi = b.pi.copy()
    pi[0, :, 0] = 0.0
    pi[0, 1, 0] = 1.0
    b2 = Baseline.from_arrays(
        regions=b.regions, sectors=b.sectors, X=b.X, pi=pi, tau=b.tau, gamma_va=b.gamma_va,
        gamma_io=b.gamma_io, alpha=b.alpha, wL=b.wL, D=b.D, theta=b.theta,
    )  # fmt: skip
    with pytest.raises(ModelError, match="no supplier"):
        solve(b2, shock)


def test_shock_validation(world: World) -> None:
    s = Shock.none(world)
    with pytest.raises(UnknownCodeError) as err:
        s.set_tariff(0.1, origin="R0")
    assert "R000" in str(err.value)
    with pytest.raises(ScenarioError):
        s.set_tariff(-1.5, origin="R000")
    with pytest.raises(ScenarioError):
        s.scale_trade_cost(0.0, origin="R000")
    with pytest.raises(ScenarioError):
        s.scale_productivity(np.inf, region="R000")
    with pytest.raises(ScenarioError):
        s.with_deficits("balanced")  # type: ignore[arg-type]
    # builders return new objects; the original is unchanged and read-only
    s2 = s.set_tariff(0.3, origin="R000", region="R001", product="S002")
    assert float(s.tariff.sel(origin="R000", region="R001", product="S002")) != 0.3
    assert float(s2.tariff.sel(origin="R000", region="R001", product="S002")) == pytest.approx(0.3)
    assert not s2.tariff.values.flags.writeable
    # domestic cells never get tariffs
    s3 = s.set_tariff(0.5)
    assert float(s3.tariff.sel(origin="R000", region="R000").max()) == 0.0
    assert "set_tariff" in repr(s3)


def test_set_tariff_from_layer(world: World) -> None:
    layer = xr.DataArray(
        np.full((len(world.sectors),), 0.07), dims=("product",), coords={"product": world.sectors}
    )
    s = Shock.none(world).set_tariff(layer, region="R002")
    v = s.tariff.sel(region="R002").drop_sel(origin="R002").values
    np.testing.assert_allclose(v, 0.07)
    with pytest.raises(ScenarioError):
        Shock.none(world).set_tariff(xr.DataArray([0.1], dims=("year",)))


def test_convergence_error_is_loud(world: World) -> None:
    with pytest.raises(ConvergenceError) as err:
        solve(world, _tariff_war(world), max_iter=3)
    assert err.value.iterations <= 3 and err.value.residual > 0
    eq = solve(world, _tariff_war(world), max_iter=3, raise_on_failure=False)
    assert not eq.solver.converged


def test_fixed_and_data_deficits_agree_under_gdp_numeraire(world: World) -> None:
    shock = _tariff_war(world)
    a = solve(world, shock.with_deficits("fixed")).regions
    b = solve(world, shock.with_deficits("data")).regions
    np.testing.assert_allclose(a["welfare_pct"], b["welfare_pct"], atol=1e-9)
    z = solve(world, shock.with_deficits("zero")).regions
    assert np.abs(z["deficit"].to_numpy()).max() < 1e-9


def test_rescaled_keeps_real_results(world: World) -> None:
    eq = solve(world, _tariff_war(world).with_deficits("zero"))
    r2 = eq.rescaled(1.37).regions
    r1 = eq.regions
    for col in ("welfare_pct", "real_wage_pct"):
        np.testing.assert_allclose(r2[col], r1[col], atol=1e-10)
    np.testing.assert_allclose(r2["wage_hat"], 1.37 * r1["wage_hat"], rtol=1e-12)


def _gravity_by_hand(
    pi: np.ndarray, Y: np.ndarray, E: np.ndarray, d_hat_theta: np.ndarray, theta: float
) -> np.ndarray:
    """Exact hat algebra of one-sector gravity (Dekle-Eaton-Kortum), solved with scipy.root."""

    def f(lw: np.ndarray) -> np.ndarray:
        w = np.exp(lw)
        num = pi * d_hat_theta * w[None, :] ** (-theta)
        pin = num / num.sum(axis=1, keepdims=True)
        spend = w * Y + (E - Y)
        sales = (pin * spend[:, None]).sum(axis=0)
        return np.r_[(sales - w * Y)[:-1] / Y[:-1], (w * Y).sum() / Y.sum() - 1]

    return np.exp(root(f, np.zeros(len(Y)), method="hybr", tol=1e-14).x)


def test_one_sector_gravity_matches_independent_solution() -> None:
    w1 = synthetic_world(6, 1, seed=5, intermediates=False, tariff=0.0)
    b = Baseline.from_world(w1)
    theta = float(b.theta[0])
    d = np.ones((6, 6))
    d[2, 4] = d[4, 2] = 0.8  # an agreement between regions 2 and 4 (importer, exporter)
    coords = {"origin": w1.regions, "region": w1.regions, "product": w1.sectors}
    factor = xr.DataArray(d.T[:, :, None], dims=("origin", "region", "product"), coords=coords)
    eq = solve(w1, Shock.none(w1).scale_trade_cost(factor))
    Y = b.wL
    E = b.X[:, 0]
    w_ref = _gravity_by_hand(b.pi[:, :, 0], Y, E, d ** (-theta), theta)
    np.testing.assert_allclose(eq.w_hat, w_ref, rtol=1e-9)
    # ACR: welfare = (pi_nn' / pi_nn)^(-1/theta) with no deficits or tariffs
    w0 = synthetic_world(6, 1, seed=5, intermediates=False, tariff=0.0)
    eqz = solve(w0, Shock.none(w0).scale_trade_cost(factor).with_deficits("zero"))
    bz = eqz.baseline
    eq0 = solve(bz, Shock.none(bz).with_deficits("zero"))
    start = eq0.as_baseline()
    eqa = solve(start, Shock.none(start).scale_trade_cost(factor).with_deficits("zero"))
    own = np.diag(eqa.pi[:, :, 0]) / np.diag(start.pi[:, :, 0])
    np.testing.assert_allclose(eqa.welfare_hat, own ** (-1 / theta), rtol=1e-9)


def test_solver_record_and_equilibrium_type(world: World) -> None:
    eq = solve(world, _tariff_war(world), memory=0, max_iter=5000)
    assert isinstance(eq, Equilibrium)
    assert eq.solver.method == "damped fixed point"
    eqa = solve(world, _tariff_war(world))
    assert eqa.solver.iterations < eq.solver.iterations
    np.testing.assert_allclose(eq.w_hat, eqa.w_hat, rtol=1e-9)


def test_unknown_closure_and_mismatched_shock(world: World) -> None:
    with pytest.raises(ModelError):
        solve(world, closure="magic")  # type: ignore[arg-type]
    other = synthetic_world(3, 2, seed=1)
    with pytest.raises(ModelError, match="do not match"):
        solve(world, Shock.none(other))


def test_from_arrays_rejects_bad_input(world: World) -> None:
    b = Baseline.from_world(world)
    kw = dict(regions=b.regions, sectors=b.sectors, X=b.X, pi=b.pi, tau=b.tau, gamma_va=b.gamma_va,
              gamma_io=b.gamma_io, alpha=b.alpha, wL=b.wL, D=b.D, theta=b.theta)  # fmt: skip
    with pytest.raises(ModelError, match="shape"):
        Baseline.from_arrays(**{**kw, "X": b.X[:, :2]})  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="Σ_i pi"):
        Baseline.from_arrays(**{**kw, "pi": b.pi * 1.1})  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="theta"):
        Baseline.from_arrays(**{**kw, "theta": -b.theta})  # type: ignore[arg-type]


def test_fused_trade_block_equals_reference_functions() -> None:
    from tradewar.model import equations as eqs

    rng = np.random.default_rng(0)
    N, J = 4, 3
    pi = rng.random((N, N, J))
    pi[0, 1, 0] = 0.0
    pi /= pi.sum(axis=1, keepdims=True)
    log_kappa = rng.normal(0, 0.1, (N, N, J))
    log_kappa[2, 3, 1] = np.inf
    tau = 1 + rng.uniform(0, 0.2, (N, N, J))
    theta = rng.uniform(2, 8, J)
    lc = rng.normal(0, 0.1, (N, J))
    lP0 = rng.normal(0, 0.1, (N, J))
    lP_ref, pi_ref = eqs.price_index_and_shares(pi, log_kappa, lc, lP0, theta)
    with np.errstate(divide="ignore"):
        lpk = np.log(pi) - theta * log_kappa
    lP, pt = eqs.trade_block(lpk, lc, lP0, theta, 1 / tau)
    np.testing.assert_allclose(lP, lP_ref, atol=1e-13)
    np.testing.assert_allclose(pt * tau, pi_ref, atol=1e-13)
    assert pi_ref[2, 3, 1] == 0.0 and pt[0, 1, 0] == 0.0
    X = rng.random((N, J))
    Y, R = eqs.sales_and_revenue(pt, X)
    np.testing.assert_allclose(Y, eqs.sales(pi_ref, 1 / tau, X), rtol=1e-12)
    np.testing.assert_allclose(R, eqs.tariff_revenue(pi_ref, 1 - 1 / tau, X), rtol=1e-12)


def test_large_shock_two_regions_regression() -> None:
    """Found by hypothesis: Anderson must not cycle back to a stale iterate."""
    w = synthetic_world(2, 1, seed=15, tariff=0.0, theta=4.0, intermediates=False)
    r = w.regions
    s = Shock.none(w).add_tariff(0.5, origin=r[0], region=r[1]).scale_trade_cost(1.25, origin=r[1])
    eq = solve(w, s.with_deficits("fixed"))
    plain = solve(w, s.with_deficits("fixed"), memory=0)
    np.testing.assert_allclose(eq.w_hat, plain.w_hat, rtol=1e-9)


def test_no_equilibrium_is_diagnosed() -> None:
    """A region whose exports are all banned cannot keep a fixed trade surplus."""
    w = synthetic_world(2, 1, seed=3, intermediates=False)
    r = w.regions
    creditor = r[int(np.argmin(w.deficit.values))]
    other = next(x for x in r if x != creditor)
    shock = Shock.none(w).scale_trade_cost(np.inf, origin=creditor, region=other)
    with pytest.raises(ConvergenceError, match="collapse"):
        solve(w, shock.with_deficits("data"), max_iter=500)


def test_whole_arrays_as_policy_layers(world: World) -> None:
    """Scenario code hands whole labelled arrays to the builders (diagonal ignored)."""
    t = world.tariff.copy(data=np.full(world.tariff.shape, 0.2))
    d = world.tariff.copy(data=np.full(world.tariff.shape, 1.1))
    a = world.value_added.copy(data=np.full(world.value_added.shape, 1.05))
    s = Shock.none(world).set_tariff(t).scale_trade_cost(d).scale_productivity(a)
    eye = np.eye(len(world.regions), dtype=bool)
    assert np.all(s.tariff.values[eye] == 0.0) and np.all(s.tariff.values[~eye] == 0.2)
    assert np.all(s.trade_cost.values[eye] == 1.0)
    np.testing.assert_allclose(s.productivity.values, 1.05)
    assert solve(world, s).solver.converged


def test_warm_start_gives_the_same_equilibrium_in_fewer_passes(world: World) -> None:
    base = Baseline.from_world(world)
    war = Shock.none(base).add_tariff(0.25, origin=world.regions[0], region=world.regions[1])
    cold = solve(base, war)
    # from its own solution the solver stops at once; from a nearby one it needs fewer passes
    again = solve(base, war, initial=cold)
    assert again.solver.iterations <= 3
    np.testing.assert_allclose(again.w_hat, cold.w_hat, rtol=1e-9)
    near = solve(base, Shock.none(base).add_tariff(0.2, origin=world.regions[0], region=world.regions[1]))
    warm = solve(base, war, initial=near)
    assert warm.solver.iterations < cold.solver.iterations
    np.testing.assert_allclose(warm.w_hat, cold.w_hat, rtol=1e-8)
    np.testing.assert_allclose(warm.X, cold.X, rtol=1e-8)
    # quota wedges carry over when the same cells are constrained
    q = war.set_quota(0.5, origin=world.regions[0], region=world.regions[1], product=world.sectors[0])
    qs = solve(base, q)
    assert solve(base, q, initial=qs).solver.iterations <= 3
    other = Baseline.from_world(synthetic_world(2, 2, seed=3))
    with pytest.raises(ModelError, match="another baseline"):
        solve(base, war, initial=solve(other))
