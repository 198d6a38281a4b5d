"""Scenario files with quotas and production elasticities (issue #5)."""

from __future__ import annotations

import numpy as np
import pytest

from tradewar.errors import ScenarioError
from tradewar.model import Baseline, Shock, solve
from tradewar.policy import load_scenario, load_scenario_text, policy_to_shock, scenario_technology, translate
from tradewar.runs import run_scenario
from tradewar.world.synthetic import synthetic_world

QUOTA = """\
title: Quota test
description: An export quota phased in, with low production elasticities.
years: 2026-2028
production:
  - parameter: epsilon
    value: 0.1
    sectors: [S001, S002]
    source: {document: "Atalay, How Important Are Sectoral Shocks?, AEJ Macro 9(4)", date: 2017-10}
  - parameter: sigma
    value: 0.5
    assumption: a test value
measures:
  - name: export-quota
    type: quota
    imposer: R000
    target: all
    sectors: [S000]
    pooled: true
    magnitude: {unit: percent, values: {2026: 100, 2028: 40}}
    years: 2026-2028
    assumption: test quota
"""


@pytest.fixture(scope="module")
def world():
    return synthetic_world(4, 3, seed=2)


def test_quota_scenario_translates_and_runs(world) -> None:
    sc = load_scenario_text(QUOTA, name="quota-test")
    pol = translate(sc, world, [2026, 2027, 2028])
    q = pol[2028].quotas[0]
    assert q.origins == ("R000",) and q.regions == ("R000", "R001", "R002", "R003")
    assert q.limit == pytest.approx(0.4) and q.unit == "fraction" and q.pooled and q.rent == "exporter"
    assert pol[2027].quotas[0].limit == pytest.approx(0.7)
    assert not pol[2026].is_baseline(world)  # a quota is a change even where it does not bind
    tech = scenario_technology(sc, world)
    assert tech is not None and float(tech.epsilon.sel(region="R001", sector="S001")) == 0.1
    assert float(tech.epsilon.sel(region="R001", sector="S000")) == 1.0
    assert float(tech.sigma.min()) == 0.5 and len(tech.sources) == 2
    run = run_scenario(sc, world)
    quotas = {rec["year"]: rec["quotas"] for rec in run.solver}
    assert quotas[2026][0]["wedge"] < 1e-12 and not quotas[2026][0]["binding"]  # 100 %: not binding
    assert quotas[2028][0]["binding"] and quotas[2028][0]["wedge"] > 0
    assert quotas[2028][0]["quantity"] == pytest.approx(quotas[2028][0]["limit"], rel=1e-8)
    assert "epsilon" in run.solver[0]["technology"] or "Technology" in run.solver[0]["technology"]


def test_policy_to_shock_carries_the_quota(world) -> None:
    sc = load_scenario_text(QUOTA, name="quota-test")
    pol = translate(sc, world, [2028])[2028]
    shock = policy_to_shock(pol, world, "zero")
    assert len(shock.quotas) == 1
    base = Baseline.from_world(world)
    direct = (
        Shock.none(world).set_quota(0.4, origin="R000", product="S000", pooled=True).with_deficits("zero")
    )
    a, b = solve(base, shock), solve(base, direct)
    np.testing.assert_allclose(a.w_hat, b.w_hat, rtol=1e-12)


def test_import_quota_default_rent_is_the_importer(world) -> None:
    text = QUOTA.replace("    pooled: true\n", "    flow: imports\n").replace("target: all", "target: R001")
    sc = load_scenario_text(text, name="q")
    q = translate(sc, world, [2028])[2028].quotas[0]
    assert q.origins == ("R001",) and q.regions == ("R000",) and q.rent == "importer"


def test_composed_scenario_prints_back_with_production() -> None:
    sc = load_scenario_text(QUOTA, name="quota-test")
    again = load_scenario_text(sc.to_yaml(), name="again")
    assert again.production == sc.production
    assert [pm.measure for pm in again.measures] == [pm.measure for pm in sc.measures]


@pytest.mark.parametrize(
    "edit,message",
    [
        (("    magnitude: {unit: percent, values: {2026: 100, 2028: 40}}\n", ""), "needs either `magnitude`"),
        (("    pooled: true\n", "    pooled: true\n    flow: imports\n"), "`pooled`"),
        (
            ("    magnitude: {unit: percent, values: {2026: 100, 2028: 40}}\n", "    quantity: 5\n"),
            "needs its `unit`",
        ),
        (("value: 0.1\n", "value: 0\n"), "greater than or equal"),
        (("    assumption: a test value\n", ""), "needs a `source`"),
        (("    pooled: true\n", "    pooled: true\n    rent: state\n"), "not allowed"),
    ],
)
def test_quota_and_production_errors(edit: tuple[str, str], message: str) -> None:
    text = QUOTA.replace(*edit)
    assert text != QUOTA
    with pytest.raises(ScenarioError, match=message):
        load_scenario_text(text, name="bad")


def test_unknown_sector_in_production_and_unit_mismatch(world) -> None:
    sc = load_scenario_text(QUOTA.replace("sectors: [S001, S002]", "sectors: [S001, S009]"), name="bad")
    with pytest.raises(ScenarioError, match="S009"):
        scenario_technology(sc, world)
    text = QUOTA.replace(
        "    magnitude: {unit: percent, values: {2026: 100, 2028: 40}}\n",
        "    quantity: 5\n    unit: EUR million\n",
    )
    sc = load_scenario_text(text, name="bad")
    with pytest.raises(ScenarioError, match="cannot convert"):
        translate(sc, world, [2026])


def test_library_chokepoint_scenarios_use_low_elasticities() -> None:
    for name in ("china-rare-earth-controls", "us-chip-export-controls", "trade-war-2026"):
        sc = load_scenario(name)
        params = {e.parameter: e for e in sc.production}
        assert params["sigma"].value < 1 and params["epsilon"].value < 1
        assert all(e.source for e in sc.production), name
        assert any("CES" in a for a in sc.assumptions), name


def test_example_chokepoint_scenario_runs_on_the_default_world() -> None:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "chokepoint-quotas.yaml"
    run = run_scenario(str(path), years="2028")
    rows = run.solver[0]["quotas"]
    json.dumps(rows, allow_nan=False)  # bans' infinite wedges are written as null
    crm = [r for r in rows if r["product"] == "CRM"]
    assert len(crm) == 1 and crm[0]["binding"] and crm[0]["wedge"] > 0
    assert crm[0]["quantity"] == pytest.approx(crm[0]["limit"], rel=1e-8)
    bans = [r for r in rows if r["ban"]]
    assert len(bans) == 6 and all(r["wedge"] is None and r["importers"] == "CHN" for r in bans)
    flows = run.flows.set_index(["origin", "region", "product"])["counterfactual"]
    assert flows.loc[("USA", "CHN", "SME")] == 0.0
