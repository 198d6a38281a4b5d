"""Measures -> yearly policy arrays: cells, override order, funding, no mutation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tradewar.errors import ScenarioError
from tradewar.policy import load_scenario_text, translate

HEAD = "title: T test\ndescription: test scenario\nmeasures:\n"


def scenario(*measures: str):
    return load_scenario_text(HEAD + "".join(measures))


TARIFF = """\
  - type: tariff
    action: {action}
    imposer: R000
    target: {target}
    sectors: {sectors}
    magnitude: {{unit: percent, {mag}}}
    years: {years}
    assumption: test
"""


def tariff(action="set", target="R001", sectors="[S000]", mag="value: 25", years="2026-2030") -> str:
    return TARIFF.format(action=action, target=target, sectors=sectors, mag=mag, years=years)


def test_set_tariff_touches_only_its_cells(small_world) -> None:
    pol = translate(scenario(tariff()), small_world, [2025, 2026])
    t = pol[2026].tariff
    assert float(t.sel(origin="R001", region="R000", product="S000")) == pytest.approx(0.25)
    diff = ~np.isclose(t.values, small_world.tariff.values)
    assert diff.sum() == 1
    assert pol[2025].is_baseline(small_world)
    assert pol[2026].changed_cells(small_world) == {"tariff": 1, "trade_cost": 0, "productivity": 0}


def test_add_tariff_adds_to_baseline_and_all_targets(small_world) -> None:
    pol = translate(
        scenario(tariff("add", target="all", sectors="all", mag="value: 10")), small_world, [2027]
    )
    t = pol[2027].tariff
    base = small_world.tariff
    others = [r for r in small_world.regions if r != "R000"]
    np.testing.assert_allclose(
        t.sel(region="R000", origin=others).values, base.sel(region="R000", origin=others).values + 0.10
    )
    # the diagonal and other importers are untouched
    np.testing.assert_allclose(t.sel(region="R001").values, base.sel(region="R001").values)
    assert float(t.sel(origin="R000", region="R000", product="S000")) == float(
        base.sel(origin="R000", region="R000", product="S000")
    )


def test_later_measure_overrides_earlier_through_include(tmp_path, small_world) -> None:
    (tmp_path / "a.yaml").write_text(HEAD + tariff(mag="value: 25"))
    top = "title: Deal deal\ndescription: rollback\ninclude: [a.yaml]\nmeasures:\n" + tariff(
        mag="value: 5", years="2028-2030"
    )
    sc = load_scenario_text(top, base_dir=tmp_path)
    pol = translate(sc, small_world, [2027, 2028])
    cell = {"origin": "R001", "region": "R000", "product": "S000"}
    assert float(pol[2027].tariff.sel(cell)) == pytest.approx(0.25)
    assert float(pol[2028].tariff.sel(cell)) == pytest.approx(0.05)


def test_export_control_import_ban_trade_cost(small_world) -> None:
    sc = scenario(
        """\
  - type: export_control
    mode: ban
    imposer: R000
    target: R001
    sectors: [S001]
    years: 2026-
    assumption: ban
  - type: export_control
    mode: licence
    imposer: R000
    target: R002
    sectors: [S001]
    magnitude: {unit: percent, start: 0, end: 40}
    years: 2026-2030
    assumption: licence
  - type: import_ban
    imposer: R003
    target: R001
    sectors: [S002]
    years: 2027
    assumption: ban
  - type: trade_cost
    flow: both
    imposer: R002
    target: R003
    sectors: all
    magnitude: {unit: factor, value: 1.1}
    years: 2026-2030
    assumption: frictions
"""
    )
    pol = translate(sc, small_world, [2026, 2027, 2028])
    tc = pol[2028].trade_cost
    assert np.isinf(float(tc.sel(origin="R000", region="R001", product="S001")))
    assert float(tc.sel(origin="R001", region="R000", product="S001")) == 1.0  # only one direction
    assert float(tc.sel(origin="R000", region="R002", product="S001")) == pytest.approx(1.2)  # 40 % x 2/4
    assert np.isinf(float(pol[2027].trade_cost.sel(origin="R001", region="R003", product="S002")))
    assert float(tc.sel(origin="R001", region="R003", product="S002")) == 1.0  # ban was 2027 only
    assert float(tc.sel(origin="R002", region="R003", product="S000")) == pytest.approx(1.1)
    assert float(tc.sel(origin="R003", region="R002", product="S000")) == pytest.approx(1.1)
    assert float(pol[2026].trade_cost.sel(origin="R000", region="R002", product="S001")) == 1.0


def test_funding_becomes_productivity_by_the_stated_rule(small_world) -> None:
    sc = scenario(
        """\
  - type: productivity
    region: R002
    sectors: [S000, S001]
    funding:
      amount: 100
      unit: USD million
      spent: 2026-2029
      rate_of_return: 0.25
      financing:
        by: budget
        normal_return: 0.07
        depreciation: 0
        investment_goods: {S002: 1}
        assumption: no depreciation, to check the rule on the money spent
    years: 2026-2030
    source: {document: "Hall, Mairesse and Mohnen (2010), returns to R&D", date: 2010}
"""
    )
    pol = translate(sc, small_world, [2026, 2029, 2030])
    # ΔA/A = return x money spent / gross output (productivity is Hicks-neutral on gross
    # output, so value added rises by return x money)
    x = float(small_world.gross_output.sel(region="R002", sector=["S000", "S001"]).sum())
    p = pol[2026].productivity
    assert float(p.sel(region="R002", sector="S000")) == pytest.approx(1 + 0.25 * 25 / x)
    assert float(pol[2029].productivity.sel(region="R002", sector="S001")) == pytest.approx(
        1 + 0.25 * 100 / x
    )
    assert float(pol[2030].productivity.sel(region="R002", sector="S001")) == pytest.approx(
        1 + 0.25 * 100 / x
    )
    assert float(p.sel(region="R002", sector="S002")) == 1.0
    # the user cost (0.07 + 0) x capital is charged to R002 and spent on S002
    assert float(pol[2029].charge.sel(region="R002")) == pytest.approx(0.07 * 100)
    assert pol[2029].financing is not None
    assert float(pol[2029].financing.sel(region="R002", sector="S002")) == pytest.approx(7.0)
    assert float(pol[2029].charge.drop_sel(region="R002").sum()) == 0.0


def test_add_below_minus_100_fails_before_anything(small_world) -> None:
    sc = scenario(tariff("set", mag="value: -90"), tariff("add", target="R002", mag="value: -50"))
    translate(sc, small_world, [2026])  # different cells: fine
    # direct: an add that crosses -100 % on an existing -90 % tariff
    text = (
        "title: T test\ndescription: test\ncomposed_from: [x]\nmeasures:\n"
        + tariff("set", mag="value: -90")
        + tariff("add", mag="value: -20")
    )
    with pytest.raises(ScenarioError, match="-100 % or less"):
        translate(load_scenario_text(text), small_world, [2026])


def test_world_is_not_mutated(small_world) -> None:
    before = small_world.tariff.values.copy()
    translate(scenario(tariff("set", target="all", sectors="all")), small_world, [2026, 2027])
    np.testing.assert_array_equal(small_world.tariff.values, before)


def test_tariff_layer_and_group_measures(small_world) -> None:
    import dataclasses

    import xarray as xr

    layer = xr.full_like(small_world.tariff, 0.5)
    world = dataclasses.replace(small_world, tariff_layers={"future": layer})
    text = HEAD + (
        "  - type: tariff_layer\n    layer: future\n    imposer: [R000, R001]\n    target: [R000, R001]\n"
        "    sectors: all\n    years: 2026\n    assumption: a group among itself\n"
    )
    pol = translate(load_scenario_text(text), world, [2026])[2026]
    t = pol.tariff
    assert float(t.sel(origin="R000", region="R001", product="S002")) == 0.5
    assert float(t.sel(origin="R001", region="R000", product="S000")) == 0.5
    assert float(t.sel(origin="R000", region="R000", product="S000")) == float(
        world.tariff.sel(origin="R000", region="R000", product="S000")
    )
    assert pol.changed_cells(world)["tariff"] == 2 * 3
    with pytest.raises(ScenarioError, match="no tariff layer 'future'") as info:
        translate(load_scenario_text(text), small_world, [2026])
    assert "line 5" in str(info.value)


def test_deficit_rule_is_inherited_and_validated(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text(HEAD.replace("measures:", "deficits: zero\nmeasures:") + tariff())
    sc = load_scenario_text("title: Top top\ndescription: top file\ninclude: [a.yaml]\n", base_dir=tmp_path)
    assert sc.deficits == "zero" and "deficits: zero" in sc.to_yaml()
    with pytest.raises(ScenarioError, match="'none' is not allowed"):
        load_scenario_text(HEAD.replace("measures:", "deficits: none\nmeasures:") + tariff())


@settings(max_examples=40, deadline=None)
@given(
    imposer=st.sampled_from(["R000", "R001", "R002", "R003"]),
    targets=st.lists(st.sampled_from(["R000", "R001", "R002", "R003"]), min_size=1, max_size=4, unique=True),
    sectors=st.lists(st.sampled_from(["S000", "S001", "S002"]), min_size=1, max_size=3, unique=True),
    value=st.floats(-99, 500, allow_nan=False),
)
def test_set_tariff_changes_exactly_the_selected_cells(imposer, targets, sectors, value) -> None:
    from tradewar.world.synthetic import synthetic_world

    world = synthetic_world(4, 3, seed=1)
    if targets == [imposer]:
        return  # rejected at load time (tested above)
    text = HEAD + tariff(target=str(targets), sectors=str(sectors), mag=f"value: {value!r}").replace(
        "imposer: R000", f"imposer: {imposer}"
    )
    pol = translate(load_scenario_text(text.replace("'", "")), world, [2026])[2026]
    expected = world.tariff.values.copy()
    r = world.regions
    for o in targets:
        if o != imposer:
            for p in sectors:
                expected[r.index(o), r.index(imposer), world.sectors.index(p)] = value / 100
    np.testing.assert_allclose(pol.tariff.values, expected, rtol=0, atol=1e-12)
    assert (pol.trade_cost.values == 1).all() and (pol.productivity.values == 1).all()


def test_ban_then_lift_is_the_baseline(small_world, tmp_path) -> None:
    ban = HEAD + (
        "  - type: import_ban\n    imposer: R000\n    target: all\n    sectors: all\n    years: 2026-\n"
        "    assumption: ban\n"
    )
    (tmp_path / "ban.yaml").write_text(ban)
    pol = translate(load_scenario_text(ban), small_world, [2026])[2026]
    assert np.isinf(pol.trade_cost.sel(region="R000", origin=["R001", "R002", "R003"]).values).all()
    lift = ban.replace("type: import_ban", "type: import_ban\n    mode: lift").replace("2026-", "2027-")
    lift = lift.replace("measures:", "include: [ban.yaml]\nmeasures:")
    pols = translate(load_scenario_text(lift, base_dir=tmp_path), small_world, [2026, 2027])
    assert not pols[2026].is_baseline(small_world)
    assert pols[2027].is_baseline(small_world)
