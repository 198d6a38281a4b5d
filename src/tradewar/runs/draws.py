"""Monte Carlo over uncertain parameters: ``tradewar run SCENARIO --draws N --seed S``.

1. The scenario runs once as written (:func:`~tradewar.runs.single.run_scenario`): the
   central run, whose tables the outputs keep.
2. Its uncertain parameters (:func:`~tradewar.runs.parameters.draw_parameters`: theta by
   sector, and every magnitude, return and elasticity with a ``range``) span a unit cube;
   ``N`` points are drawn in it by a scrambled Latin hypercube (default) or a scrambled
   Sobol sequence (:mod:`scipy.stats.qmc`, seeded by ``S``) and mapped to values by each
   parameter's inverse CDF (:meth:`~tradewar.runs.parameters.Parameter.ppf`).
3. The draws are ordered along a nearest-neighbour path (so that neighbours in a batch are
   close and warm-start each other), cut into batches of fixed size, and solved year by
   year on an executor (:mod:`tradewar.runs.executors`); see :mod:`tradewar.runs.batch`.
4. Per region and year (and region, sector and year) the outcomes over the converged
   draws give ``_p5``, ``_p50``, ``_p95`` and ``_mean`` columns next to the central ones.
   A draw that fails in any year is excluded from them, counted and listed
   (:attr:`DrawsRun.failures`), never dropped silently.

Draws follow the comparative-static path (each year against the same base year, as
``run_scenario(..., dynamics=False)``); the recursive-dynamic path
(:mod:`tradewar.runs.dynamic`) is not drawn. Draws are solved to ``tol = 1e-8`` by
default (the max-norm of the fixed point in log prices; welfare then agrees with a
``1e-10`` solve to about 1e-6 percentage points).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import qmc

from tradewar.errors import ConvergenceError, ScenarioError
from tradewar.model import Baseline, Equilibrium, Shock, solve
from tradewar.policy import Scenario, load_scenario
from tradewar.runs.batch import REGION_OUTCOMES, SECTOR_OUTCOMES, BatchResult, PointModel
from tradewar.runs.executors import BatchProgress, map_batches
from tradewar.runs.parameters import Parameter, draw_parameters
from tradewar.runs.policy_map import build_policy_map
from tradewar.runs.result import DEFAULT_SCENARIO, ScenarioRun
from tradewar.runs.single import run_scenario
from tradewar.world.world import World

Sampler = Literal["lhs", "sobol"]
#: Solver tolerance of the draws (see the module docstring).
DRAW_TOL = 1e-8
#: Draws per batch: fixed, so that results do not depend on the number of workers.
BATCH_SIZE = 25
#: Percentiles reported.
PERCENTILES = (5, 50, 95)


# ---------------------------------------------------------------------------------- sampling
def sample_unit(n: int, d: int, seed: int, sampler: str = "lhs") -> np.ndarray:
    """``n`` points in the open unit cube ``(0, 1)^d``: scrambled Latin hypercube or Sobol."""
    if n < 1:
        raise ScenarioError(f"{n} draws", field="draws", expected="at least 1")
    if d == 0:
        return np.full((n, 0), 0.5)
    if sampler == "lhs":
        engine: qmc.QMCEngine = qmc.LatinHypercube(d, seed=seed)
    elif sampler == "sobol":
        engine = qmc.Sobol(d, scramble=True, seed=seed)
    else:
        raise ScenarioError(f"unknown sampler {sampler!r}", field="sampler", expected="lhs | sobol")
    with warnings.catch_warnings():
        # Sobol's balance holds for powers of two; other n are still a valid design
        warnings.filterwarnings("ignore", message=".*balance properties.*", category=UserWarning)
        u = engine.random(n)
    # a scrambled point can sit exactly on 0; keep the inverse CDFs finite
    return np.clip(u, 1e-12, 1.0 - 1e-12)


def neighbour_order(z: np.ndarray) -> np.ndarray:
    """An order of the rows of ``z`` along a greedy nearest-neighbour path from the centre."""
    n = len(z)
    if n <= 2 or z.shape[1] == 0:
        return np.arange(n)
    left = np.ones(n, dtype=bool)
    cur = int(np.argmin(np.sum((z - 0.5) ** 2, axis=1)))
    order = [cur]
    left[cur] = False
    for _ in range(n - 1):
        d = np.sum((z - z[cur]) ** 2, axis=1)
        d[~left] = np.inf
        cur = int(np.argmin(d))
        order.append(cur)
        left[cur] = False
    return np.asarray(order)


def batches_of(ids: np.ndarray, values: np.ndarray, size: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Consecutive batches of at most ``size`` points."""
    return [(ids[k : k + size], values[k : k + size]) for k in range(0, len(ids), size)]


# ---------------------------------------------------------------------------------- the model
def build_point_model(
    scenario: Scenario,
    world: World,
    years: Sequence[int],
    deficits: str,
    params: Sequence[Parameter],
    *,
    tol: float = DRAW_TOL,
    max_iter: int = 2000,
    probe: Sequence[float] | None = None,
    check: Sequence[float] | None = None,
) -> PointModel:
    """The :class:`~tradewar.runs.batch.PointModel` of a scenario: policy map and central solutions."""
    scen = [p for p in params if p.kind != "theta"]
    pmap = build_policy_map(scenario, world, years, deficits, scen, probe=probe, check=check)
    base = replace(Baseline.from_world(world), world=None)
    shocks, tech = pmap.shocks, pmap.technology
    central_zero: Equilibrium | None = None
    solve_base = base
    central_iter = max(max_iter, 2000)  # the warm starts must exist even if draws get fewer passes
    if deficits == "zero":
        central_zero = solve(
            base, Shock.none(base).with_deficits("zero"), tol=tol, max_iter=central_iter, technology=tech
        )
        solve_base = central_zero.as_baseline()
    central = tuple(solve(solve_base, s, tol=tol, max_iter=central_iter, technology=tech) for s in shocks)
    return PointModel(
        baseline=base,
        policy=pmap,
        params=tuple(params),
        central=central,
        deficits=deficits,
        tol=tol,
        max_iter=max_iter,
        central_zero=central_zero,
    )


# ---------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class DrawsRun:
    """A scenario's central run with its Monte Carlo draws.

    Attributes
    ----------
    run: the central run; its ``regions`` and ``sectors`` carry ``<outcome>_p5``,
        ``_p50``, ``_p95`` and ``_mean`` columns over the converged draws.
    parameters: the parameters drawn; values: ``[draw, parameter]``.
    draws: one row per draw, year and region: ``draw``, ``year``, ``region``, the
        outcomes of :data:`~tradewar.runs.batch.REGION_OUTCOMES`, ``converged``, and the
        draw's parameter values as ``param:<name>`` columns.
    failures: one record per failed draw (id, year of failure, message, values).
    seed, sampler, executor, workers, batch_size, tol: how it ran; seconds: wall time
        of the draws (the central run excluded).
    """

    run: ScenarioRun
    parameters: tuple[Parameter, ...]
    values: np.ndarray
    draws: pd.DataFrame
    failures: tuple[dict[str, Any], ...]
    seed: int
    sampler: str
    executor: str
    workers: int | None
    batch_size: int
    tol: float
    seconds: float

    @property
    def n(self) -> int:
        """Number of draws."""
        return len(self.values)

    @property
    def n_failed(self) -> int:
        """Number of draws without an equilibrium in some year."""
        return len(self.failures)

    def summary(self) -> dict[str, Any]:
        """The ``draws`` record of ``summary.json``."""
        return {
            "draws": self.n,
            "converged": self.n - self.n_failed,
            "failed": self.n_failed,
            "failures": list(self.failures),
            "seed": self.seed,
            "sampler": self.sampler,
            "executor": self.executor,
            "workers": self.workers,
            "batch_size": self.batch_size,
            "tolerance": self.tol,
            "seconds": round(self.seconds, 3),
            "percentiles": list(PERCENTILES),
            "parameters": [p.to_dict() for p in self.parameters],
        }

    def rank_correlations(self, year: int | None = None, outcome: str = "welfare_pct") -> pd.DataFrame:
        """Spearman rank correlation of each parameter with ``outcome`` by region, in ``year``.

        Rows: parameters; columns: regions. Over the converged draws; 0 where an outcome or a
        parameter does not vary.
        """
        y = self.run.years[-1] if year is None else year
        d = self.draws[(self.draws["year"] == y) & self.draws["converged"]]
        wide = d.pivot(index="draw", columns="region", values=outcome)
        wide = wide[[r for r in self.run.world.regions if r in wide.columns]]
        params = pd.DataFrame(self.values, columns=[p.name for p in self.parameters]).loc[wide.index]
        rx = params.rank().to_numpy()
        ry = wide.rank().to_numpy()
        rx = rx - rx.mean(axis=0)
        ry = ry - ry.mean(axis=0)
        num = rx.T @ ry
        den = np.sqrt(np.outer((rx**2).sum(axis=0), (ry**2).sum(axis=0)))
        with np.errstate(invalid="ignore", divide="ignore"):
            rho = np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)
        return pd.DataFrame(rho, index=list(params.columns), columns=list(wide.columns))


def band_columns(values: np.ndarray, outcomes: Sequence[str], index: pd.MultiIndex) -> pd.DataFrame:
    """``<outcome>_p5, _p50, _p95, _mean`` over the draws (axis 0) of ``values[draw, year, outcome, ...]``.

    ``index`` labels the remaining cells (year, then the trailing axes, in C order);
    percentiles interpolate linearly (NumPy's default).
    """
    v = np.moveaxis(values, 2, -1)  # [draw, year, ..., outcome]
    stats = [*np.percentile(v, PERCENTILES, axis=0), v.mean(axis=0)]
    names = [*(f"p{q}" for q in PERCENTILES), "mean"]
    cols = {
        f"{o}_{n}": stat[..., k].reshape(-1)
        for k, o in enumerate(outcomes)
        for n, stat in zip(names, stats, strict=True)
    }
    return pd.DataFrame(cols, index=index).reset_index()


def _assemble(
    model: PointModel,
    results: list[BatchResult],
    values: np.ndarray,
    regions: Sequence[str],
) -> tuple[pd.DataFrame, tuple[np.ndarray, np.ndarray], list[dict[str, Any]]]:
    """(draws table by region, (region, sector) outcome arrays of the converged draws, failures)."""
    ids = np.concatenate([r.ids for r in results])
    order = np.argsort(ids, kind="stable")
    region = np.concatenate([r.region for r in results])[order]  # [draw, year, outcome, n]
    sector = np.concatenate([r.sector for r in results])[order]
    conv = np.concatenate([r.converged for r in results])[order]
    messages = [m for r in results for m in r.messages]
    messages = [messages[i] for i in order]
    ids = ids[order]
    D, Y, _, N = region.shape
    years = np.asarray(model.years)
    draws = pd.DataFrame(
        {
            "draw": np.repeat(ids, Y * N),
            "year": np.tile(np.repeat(years, N), D),
            "region": np.tile(np.asarray(regions, dtype=object), D * Y),
        }
    )
    for o, name in enumerate(REGION_OUTCOMES):
        draws[name] = region[:, :, o, :].reshape(-1)
    ok = conv.all(axis=1)
    draws["converged"] = np.repeat(ok, Y * N)
    for k, p in enumerate(model.params):
        draws[f"param:{p.name}"] = np.repeat(values[ids, k], Y * N)
    good = np.flatnonzero(ok)
    failures = []
    for i in np.flatnonzero(~ok):
        bad_years = [int(years[y]) for y in range(Y) if not conv[i, y]]
        failures.append(
            {
                "draw": int(ids[i]),
                "first_failed_year": bad_years[0] if bad_years else None,
                "message": messages[i],
                "values": {p.name: float(values[ids[i], k]) for k, p in enumerate(model.params)},
            }
        )
    return draws, (region[good], sector[good]), failures


def run_draws(
    scenario: str | Path | Scenario = DEFAULT_SCENARIO,
    world: str | World | None = None,
    years: Sequence[int] | str | None = None,
    *,
    draws: int = 100,
    seed: int = 0,
    sampler: str = "lhs",
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    batch_size: int = BATCH_SIZE,
    tol: float = DRAW_TOL,
    max_iter: int = 2000,
    theta: bool = True,
    data_dir: str | os.PathLike[str] | None = None,
    deficits: str | None = None,
    progress: BatchProgress | None = None,
    central: Callable[[str, int], None] | None = None,
) -> DrawsRun:
    """Run ``scenario`` as written, then ``draws`` draws of its uncertain parameters.

    Parameters
    ----------
    scenario, world, years, data_dir, deficits: as for :func:`~tradewar.runs.single.run_scenario`.
    draws: number of draws; seed: the sampler's seed (same seed, same numbers, on any
        executor and number of workers); sampler: ``lhs`` or ``sobol``.
    executor, workers, scheduler: see :func:`~tradewar.runs.executors.map_batches`.
    batch_size: draws per task (part of what fixes the results; keep it to reproduce).
    tol, max_iter: the solver settings of the draws.
    theta: draw the trade elasticities (default); False holds them at the World's values.
    progress: ``progress(done, total)`` after each batch; central: progress of the
        central run (``progress(label, done)``).

    Raises
    ------
    ScenarioError
        Invalid scenario or settings, or a scenario without uncertain parameters.
    ConvergenceError
        If the central run fails, or every draw does (failed draws are otherwise
        recorded, not raised).
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if batch_size < 1:
        raise ScenarioError(f"batch size {batch_size}", field="batch_size", expected="at least 1")
    run = run_scenario(
        sc, world, years, data_dir=data_dir, progress=central, deficits=deficits, dynamics=False
    )
    w = run.world
    params = draw_parameters(sc, w, theta=theta)
    if not params:
        raise ScenarioError(
            f"scenario {sc.name!r} has no uncertain parameter on this world",
            field="draws",
            fix="give measure magnitudes a `range` (docs/scenarios.md), or draw theta",
        )
    u = sample_unit(draws, len(params), seed, sampler)
    values = np.column_stack([p.ppf(u[:, k]) for k, p in enumerate(params)])
    t0 = time.perf_counter()
    model = build_point_model(sc, w, run.years, run.deficits, params, tol=tol, max_iter=max_iter)
    order = neighbour_order(model.scaled(values))
    batches = batches_of(order, values[order], batch_size)
    results = map_batches(
        model, batches, executor=executor, workers=workers, scheduler=scheduler, progress=progress
    )
    seconds = time.perf_counter() - t0
    table, (reg_ok, sec_ok), failures = _assemble(model, results, values, w.regions)
    if len(failures) == draws:
        raise ConvergenceError(
            f"none of the {draws} draws found an equilibrium (first: draw {failures[0]['draw']}, "
            f"{failures[0]['message']})",
            residual=float("inf"),
            iterations=max_iter,
            tolerance=tol,
        )
    yrs = list(run.years)
    rq = band_columns(
        reg_ok, REGION_OUTCOMES, pd.MultiIndex.from_product([yrs, w.regions], names=["year", "region"])
    )
    sq = band_columns(
        sec_ok,
        SECTOR_OUTCOMES,
        pd.MultiIndex.from_product([yrs, w.regions, w.sectors], names=["year", "region", "sector"]),
    )
    regions = run.regions.merge(rq, on=["region", "year"], how="left")
    sectors = run.sectors.merge(sq, on=["region", "sector", "year"], how="left")
    return DrawsRun(
        run=replace(run, regions=regions, sectors=sectors),
        parameters=tuple(params),
        values=values,
        draws=table,
        failures=tuple(failures),
        seed=seed,
        sampler=sampler,
        executor=executor,
        workers=workers,
        batch_size=batch_size,
        tol=tol,
        seconds=seconds,
    )
