r"""Domestic use (absorption) and self-sufficiency of a trade array: the one formula.

At basic prices (net of tariffs), with deliveries T[i, p, n] (product ``p`` made in ``i``
used in ``n``, domestic deliveries included) and gross output x[n, p]:

* domestic use (absorption)  U[n, p] = Σ_i T[i, p, n]
* own supply                 D[n, p] = T[n, p, n]
* self-sufficiency           ss[n, p] = x[n, p] / U[n, p]   (≥ 0; 1 in a closed economy)

``ss`` is NaN where the region neither makes nor uses the product and ``inf`` where it
makes a product it does not use. This module sits in the world layer so that both the
calibration report (:mod:`tradewar.world.calibration`) and the analytics
(:mod:`tradewar.analysis.dependence`) use the same formula without the world importing
upward.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Absorption(NamedTuple):
    """Use, own supply and self-sufficiency, each with axes (region, product)."""

    use: np.ndarray
    own: np.ndarray
    self_sufficiency: np.ndarray


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` as floats, NaN for 0/0 and ``inf`` for x/0 (no warnings)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(num / den, dtype=float)


def absorption(trade: np.ndarray, output: np.ndarray) -> Absorption:
    """U, D and ss of the module docstring.

    Parameters
    ----------
    trade
        T[origin, product, region], shape (R, S, R), in any value unit.
    output
        x[region, product], shape (R, S) or flat (R*S,) region-major, in the unit of ``trade``.

    Returns
    -------
    Absorption
        ``use`` and ``own`` in the unit of ``trade``; ``self_sufficiency`` a ratio.

    """
    R, S, _ = trade.shape
    use = trade.sum(axis=0).T
    own = trade[np.arange(R), :, np.arange(R)]
    return Absorption(use=use, own=own, self_sufficiency=ratio(np.reshape(output, (R, S)), use))
