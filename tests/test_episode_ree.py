"""Episode check (docs/dynamics.md): China's 2010 rare-earth export-quota cut on the dynamic path.

Observed (cited in docs/dynamics.md, section "Episode check"):

* the 2010 export quota was about 40 % below 2009's (30,258 t against 50,145 t of rare-earth
  oxide; WTO, China - Rare Earths, DS431/432/433 panel report, 2014);
* prices FOB China rose more than 1,100 % from the end of 2009 to the third quarter of 2011
  and by the fourth quarter of 2014 stood 85 % below that peak (Metal-Pages quarterly
  averages, as reported in Rare Element Resources, Form 10-K 2014);
* supply outside China came only with a lag: Mountain Pass (US) produced again from 2012,
  Lynas (Australia/Malaysia) from 2013 (USGS Mineral Commodity Summaries 2013-2015).

The model (``examples/scenarios/rare-earth-quota-2010.yaml``) is run on the default World
with the quota as a pooled export quota at 60 % of
China's baseline exports of the rare-earth sector (``REE``; ``CRM`` in worlds without it).
It must get the direction and the timing: a binding quota whose price wedge is largest in
the first year and falls back as capacity outside China arrives; prices outside China up
first and then back down; output outside China up only gradually, the first year within
the slack of existing mines (capacity utilisation of US mining has averaged about 87 %,
Federal Reserve G.17, so existing capacity allows about +15 %).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tradewar.policy import Scenario, load_scenario_text
from tradewar.runs.dynamic import run_dynamic
from tradewar.world.load import load_world
from tradewar.world.world import World

#: Largest first-year output increase outside China existing capacity allows (fraction):
#: from ~87 % utilisation to 100 % (Federal Reserve G.17, mining, long-run average).
FIRST_YEAR_CAPACITY_LIMIT = 100.0 / 87.0 - 1.0

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "scenarios"


def _example(name: str, world: World) -> Scenario:
    """An example scenario, on ``CRM`` in worlds without a rare-earth sector ``REE``."""
    text = (EXAMPLES / name).read_text()
    if "REE" not in world.sectors:
        text = text.replace("[REE]", "[CRM]")
    return load_scenario_text(text, name=name.removesuffix(".yaml"))


@pytest.fixture(scope="module")
def world() -> World:
    return load_world("default")


@pytest.fixture(scope="module")
def episode(world):
    sector = "REE" if "REE" in world.sectors else "CRM"
    return run_dynamic(_example("rare-earth-quota-2010.yaml", world), world), sector


def test_quota_wedge_spikes_then_falls_back(episode) -> None:
    run, _ = episode
    wedge = {r["year"]: r["quotas"][0]["wedge"] for r in run.solver}  # the scenario's quota
    assert wedge[2010] > 0.2  # the cut binds hard in the short run
    # and eases as supply elsewhere responds (observed: prices 85 % below the 2011 peak by
    # late 2014; the model's fall-back is much smaller, see docs/dynamics.md)
    assert wedge[2014] < 0.75 * wedge[2010]
    assert all(wedge[y + 1] <= wedge[y] + 1e-9 for y in range(2011, 2014))


def test_prices_outside_china_rise_first_then_fall_back(episode) -> None:
    run, sector = episode
    sec = run.sectors[(run.sectors["sector"] == sector) & (run.sectors["region"] != "CHN")]
    price = sec.groupby("year")["price_change_pct"].mean()
    assert price[2010] > 1.0
    assert price[2014] < 0.5 * price[2010]


def test_supply_outside_china_responds_gradually(episode) -> None:
    run, sector = episode
    sec = run.sectors[(run.sectors["sector"] == sector) & (run.sectors["region"] != "CHN")]
    weights = sec[sec["year"] == 2010].set_index("region")["output_before"]
    out = sec.pivot(index="region", columns="year", values="output_change_pct")
    total = (out.mul(weights, axis=0).sum() / weights.sum()) / 100.0
    assert 0.0 < total[2010] <= FIRST_YEAR_CAPACITY_LIMIT
    assert total[2014] > 1.3 * total[2010]
    assert run.long_run_sectors is not None
    lr = run.long_run_sectors[
        (run.long_run_sectors["sector"] == sector) & (run.long_run_sectors["region"] != "CHN")
    ]
    long = float((lr.set_index("region")["output_change_pct"] * weights).sum() / weights.sum()) / 100.0
    assert long > total[2014]  # still adjusting after five years


@pytest.fixture(scope="module")
def ban(world):
    """The full ban as a path, its first year as a comparative static, and the baseline."""
    from tradewar.model import Baseline
    from tradewar.runs import run_scenario

    sc = _example("rare-earth-ban.yaml", world)
    run = run_dynamic(sc, world)
    static = run_scenario(sc, world, years=[run.years[0]], dynamics=False)
    return run, static, Baseline.from_world(world)


def test_ban_first_year_us_cost_is_in_the_published_range(ban) -> None:
    """First year of a full Chinese ban: US real income falls 0.3-0.6 %.

    ECB Occasional Paper (March 2026), "Global implications of export controls on rare
    earths": US output losses of 0.3 to 0.6 % for a stringent partial restriction over 18
    months, across a partial-equilibrium, a DSGE and a multi-country model (a full ban
    could cost more; the model's first year stays within the partial range).
    """
    run, _, _ = ban
    first = run.regions[run.regions["year"] == run.years[0]].set_index("region")["welfare_pct"]
    assert -0.6 <= first["USA"] <= -0.3, first["USA"]


def test_ban_first_year_supply_outside_china_is_capacity_limited(ban) -> None:
    """Rare-earth output outside China rises at most the cited spare capacity in year 1.

    Spare capacity 15 % (Federal Reserve G.17 mining utilisation about 87 %); without
    the limit on gross output producers rose 40-112 % by using more materials per unit
    of capacity. Later years exceed it only as investment arrives (two-year lag).
    """
    from tradewar.model.capacity_limits import CAPACITY_SLACK

    run, _, _ = ban
    sec = run.sectors[(run.sectors["sector"] == "REE") & (run.sectors["region"] != "CHN")]
    sec = sec[sec["output_before"] > 0]
    by_year = sec.groupby("year")["output_change_pct"].max()
    limit = 100 * CAPACITY_SLACK["REE"][0]
    assert by_year[run.years[0]] <= limit + 1e-6 and by_year[run.years[1]] <= limit + 1e-6
    assert by_year[run.years[-1]] > limit  # capacity built after the lag


def test_ban_costs_importers_the_published_short_run_range_and_little_in_the_long_run(ban) -> None:
    """Importers lose 0.3-2 % in the first years of a full ban and almost nothing in the long run.

    Importers: every region but China, weighted by baseline income. The published
    short-run range runs from a partial to a near-total restriction: ECB Occasional Paper
    (March 2026), US output -0.3 to -0.6 % for a stringent partial restriction over 18
    months and about -2 % for a near-total ban with very low substitutability; IMF WP
    2026/073 (Bogmans, Jerez-Osses, Miranda Pinto and Natal), -1.2 to -1.8 % for an 80 %
    cut at elasticities of under a year, and "under higher elasticities (longer
    horizons), aggregate losses become negligible". The first year also costs many times
    the comparative static (mobile capacity, long-run elasticities).
    """
    run, static, base = ban
    importers = [str(r) for r in base.regions if str(r) != "CHN"]
    weight = pd.Series(base.income, index=list(base.regions))[importers]

    def mean(table: pd.DataFrame) -> float:
        return float((table.set_index("region")["welfare_pct"][importers] * weight).sum() / weight.sum())

    first = mean(run.regions[run.regions["year"] == run.years[0]])
    second = mean(run.regions[run.regions["year"] == run.years[1]])
    assert run.long_run_regions is not None
    long, flat = mean(run.long_run_regions), mean(static.regions)
    assert -2.0 <= first <= -0.3 and -2.0 <= second <= -0.3, (first, second)
    assert -first > 10 * abs(flat) and abs(long) < 0.01
    last = mean(run.regions[run.regions["year"] == run.years[-1]])
    assert abs(last) < abs(second)  # the cost fades as capacity outside China is built


@pytest.mark.parametrize("sigma", [0.2, 0.1])
def test_near_leontief_ban_converges_with_capacity(world, sigma: float) -> None:
    """A full ban with near-Leontief production and fixed capacity converges.

    Regression: with σ ≤ 0.2 between value added and materials and s = 0.4 between
    labour and capital, the rental update's step taken at the baseline sent the rentals
    of the capacity-bound REE producers into a two-cycle (residual 3.7 after any number
    of passes); the step is now a Newton step at the current iterate.
    """
    from dataclasses import replace

    import numpy as np

    from tradewar.model import Capital, solve
    from tradewar.model.technology import Technology
    from tradewar.runs.single import prepare_run

    setup = prepare_run(_example("rare-earth-ban.yaml", world), world, "2026-2026")
    base = replace(setup.base, theta=setup.base.theta * 0.43)  # first-year elasticities
    eq = solve(
        base,
        setup.shocks[2026],
        technology=Technology.uniform(world, sigma=sigma, epsilon=0.1),
        capital=Capital.default(world, fallback=True),
        tol=1e-10,
    )
    assert eq.solver.converged and eq.solver.iterations < 500
    income = eq.income / eq.baseline.income
    assert np.isfinite(income).all() and (eq.log_r is not None and np.isfinite(eq.log_r).all())
