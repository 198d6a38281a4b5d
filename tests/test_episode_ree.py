"""Episode check (docs/dynamics.md): China's 2010 rare-earth export-quota cut on the dynamic path.

Observed (cited in docs/dynamics.md, section "Episode check"):

* the 2010 export quota was about 40 % below 2009's (30,258 t against 50,145 t of rare-earth
  oxide; WTO, China - Rare Earths, DS431/432/433 panel report, 2014);
* prices FOB China rose more than 1,100 % from the end of 2009 to the third quarter of 2011
  and by the fourth quarter of 2014 stood 85 % below that peak (Metal-Pages quarterly
  averages, as reported in Rare Element Resources, Form 10-K 2014);
* supply outside China came only with a lag: Mountain Pass (US) produced again from 2012,
  Lynas (Australia/Malaysia) from 2013 (USGS Mineral Commodity Summaries 2013-2015).

The model is run on the default World with the quota as a pooled export quota at 60 % of
China's baseline exports of the rare-earth sector (``REE``; ``CRM`` in worlds without it).
It must get the direction and the timing: a binding quota whose price wedge is largest in
the first year and falls back as capacity outside China arrives; prices outside China up
first and then back down; output outside China up only gradually, the first year within
the slack of existing mines (capacity utilisation of US mining has averaged about 87 %,
Federal Reserve G.17, so existing capacity allows about +15 %).
"""

from __future__ import annotations

import pytest

from tradewar.policy import load_scenario_text
from tradewar.runs.dynamic import run_dynamic
from tradewar.world.load import load_world

#: Largest first-year output increase outside China existing capacity allows (fraction):
#: from ~87 % utilisation to 100 % (Federal Reserve G.17, mining, long-run average).
FIRST_YEAR_CAPACITY_LIMIT = 100.0 / 87.0 - 1.0

QUOTA = """\
title: China's 2010 rare-earth export quota cut
description: exports of rare earths capped at 60 % of the baseline from 2010 on
years: 2010-2014
measures:
  - name: export-quota-2010
    type: quota
    imposer: CHN
    target: all
    sectors: [{sector}]
    magnitude: {{unit: percent, value: 60}}
    pooled: true
    years: 2010-
    source:
      document: >-
        WTO, China - Measures Related to the Exportation of Rare Earths, Tungsten and
        Molybdenum (DS431, DS432, DS433), panel report: export quota 30,258 t in 2010
        against 50,145 t in 2009
      date: 2014-03-26
"""


@pytest.fixture(scope="module")
def episode():
    world = load_world("default")
    sector = "REE" if "REE" in world.sectors else "CRM"
    run = run_dynamic(load_scenario_text(QUOTA.format(sector=sector), name="ree-2010"), world)
    return run, sector


def test_quota_wedge_spikes_then_falls_back(episode) -> None:
    run, _ = episode
    wedge = {r["year"]: r["quotas"][0]["wedge"] for r in run.solver}
    assert wedge[2010] > 0.2  # the cut binds hard in the short run
    assert wedge[2014] < 0.6 * wedge[2010]  # and eases as supply elsewhere responds
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
