r"""Quantity constraints (quotas and bans) as a complementarity problem inside the engine.

Each constrained group ``g`` (one flow, or a pooled set of flows of one exporter and
product) gets an endogenous tariff-equivalent wedge ``ω_g >= 0`` that multiplies the
trade cost of its flows, ``κ̂ ← κ̂ (1 + ω_g)``, and satisfies

.. math:: \omega_g \ge 0, \qquad q_g \le Q_g, \qquad \omega_g (Q_g - q_g) = 0

with the quantity ``q_g = Σ_{(n,i,j) ∈ g} M'_{nij} / ((1+ω_g) ĉ_ij/Â_ij)`` (value net of
tariffs and of the rent, deflated by the exporter's producer-price change, in baseline
value units) and ``Q_g`` the limit (a fraction of ``Σ M_nij``, or a quantity).

The solver updates ``v_g = ln(1+ω_g)`` inside its fixed point by the projected step

.. math:: v_g \leftarrow \max\big(0,\ v_g + \ln(q_g/Q_g)/(1+\theta_j)\big)

(``q ∝ (1+ω)^{-(1+θ)}`` holding prices and spending fixed), whose fixed points are
exactly the complementarity conditions above. A limit of 0 is a ban: its flows get a
prohibitive trade cost (exact zero shares), no wedge.

Rent ``ω/(1+ω) M'`` (see :class:`~tradewar.model.shock.Quota`): with ``"exporter"`` or
``"importer"`` the exporter's sales are ``M'/(1+ω)`` and the rent is income of the
exporting or importing region; with ``"nobody"`` it is a resource cost (like an iceberg
cost), the exporter's sales are ``M'`` and no one receives income from it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tradewar.errors import ModelError
from tradewar.model.baseline import Baseline, FloatArray
from tradewar.model.shock import Quota

RENT_CODES = {"exporter": 0, "importer": 1, "nobody": 2}
IntArray = np.ndarray


@dataclass(frozen=True)
class QuotaSystem:
    """Quotas resolved against a baseline (CP order ``[n, i, j]``, flattened cells).

    Attributes
    ----------
    cell: flat index of each constrained cell in an ``[n, i, j]`` array.
    group: group of each cell.
    importer, exporter, sector: indices of each cell.
    M0: baseline flow of each cell (net of tariffs).
    limit: ``Q_g`` by group, in baseline value units.
    rent: rent rule code by group (0 exporter, 1 importer, 2 nobody).
    step: ``1/(1 + θ_j)`` by group.
    banned: ``[n, i, j]`` cells whose limit is 0 (prohibitive cost).
    quotas: the Quota of each group.
    bans: ``(Quota, flat cells)`` of each group whose limit is 0 (no wedge: a ban).
    """

    cell: IntArray
    group: IntArray
    importer: IntArray
    exporter: IntArray
    sector: IntArray
    M0: FloatArray
    limit: FloatArray
    rent: IntArray
    step: FloatArray
    banned: np.ndarray
    quotas: tuple[Quota, ...]
    bans: tuple[tuple[Quota, IntArray], ...] = ()

    @property
    def n_groups(self) -> int:
        """Number of constrained groups (wedges)."""
        return len(self.limit)

    @classmethod
    def build(cls, base: Baseline, quotas: tuple[Quota, ...]) -> QuotaSystem:
        """Resolve quotas into groups; later quotas replace earlier ones on shared flows."""
        N, J = base.shape
        trade0 = base.trade  # [n, i, j]
        owner = -np.ones((N, N, J), dtype=int)  # which quota governs each cell
        for k, q in enumerate(quotas):
            m = np.asarray(q.mask).transpose(1, 0, 2)  # [origin, region, product] -> [n, i, j]
            if m.shape != (N, N, J):
                raise ModelError(
                    f"quota {q.label!r} has shape {m.shape}", field="quotas", expected=f"{(N, N, J)}"
                )
            owner[m] = k
        banned = np.zeros((N, N, J), dtype=bool)
        cells: list[int] = []
        groups: list[int] = []
        limits: list[float] = []
        rents: list[int] = []
        steps: list[float] = []
        owners: list[Quota] = []
        bans: list[tuple[Quota, IntArray]] = []
        for k, q in enumerate(quotas):
            sel = (owner == k) & (trade0 > 0)
            if not sel.any():
                continue
            n_ix, i_ix, j_ix = np.nonzero(sel)
            if q.pooled:
                keys = sorted(set(zip(i_ix.tolist(), j_ix.tolist(), strict=True)))
                members = [np.flatnonzero((i_ix == i) & (j_ix == j)) for i, j in keys]
            else:
                members = [np.array([c]) for c in range(len(n_ix))]
            for mem in members:
                flat = np.ravel_multi_index((n_ix[mem], i_ix[mem], j_ix[mem]), (N, N, J))
                base_q = float(trade0.reshape(-1)[flat].sum())
                Q = q.limit * base_q if q.unit == "fraction" else q.limit
                if Q <= 0.0:
                    banned.reshape(-1)[flat] = True
                    bans.append((q, flat))
                    continue
                g = len(limits)
                cells.extend(flat.tolist())
                groups.extend([g] * len(flat))
                limits.append(Q)
                rents.append(RENT_CODES[q.rent])
                steps.append(1.0 / (1.0 + float(base.theta[j_ix[mem][0]])))
                owners.append(q)
        cell = np.asarray(cells, dtype=int)
        n_c, i_c, j_c = np.unravel_index(cell, (N, N, J)) if len(cell) else (cell, cell, cell)
        banned.flags.writeable = False
        return cls(
            cell=cell,
            group=np.asarray(groups, dtype=int),
            importer=np.asarray(n_c, dtype=int),
            exporter=np.asarray(i_c, dtype=int),
            sector=np.asarray(j_c, dtype=int),
            M0=trade0.reshape(-1)[cell] if len(cell) else np.zeros(0),
            limit=np.asarray(limits, dtype=float),
            rent=np.asarray(rents, dtype=int),
            step=np.asarray(steps, dtype=float),
            banned=banned,
            quotas=tuple(owners),
            bans=tuple(bans),
        )

    # ------------------------------------------------------------------ per pass
    def evaluate(
        self, v: FloatArray, pi_tau: FloatArray, X: FloatArray, log_c: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Flows, rents and quantities of the constrained cells at wedges ``v = ln(1+ω)``.

        Returns ``(M, rent, q_g, v_new)``: flows ``M'`` (net of tariffs) and rents
        ``M' ω/(1+ω)`` by cell, quantities ``q_g`` by group and the projected update.
        """
        J = X.shape[1]
        M = pi_tau.reshape(-1)[self.cell] * X.reshape(-1)[self.importer * J + self.sector]
        v_c = v[self.group]
        net = M * np.exp(-v_c)
        rent = M - net
        q_c = net * np.exp(-log_c.reshape(-1)[self.exporter * J + self.sector])
        q = np.bincount(self.group, weights=q_c, minlength=self.n_groups)
        with np.errstate(divide="ignore"):
            v_new = np.maximum(0.0, v + self.step * np.log(q / self.limit))
        return np.asarray(M, dtype=float), np.asarray(rent), np.asarray(q, dtype=float), np.asarray(v_new)

    def sales_and_rent_income(self, rent: FloatArray, N: int, J: int) -> tuple[FloatArray, FloatArray]:
        """(Sales to subtract ``[i, j]`` (rents not paid to producers), rent income ``[n]``)."""
        r_cell = self.rent[self.group]
        paid = r_cell != 2
        minus = np.bincount(
            (self.exporter * J + self.sector)[paid], weights=rent[paid], minlength=N * J
        ).reshape(N, J)
        to_exp = np.bincount(self.exporter[r_cell == 0], weights=rent[r_cell == 0], minlength=N)
        to_imp = np.bincount(self.importer[r_cell == 1], weights=rent[r_cell == 1], minlength=N)
        return np.asarray(minus, dtype=float), np.asarray(to_exp + to_imp, dtype=float)

    def complementarity(self, v: FloatArray, q: FloatArray) -> float:
        """Fischer-Burmeister-style residual ``max_g |min(ω_g, 1 - q_g/Q_g)|`` (0 at a solution)."""
        if self.n_groups == 0:
            return 0.0
        omega = np.expm1(np.maximum(v, 0.0))
        slack = 1.0 - q / self.limit
        return float(np.max(np.abs(np.minimum(omega, slack))))
