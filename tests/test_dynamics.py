"""The recursive-dynamic path (tradewar.runs.dynamic): invariants, convergence, programmes, CLI."""

from __future__ import annotations

import itertools
import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from tradewar.cli.main import app
from tradewar.errors import ScenarioError
from tradewar.model import Capital
from tradewar.policy import load_scenario_text
from tradewar.runs import run_scenario
from tradewar.runs.dynamic import (
    Dynamics,
    investment_rate,
    next_capacity,
    run_dynamic,
)
from tradewar.world.bundle import write_bundle
from tradewar.world.synthetic import synthetic_world

BAN = """\
title: A permanent ban
description: R002 stops exporting S001 to R000 for good
years: 2026-2028
measures:
  - name: ban
    type: export_control
    mode: ban
    imposer: R002
    target: R000
    sectors: [S001]
    years: 2026-
    assumption: test
"""

NOTHING = """\
title: Nothing
description: no measure in force
years: 2026-2028
measures: []
"""

PROGRAMME = """\
title: A programme
description: money into capacity of one sector of R000
years: 2026-2030
measures:
  - name: programme
    type: productivity
    region: R000
    sectors: [S000]
    funding:
      amount: 200
      unit: USD million
      spent: 2026-2026
      rate_of_return: 0.2
      financing:
        by: budget
        normal_return: 0.05
        depreciation: 0.1
        investment_goods: {S001: 1.0}
        assumption: test rates
    years: 2026-
    assumption: test programme
    extreme: true  # 43 % of the region's GDP, deliberately large so capacity visibly grows
"""


@pytest.fixture(scope="module")
def world():
    return synthetic_world(3, 2, seed=4)


@pytest.fixture(scope="module")
def capital(world):
    return Capital.uniform(world, 0.5, sources=["test"]).with_substitution(0.5)


def test_no_shock_no_change(world, capital) -> None:
    run = run_dynamic(load_scenario_text(NOTHING, name="nothing"), world, capital=capital)
    np.testing.assert_allclose(run.regions["welfare_pct"], 0.0, atol=1e-7)
    np.testing.assert_allclose(run.capacity["capacity_hat"], 1.0, atol=1e-9)
    np.testing.assert_allclose(run.capacity["return_q"], 1.0, atol=1e-8)
    assert run.long_run_regions is not None
    np.testing.assert_allclose(run.long_run_regions["welfare_pct"], 0.0, atol=1e-7)


@settings(max_examples=60, deadline=None)
@given(
    K=st.lists(st.floats(1e-6, 10.0), min_size=1, max_size=6),
    q=st.lists(st.floats(0.0, 50.0), min_size=6, max_size=6),
    depreciation=st.floats(0.0, 0.99),
    sensitivity=st.floats(0.0, 10.0),
)
def test_capacity_never_negative(K, q, depreciation, sensitivity) -> None:
    """Irreversible investment: K' >= (1 - δ) K > 0 whatever the return."""
    k = np.asarray(K)
    rate = investment_rate(np.asarray(q[: len(K)]), depreciation, sensitivity)
    assert (rate >= 0).all()
    nxt = next_capacity(k, rate * k, depreciation)
    assert (nxt >= (1 - depreciation) * k - 1e-15).all() and (nxt > 0).all()


def test_capacity_stays_positive_under_a_ban(world, capital) -> None:
    run = run_dynamic(load_scenario_text(BAN, name="ban"), world, capital=capital)
    assert (run.capacity["capacity_hat"] > 0).all()
    assert (run.capacity["investment_rate"] >= 0).all()


def test_path_converges_to_the_long_run_equilibrium(world, capital) -> None:
    """A permanent ban: after enough years capacity and welfare reach the long-run steady state."""
    fast = Dynamics(q_sensitivity=0.8, depreciation=0.15, elasticity_horizon=2)
    run = run_dynamic(
        load_scenario_text(BAN, name="ban"),
        world,
        years="2026-2055",
        capital=capital,
        dynamics=fast,
        chokepoints=[],
    )
    assert run.long_run_regions is not None and run.long_run_sectors is not None
    last = run.capacity[run.capacity["year"] == 2055]
    np.testing.assert_allclose(
        last["capacity_hat"].to_numpy(), run.long_run_sectors["capacity_hat"].to_numpy(), rtol=2e-3
    )
    np.testing.assert_allclose(last["return_q"], 1.0, atol=2e-3)
    w_last = run.regions[run.regions["year"] == 2055]["welfare_pct"].to_numpy()
    np.testing.assert_allclose(w_last, run.long_run_regions["welfare_pct"].to_numpy(), atol=2e-3)
    # and the first year is not the long run: capacity had to move
    first = run.capacity[run.capacity["year"] == 2026]
    assert (
        np.abs(first["capacity_hat"].to_numpy() - run.long_run_sectors["capacity_hat"].to_numpy()).max()
        > 0.01
    )


def test_short_run_elasticities_rise_to_long_run() -> None:
    d = Dynamics()
    assert d.elasticity_factor(0) == pytest.approx(0.43)
    assert d.elasticity_factor(d.elasticity_horizon) == 1.0
    assert d.elasticity_factor(3 * d.elasticity_horizon) == 1.0
    steps = [d.elasticity_factor(t) for t in range(d.elasticity_horizon + 1)]
    assert all(b > a for a, b in itertools.pairwise(steps))


def test_short_run_supply_is_less_elastic_than_long_run(world, capital) -> None:
    """The exporter that replaces the banned supplier expands more in the long run."""
    run = run_dynamic(load_scenario_text(BAN, name="ban"), world, capital=capital)
    sec = run.sectors[(run.sectors["sector"] == "S001") & (run.sectors["region"] == "R001")]
    lr = run.long_run_sectors
    assert lr is not None
    long = float(lr[(lr["sector"] == "S001") & (lr["region"] == "R001")]["output_change_pct"].iloc[0])
    first = float(sec[sec["year"] == 2026]["output_change_pct"].iloc[0])
    assert 0 < first < long


def test_programme_money_builds_capacity_after_the_gestation_lag(world, capital) -> None:
    """Greenfield lag 2 years (other sectors): nothing before 2028, capacity from then on."""
    run = run_dynamic(load_scenario_text(PROGRAMME, name="prog"), world, capital=capital)
    cell = run.capacity[(run.capacity["region"] == "R000") & (run.capacity["sector"] == "S000")]
    built = cell.set_index("year")["programme_capacity_hat"]
    assert built[2026] == 0.0 and built[2027] == 0.0
    # 200 spent in 2026 at a user cost of 0.15 on capital worth β VA / 0.15
    va = float(world.value_added.sel(region="R000", sector="S000"))
    assert built[2028] == pytest.approx(200.0 / (0.5 * va / 0.15), rel=1e-9)
    assert built[2029] == pytest.approx(0.9 * built[2028], rel=1e-9)  # depreciating once installed
    assert run.capacity["capacity_hat"].max() > 1.1


def test_dynamic_runs_through_run_scenario_and_refuses_gaps(world, capital) -> None:
    sc = load_scenario_text(BAN, name="ban")
    static = run_scenario(sc, world, dynamics=False)
    assert not static.is_dynamic
    with pytest.raises(ScenarioError, match="consecutive years"):
        run_dynamic(sc, world, years="2026,2028", capital=capital)


def test_scenario_key_dynamics(world) -> None:
    text = BAN + textwrap.dedent(
        """\
        dynamics:
          short_run_elasticity_ratio: 0.5
          assumption: test value
        """
    )
    sc = load_scenario_text(text, name="ban-dyn")
    assert sc.dynamics is not None and sc.dynamics.short_run_elasticity_ratio == 0.5
    assert Dynamics.from_setting(sc.dynamics).short_run_elasticity_ratio == 0.5
    run = run_scenario(sc, world)  # the key makes it dynamic
    assert run.is_dynamic and run.capacity is not None
    with pytest.raises(ScenarioError, match="need a `source` or an `assumption`"):
        load_scenario_text(BAN + "dynamics:\n  depreciation: 0.2\n", name="uncited")
    with pytest.raises(ScenarioError, match="need a `source` or an `assumption`"):
        load_scenario_text(BAN + "dynamics:\n  capacity_rent: exporter\n", name="uncited-rent")
    spot = load_scenario_text(
        BAN + "dynamics:\n  capacity_rent: exporter\n  max_expansion: 0.2\n  assumption: spot sales\n",
        name="spot",
    )
    dyn = Dynamics.from_setting(spot.dynamics)
    assert dyn.capacity_rent == "exporter" and dyn.max_expansion == 0.2
    assert dyn.sources[-1] == "scenario: spot sales"


def test_cli_dynamics(tmp_path: Path, world) -> None:
    write_bundle(world, tmp_path / "world")
    (tmp_path / "ban.yaml").write_text(BAN)
    out = tmp_path / "out"
    args = ["run", str(tmp_path / "ban.yaml"), "--world", str(tmp_path / "world"), "--out", str(out)]
    res = CliRunner().invoke(app, [*args, "--dynamics"])
    assert res.exit_code == 0, res.output
    for name in ("capacity.csv", "long_run_regions.csv", "long_run_sectors.csv"):
        assert (out / name).is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert "long-run steady state" in summary["scenarios"][0]["dynamics"]["horizon"]
    assert "Short run and long run" in (out / "report.html").read_text()
    res = CliRunner().invoke(app, [*args, "--dynamics", "--decompose", "measure"])
    assert res.exit_code != 0 and "--static" in res.output


def test_learning_is_off_by_default_and_acts_with_a_lag(world, capital) -> None:
    """External scale economies Â_t = Q̂_{t-1}^ψ: nothing in the first year, then output moves."""
    sc = load_scenario_text(BAN, name="ban")
    plain = run_dynamic(sc, world, capital=capital, long_run=False)
    learn = run_dynamic(
        sc, world, capital=capital, long_run=False, dynamics=Dynamics(learning=True, scale_sectors=("S001",))
    )
    a, b = plain.sectors, learn.sectors
    first = a["year"] == 2026
    np.testing.assert_allclose(a.loc[first, "output_after"], b.loc[first, "output_after"], rtol=1e-9)
    later = (a["year"] == 2028) & (a["sector"] == "S001")
    assert (
        np.abs(a.loc[later, "output_after"].to_numpy() - b.loc[later, "output_after"].to_numpy()).max() > 1e-6
    )
    assert plain.dynamics is not None and plain.dynamics["learning"] is False
