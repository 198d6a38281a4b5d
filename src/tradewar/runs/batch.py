"""Solve batches of parameter points year by year: the unit of work of draws and sweeps.

A :class:`PointModel` holds everything a worker needs, built once and shipped once (Dask
scatters it; a process pool receives it in its initializer): the engine's Baseline (the
World's levels, without the World object), the affine policy map of the scenario
(:mod:`tradewar.runs.policy_map`), the parameters, and the central equilibrium of every
year. :func:`solve_batch` solves the points of one batch in order and keeps, per point
and year, only the numbers the outputs need:

* by region: ``welfare_pct``, ``real_wage_pct``, ``terms_of_trade_pct``,
  ``volume_of_trade_pct``, ``tot_plus_vot_pct`` (as in ``regions.csv``);
* by region and sector: ``output_change_pct`` (real) and ``price_change_pct``.

**Warm starts.** Each point starts from the nearest point already solved in the batch,
or from the central run if that is nearer (distance in the parameters scaled to their
supports): its first year from that neighbour's first-year equilibrium, each later year
from the neighbour's equilibrium of that year shifted by the change this point showed in
the year before (:func:`shifted_start`, a first-order predictor). Batches are a
deterministic function of the points and the batch size, never of the executor or the
number of workers, so a seed gives the same numbers to the last bit on one process or on
a cluster.

**Failures.** A point whose equilibrium is not found in some year (a
:class:`~tradewar.errors.ConvergenceError` or another engine error) is kept with
``converged = False``, its message and NaN outcomes for that year; the callers count and
list such points, never drop them silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from tradewar.errors import TradewarError
from tradewar.model import Baseline, Equilibrium, Shock, Technology, solve
from tradewar.runs.parameters import ALL_SECTORS, Parameter
from tradewar.runs.policy_map import PolicyMap

#: Outcomes kept by region (the columns of regions.csv).
REGION_OUTCOMES = (
    "welfare_pct",
    "real_wage_pct",
    "terms_of_trade_pct",
    "volume_of_trade_pct",
    "tot_plus_vot_pct",
)
#: Outcomes kept by region and sector (columns of sectors.csv).
SECTOR_OUTCOMES = ("output_change_pct", "price_change_pct")


@dataclass(frozen=True)
class PointModel:
    """What a worker needs to solve any point; see the module docstring.

    Attributes
    ----------
    baseline: the engine's baseline at the central parameters (no World attached).
    policy: the scenario's policy map; params: every parameter of a point (theta and
        the scenario's), in the order of a point's values.
    central: the central equilibrium of each year (warm starts).
    deficits: the deficit rule; with ``zero`` each point first re-solves the baseline
        with zero deficits under its own parameters (Caliendo-Parro's procedure).
    central_zero: with ``zero``, the central re-solved baseline's equilibrium.
    tol, max_iter: solver settings.
    """

    baseline: Baseline
    policy: PolicyMap
    params: tuple[Parameter, ...]
    central: tuple[Equilibrium, ...]
    deficits: str
    tol: float
    max_iter: int
    central_zero: Equilibrium | None = None

    @property
    def years(self) -> tuple[int, ...]:
        """The years of a run."""
        return self.policy.years

    def scaled(self, values: np.ndarray) -> np.ndarray:
        """Points scaled to their supports (0..1 per uncertain parameter) for distances."""
        lo = np.array([p.low for p in self.params])
        span = np.array([p.high - p.low for p in self.params])
        span = np.where(span > 0, span, 1.0)
        return (np.asarray(values, dtype=float) - lo) / span

    def setup(self, values: np.ndarray) -> tuple[Baseline, list[Shock], Technology | None]:
        """The baseline, shocks of each year and technology at a point (before any solve)."""
        theta = np.array(self.baseline.theta)
        scen_values = []
        scale = 1.0
        for p, x in zip(self.params, values, strict=True):
            if p.kind == "theta" and p.target == ALL_SECTORS:
                scale = float(x)
            elif p.kind == "theta":
                theta[p.target] = x
            else:
                scen_values.append(float(x))
        theta = theta * scale
        base = replace(self.baseline, theta=theta) if self.baseline.theta.tolist() != theta.tolist() else None
        shocks, tech = self.policy.at(scen_values)
        return (base or self.baseline), shocks, tech


@dataclass(frozen=True)
class BatchResult:
    """Outcomes of the points of one batch (arrays over ``[point, year, ...]``).

    ``region[k, y, o, n]`` for :data:`REGION_OUTCOMES` ``o``; ``sector[k, y, o, n, j]``
    for :data:`SECTOR_OUTCOMES`; ``converged``, ``iterations`` and ``residual`` per point
    and year; ``messages[k]``: why a point failed ("" if it did not).
    """

    ids: np.ndarray
    region: np.ndarray
    sector: np.ndarray
    converged: np.ndarray
    iterations: np.ndarray
    residual: np.ndarray
    messages: tuple[str, ...]


def outcomes(e: Equilibrium) -> tuple[np.ndarray, np.ndarray]:
    """``(region [5, N], sector [2, N, J])`` outcomes of one equilibrium, in percent.

    The same formulas as :attr:`~tradewar.model.Equilibrium.regions` and ``.sectors``
    (and the 0 % the runner writes for sectors without output), without the tables.
    """
    tot, vot = e.decomposition()
    welfare = 100.0 * (e.welfare_hat - 1.0)
    real_wage = 100.0 * (e.w_hat / e.price_index_hat - 1.0)
    region = np.stack([welfare, real_wage, 100.0 * tot, 100.0 * vot, 100.0 * (tot + vot)])
    y0 = e.baseline.output
    price = np.exp(e.log_c)  # ĉ / Â
    with np.errstate(invalid="ignore", divide="ignore"):
        nominal = np.where(y0 > 0, e.Y / np.where(y0 > 0, y0, 1.0), 1.0)
    real = np.where(y0 > 0, 100.0 * (nominal / price - 1.0), 0.0)
    return region, np.stack([real, 100.0 * (price - 1.0)])


def shifted_start(near: Equilibrium, near_prev: Equilibrium, mine_prev: Equilibrium) -> Equilibrium:
    """``near`` moved by ``mine_prev - near_prev`` in log wages, log prices and relative absorption.

    A start for this year's equilibrium of a point, from a neighbour's equilibrium of the
    same year (``near``) and the gap between the point and the neighbour the year before.
    Only the iteration's starting values are taken from it (:func:`tradewar.model.solve`).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(near_prev.X > 0, mine_prev.X / np.where(near_prev.X > 0, near_prev.X, 1.0), 1.0)
    return replace(
        near,
        w_hat=near.w_hat * mine_prev.w_hat / near_prev.w_hat,
        log_P=near.log_P + (mine_prev.log_P - near_prev.log_P),
        X=near.X * rel,
    )


def _zero_baseline(model: PointModel, base: Baseline, tech: Technology | None) -> Baseline:
    start = model.central_zero
    eq0 = solve(
        base,
        Shock.none(base).with_deficits("zero"),
        tol=model.tol,
        max_iter=model.max_iter,
        technology=tech,
        initial=start if start is not None and start.baseline.shape == base.shape else None,
    )
    return eq0.as_baseline()


def solve_batch(model: PointModel, ids: Sequence[int] | np.ndarray, values: np.ndarray) -> BatchResult:
    """Solve the points ``values[k]`` (ids ``ids[k]``) of one batch, every year; see the module docstring."""
    values = np.atleast_2d(np.asarray(values, dtype=float))
    K, Y = len(values), len(model.years)
    N, J = model.baseline.shape
    region = np.full((K, Y, len(REGION_OUTCOMES), N), np.nan)
    sector = np.full((K, Y, len(SECTOR_OUTCOMES), N, J), np.nan)
    converged = np.zeros((K, Y), dtype=bool)
    iterations = np.zeros((K, Y), dtype=np.int64)
    residual = np.full((K, Y), np.nan)
    messages = [""] * K
    scaled = model.scaled(values)
    centre = model.scaled(np.array([p.central for p in model.params]))
    solved: list[tuple[np.ndarray, list[Equilibrium]]] = []
    for k in range(K):
        # warm start: the nearest solved point of this batch, or the central solution
        start: list[Equilibrium] = list(model.central)
        best = float(np.sum((scaled[k] - centre) ** 2))
        for z, eqs in solved:
            d = float(np.sum((scaled[k] - z) ** 2))
            if d < best:
                best, start = d, eqs
        try:
            base, shocks, tech = model.setup(values[k])
            if model.deficits == "zero":
                base = _zero_baseline(model, base, tech)
        except TradewarError as err:
            messages[k] = f"setup: {err}"
            continue
        eqs = []
        for y, shock in enumerate(shocks):
            initial = start[y] if y == 0 else shifted_start(start[y], start[y - 1], eqs[y - 1])
            try:
                e = solve(
                    base,
                    shock,
                    tol=model.tol,
                    max_iter=model.max_iter,
                    technology=tech,
                    initial=initial,
                    raise_on_failure=False,
                )
            except TradewarError as err:
                messages[k] = messages[k] or f"{model.years[y]}: {err}"
                break
            iterations[k, y] = e.solver.iterations
            residual[k, y] = e.solver.residual
            if not e.solver.converged:
                messages[k] = messages[k] or (
                    f"{model.years[y]}: no equilibrium (residual {e.solver.residual:.2e} after "
                    f"{e.solver.iterations} iterations)"
                )
                break
            r, s = outcomes(e)
            if not (np.isfinite(r).all() and np.isfinite(s).all()):
                messages[k] = messages[k] or f"{model.years[y]}: NaN or infinite outcomes"
                break
            converged[k, y] = True
            region[k, y], sector[k, y] = r, s
            eqs.append(e)
        if len(eqs) == Y:
            solved.append((scaled[k], eqs))
    return BatchResult(
        ids=np.asarray(ids, dtype=np.int64),
        region=region,
        sector=sector,
        converged=converged,
        iterations=iterations,
        residual=residual,
        messages=tuple(messages),
    )
