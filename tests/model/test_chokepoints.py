"""Chokepoint physics: nested CES production and quantity constraints (issue #5)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tradewar.errors import ModelError, ScenarioError
from tradewar.model import Baseline, Shock, Technology, solve
from tradewar.model.validation import (
    _published_checks,
    analytic_closed_leontief,
    analytic_import_ban,
    cp2015_npz_baseline,
    nafta_shock,
)
from tradewar.world.load import load_world
from tradewar.world.readers.cp2015 import read_cp2015
from tradewar.world.synthetic import synthetic_world


@pytest.fixture(scope="module")
def default_base() -> Baseline:
    return Baseline.from_world(load_world("default"))


def _tariff_shock(base: Baseline) -> Shock:
    return (
        Shock.none(base)
        .set_tariff(0.3, origin="CHN", region="USA")
        .set_tariff(0.25, origin="USA", region="CHN")
    )


# ----------------------------------------------------------------------------- CES = CD at 1
def test_ces_at_one_equals_cobb_douglas(default_base: Baseline) -> None:
    shock = _tariff_shock(default_base)
    cd = solve(default_base, shock)
    ces = solve(default_base, shock, technology=Technology.cobb_douglas(default_base))
    assert ces.technology is not None and cd.technology is None
    for a, b in [(cd.w_hat, ces.w_hat), (cd.log_P, ces.log_P), (cd.X, ces.X), (cd.pi, ces.pi)]:
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(ces.gamma_io_cf, default_base.gamma_io)


def test_cp2015_table2_through_the_ces_path(shared_data: Path) -> None:
    """CP2015 Table 2 and the reference real wages, solved with a CES Technology at 1."""
    world = read_cp2015(shared_data)
    tech = Technology.cobb_douglas(world)
    base = Baseline.from_world(world)
    bln = solve(base, Shock.none(base).with_deficits("zero"), technology=tech)
    start = bln.as_baseline()
    cfl = solve(start, nafta_shock(start, world.tariff_layers["2005"]), technology=tech)
    folder = shared_data / "cp2015_nafta"
    checks = _published_checks(folder, cfl)
    bad = [f"{c.item}: {c.published} vs {c.computed}" for c in checks if not c.ok]
    assert len(checks) > 10 and not bad
    # the authors' arrays: real wages to six digits (MODELS.md)
    abase, layer = cp2015_npz_baseline(shared_data)
    tech = Technology.cobb_douglas(abase)
    bln = solve(abase, Shock.none(abase).with_deficits("zero"), technology=tech)
    start = bln.as_baseline()
    cfl = solve(start, nafta_shock(start, layer), technology=tech)
    rw = cfl.regions["real_wage_pct"]
    assert rw["MEX"] == pytest.approx(1.715323, abs=1e-6)
    assert rw["CAN"] == pytest.approx(0.322829, abs=1e-6)
    assert rw["USA"] == pytest.approx(0.112442, abs=2e-6)


# ----------------------------------------------------------------------------- low elasticities
@pytest.mark.parametrize("el", [0.5, 0.2, 0.05])
def test_low_elasticities_converge_on_default_world(default_base: Baseline, el: float) -> None:
    tech = Technology.uniform(default_base, sigma=el, epsilon=el)
    shock = _tariff_shock(default_base).set_quota(0.3, origin="CHN", product="REE", pooled=True)
    shock = shock.scale_trade_cost(
        np.inf, origin=["USA", "JPN", "EU", "NLD"], region="CHN", product=["SEMA", "SME"]
    )
    eq = solve(default_base, shock, technology=tech)
    assert eq.solver.converged and eq.solver.residual < 1e-10
    assert max(eq.solver.checks.values()) < 1e-8
    # shares still add up to one and stay positive
    total = eq.gamma_va_cf + eq.gamma_io_cf.sum(axis=1)
    np.testing.assert_allclose(total, default_base.gamma_va + default_base.gamma_io.sum(axis=1), atol=1e-12)
    assert (eq.gamma_io_cf >= 0).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("sigma,epsilon", [(0.05, 0.05), (0.05, 2.0), (3.0, 0.05)])
def test_low_elasticities_converge_on_synthetic_worlds(seed: int, sigma: float, epsilon: float) -> None:
    w = synthetic_world(6, 5, seed=seed, input_share=0.6)
    shock = (
        Shock.none(w)
        .set_tariff(0.4, origin="R000")
        .set_quota(0.2, origin="R001", product=w.sectors[0], pooled=True)
        .with_deficits("zero")
    )
    eq = solve(w, shock, technology=Technology.uniform(w, sigma=sigma, epsilon=epsilon))
    assert eq.solver.converged
    assert max(eq.solver.checks.values()) < 1e-8


def test_per_region_elasticities_and_validation(default_base: Baseline) -> None:
    t = Technology.cobb_douglas(default_base).set(
        epsilon=0.1, sector=["SEMA", "ELE"], region="CHN", source="test"
    )
    assert t.epsilon.sel(region="CHN", sector="SEMA") == 0.1
    assert t.epsilon.sel(region="USA", sector="SEMA") == 1.0
    assert t.sources == ("test",)
    with pytest.raises(ModelError, match="outside"):
        t.set(sigma=0.0)
    with pytest.raises(Exception, match="XXX"):
        t.set(sigma=0.5, sector="XXX")


def test_low_elasticity_raises_the_cost_of_a_chokepoint(default_base: Baseline) -> None:
    """Beyond Hulten: with low elasticities the same ban costs more (Baqaee-Farhi 2019)."""
    ban = Shock.none(default_base).set_quota(0.0, origin="CHN", product="REE", pooled=True)
    cd = solve(default_base, ban)
    low = solve(default_base, ban, technology=Technology.uniform(default_base, sigma=0.05, epsilon=0.05))
    world_cd = float((cd.welfare_hat - 1) @ default_base.wL)
    world_low = float((low.welfare_hat - 1) @ default_base.wL)
    assert world_low < world_cd < 0


# ----------------------------------------------------------------------------- quotas
def test_non_binding_quota_changes_nothing(default_base: Baseline) -> None:
    shock = _tariff_shock(default_base)
    ref = solve(default_base, shock)
    with_q = solve(default_base, shock.set_quota(5.0, origin="CHN", region="USA", product="ELE"))
    assert with_q.quotas["wedge"].iloc[0] == 0.0 and not with_q.quotas["binding"].iloc[0]
    for a, b in [(ref.w_hat, with_q.w_hat), (ref.log_P, with_q.log_P), (ref.X, with_q.X), (ref.Y, with_q.Y)]:
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-10 * float(np.abs(a).max()))
    assert with_q.solver.checks["quota_complementarity"] < 1e-9


def test_quota_zero_is_the_prohibitive_limit(default_base: Baseline) -> None:
    sel = dict(origin="USA", region="CHN", product="SME")
    ban = solve(default_base, Shock.none(default_base).scale_trade_cost(np.inf, **sel))
    q0 = solve(default_base, Shock.none(default_base).set_quota(0.0, **sel))
    np.testing.assert_allclose(ban.w_hat, q0.w_hat, rtol=1e-12)
    chn, usa = default_base.regions.index("CHN"), default_base.regions.index("USA")
    sme = default_base.sectors.index("SME")
    assert q0.trade[chn, usa, sme] == 0.0  # [CHN, USA, SME]
    assert np.isinf(q0.wedges.sel(origin="USA", region="CHN", product="SME"))
    # a tiny quota approaches the ban, with rent to nobody (no income from it)
    tiny = solve(default_base, Shock.none(default_base).set_quota(1e-6, rent="nobody", **sel))
    np.testing.assert_allclose(tiny.w_hat, ban.w_hat, rtol=1e-6)
    assert tiny.quotas["wedge"].iloc[0] > 10
    assert np.isfinite(tiny.wedges.values[~np.isnan(tiny.wedges.values)]).all()


def _flow_and_wedge(base: Baseline, limit: float, rent: str, pooled: bool) -> tuple[float, float]:
    shock = _tariff_shock(base).set_quota(
        limit, origin="CHN", region=None if pooled else "USA", product="ELE", rent=rent, pooled=pooled
    )  # type: ignore[arg-type]
    eq = solve(base, shock)
    row = eq.quotas.iloc[0]
    return float(row["quantity"]), float(row["wedge"])


@pytest.mark.parametrize("rent", ["exporter", "importer", "nobody"])
@pytest.mark.parametrize("pooled", [False, True])
def test_tightening_a_quota_is_monotone(default_base: Baseline, rent: str, pooled: bool) -> None:
    limits = [1.5, 1.0, 0.9, 0.7, 0.5, 0.3, 0.1, 0.02]
    out = [_flow_and_wedge(default_base, lim, rent, pooled) for lim in limits]
    q = np.array([o[0] for o in out])
    omega = np.array([o[1] for o in out])
    assert (np.diff(q) <= 1e-9 * q[0]).all()
    assert (np.diff(omega) >= -1e-12).all()
    assert omega[-1] > 0.2 and omega[0] == 0.0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    a=st.floats(0.01, 1.2),
    b=st.floats(0.01, 1.2),
    seed=st.integers(0, 3),
    el=st.sampled_from([None, 0.1, 1.0, 2.0]),
)
def test_quota_monotone_on_random_worlds(a: float, b: float, seed: int, el: float | None) -> None:
    w = synthetic_world(4, 3, seed=seed)
    tech = None if el is None else Technology.uniform(w, sigma=el, epsilon=el)
    lo, hi = sorted((a, b))
    res = []
    for lim in (hi, lo):
        eq = solve(
            w,
            Shock.none(w).set_quota(lim, origin="R000", region="R001", product=w.sectors[1]),
            technology=tech,
        )
        assert eq.solver.checks["quota_complementarity"] < 1e-8
        res.append((float(eq.quotas["quantity"].iloc[0]), float(eq.quotas["wedge"].iloc[0])))
    (q_hi, w_hi), (q_lo, w_lo) = res
    assert q_lo <= q_hi * (1 + 1e-9)
    assert w_lo >= w_hi - 1e-10
    assert q_lo <= eq.quotas["limit"].iloc[0] * (1 + 1e-8)


@pytest.mark.parametrize("rent", ["exporter", "importer", "nobody"])
def test_rent_allocation_and_budgets(default_base: Baseline, rent: str) -> None:
    """Who keeps ω/(1+ω) M' (docs/chokepoints.md): exporter, importer or nobody."""
    shock = Shock.none(default_base).set_quota(0.5, origin="CHN", region="USA", product="ELE", rent=rent)  # type: ignore[arg-type]
    eq = solve(default_base, shock)
    chn, usa = default_base.regions.index("CHN"), default_base.regions.index("USA")
    ele = default_base.sectors.index("ELE")
    omega = eq.omega[usa, chn, ele]
    M = eq.trade[usa, chn, ele]
    rent_value = M * omega / (1 + omega)
    assert omega > 0
    expected = np.zeros(len(default_base.regions))
    if rent == "exporter":
        expected[chn] = rent_value
    elif rent == "importer":
        expected[usa] = rent_value
    np.testing.assert_allclose(eq.quota_rent, expected, atol=1e-9 * rent_value)
    np.testing.assert_allclose(eq.regions["quota_rent"].to_numpy(), expected, atol=1e-9 * rent_value)
    # income = wages + tariff revenue + rent + deficit
    np.testing.assert_allclose(
        eq.income, eq.w_hat * default_base.wL + eq.R + eq.quota_rent + eq.D, rtol=1e-12
    )
    for k in ("goods_market", "trade_balance", "budget", "labour_market", "quota_complementarity"):
        assert eq.solver.checks[k] < 1e-8, k
    # the counterfactual World is balanced (its constructor checks the accounts)
    cw = eq.counterfactual_world()
    assert cw.shape == default_base.shape


def test_quantity_quota_equals_fraction_quota(default_base: Baseline) -> None:
    usa, chn = default_base.regions.index("USA"), default_base.regions.index("CHN")
    ele = default_base.sectors.index("ELE")
    m0 = float(default_base.trade[usa, chn, ele])  # USA imports of ELE from CHN
    a = solve(
        default_base, Shock.none(default_base).set_quota(0.4, origin="CHN", region="USA", product="ELE")
    )
    b = solve(
        default_base,
        Shock.none(default_base).set_quota(
            0.4 * m0, origin="CHN", region="USA", product="ELE", unit="quantity"
        ),
    )
    np.testing.assert_allclose(a.w_hat, b.w_hat, rtol=1e-10)
    assert a.quotas["quantity"].iloc[0] == pytest.approx(0.4 * m0, rel=1e-9)


def test_quota_input_errors(default_base: Baseline) -> None:
    s = Shock.none(default_base)
    with pytest.raises(ScenarioError):
        s.set_quota(-0.1, origin="CHN")
    with pytest.raises(ScenarioError):
        s.set_quota(0.5, origin="CHN", rent="state")  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match="no international flow"):
        s.set_quota(0.5, origin="CHN", region="CHN")


def test_baseline_not_mutated(default_base: Baseline) -> None:
    before = default_base.gamma_io.copy()
    solve(
        default_base,
        Shock.none(default_base).set_quota(0.1, origin="CHN", product="REE", pooled=True),
        technology=Technology.uniform(default_base, sigma=0.1, epsilon=0.1),
    )
    np.testing.assert_array_equal(before, default_base.gamma_io)


# ----------------------------------------------------------------------------- analytic cases
def test_closed_economy_leontief_output_follows_the_scarce_input() -> None:
    """(a) One region, sectors ``inp`` (labour only) and ``fin`` (labour and ``inp``, cost share s).

    ``inp``'s productivity falls to Â. Leontief ``fin`` needs a units of ``inp`` and b of
    labour per unit; all of ``inp`` goes to ``fin``, so ``x_inp = a x_fin`` and the labour
    constraint ``L = x_inp/Â + b x_fin`` gives

        x̂_fin = x̂_inp = 1 / (s/Â + 1 - s),   s = a p_inp / p_fin (baseline cost share):

    downstream output falls in exact proportion to the scarce input. (Cobb-Douglas instead
    keeps labour shares fixed: x̂_inp = Â, x̂_fin = Â^s.) With s = 0.4, Â = 0.5: -28.571 %.
    """
    s, A = 0.4, 0.5
    out = analytic_closed_leontief(s=s, A=A, elasticity=1e-3)
    expected = 100 * (1 / (s / A + 1 - s) - 1)
    assert out["fin"] == pytest.approx(expected, abs=0.05)
    assert out["inp"] == pytest.approx(out["fin"], abs=0.05)
    cd = analytic_closed_leontief(s=s, A=A, elasticity=1.0)
    assert cd["inp"] == pytest.approx(100 * (A - 1), abs=1e-8)
    assert cd["fin"] == pytest.approx(100 * (A**s - 1), abs=1e-8)


def test_two_region_ban_of_a_zero_elasticity_input() -> None:
    """(b) Home makes ``d`` from labour and an input ``m`` it cannot make (all from Foreign).

    A ban of a share φ of Foreign's ``m`` sales to Home (a quota at 1 - φ of the baseline
    quantity) leaves Home with (1 - φ) of its ``m``. With Leontief ``d`` (σ = ε -> 0) the
    input coefficient is fixed, so ``x̂_d = 1 - φ``: the output loss equals the lost input
    share φ, whatever ``m``'s cost share s (Home's labour moves to the service sector).
    Cobb-Douglas instead gives ``x̂_d = (1-φ)^s L̂_d^(1-s)``, a far smaller loss.
    With φ = 0.4: -40 %.
    """
    phi = 0.4
    out = analytic_import_ban(phi=phi, elasticity=1e-3)
    assert out["leontief_d_pct"] == pytest.approx(-100 * phi, abs=0.1)
    cd = analytic_import_ban(phi=phi, elasticity=1.0)
    assert -100 * phi / 2 < cd["leontief_d_pct"] < 0


# ----------------------------------------------------------------------------- the CES block
@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    sigma=st.floats(0.05, 3.0),
    eps=st.floats(0.05, 3.0),
    k=st.floats(-2.0, 2.0),
)
def test_nested_ces_cost_against_the_direct_formula(seed: int, sigma: float, eps: float, k: float) -> None:
    """ĉ from the textbook nested CES; shares add up; homogeneous of degree one in prices."""
    from tradewar.model import equations as eqn

    rng = np.random.default_rng(seed)
    N, J = 3, 4
    g = rng.uniform(0.2, 0.8, size=(N, J))
    io = rng.uniform(0.0, 1.0, size=(N, J, J))
    io = io / io.sum(axis=1, keepdims=True) * (1 - g)[:, None, :]
    s = io / io.sum(axis=1, keepdims=True)
    lw, lP = rng.normal(0, 0.5, size=N), rng.normal(0, 0.5, size=(N, J))
    a_s, a_e = np.full((N, J), 1 - sigma), np.full((N, J), 1 - eps)
    lc, g1, io1 = eqn.nested_ces_cost(lw, lP, np.zeros((N, J)), g, io, s, a_s, a_e)
    PM = np.einsum("nkj,nk->nj", s, np.exp(lP) ** (1 - eps)) ** (1 / (1 - eps)) if eps != 1 else None
    if PM is not None and sigma != 1:
        direct = (g * np.exp(lw)[:, None] ** (1 - sigma) + (1 - g) * PM ** (1 - sigma)) ** (1 / (1 - sigma))
        # the direct formula loses ~1e-16 / |1 - sigma| to cancellation near sigma = 1
        np.testing.assert_allclose(lc, np.log(direct), rtol=1e-9, atol=1e-12 + 1e-15 / abs(1 - sigma))
    np.testing.assert_allclose(g1 + io1.sum(axis=1), 1.0, atol=1e-12)
    lc2, g2, io2 = eqn.nested_ces_cost(lw + k, lP + k, np.zeros((N, J)), g, io, s, a_s, a_e)
    np.testing.assert_allclose(lc2, lc + k, atol=1e-9)
    np.testing.assert_allclose(io2, io1, atol=1e-12)
    np.testing.assert_allclose(g2, g1, atol=1e-12)


def test_quotas_need_the_exact_closure(default_base: Baseline) -> None:
    shock = Shock.none(default_base).set_quota(0.5, origin="CHN", region="USA", product="ELE")
    with pytest.raises(ModelError, match="exact closure"):
        solve(default_base, shock, closure="fixed_expenditure")


def test_technology_on_the_shock_or_in_solve(default_base: Baseline) -> None:
    tech = Technology.uniform(default_base, sigma=0.5, epsilon=0.1, sources=["a source"])
    shock = _tariff_shock(default_base)
    a = solve(default_base, shock.with_technology(tech))
    b = solve(default_base, shock, technology=tech)
    np.testing.assert_array_equal(a.w_hat, b.w_hat)
    assert a.technology is tech and tech.sources == ("a source",)
    with pytest.raises(ModelError, match="both"):
        solve(default_base, shock.with_technology(tech), technology=Technology.cobb_douglas(default_base))
    other = Technology.cobb_douglas(synthetic_world(3, 2, seed=0))
    with pytest.raises(ModelError, match="do not match"):
        shock.with_technology(other)
    with pytest.raises(ModelError, match="do not match"):
        solve(default_base, shock, technology=other)


@pytest.mark.parametrize("el", [0.05, 0.5, 4.0])
def test_no_shock_no_change_under_ces(default_base: Baseline, el: float) -> None:
    eq = solve(
        default_base,
        Shock.none(default_base),
        technology=Technology.uniform(default_base, sigma=el, epsilon=el),
    )
    np.testing.assert_allclose(eq.w_hat, 1.0, atol=1e-10)
    np.testing.assert_allclose(eq.log_P, 0.0, atol=1e-10)
    np.testing.assert_allclose(eq.gamma_io_cf, default_base.gamma_io, atol=1e-12)
    np.testing.assert_allclose(eq.regions["welfare_pct"], 0.0, atol=1e-8)


def test_numbers_quoted_in_docs_chokepoints(default_base: Baseline) -> None:
    """docs/chokepoints.md quotes these (from docs/chokepoints_figure.py); keep them true."""
    quota = Shock.none(default_base).set_quota(0.5, origin="CHN", product="REE", pooled=True, rent="exporter")
    low = Technology.uniform(default_base, sigma=0.5, epsilon=0.1)
    cd, lo = solve(default_base, quota), solve(default_base, quota, technology=low)
    assert cd.regions.loc["KOR", "welfare_pct"] == pytest.approx(-0.000669, abs=5e-6)
    assert lo.regions.loc["KOR", "welfare_pct"] == pytest.approx(-0.000826, abs=5e-6)
    assert cd.quotas["wedge"].iloc[0] == pytest.approx(0.243, abs=5e-4)
    theta = default_base.theta.copy()
    for s in ("REE", "SEMA", "SME"):
        theta[default_base.sectors.index(s)] = 1.0
    from dataclasses import replace

    b1 = replace(default_base, theta=theta)
    quota1 = Shock.none(b1).set_quota(0.5, origin="CHN", product="REE", pooled=True, rent="exporter")
    cd1 = solve(b1, quota1)
    lo1 = solve(b1, quota1, technology=Technology.uniform(b1, sigma=0.5, epsilon=0.1))
    assert cd1.regions.loc["KOR", "welfare_pct"] == pytest.approx(-0.00238, abs=5e-5)
    assert lo1.regions.loc["KOR", "welfare_pct"] == pytest.approx(-0.00473, abs=5e-5)
    assert lo1.quotas["wedge"].iloc[0] == pytest.approx(1.240, abs=5e-4)
    # the chip ban reaches China's chip making through chip tools used up in it
    ban = Shock.none(default_base).set_quota(
        0.0, origin=["USA", "JPN", "EU", "NLD"], region="CHN", product=["SEMA", "SME"]
    )
    cd2, lo2 = solve(default_base, ban), solve(default_base, ban, technology=low)
    assert cd2.regions.loc["CHN", "welfare_pct"] == pytest.approx(-0.178, abs=5e-4)
    assert lo2.regions.loc["CHN", "welfare_pct"] == pytest.approx(-0.197, abs=5e-4)
    assert cd2.sectors.loc[("CHN", "SEMA"), "output_change_pct"] == pytest.approx(-77.73, abs=5e-3)
    assert lo2.sectors.loc[("CHN", "SEMA"), "output_change_pct"] == pytest.approx(-84.285, abs=5e-3)
