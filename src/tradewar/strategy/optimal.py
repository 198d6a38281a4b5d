"""Unilateral optimal tariffs (best responses).

Government ``j`` chooses its instrument vector ``x`` (see :class:`Instrument`) to maximise
its welfare given everyone else's tariffs::

    x*_j = argmax_{lower <= x <= upper}  log Ŵ_j(t(x; t_-j))

With exact gradients (implicit-function theorem through the equilibrium) the problem is
solved by L-BFGS-B with bounds; without them, a single instrument uses a bounded Brent
search and several use Powell's bounded derivative-free method (slow; documented as the
fallback for engines without gradients).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from tradewar.errors import ConvergenceError, ModelError
from tradewar.strategy._protocol import FloatArray, Instrument, InstrumentMap, TariffGameModel

#: Accept an optimiser stop (e.g. a line-search failure at a flat optimum) when the
#: projected gradient of welfare in percent per unit tariff is below this.
STATIONARITY_TOL = 1e-5

#: Objective scale: log-welfare in percent, so gradients are O(1e-2..1) for L-BFGS-B.
_SCALE = 100.0


@dataclass(frozen=True)
class OptimalTariff:
    """A government's optimal (best-response) tariffs.

    Attributes
    ----------
    player, instrument: who chose and over what policy space.
    labels, values: instrument labels and the optimal values (fractions, 0.5 = 50 %).
    tariff: the full tariff array ``t[origin, region, product]`` after the change.
    welfare: ``Ŵ`` of every region at ``tariff`` (1 = model baseline).
    welfare_before: ``Ŵ`` at the tariffs the player faced before re-optimising.
    converged, iterations, evaluations, seconds, message: optimiser report.
    """

    player: str
    instrument: Instrument
    regions: tuple[str, ...]
    labels: tuple[str, ...]
    values: FloatArray
    tariff: FloatArray
    welfare: FloatArray
    welfare_before: FloatArray
    converged: bool
    iterations: int
    evaluations: int
    seconds: float
    message: str

    @property
    def gain_pct(self) -> float:
        """The player's welfare gain from re-optimising, percent."""
        j = self.regions.index(self.player)
        return float(100.0 * (self.welfare[j] / self.welfare_before[j] - 1.0))

    def to_frame(self) -> pd.DataFrame:
        """Instrument values as a table (``tariff_pct`` in percent)."""
        return pd.DataFrame(
            {
                "player": self.player,
                "instrument": str(self.instrument),
                "item": list(self.labels),
                "tariff_pct": 100.0 * self.values,
            }
        )


def _bounds_array(v: float | FloatArray, size: int, name: str) -> FloatArray:
    arr = np.broadcast_to(np.asarray(v, dtype=float), (size,)).astype(float)
    if np.any(arr <= -1):
        raise ModelError(f"{name} tariffs must exceed -1 (a 100 % subsidy)", field=name)
    return arr


def _precondition(model: TariffGameModel, maps: list[InstrumentMap], tariff: FloatArray) -> FloatArray:
    """Diagonal variable scaling ``z = d x``, ``d = sqrt(import share)`` floored at 1e-3.

    Welfare curvature in a tariff is roughly proportional to the imports it covers, so
    tariffs on tiny flows are nearly flat directions that stall L-BFGS-B; the scaling
    equalises them. Models expose baseline imports as ``import_values[i, j, s]``;
    without it no scaling is applied.
    """
    iv = getattr(model, "import_values", None)
    if iv is None:
        return np.ones(sum(m.size for m in maps))
    parts = []
    for m in maps:
        v = np.asarray(iv)[m.origin_idx, m.player_idx, m.product_idx]
        share = np.bincount(m.slot, weights=v, minlength=m.size) / max(float(v.sum()), 1e-300)
        parts.append(np.sqrt(np.maximum(share / max(float(share.max()), 1e-300), 1e-3)))
    return np.concatenate(parts)


def maximize_log_welfare(
    model: TariffGameModel,
    maps: list[InstrumentMap],
    tariff: FloatArray,
    weights: FloatArray,
    *,
    lower: float | FloatArray,
    upper: float | FloatArray,
    x0: FloatArray,
    transform: object | None = None,
    maxiter: int = 3000,
) -> tuple[FloatArray, FloatArray, optimize.OptimizeResult]:
    """Maximise ``Σ_j weights[j] log Ŵ_j`` (or ``transform`` of ``log Ŵ``) over stacked instruments.

    ``transform``, if given, is a callable ``logW -> (value, dvalue/dlogW)`` replacing the
    weighted sum (used for Nash bargaining). Returns ``(x, tariff, scipy result)``.
    """
    sizes = [m.size for m in maps]
    splits = np.cumsum(sizes)[:-1]
    n_x = int(sum(sizes))
    lo = _bounds_array(lower, n_x, "lower")
    hi = _bounds_array(upper, n_x, "upper")
    if np.any(lo > hi):
        raise ModelError("lower bound above upper bound")
    x0 = np.clip(np.asarray(x0, dtype=float), lo, hi)
    w = np.asarray(weights, dtype=float)

    def build(x: FloatArray) -> FloatArray:
        t = tariff
        for m, part in zip(maps, np.split(x, splits), strict=True):
            t = m.apply(part, t)
        return t

    if model.has_gradient:
        d = _precondition(model, maps, tariff)

        def fun(z: FloatArray) -> tuple[float, FloatArray]:
            val, gx = value_and_grad(z / d)
            return -_SCALE * val, -_SCALE * gx / d

        def value_and_grad(x: FloatArray) -> tuple[float, FloatArray]:
            t = build(x)
            if transform is None:
                W, g = model.welfare_and_gradient(t, w[None, :])
                val = float(w @ np.log(W))
                gfull = g[0]
            else:
                W, gall = model.welfare_and_gradient(t, np.eye(len(w)))
                val, dval = transform(np.log(W))  # type: ignore[operator]
                gfull = np.tensordot(dval, gall, axes=1)
            return val, np.concatenate([m.pullback(gfull) for m in maps])

        nit = nfev = 0
        z0 = x0 * d
        for _attempt in range(2):  # restart once with fresh curvature memory after a line-search stop
            res = optimize.minimize(
                fun,
                z0,
                jac=True,
                method="L-BFGS-B",
                bounds=list(zip(lo * d, hi * d, strict=True)),
                options={"maxiter": maxiter, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 30},
            )
            nit, nfev = nit + int(res.nit), nfev + int(res.nfev)
            x_end = np.clip(res.x / d, lo, hi)
            _, gx = value_and_grad(x_end)
            pg = float(np.max(np.abs(np.clip(x_end + _SCALE * gx, lo, hi) - x_end)))
            if res.success or pg < STATIONARITY_TOL or res.nit >= maxiter:
                break
            z0 = res.x
        res.x, res.nit, res.nfev, res.projected_gradient = x_end, nit, nfev, pg
    else:

        def f0(x: FloatArray) -> float:
            lw = np.log(model.welfare(build(np.atleast_1d(x))))
            val = float(w @ lw) if transform is None else float(transform(lw)[0])  # type: ignore[operator]
            return -_SCALE * val

        if n_x == 1:
            r = optimize.minimize_scalar(
                lambda z: f0(np.array([z])),
                bounds=(lo[0], hi[0]),
                method="bounded",
                options={"xatol": 1e-7, "maxiter": 500},
            )
            res = optimize.OptimizeResult(
                x=np.array([r.x]),
                fun=r.fun,
                success=bool(r.success),
                nit=int(r.nfev),
                nfev=int(r.nfev),
                message=str(r.message),
            )
        else:
            res = optimize.minimize(
                f0,
                x0,
                method="Powell",
                bounds=list(zip(lo, hi, strict=True)),
                options={"xtol": 1e-7, "ftol": 1e-12, "maxiter": maxiter},
            )
        res.projected_gradient = float("nan")
    x = np.asarray(res.x, dtype=float)
    return x, build(x), res


def optimal_tariff(
    model: TariffGameModel,
    player: str,
    *,
    instrument: Instrument | str = Instrument.BILATERAL,
    tariff: FloatArray | None = None,
    targets: list[str] | tuple[str, ...] | None = None,
    lower: float | FloatArray = 0.0,
    upper: float | FloatArray = 10.0,
    x0: FloatArray | None = None,
    raise_on_failure: bool = True,
) -> OptimalTariff:
    """Optimal tariffs of ``player`` given the other tariffs in ``tariff``.

    Parameters
    ----------
    model:
        A :class:`TariffGameModel` (e.g. :class:`tradewar.model.ossa.OssaModel`).
    player:
        The importing region that chooses.
    instrument:
        ``uniform``, ``sector`` (MFN by product), ``partner`` or ``bilateral`` (by
        partner and product).
    tariff:
        Tariffs in force (default: the model baseline); the player's own covered
        entries are the starting point unless ``x0`` is given.
    targets:
        Partner regions covered (default: all others); other entries stay as they are.
    lower, upper:
        Bounds on each instrument value (fractions; Ossa uses 0 and 10).
    x0:
        Starting instrument vector.
    raise_on_failure:
        Raise :class:`ConvergenceError` if the optimiser reports failure.
    """
    t_in = model.baseline_tariff if tariff is None else np.asarray(tariff, dtype=float)
    imap = InstrumentMap.build(model, player, instrument, targets)
    start = imap.extract(t_in) if x0 is None else np.asarray(x0, dtype=float)
    n = len(model.regions)
    w = np.zeros(n)
    w[imap.player_idx] = 1.0
    t_start = time.perf_counter()
    before = model.welfare(t_in)
    x, t_out, res = maximize_log_welfare(model, [imap], t_in, w, lower=lower, upper=upper, x0=start)
    welfare = model.welfare(t_out)
    seconds = time.perf_counter() - t_start
    ok = bool(res.success) or res.projected_gradient < STATIONARITY_TOL
    if not ok and raise_on_failure:
        raise ConvergenceError(
            f"optimal tariff of {player} ({imap.instrument}) failed: {res.message}",
            residual=float(res.projected_gradient),
            iterations=int(res.nit),
            tolerance=STATIONARITY_TOL,
        )
    return OptimalTariff(
        player=player,
        instrument=imap.instrument,
        regions=tuple(model.regions),
        labels=imap.labels,
        values=x,
        tariff=t_out,
        welfare=welfare,
        welfare_before=before,
        converged=ok,
        iterations=int(res.nit),
        evaluations=int(res.nfev),
        seconds=seconds,
        message=str(res.message),
    )
