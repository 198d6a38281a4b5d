"""Retaliation scenarios: tit-for-tat and optimal retaliation to a given tariff.

* :func:`reciprocal_retaliation`: ``target`` answers ``imposer``'s tariff increase on its
  goods with the same increase (product by product) on ``imposer``'s goods.
* :func:`optimal_retaliation`: ``target``'s best response, restricted to its tariffs on
  ``imposer``'s goods, to the tariffs ``imposer`` has put in force.

Both return the welfare of every region before, after the first move, and after the
retaliation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tradewar.strategy._protocol import FloatArray, Instrument, TariffGameModel, region_index
from tradewar.strategy.optimal import optimal_tariff


@dataclass(frozen=True)
class RetaliationOutcome:
    """Welfare along ``start -> first move -> retaliation``.

    Attributes
    ----------
    regions, imposer, target: who moves.
    tariff_first, tariff_retaliation: tariffs after each move.
    welfare_start, welfare_first, welfare_retaliation: ``Ŵ`` of every region.
    """

    regions: tuple[str, ...]
    imposer: str
    target: str
    kind: str
    tariff_first: FloatArray
    tariff_retaliation: FloatArray
    welfare_start: FloatArray
    welfare_first: FloatArray
    welfare_retaliation: FloatArray

    def to_frame(self) -> pd.DataFrame:
        """Welfare changes (percent, relative to the start) by region."""
        return pd.DataFrame(
            {
                "region": list(self.regions),
                "after_first_move_pct": 100.0 * (self.welfare_first / self.welfare_start - 1.0),
                "after_retaliation_pct": 100.0 * (self.welfare_retaliation / self.welfare_start - 1.0),
            }
        )


def _first_move(
    model: TariffGameModel, imposer: str, target: str, increase: float | FloatArray, start: FloatArray | None
) -> tuple[FloatArray, FloatArray, int, int]:
    i, j = region_index(model, target), region_index(model, imposer)
    t0 = model.baseline_tariff if start is None else np.array(start, dtype=float, copy=True)
    inc = np.broadcast_to(np.asarray(increase, dtype=float), (len(model.products),))
    t1 = t0.copy()
    t1[i, j, :] = t0[i, j, :] + inc
    return t0, t1, i, j


def reciprocal_retaliation(
    model: TariffGameModel,
    imposer: str,
    target: str,
    increase: float | FloatArray,
    *,
    start: FloatArray | None = None,
) -> RetaliationOutcome:
    """``imposer`` raises its tariffs on ``target`` by ``increase``; ``target`` mirrors it.

    ``increase`` is a fraction (0.25 = 25 percentage points), scalar or per product.
    """
    t0, t1, i, j = _first_move(model, imposer, target, increase, start)
    t2 = t1.copy()
    t2[j, i, :] = t1[j, i, :] + (t1[i, j, :] - t0[i, j, :])
    return RetaliationOutcome(
        regions=tuple(model.regions),
        imposer=imposer,
        target=target,
        kind="reciprocal",
        tariff_first=t1,
        tariff_retaliation=t2,
        welfare_start=model.welfare(t0),
        welfare_first=model.welfare(t1),
        welfare_retaliation=model.welfare(t2),
    )


def optimal_retaliation(
    model: TariffGameModel,
    imposer: str,
    target: str,
    increase: float | FloatArray,
    *,
    instrument: Instrument | str = Instrument.SECTOR,
    start: FloatArray | None = None,
    lower: float = 0.0,
    upper: float = 10.0,
) -> RetaliationOutcome:
    """``target``'s optimal tariffs on ``imposer``'s goods after ``imposer``'s increase.

    ``instrument`` is ``uniform`` (one rate) or ``sector`` (one per product); either way
    only ``target``'s tariffs on ``imposer`` change.
    """
    t0, t1, _, _ = _first_move(model, imposer, target, increase, start)
    br = optimal_tariff(
        model, target, instrument=instrument, tariff=t1, targets=[imposer], lower=lower, upper=upper
    )
    return RetaliationOutcome(
        regions=tuple(model.regions),
        imposer=imposer,
        target=target,
        kind="optimal",
        tariff_first=t1,
        tariff_retaliation=br.tariff,
        welfare_start=model.welfare(t0),
        welfare_first=model.welfare(t1),
        welfare_retaliation=br.welfare,
    )
