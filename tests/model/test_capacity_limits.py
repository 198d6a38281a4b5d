"""Short-run capacity limits on gross output (tradewar.model.capacity_limits).

A limit that does not bind changes nothing; a binding one holds real output at exactly
``(1 + u) K̂`` times the baseline with a positive wedge (complementarity); the rent rule
decides who is paid the scarcity value; a scenario's own quota governs its cells.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.errors import ModelError
from tradewar.model import Baseline, Capital, Shock, solve
from tradewar.model.capacity_limits import capacity_limits, capacity_rent
from tradewar.world.synthetic import synthetic_world


@pytest.fixture(scope="module")
def base() -> Baseline:
    return Baseline.from_world(synthetic_world(3, 3, seed=4))


def _real_output(eq, base: Baseline) -> np.ndarray:
    return np.asarray(eq.Y / base.output / eq.c_hat)


def _with_limits(shock: Shock, base: Baseline, slack: float, rent: str = "importer", K=None) -> Shock:
    K = np.ones(base.shape) if K is None else K
    sector = str(base.sectors[0])
    caps = capacity_limits(base, K, {sector: slack}, rent=rent, governed=shock.quotas)  # type: ignore[arg-type]
    return replace(shock, quotas=(*caps, *shock.quotas))


def _demand_shift(base: Baseline) -> Shock:
    """Region 1's and 2's producers of sector 0 lose 40 % productivity: buyers turn to region 0."""
    r0, s0 = str(base.regions[0]), str(base.sectors[0])
    others = [str(r) for r in base.regions if str(r) != r0]
    return Shock.none(base).scale_productivity(0.6, region=others, sector=s0)


def test_slack_limits_change_nothing_without_a_shock(base: Baseline) -> None:
    eq = solve(base, _with_limits(Shock.none(base), base, 0.1), capital=Capital.uniform(base, 0.5))
    np.testing.assert_allclose(eq.w_hat, 1.0, atol=1e-10)
    np.testing.assert_allclose(eq.omega, 0.0, atol=1e-12)
    np.testing.assert_allclose(eq.regions["welfare_pct"], 0.0, atol=1e-8)


def test_a_binding_limit_holds_real_output_at_capacity(base: Baseline) -> None:
    free = solve(base, _demand_shift(base))
    assert _real_output(free, base)[0, 0] > 1.05  # without a limit, region 0 expands
    eq = solve(base, _with_limits(_demand_shift(base), base, 0.02))
    assert _real_output(eq, base)[0, 0] == pytest.approx(1.02, abs=1e-7)
    assert eq.omega[:, 0, 0].max() > 0.0
    # the same wedge on all of the cell's sales, domestic ones included
    live = base.trade[:, 0, 0] > 0
    np.testing.assert_allclose(eq.omega[live, 0, 0], eq.omega[live, 0, 0][0], rtol=1e-12)
    assert eq.solver.checks["quota_complementarity"] < 1e-8


def test_capacity_stock_moves_the_limit(base: Baseline) -> None:
    K = np.ones(base.shape)
    K[0, 0] = 1.1
    eq = solve(base, _with_limits(_demand_shift(base), base, 0.0, K=K))
    assert _real_output(eq, base)[0, 0] == pytest.approx(1.1, abs=1e-7)


def test_rent_to_buyers_keeps_the_producer_price(base: Baseline) -> None:
    """Contract allocation: the capped producer is paid its cost; spot: it earns the rent."""
    buyers = solve(base, _with_limits(_demand_shift(base), base, 0.02, rent="importer"))
    sellers = solve(base, _with_limits(_demand_shift(base), base, 0.02, rent="exporter"))
    assert buyers.c_hat[0, 0] < sellers.c_hat[0, 0]
    assert buyers.income[0] < sellers.income[0]
    wedge = np.where(buyers.omega > 0, buyers.omega, 0.0)
    rent = capacity_rent(wedge, buyers.X, buyers.pi, buyers.tau)
    assert rent[0, 0] > 0 and np.allclose(np.delete(rent.reshape(-1), 0), 0.0)


def test_a_scenario_quota_governs_its_cells(base: Baseline) -> None:
    r0, s0 = str(base.regions[0]), str(base.sectors[0])
    quota = Shock.none(base).set_quota(0.5, origin=r0, product=s0, pooled=True)
    caps = capacity_limits(base, np.ones(base.shape), {s0: 0.1}, governed=quota.quotas)
    origins = {int(np.flatnonzero(np.asarray(c.mask).any(axis=(1, 2)))[0]) for c in caps}
    assert 0 not in origins and origins == {1, 2}


def test_bad_input_is_refused(base: Baseline) -> None:
    s0 = str(base.sectors[0])
    with pytest.raises(ModelError, match="capacity"):
        capacity_limits(base, np.zeros(base.shape), {s0: 0.1})
    with pytest.raises(ModelError, match="spare capacity"):
        capacity_limits(base, np.ones(base.shape), {s0: -0.1})
    with pytest.raises(ModelError, match="rent"):
        capacity_limits(base, np.ones(base.shape), {s0: 0.1}, rent="nobody")


@settings(max_examples=15, deadline=None)
@given(slack=st.floats(0.0, 0.3), cut=st.floats(0.3, 0.95))
def test_capped_output_never_exceeds_the_limit(base: Baseline, slack: float, cut: float) -> None:
    r0, s0 = str(base.regions[0]), str(base.sectors[0])
    others = [str(r) for r in base.regions if str(r) != r0]
    shock = Shock.none(base).scale_productivity(cut, region=others, sector=s0)
    eq = solve(base, _with_limits(shock, base, slack), capital=Capital.uniform(base, 0.4))
    assert (_real_output(eq, base)[:, 0] <= 1.0 + slack + 1e-7).all()
