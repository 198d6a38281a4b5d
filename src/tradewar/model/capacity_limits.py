r"""Short-run capacity limits on gross output, as quantity constraints of the engine.

With sector-specific capital (:mod:`tradewar.model.capital`) installed capacity limits
*value added*; with a nested-CES technology (σ > 0 between value added and materials) a
producer can still raise *gross output* by using more materials per unit of capacity, so
rare-earth output outside China would rise 40-110 % in the first year of a Chinese ban.
A mine, a separation plant or a magnet line cannot: its output is limited by its
nameplate capacity. A capacity limit caps the real gross output of region ``i``'s sector
``j`` at

.. math:: Q'_{ij} \le (1 + u_j)\, \hat K_{ij}\, Q_{ij}

with ``u_j`` the sector's spare capacity at the baseline (utilisation ``1/(1+u_j)``) and
``K̂_ij`` its capacity relative to the baseline (which investment raises along a dynamic
path). It is a pooled quota (:class:`~tradewar.model.shock.Quota`) on all sales of the
cell, domestic ones included, whose quantity is real output (sales net of the wedge,
deflated by the producer price change): the engine gives it an endogenous wedge
``ω_ij ≥ 0`` with the complementarity conditions of :mod:`tradewar.model.quotas`, the
shadow price of capacity.

Who keeps the scarcity rent ``ω/(1+ω)`` of the capped sales is the ``rent`` rule:

``"importer"`` (default)
    the buyers: the capped producers sell at their producer price and the scarcity value
    stays with the buyers that are allocated supply, as under the long-term offtake
    contracts at index-linked prices on which most rare-earth and critical-mineral supply
    outside China is sold (the rationing of a shortage by contract, not by auction);
``"exporter"``
    the producers (spot auctions): the rent is income of the producing region.

Either way the capped producer's sales are net of the rent (:mod:`tradewar.model.quotas`),
so its rental of capacity does not contain it; the dynamic path adds the rent to the
return on capacity once, as the shadow value of capacity
(:func:`tradewar.runs.dynamic.return_on_capacity`).

The cells a scenario's own quota or ban governs are left to it (a scenario quota on a
region's exports of a sector replaces that cell's capacity limit).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from tradewar.errors import ModelError
from tradewar.model.baseline import Baseline, FloatArray
from tradewar.model.shock import Quota, RentRule

#: Spare capacity ``u`` of the capacity-limited sectors at the baseline (fraction of
#: output), with the source.
CAPACITY_SLACK: dict[str, tuple[float, str]] = {
    "REE": (
        0.15,
        "Federal Reserve Board, Industrial Production and Capacity Utilization (G.17): US "
        "mining utilisation about 87 % on average (1972-2023), so output can rise about 15 % "
        "(100/87 - 1) on installed capacity; separation and magnet plants are taken alike",
    ),
    "CRM": (
        0.15,
        "Federal Reserve Board, G.17: mining utilisation about 87 % on average (1972-2023), "
        "primary metals about 80 %; 15 % taken for mines and refineries",
    ),
}


def capacity_limits(
    base: Baseline,
    capacity: FloatArray,
    slack: Mapping[str, float],
    *,
    rent: RentRule = "importer",
    governed: Sequence[Quota] = (),
) -> tuple[Quota, ...]:
    """One pooled quota per producing cell of the capacity-limited sectors.

    Parameters
    ----------
    base: the baseline (gross output ``Q_ij`` and labels).
    capacity: ``K̂[i, j]``, capacity relative to the baseline (baseline order).
    slack: spare capacity ``u_j`` by sector code (fraction of baseline output); sectors
        not in the baseline are ignored.
    rent: who keeps the scarcity rent (module docstring).
    governed: the scenario's own quotas; a producing cell any of them covers gets no limit.

    Returns
    -------
    tuple[Quota, ...]
        Quotas to put *before* the scenario's (later quotas replace earlier ones).

    Raises
    ------
    ModelError
        Negative slack, non-positive capacity or an unknown rent rule.
    """
    N, J = base.shape
    K = np.asarray(capacity, dtype=float)
    if K.shape != (N, J) or not np.isfinite(K).all() or (K <= 0).any():
        raise ModelError(
            "capacity must be finite, positive and [region, sector]",
            field="capacity",
            expected=f"shape {(N, J)}, K̂ > 0",
        )
    if rent not in ("importer", "exporter"):
        raise ModelError(
            f"unknown capacity rent rule {rent!r}", field="capacity_rent", expected="importer | exporter"
        )
    taken = np.zeros((N, J), dtype=bool)  # [origin, sector] cells a scenario quota covers
    for q in governed:
        taken |= np.asarray(q.mask).any(axis=1)
    sectors = list(base.sectors)
    out: list[Quota] = []
    for code, u in slack.items():
        if code not in sectors:
            continue
        if not np.isfinite(u) or u < 0:
            raise ModelError(f"spare capacity of {code} must be >= 0, not {u!r}", field="capacity_slack")
        j = sectors.index(code)
        for i in np.flatnonzero((base.output[:, j] > 0) & ~taken[:, j]):
            mask = np.zeros((N, N, J), dtype=bool)
            mask[i, :, j] = True
            out.append(
                Quota(
                    mask=mask,
                    limit=float((1.0 + u) * K[i, j]),
                    unit="fraction",
                    rent=rent,
                    pooled=True,
                    label=f"capacity {base.regions[i]} {code}",
                )
            )
    return tuple(out)


def capacity_rent(wedge: FloatArray, X: FloatArray, pi: FloatArray, tau: FloatArray) -> FloatArray:
    r"""Scarcity rent of capacity ``[i, j]``: :math:`\sum_n M'_{nij}\, \omega_{nij}/(1+\omega_{nij})`.

    ``wedge`` ω ``[n, i, j]`` of the capacity limits only (zeros elsewhere), flows
    ``M' = π'/τ' X'``; in the World's value unit.
    """
    M = pi / tau * X[:, None, :]
    return np.asarray((M * wedge / (1.0 + wedge)).sum(axis=0))
