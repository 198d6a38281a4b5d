"""Cooperative outcomes: efficient tariffs, Nash-bargaining deals, and who prefers what.

All three choose the tariffs of a set of ``players`` jointly (the others' stay fixed):

* :func:`efficient_tariffs` maximises ``Σ_j ω_j log Ŵ_j`` (a point on the Pareto frontier
  for weights ``ω``);
* :func:`equal_gains_tariffs` finds the efficient point at which every player gains the
  same proportion over a reference (Ossa 2014, Section VII: "cooperative tariffs" from
  the factual equilibrium), by adjusting ``ω``;
* :func:`nash_bargaining` maximises the Nash product ``Π_j (Ŵ_j - Ŵ_j^threat)`` over
  the threat point (usually the trade war): the "deal".

:func:`deal_report` tabulates which outcomes each player prefers to the status quo and to
the war.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from tradewar.errors import ConvergenceError, ModelError
from tradewar.strategy._protocol import FloatArray, Instrument, InstrumentMap, TariffGameModel
from tradewar.strategy.optimal import STATIONARITY_TOL, maximize_log_welfare


@dataclass(frozen=True)
class CooperativeOutcome:
    """Jointly chosen tariffs.

    Attributes
    ----------
    kind: ``"efficient"``, ``"equal-gains"`` or ``"nash-bargaining"``.
    regions, players, instrument: the agreement's scope.
    tariff: tariffs ``t[origin, region, product]``.
    welfare: ``Ŵ`` of every region (1 = model baseline).
    weights: welfare weights ``ω`` of the players (efficient / equal-gains).
    threat: threat-point welfare (Nash bargaining), else None.
    converged, iterations, seconds: solver report.
    """

    kind: str
    regions: tuple[str, ...]
    players: tuple[str, ...]
    instrument: Instrument
    tariff: FloatArray
    welfare: FloatArray
    weights: FloatArray
    threat: FloatArray | None
    converged: bool
    iterations: int
    seconds: float

    def to_frame(self) -> pd.DataFrame:
        """Per-region welfare change (percent) and median tariff levied."""
        rows = []
        for j, r in enumerate(self.regions):
            levied = np.delete(self.tariff[:, j, :], j, axis=0)
            row = {
                "region": r,
                "player": r in self.players,
                "welfare_change_pct": 100.0 * (self.welfare[j] - 1.0),
                "median_tariff_pct": 100.0 * float(np.median(levied)),
            }
            if self.threat is not None:
                row["gain_over_threat_pct"] = 100.0 * (self.welfare[j] / self.threat[j] - 1.0)
            rows.append(row)
        return pd.DataFrame(rows)


def _setup(
    model: TariffGameModel,
    players: list[str] | tuple[str, ...] | None,
    instrument: Instrument | str,
    start: FloatArray | None,
) -> tuple[tuple[str, ...], list[InstrumentMap], FloatArray, FloatArray]:
    pl = tuple(model.regions) if players is None else tuple(players)
    if len(pl) < 2:
        raise ModelError("a cooperative outcome needs at least two players", field="players")
    targets = list(pl)
    maps = [InstrumentMap.build(model, p, instrument, [q for q in targets if q != p]) for p in pl]
    t = model.baseline_tariff if start is None else np.array(start, dtype=float, copy=True)
    x0 = np.concatenate([m.extract(t) for m in maps])
    return pl, maps, t, x0


def _player_weights(model: TariffGameModel, players: tuple[str, ...], omega: FloatArray) -> FloatArray:
    w = np.zeros(len(model.regions))
    for p, o in zip(players, omega, strict=True):
        w[list(model.regions).index(p)] = o
    return w


def efficient_tariffs(
    model: TariffGameModel,
    players: list[str] | tuple[str, ...] | None = None,
    *,
    weights: FloatArray | None = None,
    instrument: Instrument | str = Instrument.BILATERAL,
    start: FloatArray | None = None,
    lower: float = 0.0,
    upper: float = 10.0,
) -> CooperativeOutcome:
    """Tariffs among ``players`` maximising ``Σ_j ω_j log Ŵ_j`` (default ``ω = 1``).

    Only the tariffs players levy on each other change; tariffs on and by outsiders stay
    at ``start`` (default: the baseline).
    """
    pl, maps, t, x0 = _setup(model, players, instrument, start)
    omega = np.ones(len(pl)) if weights is None else np.asarray(weights, dtype=float)
    clock = time.perf_counter()
    _, t_out, res = maximize_log_welfare(
        model, maps, t, _player_weights(model, pl, omega), lower=lower, upper=upper, x0=x0
    )
    ok = bool(res.success) or res.projected_gradient < STATIONARITY_TOL
    return CooperativeOutcome(
        kind="efficient",
        regions=tuple(model.regions),
        players=pl,
        instrument=Instrument(instrument),
        tariff=t_out,
        welfare=model.welfare(t_out),
        weights=omega,
        threat=None,
        converged=ok,
        iterations=int(res.nit),
        seconds=time.perf_counter() - clock,
    )


def equal_gains_tariffs(
    model: TariffGameModel,
    players: list[str] | tuple[str, ...] | None = None,
    *,
    reference: FloatArray | None = None,
    instrument: Instrument | str = Instrument.BILATERAL,
    start: FloatArray | None = None,
    lower: float = 0.0,
    upper: float = 10.0,
    tol: float = 1e-4,
    max_iter: int = 25,
) -> CooperativeOutcome:
    """Efficient tariffs giving every player the same proportional gain over ``reference``.

    ``reference`` is the players' welfare to improve on (default: the baseline, 1). The
    weights ``ω`` are updated multiplicatively, ``ω_j ← ω_j exp(-κ (g_j - ḡ))`` with
    ``g_j = log Ŵ_j - log ref_j``, until ``max g - min g <= tol``; each inner problem
    starts from the previous tariffs. If ``max_iter`` weight updates do not get there (a
    kinked frontier, e.g. with tariffs at their bounds), Ossa's own formulation ``max s``
    s.t. ``g_j = s`` is solved by SLSQP with exact constraint Jacobians from the last
    point. Raises :class:`ConvergenceError` if the gains still differ by more than ``tol``.
    """
    pl, maps, t, x0 = _setup(model, players, instrument, start)
    idx = [list(model.regions).index(p) for p in pl]
    ref = np.ones(len(model.regions)) if reference is None else np.asarray(reference, dtype=float)
    omega = np.ones(len(pl))
    kappa = 50.0
    clock = time.perf_counter()
    x = x0
    best_spread = np.inf
    t_out = t
    W = model.welfare(t)
    it = 0
    while it < max_iter:
        it += 1
        x, t_out, _ = maximize_log_welfare(
            model, maps, t, _player_weights(model, pl, omega), lower=lower, upper=upper, x0=x
        )
        W = model.welfare(t_out)
        g = np.log(W[idx]) - np.log(ref[idx])
        spread = float(g.max() - g.min())
        if spread <= tol:
            break
        if spread > best_spread:
            kappa *= 0.5
        elif spread > 0.3 * best_spread:
            kappa *= 1.5
        best_spread = min(best_spread, spread)
        omega = omega * np.exp(-kappa * (g - g.mean()))
        omega = omega / omega.mean()
    else:
        # Kinked frontier (bounds active) or slow progress: solve Ossa's own formulation,
        # max s subject to g_j = s for every player, by SLSQP from the last point.
        if not model.has_gradient:
            raise ConvergenceError(
                "equal-gains cooperative tariffs: gains did not equalise",
                residual=best_spread,
                iterations=max_iter,
                tolerance=tol,
            )
        x, t_out = _equal_gains_slsqp(model, maps, t, idx, ref, lower, upper, x)
        W = model.welfare(t_out)
        g = np.log(W[idx]) - np.log(ref[idx])
        spread = float(g.max() - g.min())
        if spread > tol:
            raise ConvergenceError(
                "equal-gains cooperative tariffs: gains did not equalise (weights, then SLSQP)",
                residual=spread,
                iterations=max_iter,
                tolerance=tol,
            )
    return CooperativeOutcome(
        kind="equal-gains",
        regions=tuple(model.regions),
        players=pl,
        instrument=Instrument(instrument),
        tariff=t_out,
        welfare=W,
        weights=omega,
        threat=None,
        converged=True,
        iterations=it,
        seconds=time.perf_counter() - clock,
    )


def _equal_gains_slsqp(
    model: TariffGameModel,
    maps: list[InstrumentMap],
    t: FloatArray,
    idx: list[int],
    ref: FloatArray,
    lower: float,
    upper: float,
    x0: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """``max s`` s.t. ``100 (log Ŵ_j - log ref_j) = 100 s`` (Ossa's formulation), exact Jacobians."""
    sizes = [m.size for m in maps]
    splits = np.cumsum(sizes)[:-1]
    n = len(model.regions)
    cache: dict[bytes, tuple[FloatArray, FloatArray]] = {}

    def build(x: FloatArray) -> FloatArray:
        out = t
        for m, part in zip(maps, np.split(x, splits), strict=True):
            out = m.apply(part, out)
        return out

    def evaluate(z: FloatArray) -> tuple[FloatArray, FloatArray]:
        key = z.tobytes()
        if key not in cache:
            cache.clear()
            W, gall = model.welfare_and_gradient(build(z[:-1]), np.eye(n)[idx])
            jac = np.concatenate([m.pullback(gall) for m in maps], axis=1)
            cache[key] = (100.0 * (np.log(W[idx]) - np.log(ref[idx])), 100.0 * jac)
        return cache[key]

    def cons(z: FloatArray) -> FloatArray:
        return evaluate(z)[0] - 100.0 * z[-1]

    def cons_jac(z: FloatArray) -> FloatArray:
        jac = evaluate(z)[1]
        return np.hstack([jac, np.full((len(idx), 1), -100.0)])

    g0 = evaluate(np.append(x0, 0.0))[0] / 100.0
    z0 = np.append(x0, float(g0.min()))
    nx = len(x0)
    res = optimize.minimize(
        lambda z: -100.0 * z[-1],
        z0,
        jac=lambda z: np.append(np.zeros(nx), -100.0),
        method="SLSQP",
        bounds=[(lower, upper)] * nx + [(None, None)],
        constraints=[{"type": "eq", "fun": cons, "jac": cons_jac}],
        options={"maxiter": 500, "ftol": 1e-12},
    )
    x = np.clip(res.x[:-1], lower, upper)
    return x, build(x)


def _nash_product(threat: FloatArray, idx: list[int], n: int, eps: float = 1e-6) -> object:
    """``logW -> (Σ_j log(W_j - T_j), gradient)`` with a concave C1 extension below ``eps``."""

    def f(logW: FloatArray) -> tuple[float, FloatArray]:
        W = np.exp(logW)
        val = 0.0
        grad = np.zeros(n)
        for j in idx:
            d = W[j] - threat[j]
            if d > eps:
                val += np.log(d)
                dd = 1.0 / d
            else:  # log(eps) + (d-eps)/eps - (d-eps)^2/(2 eps^2)
                z = d - eps
                val += np.log(eps) + z / eps - z * z / (2 * eps * eps)
                dd = 1.0 / eps - z / (eps * eps)
            grad[j] = dd * W[j]
        return val, grad

    return f


def nash_bargaining(
    model: TariffGameModel,
    threat: FloatArray,
    players: list[str] | tuple[str, ...] | None = None,
    *,
    instrument: Instrument | str = Instrument.BILATERAL,
    start: FloatArray | None = None,
    lower: float = 0.0,
    upper: float = 10.0,
) -> CooperativeOutcome:
    """The Nash-bargaining deal: maximise ``Π_j (Ŵ_j - threat_j)`` over the players' tariffs.

    ``threat`` is every region's welfare at the threat point (e.g. ``NashEquilibrium.welfare``).
    The start (default: the baseline tariffs) should leave every player above its threat
    point; below it a concave quadratic extension of ``log`` keeps the objective smooth.
    """
    pl, maps, t, x0 = _setup(model, players, instrument, start)
    thr = np.asarray(threat, dtype=float)
    idx = [list(model.regions).index(p) for p in pl]
    clock = time.perf_counter()
    _, t_out, res = maximize_log_welfare(
        model,
        maps,
        t,
        np.zeros(len(model.regions)),
        lower=lower,
        upper=upper,
        x0=x0,
        transform=_nash_product(thr, idx, len(model.regions)),
    )
    W = model.welfare(t_out)
    ok = (bool(res.success) or res.projected_gradient < STATIONARITY_TOL) and bool(np.all(W[idx] > thr[idx]))
    return CooperativeOutcome(
        kind="nash-bargaining",
        regions=tuple(model.regions),
        players=pl,
        instrument=Instrument(instrument),
        tariff=t_out,
        welfare=W,
        weights=np.ones(len(pl)),
        threat=thr,
        converged=ok,
        iterations=int(res.nit),
        seconds=time.perf_counter() - clock,
    )


def deal_report(
    model: TariffGameModel,
    outcomes: Mapping[str, FloatArray],
    *,
    status_quo: FloatArray,
    war: FloatArray,
    players: list[str] | tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Which outcomes each player prefers to the status quo and to the war.

    ``outcomes`` maps a name to tariffs; ``status_quo`` and ``war`` are tariffs too.
    One row per (outcome, player) with welfare changes in percent and the flags
    ``prefers_to_status_quo``, ``prefers_to_war`` and ``all_prefer`` (every player
    prefers the outcome to both).
    """
    pl = tuple(model.regions) if players is None else tuple(players)
    w_sq = model.welfare(status_quo)
    w_war = model.welfare(war)
    rows = []
    for name, tariff in outcomes.items():
        W = model.welfare(tariff)
        for p in pl:
            j = list(model.regions).index(p)
            rows.append(
                {
                    "outcome": name,
                    "player": p,
                    "welfare_vs_status_quo_pct": 100.0 * (W[j] / w_sq[j] - 1.0),
                    "welfare_vs_war_pct": 100.0 * (W[j] / w_war[j] - 1.0),
                    "prefers_to_status_quo": bool(W[j] > w_sq[j]),
                    "prefers_to_war": bool(W[j] > w_war[j]),
                }
            )
    df = pd.DataFrame(rows)
    both = df["prefers_to_status_quo"] & df["prefers_to_war"]
    df["all_prefer"] = both.groupby(df["outcome"]).transform("all")
    return df
