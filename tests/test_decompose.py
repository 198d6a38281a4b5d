"""Per-measure decomposition (Harrison, Horridge and Pearson 2000) and money metrics.

Invariants: contributions add up to each result's total change (hypothesis over small
synthetic worlds and random measures); one measure alone gets the whole change; two small
measures on disjoint cells get their separate effects to first order; symmetric measures
in a symmetric world get equal shares. EV / baseline income = welfare % with the same sign.
"""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tradewar.analysis import self_sufficiency
from tradewar.cli.main import app
from tradewar.errors import ScenarioError
from tradewar.model import Shock, solve
from tradewar.policy import load_scenario_text
from tradewar.report import render_report
from tradewar.runs import run_scenario
from tradewar.runs.decompose import CONTRIBUTION_COLUMNS, decompose_run, self_sufficiency_array
from tradewar.world.bundle import write_bundle
from tradewar.world.synthetic import synthetic_world
from tradewar.world.world import World

SUM_TOL = 1e-6


def _scenario(measures: list[str], years: str = "2026") -> str:
    head = f"title: test\ndescription: decomposition test\nyears: {years}\nmeasures:\n"
    return head + "".join(textwrap.indent(textwrap.dedent(m).strip(), "  ") + "\n" for m in measures)


def _tariff(name: str, imposer: str, target: str, sectors: str, pct: float, action: str = "set") -> str:
    return f"""
    - name: {name}
      type: tariff
      action: {action}
      imposer: {imposer}
      target: {target}
      sectors: {sectors}
      magnitude: {{unit: percent, value: {pct}}}
      years: 2026-
      assumption: test
    """


def _sum_error(table: pd.DataFrame) -> float:
    g = table.groupby(["year", "variable", "region", "origin", "sector"], sort=False)
    s, t = g["contribution"].sum(), g["total"].first()
    return float((np.abs(s - t) / np.maximum(np.abs(t), 1e-300)).where(np.abs(t) > 1e-9, np.abs(s - t)).max())


@pytest.fixture(scope="module")
def world() -> World:
    return synthetic_world(3, 2, seed=3)


def _welfare(table: pd.DataFrame, region: str) -> pd.Series:
    w = table[(table["variable"] == "welfare_pct") & (table["region"] == region)]
    return w.set_index("measure")["contribution"]


# --------------------------------------------------------------------------- sums
MEASURE_KINDS = st.sampled_from(["tariff", "add", "ban", "licence", "subsidy", "quota", "cost"])


def _random_measure(kind: str, k: int, a: str, b: str, sector: str, size: float) -> str:
    if kind in ("tariff", "add"):
        return _tariff(f"m{k}", a, b, f"[{sector}]", round(100 * size, 3), "add" if kind == "add" else "set")
    if kind == "ban":
        return f"""
        - name: m{k}
          type: export_control
          mode: ban
          imposer: {a}
          target: {b}
          sectors: [{sector}]
          years: 2026-
          assumption: test
        """
    if kind == "licence":
        return f"""
        - name: m{k}
          type: export_control
          mode: licence
          imposer: {a}
          target: {b}
          sectors: [{sector}]
          magnitude: {{unit: percent, value: {round(100 * size, 3)}}}
          years: 2026-
          assumption: test
        """
    if kind == "cost":
        return f"""
        - name: m{k}
          type: trade_cost
          flow: both
          imposer: {a}
          target: {b}
          sectors: [{sector}]
          magnitude: {{unit: factor, value: {1 + size:.4f}}}
          years: 2026-
          assumption: test
        """
    if kind == "quota":
        return f"""
        - name: m{k}
          type: quota
          imposer: {a}
          target: {b}
          sectors: [{sector}]
          magnitude: {{unit: percent, value: {round(100 * (1 - size), 3)}}}
          years: 2026-
          assumption: test
        """
    return f"""
    - name: m{k}
      type: productivity
      region: {a}
      sectors: [{sector}]
      magnitude: {{unit: percent, value: {round(100 * size, 3)}}}
      years: 2026-
      assumption: test
    """


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(
    seed=st.integers(0, 50),
    specs=st.lists(
        st.tuples(
            MEASURE_KINDS, st.integers(0, 2), st.integers(1, 2), st.integers(0, 1), st.floats(0.05, 0.6)
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_contributions_sum_to_totals(seed: int, specs: list[tuple[str, int, int, int, float]]) -> None:
    world = synthetic_world(3, 2, seed=seed)
    R, S = world.regions, world.sectors
    measures = [
        _random_measure(kind, k, R[a], R[(a + off) % 3], S[s], size)
        for k, (kind, a, off, s, size) in enumerate(specs)
    ]
    try:
        sc = load_scenario_text(_scenario(measures))
    except ScenarioError:  # measures of one file may not overlap
        reject()
    run = run_scenario(sc, world)
    d = decompose_run(run, max_steps=2)
    assert list(d.table.columns) == list(CONTRIBUTION_COLUMNS)
    assert np.isfinite(d.table[["contribution", "total"]].to_numpy()).all()
    assert _sum_error(d.table) <= SUM_TOL
    # the totals are the run's results
    w = d.table[(d.table["variable"] == "welfare_pct")].groupby("region")["total"].first()
    reg = run.regions.set_index("region")["welfare_pct"]
    np.testing.assert_allclose(w.reindex(reg.index), reg, atol=1e-7)


def test_one_measure_gets_the_whole_change(world: World) -> None:
    sc = load_scenario_text(_scenario([_tariff("only", "R000", "R001", "all", 30)]))
    d = decompose_run(run_scenario(sc, world))
    np.testing.assert_allclose(d.table["contribution"], d.table["total"], rtol=0, atol=1e-12)
    assert d.years[0].steps == 1 and d.years[0].converged


def test_measure_not_in_force_gets_zero(world: World) -> None:
    later = _tariff("later", "R001", "R002", "all", 20).replace("years: 2026-", "years: 2030-")
    sc = load_scenario_text(_scenario([_tariff("now", "R000", "R001", "all", 30), later]))
    t = decompose_run(run_scenario(sc, world)).table
    assert (t.loc[t["measure"].str.endswith("later"), "contribution"] == 0.0).all()


def test_disjoint_small_measures_match_their_separate_effects(world: World) -> None:
    """Two 0.5 % tariffs on disjoint flows: each contribution is its own effect to first order."""
    a = _tariff("a", "R000", "R001", "[S000]", 0.5, "add")
    b = _tariff("b", "R002", "R001", "[S001]", 0.5, "add")
    both = decompose_run(run_scenario(load_scenario_text(_scenario([a, b])), world)).table
    for name, m in (("a", a), ("b", b)):
        alone = run_scenario(load_scenario_text(_scenario([m])), world).regions.set_index("region")
        contrib = both[(both["variable"] == "welfare_pct") & both["measure"].str.endswith(name)]
        c = contrib.set_index("region")["contribution"].reindex(alone.index)
        effect = alone["welfare_pct"]
        # second-order terms are O(0.005²) relative to first-order O(0.005)
        assert np.max(np.abs(c - effect)) <= 0.02 * np.max(np.abs(effect))


def _symmetric_world(seed: int = 5) -> World:
    """A 3-region world in which R001 and R002 are mirror images (swap them: the same world)."""
    w = synthetic_world(3, 2, seed=seed)
    p = [0, 2, 1]
    Z = np.asarray(w.intermediate.values)
    F = np.asarray(w.final_demand.values)
    T = np.asarray(w.tariff.values)

    def sym(a: np.ndarray, axes: tuple[int, ...]) -> np.ndarray:
        b = a
        for ax in axes:
            b = np.take(b, p, axis=ax)
        return (a + b) / 2

    Z, F, T = sym(Z, (0, 2)), sym(F, (0, 2)), sym(T, (0, 1))
    # value added as the residual of the cost identity (tariffs enter the cost of inputs)
    sales = Z.sum(axis=(2, 3)) + F.sum(axis=2)
    VA = sales - np.einsum("ink,iknj->nj", 1.0 + T, Z)
    return World.from_arrays(
        regions=w.regions,
        sectors=w.sectors,
        intermediate=Z,
        final_demand=F,
        value_added=VA,
        tariff=T,
        theta=np.asarray(w.theta.values),
        meta=w.meta,
    )


def test_symmetric_measures_get_equal_shares() -> None:
    world = _symmetric_world()
    sc = load_scenario_text(
        _scenario([_tariff("on-r1", "R000", "R001", "all", 25), _tariff("on-r2", "R000", "R002", "all", 25)])
    )
    t = decompose_run(run_scenario(sc, world)).table
    w0 = _welfare(t, "R000")
    c1, c2 = w0[w0.index.str.endswith("on-r1")].iloc[0], w0[w0.index.str.endswith("on-r2")].iloc[0]
    assert abs(c1) > 1e-4
    assert c1 == pytest.approx(c2, rel=1e-6)
    # R001 under "on-r1" mirrors R002 under "on-r2"
    w1, w2 = _welfare(t, "R001"), _welfare(t, "R002")
    assert w1[w1.index.str.endswith("on-r1")].iloc[0] == pytest.approx(
        w2[w2.index.str.endswith("on-r2")].iloc[0], rel=1e-6
    )


def test_groups_are_sums_of_measures(world: World) -> None:
    ms = [_tariff("a", "R000", "R001", "all", 30), _tariff("b", "R001", "R000", "all", 20)]
    run = run_scenario(load_scenario_text(_scenario(ms)), world)
    g = decompose_run(run, by="group").table
    assert g["measure"].unique().tolist() == ["scenario"]
    np.testing.assert_allclose(g["contribution"], g["total"], atol=1e-12)


def test_self_sufficiency_array_matches_the_counterfactual_world(world: World) -> None:
    shock = (
        Shock.none(world)
        .set_tariff(0.3, origin="R001", region="R000")
        .set_quota(0.5, origin="R002", region="R000", product="S000", rent="importer")
        .set_quota(0.7, origin="R001", region="R002", product="S001", rent="exporter")
    )
    eq = solve(world, shock)
    assert (eq.omega > 0).any()
    ref = self_sufficiency(eq.counterfactual_world()).transpose("region", "product").values
    np.testing.assert_allclose(self_sufficiency_array(eq), ref, rtol=1e-8)


# --------------------------------------------------------------------------- money
def test_equivalent_variation_is_welfare_times_baseline_income(world: World) -> None:
    sc = load_scenario_text(_scenario([_tariff("a", "R000", "R001", "all", 30)], years="2026-2027"))
    run = run_scenario(sc, world)
    reg = run.regions
    assert world.meta.unit == "USD million"
    ratio = reg["ev_usd_bn"] / reg["income_baseline_usd_bn"]
    np.testing.assert_allclose(100.0 * ratio, reg["welfare_pct"], rtol=1e-12, atol=1e-14)
    assert (np.sign(reg["ev_usd_bn"]) == np.sign(reg["welfare_pct"])).all()
    np.testing.assert_allclose(
        reg.groupby("year")["income_baseline_usd_bn"].sum(), float(world.income.sum()) / 1000.0
    )
    sec = run.sectors
    np.testing.assert_allclose(
        sec["output_change_usd_bn"], sec["output_before"] * sec["output_change_pct"] / 1e5
    )
    fl = run.flows
    np.testing.assert_allclose(fl["change_usd_bn"], (fl["counterfactual"] - fl["baseline"]) / 1000.0)


def test_money_columns_are_absent_for_a_non_usd_world(world: World) -> None:
    eur = World.from_arrays(
        regions=world.regions,
        sectors=world.sectors,
        intermediate=np.asarray(world.intermediate.values),
        final_demand=np.asarray(world.final_demand.values),
        value_added=np.asarray(world.value_added.values),
        tariff=np.asarray(world.tariff.values),
        theta=np.asarray(world.theta.values),
        meta=dataclasses.replace(world.meta, unit="EUR million"),
    )
    run = run_scenario(load_scenario_text(_scenario([_tariff("a", "R000", "R001", "all", 30)])), eur)
    assert "ev_usd_bn" not in run.regions.columns
    assert "ev_usd_bn" not in run.summary_table().columns
    d = decompose_run(run)
    assert "ev" in set(d.table["variable"]) and "EUR million" in set(d.table["unit"])


# --------------------------------------------------------------------------- CLI and report
def test_cli_decompose_writes_contributions_and_waterfall(tmp_path: Path, world: World) -> None:
    write_bundle(world, tmp_path / "world")
    ms = [_tariff("a", "R000", "R001", "all", 30), _tariff("b", "R001", "R000", "all", 20)]
    (tmp_path / "war.yaml").write_text(_scenario(ms, years="2026-2027"))
    out = tmp_path / "out"
    args = ["run", str(tmp_path / "war.yaml"), "--world", str(tmp_path / "world"), "--out", str(out)]
    res = CliRunner().invoke(app, [*args, "--decompose", "measure"])
    assert res.exit_code == 0, res.output
    assert "EV USD bn" in res.output and "decomposed" in res.output
    t = pd.read_csv(out / "contributions.csv", keep_default_na=False)
    assert list(t.columns) == list(CONTRIBUTION_COLUMNS)
    assert sorted(t["year"].unique()) == [2026, 2027]
    assert {"welfare_pct", "ev_usd_bn", "real_wage_pct", "output_change_pct", "trade_change_usd_bn"} <= set(
        t["variable"]
    )
    assert _sum_error(t) <= SUM_TOL
    pairs = t[t["variable"] == "trade_change_usd_bn"]
    assert set(pairs["sector"]) == {"all"} and (pairs["origin"] != "").all()
    fl = pd.read_parquet(out / "contributions_flows.parquet")
    assert list(fl.columns) == list(CONTRIBUTION_COLUMNS) and set(fl["sector"]) == set(world.sectors)
    assert _sum_error(fl) <= SUM_TOL
    by_pair = fl.groupby(["year", "region", "origin", "measure"])["contribution"].sum()
    csv_pair = pairs.set_index(["year", "region", "origin", "measure"])["contribution"]
    np.testing.assert_allclose(csv_pair.reindex(by_pair.index), by_pair, rtol=1e-6, atol=1e-9)
    html = (out / "report.html").read_text()
    assert "s0-waterfall" in html and "EV (USD bn)" in html
    assert "trade change (USD bn)" in html and "real output change (USD bn)" in html
    bad = CliRunner().invoke(app, [*args, "--decompose", "sector"])
    assert bad.exit_code != 0


def test_report_without_decomposition_has_no_waterfall(world: World) -> None:
    run = run_scenario(load_scenario_text(_scenario([_tariff("a", "R000", "R001", "all", 30)])), world)
    assert "s0-waterfall" not in render_report([run])
    assert "s0-waterfall" in render_report([run], [decompose_run(run)])


def test_financed_programme_is_decomposed(world: World) -> None:
    """A funded programme with a budget charge: its financing moves along the path too."""
    funded = """
    - name: programme
      type: productivity
      region: R002
      sectors: [S000]
      funding:
        amount: 100
        unit: USD million
        spent: 2026-2026
        rate_of_return: 0.25
        financing:
          by: budget
          normal_return: 0.07
          depreciation: 0
          investment_goods: {S001: 1}
          assumption: test
      years: 2026-
      assumption: test
    """
    sc = load_scenario_text(_scenario([funded, _tariff("t", "R000", "R001", "all", 30)]))
    run = run_scenario(sc, world)
    assert run.policies[2026].financing is not None and run.policies[2026].financing.values.any()
    d = decompose_run(run)
    assert _sum_error(d.table) <= SUM_TOL
    w = _welfare(d.table, "R002")
    assert abs(w[w.index.str.endswith("programme")].iloc[0]) > 1e-6


def test_pooled_quota_and_quota_ban_are_decomposed(world: World) -> None:
    """Quota limits move from the baseline quantity to the limit (a ban: to zero)."""
    pooled = """
    - name: pooled
      type: quota
      imposer: R000
      target: all
      sectors: [S000]
      pooled: true
      magnitude: {unit: percent, value: 60}
      years: 2026-
      assumption: test
    """
    ban = """
    - name: quota-ban
      type: quota
      imposer: R001
      target: R002
      sectors: [S001]
      magnitude: {unit: percent, value: 0}
      years: 2026-
      assumption: test
    """
    run = run_scenario(
        load_scenario_text(_scenario([pooled, ban, _tariff("t", "R002", "R000", "all", 20)])), world
    )
    d = decompose_run(run)
    assert _sum_error(d.table) <= SUM_TOL
    fl = d.table[(d.table["variable"] == "trade_change_usd_bn") & (d.table["origin"] == "R001")]
    banned = fl[(fl["region"] == "R002") & (fl["sector"] == "S001")].set_index("measure")
    # the banned flow disappears, and the ban is what removes it
    assert banned["total"].iloc[0] < 0
    share = (
        banned.loc[banned.index.str.endswith("quota-ban"), "contribution"].iloc[0] / banned["total"].iloc[0]
    )
    assert share > 0.9


def test_years_with_the_same_shocks_reuse_the_contributions(world: World) -> None:
    sc = load_scenario_text(_scenario([_tariff("a", "R000", "R001", "all", 30)], years="2026-2027"))
    run = run_scenario(sc, world)
    d = decompose_run(run)
    assert [y.solves > 0 for y in d.years] == [True, False]
    full = decompose_run(run, reuse=False)
    assert all(y.solves > 0 for y in full.years)
    np.testing.assert_allclose(d.table["contribution"], full.table["contribution"], rtol=0, atol=1e-12)
