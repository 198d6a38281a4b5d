"""Nash equilibria of tariff games (the trade war) by best-response iteration.

Each round every player re-optimises its instrument given the others' current tariffs
(:func:`tradewar.strategy.optimal.optimal_tariff`): simultaneously (``jacobi``, as Ossa
2014 does) or one after another with the newest tariffs (``gauss-seidel``, usually about
twice as fast). Iteration stops when no tariff moves by more than ``tol`` (max-norm, in
fractions) in a round. It fails loudly: :class:`ConvergenceError` when ``max_iter``
rounds pass, or when the step sizes stop shrinking over ``cycle_window`` rounds (a cycle
or divergence), with the history attached to the message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tradewar.errors import ConvergenceError
from tradewar.strategy._protocol import FloatArray, Instrument, InstrumentMap, TariffGameModel
from tradewar.strategy.optimal import optimal_tariff


@dataclass(frozen=True)
class NashEquilibrium:
    """A Nash equilibrium in tariffs.

    Attributes
    ----------
    regions, players, instrument: the game.
    tariff: equilibrium tariffs ``t[origin, region, product]``.
    welfare: ``Ŵ`` of every region at the equilibrium (1 = model baseline).
    start_welfare: ``Ŵ`` at the starting tariffs.
    history: max-norm tariff change per round.
    iterations, seconds, converged: solver report.
    """

    regions: tuple[str, ...]
    players: tuple[str, ...]
    instrument: Instrument
    tariff: FloatArray
    welfare: FloatArray
    start_welfare: FloatArray
    history: tuple[float, ...]
    iterations: int
    seconds: float
    converged: bool = True
    best_response_seconds: dict[str, float] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Per-region summary: welfare change and the median tariff the region levies."""
        rows = []
        for j, r in enumerate(self.regions):
            levied = np.delete(self.tariff[:, j, :], j, axis=0)
            rows.append(
                {
                    "region": r,
                    "player": r in self.players,
                    "welfare_change_pct": 100.0 * (self.welfare[j] - 1.0),
                    "median_tariff_pct": 100.0 * float(np.median(levied)),
                    "mean_tariff_pct": 100.0 * float(np.mean(levied)),
                }
            )
        return pd.DataFrame(rows)


def nash_equilibrium(
    model: TariffGameModel,
    players: list[str] | tuple[str, ...] | None = None,
    *,
    instrument: Instrument | str = Instrument.BILATERAL,
    start: FloatArray | None = None,
    lower: float = 0.0,
    upper: float = 10.0,
    tol: float = 1e-4,
    max_iter: int = 50,
    scheme: str = "gauss-seidel",
    cycle_window: int = 8,
    callback: object | None = None,
) -> NashEquilibrium:
    """Iterate best responses to a Nash equilibrium.

    Parameters
    ----------
    model:
        A :class:`TariffGameModel`.
    players:
        Regions that choose tariffs (default: all); the others keep ``start``'s tariffs.
    instrument:
        The players' policy space (see :class:`Instrument`).
    start:
        Starting tariffs (default: the model baseline).
    lower, upper:
        Bounds on every tariff (fractions).
    tol:
        Convergence: max absolute tariff change in a round.
    max_iter:
        Maximum number of rounds.
    scheme:
        ``"gauss-seidel"`` or ``"jacobi"``.
    cycle_window:
        Declare a cycle when the smallest step of the last ``cycle_window`` rounds is no
        smaller than the smallest step before them.
    callback:
        Called as ``callback(round, step, tariff)`` after every round (progress display).
    """
    if scheme not in ("gauss-seidel", "jacobi"):
        raise ValueError(f"scheme must be 'gauss-seidel' or 'jacobi', got {scheme!r}")
    pl = tuple(model.regions) if players is None else tuple(players)
    maps = {p: InstrumentMap.build(model, p, instrument) for p in pl}
    t = model.baseline_tariff if start is None else np.array(start, dtype=float, copy=True)
    clock = time.perf_counter()
    start_welfare = model.welfare(t)
    history: list[float] = []
    br_seconds = dict.fromkeys(pl, 0.0)
    x_guess = {p: np.clip(maps[p].extract(t), lower, upper) for p in pl}
    for it in range(1, max_iter + 1):
        t_old = t.copy()
        t_new = t.copy()
        for p in pl:
            src = t_new if scheme == "gauss-seidel" else t_old
            br = optimal_tariff(
                model, p, instrument=instrument, tariff=src, lower=lower, upper=upper, x0=x_guess[p]
            )
            br_seconds[p] += br.seconds
            x_guess[p] = br.values
            t_new = maps[p].apply(br.values, t_new)
        t = t_new
        step = float(np.max(np.abs(t - t_old)))
        history.append(step)
        if callback is not None:
            callback(it, step, t)  # type: ignore[operator]
        if step <= tol:
            return NashEquilibrium(
                regions=tuple(model.regions),
                players=pl,
                instrument=Instrument(instrument),
                tariff=t,
                welfare=model.welfare(t),
                start_welfare=start_welfare,
                history=tuple(history),
                iterations=it,
                seconds=time.perf_counter() - clock,
                best_response_seconds=br_seconds,
            )
        if len(history) > 2 * cycle_window and min(history[-cycle_window:]) >= min(history[:-cycle_window]):
            raise ConvergenceError(
                f"best responses cycle or diverge (steps of the last {cycle_window} rounds: "
                f"{', '.join(f'{h:.2e}' for h in history[-cycle_window:])})",
                residual=step,
                iterations=it,
                tolerance=tol,
            )
    raise ConvergenceError(
        "best-response iteration did not reach a Nash equilibrium",
        residual=history[-1],
        iterations=max_iter,
        tolerance=tol,
    )


def deviation_gains(
    model: TariffGameModel,
    tariff: FloatArray,
    player: str,
    *,
    instrument: Instrument | str = Instrument.UNIFORM,
    deltas: FloatArray | None = None,
) -> pd.DataFrame:
    """Welfare change of ``player`` from unilateral deviations on a grid (Nash check).

    Each deviation adds ``delta`` to every instrument value of one kind (``uniform``: all
    of the player's tariffs at once; ``sector``: one product at a time; ``partner``: one
    partner at a time), truncated at zero. Returns one row per deviation with the
    player's welfare change in percent relative to ``tariff``.
    """
    imap = InstrumentMap.build(model, player, instrument)
    d = np.array([-0.1, -0.02, 0.02, 0.1]) if deltas is None else np.asarray(deltas, dtype=float)
    j = imap.player_idx
    base = model.welfare(tariff)[j]
    # Deviate from the actual entries (not the instrument means) one slot at a time.
    rows = []
    for k, label in enumerate(imap.labels):
        mask = imap.slot == k
        for delta in d:
            t = np.array(tariff, dtype=float, copy=True)
            o, p = imap.origin_idx[mask], imap.product_idx[mask]
            t[o, j, p] = np.maximum(t[o, j, p] + delta, 0.0)
            rows.append(
                {
                    "player": player,
                    "item": label,
                    "delta": float(delta),
                    "welfare_change_pct": 100.0 * (model.welfare(t)[j] / base - 1.0),
                }
            )
    return pd.DataFrame(rows)
