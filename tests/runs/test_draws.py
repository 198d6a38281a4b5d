"""Draws and sweeps: the affine policy map, reproducibility on every executor, failures, outputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tradewar.errors import ConvergenceError, ModelError, ScenarioError
from tradewar.model import solve
from tradewar.runs import parse_grid, run_draws, run_scenario, run_sweep
from tradewar.runs.draws import neighbour_order, sample_unit
from tradewar.runs.parameters import draw_parameters
from tradewar.runs.policy_map import _arrays, _evaluate, build_policy_map


def test_policy_map_equals_a_full_translation_at_random_points(uncertain_scenario, draw_world) -> None:
    params = draw_parameters(uncertain_scenario, draw_world, theta=False)
    years = (2026, 2027, 2028)
    pmap = build_policy_map(uncertain_scenario, draw_world, years, "data", params)
    rng = np.random.default_rng(0)
    from tradewar.runs.parameters import with_values

    for _ in range(3):
        x = [float(p.ppf(rng.uniform(size=1))[0]) for p in params]
        want = _arrays(*_evaluate(with_values(uncertain_scenario, params, x), draw_world, years, "data"))
        got = pmap.arrays(x)
        for field in ("tariff", "trade_cost", "productivity", "sigma"):
            np.testing.assert_allclose(getattr(got, field), getattr(want, field), rtol=1e-12, atol=1e-12)
        shocks, tech = pmap.at(x)
        assert tech is not None and float(tech.sigma.values.max()) == pytest.approx(x[-1])
        np.testing.assert_allclose(shocks[2].tariff.values, want.tariff[2], atol=1e-12)


def test_policy_map_refuses_a_scenario_that_is_not_affine(
    uncertain_scenario, draw_world, monkeypatch
) -> None:
    params = draw_parameters(uncertain_scenario, draw_world, theta=False)
    import tradewar.runs.policy_map as pm

    real = pm._evaluate
    calls = {"n": 0}

    def bent(sc, world, years, deficits):  # a translation whose 3rd call is off the line
        calls["n"] += 1
        shocks, tech = real(sc, world, years, deficits)
        if calls["n"] == len(params) + 2:
            shocks = [s.set_tariff(s.tariff * 1.01) for s in shocks]
        return shocks, tech

    monkeypatch.setattr(pm, "_evaluate", bent)
    with pytest.raises(ModelError, match="disagrees with a full translation"):
        build_policy_map(uncertain_scenario, draw_world, (2026, 2027, 2028), "data", params)


def test_samples_are_reproducible_and_fill_the_cube() -> None:
    a, b = sample_unit(50, 4, seed=7), sample_unit(50, 4, seed=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, sample_unit(50, 4, seed=8))
    # Latin hypercube: one point in each of the 50 strata of every dimension
    for k in range(4):
        assert sorted(np.floor(a[:, k] * 50).astype(int)) == list(range(50))
    s = sample_unit(16, 3, seed=1, sampler="sobol")
    assert s.shape == (16, 3) and ((s > 0) & (s < 1)).all()
    order = neighbour_order(a)
    assert sorted(order) == list(range(50))


@pytest.mark.parametrize("deficits", ["data", "zero"])
def test_central_point_of_a_sweep_equals_the_single_run(uncertain_scenario, draw_world, deficits) -> None:
    """A sweep point at the values as written reproduces run_scenario (to the draw tolerance).

    With ``zero`` deficits every point re-solves its own zero-deficit baseline first, as the
    single run does.
    """
    grids = ["tariff-r0.magnitude=20,30", "retaliation.magnitude=0,10"]
    sw = run_sweep(uncertain_scenario, grids, draw_world, deficits=deficits)
    assert sw.n_points == 4 and not sw.failures
    single = run_scenario(uncertain_scenario, draw_world, deficits=deficits)
    t = sw.table[(sw.table["tariff-r0.magnitude"] == 20) & (sw.table["retaliation.magnitude"] == 10)]
    merged = t.merge(single.regions, on=["region", "year"], suffixes=("", "_single"))
    assert len(merged) == 3 * 4
    np.testing.assert_allclose(merged["welfare_pct"], merged["welfare_pct_single"], atol=1e-5)
    # a higher tariff-r0 moves R000's welfare (the sweep is not constant)
    last = sw.table[(sw.table["year"] == 2028) & (sw.table["region"] == "R001")]
    assert last["welfare_pct"].nunique() == 4


def test_theta_scale_sweeps_every_theta_at_once(uncertain_scenario, draw_world) -> None:
    """theta.scale = 1 is the run as written; doubling theta is the same as doubling each one."""
    from dataclasses import replace

    sw = run_sweep(uncertain_scenario, ["theta.scale=1,2"], draw_world, years="2026")
    data = draw_world.data.copy()
    data["theta"] = draw_world.theta * 2.0
    doubled = replace(draw_world, data=data)
    single = run_scenario(uncertain_scenario, doubled, "2026").regions.set_index("region")["welfare_pct"]
    two = sw.table[sw.table["theta.scale"] == 2.0].set_index("region")["welfare_pct"]
    np.testing.assert_allclose(two.loc[single.index], single, atol=1e-5)
    one = sw.table[sw.table["theta.scale"] == 1.0]["welfare_pct"].to_numpy()
    assert not np.allclose(one, two.to_numpy())


def test_grids_read_both_forms_and_reject_the_rest() -> None:
    g = parse_grid("us-chip-controls.magnitude=0:100:11")
    assert g.name == "us-chip-controls.magnitude" and g.values[1] == 10.0 and len(g.values) == 11
    assert parse_grid("sigma=0.2,0.5").values == (0.2, 0.5)
    for bad in ("sigma", "sigma=0:1", "sigma=a:b:3", "sigma=0:1:0", "=1,2"):
        with pytest.raises(ScenarioError, match="grid"):
            parse_grid(bad)


def test_sweep_checks_values_before_solving(uncertain_scenario, draw_world) -> None:
    with pytest.raises(ScenarioError, match="cannot be negative"):
        run_sweep(uncertain_scenario, ["licence-r1.magnitude=-5:5:3"], draw_world)
    with pytest.raises(ScenarioError, match="two grids"):
        run_sweep(uncertain_scenario, ["sigma=0.5,0.6", "sigma=0.7,0.8"], draw_world)


@pytest.fixture(scope="module")
def local_draws(uncertain_scenario, draw_world):
    return run_draws(uncertain_scenario, draw_world, draws=24, seed=11, batch_size=5)


def test_draws_add_percentiles_and_keep_every_draw(local_draws, draw_world) -> None:
    dr = local_draws
    reg = dr.run.regions
    for col in ("welfare_pct_p5", "welfare_pct_p50", "welfare_pct_p95", "welfare_pct_mean"):
        assert reg[col].notna().all()
    assert (reg["welfare_pct_p5"] <= reg["welfare_pct_p50"]).all()
    assert (reg["welfare_pct_p50"] <= reg["welfare_pct_p95"]).all()
    assert "output_change_pct_p95" in dr.run.sectors.columns
    assert len(dr.draws) == 24 * 3 * 4 and dr.draws["converged"].all()
    assert sorted(dr.draws["draw"].unique()) == list(range(24))
    n_params = len(dr.parameters)
    assert sum(c.startswith("param:") for c in dr.draws.columns) == n_params
    # the percentiles are those of the draws table
    last = dr.draws[(dr.draws["year"] == 2028) & (dr.draws["region"] == "R000")]["welfare_pct"]
    row = reg[(reg["year"] == 2028) & (reg["region"] == "R000")].iloc[0]
    assert row["welfare_pct_p95"] == pytest.approx(float(np.percentile(last, 95)))
    rho = dr.rank_correlations()
    assert list(rho.columns) == list(draw_world.regions) and np.abs(rho.to_numpy()).max() <= 1.0
    # R000's tariff on goods from R001 hurts R001 the more, the higher it is drawn
    assert rho.loc["tariff-r0.magnitude", "R001"] < -0.5


def test_same_seed_same_numbers_on_processes_and_dask(local_draws, uncertain_scenario, draw_world) -> None:
    pytest.importorskip("distributed")
    for executor, workers in (("processes", 2), ("dask", 1)):
        other = run_draws(
            uncertain_scenario,
            draw_world,
            draws=24,
            seed=11,
            batch_size=5,
            executor=executor,
            workers=workers,
        )
        pd.testing.assert_frame_equal(other.draws, local_draws.draws)  # bit for bit
        pd.testing.assert_frame_equal(other.run.regions, local_draws.run.regions)


def test_a_killed_worker_loses_no_draws(local_draws, uncertain_scenario, draw_world) -> None:
    """Kill one of two Dask worker processes after the first batch; every draw still comes back."""
    distributed = pytest.importorskip("distributed")
    import os
    import signal

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = client.run(os.getpid)
        killed: list[int] = []

        def kill_one(done: int, total: int) -> None:
            if not killed:
                pid = sorted(pids.values())[0]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        dr = run_draws(
            uncertain_scenario,
            draw_world,
            draws=24,
            seed=11,
            batch_size=5,
            executor="dask",
            scheduler=cluster.scheduler_address,
            progress=kill_one,
        )
        assert killed and killed[0] not in client.run(os.getpid).values()  # it did die
    pd.testing.assert_frame_equal(dr.draws, local_draws.draws)


def test_failed_draws_are_counted_and_listed_never_dropped(
    uncertain_scenario, draw_world, monkeypatch
) -> None:
    import tradewar.runs.batch as batch

    def picky(base, shock, **kw):  # no equilibrium when theta of S000 is drawn high
        if base.theta[0] > 4.6:
            kw["max_iter"] = 1
        return solve(base, shock, **kw)

    monkeypatch.setattr(batch, "solve", picky)
    dr = run_draws(uncertain_scenario, draw_world, draws=20, seed=3)
    theta0 = dr.values[:, 0]
    failed = sorted(int(i) for i in np.flatnonzero(theta0 > 4.6))
    assert 0 < len(failed) < 20
    assert dr.n_failed == len(failed) and sorted(f["draw"] for f in dr.failures) == failed
    assert all("no equilibrium" in f["message"] and "theta.S000" in f["values"] for f in dr.failures)
    assert dr.summary()["failed"] == len(failed)
    bad = dr.draws[dr.draws["draw"].isin(failed)]
    assert not bad["converged"].any() and len(bad) == len(failed) * 3 * 4  # kept, flagged
    ok = dr.draws[dr.draws["converged"] & (dr.draws["year"] == 2028) & (dr.draws["region"] == "R000")]
    row = dr.run.regions[(dr.run.regions["year"] == 2028) & (dr.run.regions["region"] == "R000")].iloc[0]
    assert len(ok) == 20 - len(failed)
    assert row["welfare_pct_mean"] == pytest.approx(ok["welfare_pct"].mean())


def test_all_draws_failing_is_an_error(uncertain_scenario, draw_world) -> None:
    with pytest.raises(ConvergenceError, match="none of the 4 draws"):
        run_draws(uncertain_scenario, draw_world, draws=4, seed=0, max_iter=1)
