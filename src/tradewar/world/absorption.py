r"""Domestic use (absorption) and self-sufficiency of a trade array: the one formula.

At basic prices (net of tariffs), with deliveries T[i, p, n] (product ``p`` made in ``i``
used in ``n``, domestic deliveries included) and gross output x[n, p]:

* domestic use (absorption)  U[n, p] = Σ_i T[i, p, n]
* own supply                 D[n, p] = T[n, p, n]
* self-sufficiency           ss[n, p] = x[n, p] / U[n, p]   (≥ 0; 1 in a closed economy)

Where an industry buys much of its own product (a chip designer buys the wafers a foundry
makes, both in the chip sector), x and U count that product twice: once as the input and
again inside the buyer's output. Net of these intra-industry deliveries
W[i, p, n] = Z[i, p, n, p] (product ``p`` from ``i`` to industry ``p`` in ``n``), every unit is
counted once, at its sale to a user outside the industry (the "sectoral output" of Gollop 1979):

* net self-sufficiency       ss_net[n, p] = (x[n, p] - Σ_m W[n, p, m]) / (U[n, p] - Σ_i W[i, p, n])

The numerators sum to the denominators over regions (world sales to users outside the
industry), as x and U do.

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


def net_self_sufficiency(trade: np.ndarray, output: np.ndarray, within: np.ndarray) -> np.ndarray:
    """ss_net of the module docstring: self-sufficiency net of intra-industry deliveries.

    Parameters
    ----------
    trade
        T[origin, product, region], shape (R, S, R).
    output
        x[region, product], shape (R, S) or flat (R*S,) region-major.
    within
        W[origin, product, region] = Z[origin, product, region, sector=product], shape
        (R, S, R): deliveries of each product to the industry that makes it; same unit.

    Returns
    -------
    numpy.ndarray
        ss_net[region, product], a ratio (NaN or ``inf`` as for :func:`absorption`).

    """
    R, S, _ = trade.shape
    sold = within.sum(axis=2)  # [n, p]: n's sales to the industry in every region
    bought = within.sum(axis=0).T  # [n, p]: the industry in n buying its own product
    return ratio(np.reshape(output, (R, S)) - sold, absorption(trade, output).use - bought)
