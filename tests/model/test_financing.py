"""Funding with a cost: lump-sum financing charges in the engine, and no free lunch.

A programme's capital K earns the gross return ρ (extra value added per unit of capital,
a year) and costs its user cost (r + δ) K (Hall and Jorgenson 1967, AER 57(3)). Financed
by the budget (a lump-sum charge spent on investment goods) or by displacing other
investment, a programme with ρ = r + δ raises world welfare by nothing to first order,
while the same productivity gain given for free raises it by about ρ K / world income.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import xarray as xr

from tradewar.errors import ScenarioError
from tradewar.model import Baseline, Shock, solve
from tradewar.policy import funding_effect, load_scenario_text, policy_to_shock, translate
from tradewar.world.synthetic import synthetic_world

NORMAL, DEPRECIATION = 0.07, 0.15
USER_COST = NORMAL + DEPRECIATION

PROGRAMME = """\
title: A programme
description: money into the productivity of one sector of R000
measures:
  - name: programme
    type: productivity
    region: R000
    sectors: [S000]
    funding:
      amount: 100
      unit: USD million
      spent: 2026-2026
      rate_of_return: {ret}
      financing:
        by: {by}
        normal_return: {normal}
        depreciation: {depreciation}
{goods}        assumption: test rates
    years: 2026
    assumption: test programme
"""


@pytest.fixture(scope="module")
def world():
    return synthetic_world(4, 3, seed=1)


@pytest.fixture(scope="module")
def balanced(world) -> Baseline:
    """The world re-solved with zero deficits (so that no deficit rule moves welfare)."""
    return solve(world, Shock.none(world).with_deficits("zero")).as_baseline()


def _welfare(world, base: Baseline, ret: float, by: str = "budget", free: bool = False):
    goods = "        investment_goods: {S001: 0.5, S002: 0.5}\n" if by == "budget" else ""
    text = PROGRAMME.format(ret=ret, by=by, normal=NORMAL, depreciation=DEPRECIATION, goods=goods)
    sc = load_scenario_text(text)
    pol = translate(sc, world, [2026])[2026]
    if free:  # the same productivity gain, with nothing to pay
        gain = funding_effect(sc.measures[0], world, 2026).productivity
        prod = xr.ones_like(pol.productivity)
        prod.loc[{"region": "R000", "sector": "S000"}] = 1.0 + gain
        pol = dataclasses.replace(pol, financing=None, productivity=prod)
    eq = solve(base, policy_to_shock(pol, world))
    W = eq.welfare_hat - 1.0
    income = base.income
    return W, float((income * W).sum() / income.sum())


@pytest.mark.parametrize("by", ["budget", "displacement"])
def test_a_programme_at_the_normal_return_has_no_free_welfare_gain(world, balanced, by) -> None:
    W, world_W = _welfare(world, balanced, USER_COST, by)
    W_free, world_free = _welfare(world, balanced, USER_COST, by, free=True)
    assert W_free[0] > 0.005  # ρK is about 1 % of R000's income: a visible free gain
    assert W[0] < W_free[0]
    # zero to first order: what remains is a few per cent of the free gain, for the world
    # (tariff volume-of-trade effects, second-order terms) and for R000 (plus terms of
    # trade: the programme cheapens S000, the displaced capital dearens all its sectors)
    assert abs(world_W) < 0.05 * world_free
    assert abs(W[0]) < 0.1 * W_free[0]


def test_only_returns_above_the_normal_one_raise_welfare(world, balanced) -> None:
    W_low, _ = _welfare(world, balanced, 0.5 * USER_COST)
    W_normal, _ = _welfare(world, balanced, USER_COST)
    W_high, _ = _welfare(world, balanced, 2 * USER_COST)
    W_free, _ = _welfare(world, balanced, USER_COST, free=True)
    assert W_low[0] < W_normal[0] < W_high[0]
    assert W_low[0] < 0 < W_high[0]
    # the excess return ρ - (r + δ) = (r + δ) gains about what the free programme gained
    assert W_high[0] == pytest.approx(W_free[0], rel=0.1)


def test_the_charge_enters_the_budget_and_leaves_world_spending_unchanged(world) -> None:
    base = Baseline.from_world(world)
    shares = xr.DataArray([0.0, 0.5, 0.5], dims=("sector",), coords={"sector": world.sectors})
    T = 0.02 * float(base.income[1])
    eq = solve(world, Shock.none(world).with_financing(T, shares, region="R001"))
    assert eq.solver.converged and eq.solver.checks["budget"] < 1e-9
    assert eq.charge is not None
    spend = eq.final_spending
    # households' income is net of the charge; their spending plus the charge is total
    assert spend[1].sum() == pytest.approx(eq.income[1] + eq.charge[1], rel=1e-10)
    assert eq.charge[1] == pytest.approx(T, rel=0.05)  # at current prices
    assert eq.welfare_hat[1] < 1.0 - 0.015
    # a transfer of the same size undoes it exactly
    charged = Shock.none(world).with_financing(T, shares, region="R001")
    back = charged.with_financing(-T, shares, region="R001")
    np.testing.assert_allclose(solve(world, back).welfare_hat, 1.0, atol=1e-10)
    # the counterfactual World balances (final demand includes the investment goods)
    assert eq.counterfactual_world().regions == world.regions


def test_financing_input_is_validated(world) -> None:
    bad = xr.DataArray([0.5, 0.2, 0.2], dims=("sector",), coords={"sector": world.sectors})
    with pytest.raises(ScenarioError, match="sum to one"):
        Shock.none(world).with_financing(1.0, bad)
    text = PROGRAMME.format(ret=0.2, by="budget", normal=0.07, depreciation=0.1, goods="")
    with pytest.raises(ScenarioError, match="investment goods"):
        load_scenario_text(text)
    no_financing = "\n".join(
        line
        for line in PROGRAMME.splitlines()
        if not line.startswith(("      financing", "        ", "{goods}"))
    )
    with pytest.raises(ScenarioError, match="financing"):
        load_scenario_text(no_financing.format(ret=0.2) + "\n")


def test_capital_depreciates_between_tranches() -> None:
    text = (
        PROGRAMME.format(ret=0.2, by="displacement", normal=0.05, depreciation=0.1, goods="")
        .replace("spent: 2026-2026", "spent: 2026-2027")
        .replace("years: 2026", "years: 2026-2030")
    )
    f = load_scenario_text(text).measures[0].measure.funding
    assert f.capital_share(2026) == pytest.approx(0.5)
    assert f.capital_share(2027) == pytest.approx(0.5 * 0.9 + 0.5)
    assert f.capital_share(2029) == pytest.approx((0.5 * 0.9 + 0.5) * 0.81)
