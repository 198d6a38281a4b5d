"""Results of a counterfactual: labelled tables, the solver record, the new World.

Welfare comes in two forms (see ``docs/welfare.md``):

``welfare_pct``
    the exact change in real income, ``100 (Î_n / Π_j P̂_nj^α_nj - 1)``, with
    ``I = wL + R + D`` (households' income: net of financing charges ``T``, see
    :meth:`~tradewar.model.Shock.with_financing`);
``terms_of_trade_pct``, ``volume_of_trade_pct``, ``tot_plus_vot_pct``
    Caliendo and Parro's (2015) eq. 16 decomposition evaluated with discrete changes as
    in the authors' code; their sum is the "welfare" of the paper's Table 2. It is a
    first-order formula: with large tariff changes it differs from ``welfare_pct``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from tradewar.model import equations as eq
from tradewar.model.baseline import Baseline, FloatArray

if TYPE_CHECKING:
    from tradewar.model.capital import Capital
    from tradewar.model.quotas import QuotaSystem
    from tradewar.model.shock import Shock
    from tradewar.model.technology import Technology
    from tradewar.world.world import World


#: Wedges at or below this are reported as not binding (rounding of q ≈ Q).
BINDING_WEDGE = 1e-10


@dataclass(frozen=True)
class SolverRecord:
    """How the equilibrium was found.

    Attributes
    ----------
    converged: fixed point and post-solution checks below tolerance.
    iterations: passes of the fixed-point map.
    residual: max-norm fixed-point residual at the solution.
    seconds: wall time of :func:`~tradewar.model.solve` (setup included).
    method: the iteration used.
    checks: residuals of goods market, labour market, trade balance and budgets,
        relative to world GDP.
    """

    converged: bool
    iterations: int
    residual: float
    seconds: float
    method: str
    checks: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Equilibrium:
    """A solved counterfactual (all arrays in CP order; labelled views as properties).

    Hats are relative to ``baseline``; the numeraire is world GDP (Σ_n ŵ_n wL_n = Σ_n wL_n).
    Levels (``X``, ``Y``, ``R``, ``D``, ``income``) are in the baseline's units.
    """

    baseline: Baseline
    shock: Shock
    closure: str
    w_hat: FloatArray
    log_P: FloatArray
    log_c: FloatArray
    pi: FloatArray
    tau: FloatArray
    X: FloatArray
    Y: FloatArray
    R: FloatArray
    D: FloatArray
    income: FloatArray
    solver: SolverRecord
    #: counterfactual cost shares (equal to the baseline's under Cobb-Douglas)
    gamma_va_new: FloatArray | None = None
    gamma_io_new: FloatArray | None = None
    #: quota wedges ω ``[n, i, j]`` (0 where no quota binds)
    wedge: FloatArray | None = None
    #: quota rents received ``[n]`` (part of ``income``)
    rent_income: FloatArray | None = None
    quota_system: QuotaSystem | None = field(default=None, repr=False)
    #: quantities ``q_g`` of the quota groups (baseline value units)
    quota_quantity: FloatArray | None = None
    technology: Technology | None = None
    #: sector-specific capital used (None: labour only, β = 0)
    capital: Capital | None = None
    #: log rental of capacity ln r̂ ``[n, j]`` (None without capital)
    log_r: FloatArray | None = None
    #: capacity K̂ ``[n, j]``: given, or adjusted in the long run (None without capital)
    capacity_hat: FloatArray | None = None
    #: financing charges paid ``T'_n`` (current prices; ``income`` is net of them), None
    #: without financing (see :meth:`~tradewar.model.Shock.with_financing`)
    charge: FloatArray | None = None

    # ------------------------------------------------------------------ arrays
    @property
    def final_spending(self) -> FloatArray:
        """Final spending by good ``α_nk I'_n + G'_nk`` (households plus financed investment)."""
        out = self.baseline.alpha * self.income[:, None]
        if self.charge is not None and self.shock.financing is not None:
            G = self.shock.financing.transpose("region", "sector").values
            out = out + G * np.exp(self.log_P)
        return np.asarray(out)

    @property
    def gamma_va_cf(self) -> FloatArray:
        """Counterfactual value-added shares ``g'[n, j]`` (baseline's under Cobb-Douglas)."""
        return self.baseline.gamma_va if self.gamma_va_new is None else self.gamma_va_new

    @property
    def gamma_io_cf(self) -> FloatArray:
        """Counterfactual input shares ``γ'[n, k, j]`` (baseline's under Cobb-Douglas)."""
        return self.baseline.gamma_io if self.gamma_io_new is None else self.gamma_io_new

    @property
    def omega(self) -> FloatArray:
        """Quota wedges ω ``[n, i, j]`` (zeros without quotas)."""
        return np.zeros_like(self.pi) if self.wedge is None else self.wedge

    @property
    def quota_rent(self) -> FloatArray:
        """Quota rents received by each region ``[n]`` (zeros without quotas)."""
        return np.zeros_like(self.w_hat) if self.rent_income is None else self.rent_income

    @property
    def wedges(self) -> xr.DataArray:
        """Tariff-equivalent quota wedges ω, labelled ``[origin, region, product]``.

        NaN where no quota applies, 0 where one applies but does not bind.
        """
        b = self.baseline
        out = np.full(self.pi.shape, np.nan)
        qs = self.quota_system
        if qs is not None:
            out.reshape(-1)[qs.cell] = self.omega.reshape(-1)[qs.cell]
            out[qs.banned] = np.inf
        return xr.DataArray(
            out.transpose(1, 0, 2),
            dims=("origin", "region", "product"),
            coords={"origin": list(b.regions), "region": list(b.regions), "product": list(b.sectors)},
            attrs={"note": "ω: price wedge 1+ω on the flow; inf = banned (limit 0); NaN = no quota"},
        )

    @property
    def quotas(self) -> pd.DataFrame:
        """One row per constrained group: limit, quantity, wedge, whether it binds, rent rule.

        ``limit`` and ``quantity`` are in baseline value units (quantities at baseline
        prices); ``wedge`` is ω (tariff-equivalent, fraction; ``inf`` for a ban, a
        limit of 0, listed last with one row per banned group); ``binding``: ω above
        :data:`BINDING_WEDGE` (a limit set exactly at the baseline quantity may leave a
        rounding-level wedge).
        """
        qs = self.quota_system
        cols = ["quota", "exporter", "product", "importers", "limit", "quantity", "wedge", "binding", "rent"]
        if qs is None or (qs.n_groups == 0 and not qs.bans):
            return pd.DataFrame(columns=cols)
        b = self.baseline
        q = np.zeros(qs.n_groups) if self.quota_quantity is None else self.quota_quantity
        rows = []
        for g in range(qs.n_groups):
            cells = qs.group == g
            c0 = int(np.flatnonzero(cells)[0])
            omega = float(self.omega.reshape(-1)[qs.cell[c0]])
            rows.append(
                {
                    "quota": qs.quotas[g].label,
                    "exporter": b.regions[qs.exporter[c0]],
                    "product": b.sectors[qs.sector[c0]],
                    "importers": ",".join(b.regions[n] for n in qs.importer[cells]),
                    "limit": float(qs.limit[g]),
                    "quantity": float(q[g]),
                    "wedge": omega,
                    "binding": omega > BINDING_WEDGE,
                    "rent": qs.quotas[g].rent,
                }
            )
        N, J = len(b.regions), len(b.sectors)
        for quota, flat in qs.bans:
            n_ix, i_ix, j_ix = np.unravel_index(flat, (N, N, J))
            rows.append(
                {
                    "quota": quota.label,
                    "exporter": b.regions[int(i_ix[0])],
                    "product": b.sectors[int(j_ix[0])],
                    "importers": ",".join(b.regions[int(n)] for n in n_ix),
                    "limit": 0.0,
                    "quantity": 0.0,
                    "wedge": np.inf,
                    "binding": True,
                    "rent": "none (ban)",
                }
            )
        return pd.DataFrame(rows, columns=cols)

    @property
    def rental_hat(self) -> FloatArray:
        """Rental of capacity r̂ ``[n, j]`` (ones without specific capital)."""
        return np.ones_like(self.Y) if self.log_r is None else np.exp(self.log_r)

    @property
    def capacity(self) -> FloatArray:
        """Capacity K̂ ``[n, j]`` (ones without specific capital)."""
        return np.ones_like(self.Y) if self.capacity_hat is None else self.capacity_hat

    @property
    def P_hat(self) -> FloatArray:
        """Sector price indices P̂[n, j]."""
        return np.exp(self.log_P)

    @property
    def c_hat(self) -> FloatArray:
        """Input-bundle cost ĉ[n, j] (before productivity)."""
        return np.exp(self.log_c + np.log(self._A_hat))

    @property
    def _A_hat(self) -> FloatArray:
        a = self.shock.productivity
        axes = [a.dims.index(d) for d in ("region", "sector")]
        return np.transpose(np.asarray(a.values, dtype=float), axes)

    @property
    def price_index_hat(self) -> FloatArray:
        """Consumer price index Π_j P̂[n, j]^α[n, j]."""
        return np.exp((self.baseline.alpha * self.log_P).sum(axis=1))

    @property
    def income_hat(self) -> FloatArray:
        """Î = I'/I, I = wL + R + D."""
        return self.income / self.baseline.income

    @property
    def trade(self) -> FloatArray:
        """Counterfactual flows net of tariffs [n, i, j] (importer, exporter, sector)."""
        return eq.trade_flows(self.pi, self.tau, self.X)

    @property
    def welfare_hat(self) -> FloatArray:
        """Exact real-income change Î / P̂ (ratio)."""
        return eq.real_income_change(self.income_hat, self.log_P, self.baseline.alpha)

    def decomposition(self) -> tuple[FloatArray, FloatArray]:
        """(ToT, VoT) of CP eq. 16 as fractions; see :func:`~.equations.tot_vot_decomposition`."""
        b = self.baseline
        return eq.tot_vot_decomposition(b.trade, self.trade, b.tau, self.c_hat, b.income)

    # ------------------------------------------------------------------ tables
    @property
    def regions(self) -> pd.DataFrame:
        """One row per region: welfare, its decomposition, wages, prices, income, revenue."""
        tot, vot = self.decomposition()
        P = self.price_index_hat
        return pd.DataFrame(
            {
                "welfare_pct": 100.0 * (self.welfare_hat - 1.0),
                "terms_of_trade_pct": 100.0 * tot,
                "volume_of_trade_pct": 100.0 * vot,
                "tot_plus_vot_pct": 100.0 * (tot + vot),
                "real_wage_pct": 100.0 * (self.w_hat / P - 1.0),
                "wage_hat": self.w_hat,
                "price_index_hat": P,
                "income_hat": self.income_hat,
                "tariff_revenue": self.R,
                "tariff_revenue_baseline": self.baseline.tariff_revenue,
                "quota_rent": self.quota_rent,
                "deficit": self.D,
            },
            index=pd.Index(list(self.baseline.regions), name="region"),
        )

    @property
    def sectors(self) -> pd.DataFrame:
        """One row per (region, sector): gross output before/after, producer price change.

        ``rental_hat`` and ``capacity_hat`` are the rental and the stock of sector-specific
        capital (1 without it).
        """
        b = self.baseline
        y0 = b.output
        price = self.c_hat / self._A_hat
        with np.errstate(invalid="ignore", divide="ignore"):
            nominal = np.where(y0 > 0, self.Y / np.where(y0 > 0, y0, 1.0), np.nan)
        idx = pd.MultiIndex.from_product([list(b.regions), list(b.sectors)], names=["region", "sector"])
        return pd.DataFrame(
            {
                "output_before": y0.reshape(-1),
                "output_after": self.Y.reshape(-1),
                "output_value_change_pct": (100.0 * (nominal - 1.0)).reshape(-1),
                "output_change_pct": (100.0 * (nominal / price - 1.0)).reshape(-1),
                "price_hat": price.reshape(-1),
                "price_index_hat": self.P_hat.reshape(-1),
                "rental_hat": self.rental_hat.reshape(-1),
                "capacity_hat": self.capacity.reshape(-1),
            },
            index=idx,
        )

    @property
    def flows(self) -> xr.Dataset:
        """Bilateral sectoral trade net of tariffs, dims (origin, region, product)."""
        b = self.baseline
        coords = {"origin": list(b.regions), "region": list(b.regions), "product": list(b.sectors)}
        dims = ("origin", "region", "product")
        return xr.Dataset(
            {
                "baseline": (dims, b.trade.transpose(1, 0, 2)),
                "counterfactual": (dims, self.trade.transpose(1, 0, 2)),
                "tariff": (dims, (self.tau - 1.0).transpose(1, 0, 2)),
                "quota_wedge": (dims, self.omega.transpose(1, 0, 2)),
            },
            coords=coords,
            attrs={
                "unit": b.unit,
                "note": "values at basic prices (net of tariffs); with quotas, counterfactual "
                "values include the quota rent (a price wedge 1 + quota_wedge)",
            },
        )

    def rescaled(self, k: float) -> Equilibrium:
        """The same real equilibrium in another numeraire: every nominal hat and level x k.

        ``ŵ, P̂, ĉ, X', Y', R', D', I'`` are multiplied by ``k``; shares, real wages and
        real income are unchanged. (The model is homogeneous of degree one in nominal
        variables when deficits scale with them, as under ``"zero"`` and ``"fixed"``.)
        Used to compare nominal results with software that fixes another numeraire.
        """
        from dataclasses import replace

        lk = float(np.log(k))
        return replace(
            self,
            w_hat=self.w_hat * k,
            log_P=self.log_P + lk,
            log_c=self.log_c + lk,
            X=self.X * k,
            Y=self.Y * k,
            R=self.R * k,
            D=self.D * k,
            income=self.income * k,
            rent_income=None if self.rent_income is None else self.rent_income * k,
            charge=None if self.charge is None else self.charge * k,
        )

    # ------------------------------------------------------------------ new baselines
    def as_baseline(self) -> Baseline:
        """The counterfactual as a new Baseline (levels in the same units), for chaining.

        ``solve(eq.as_baseline(), shock2)`` equals the change from this equilibrium, which
        is how "counterfactual relative to a re-solved baseline" comparisons are made.
        Under nested CES the new baseline has the counterfactual cost shares (pass the
        same Technology again). Not available with binding quotas (their rents have no
        place in a Baseline).
        """
        from tradewar.errors import ModelError

        b = self.baseline
        if self.wedge is not None and (self.wedge > 0).any():
            raise ModelError(
                "as_baseline() of an equilibrium with binding quotas is not supported",
                fix="chain from an equilibrium without quotas",
            )
        return Baseline.from_arrays(
            regions=b.regions,
            sectors=b.sectors,
            X=self.X,
            pi=self.pi,
            tau=self.tau,
            gamma_va=self.gamma_va_cf,
            gamma_io=self.gamma_io_cf,
            alpha=self.final_spending / self.final_spending.sum(axis=1, keepdims=True),
            # value added (labour and capital income) of the counterfactual
            wL=self.w_hat * b.wL if self.capital is None else (self.gamma_va_cf * self.Y).sum(axis=1),
            D=self.D,
            theta=b.theta,
            unit=b.unit,
        )

    def counterfactual_world(self) -> World:
        """A new balanced World with the counterfactual flows, in the baseline's units.

        ``Z'[i, k, n, j] = π'_nik / (1 + t'_nik) γ_nkj Y'_nj``, ``F'[i, k, n] = π'_nik / (1 + t'_nik)
        α_nk I'_n``, ``VA'[n, j] = γ_nj Y'_nj``, tariffs t'. Requires a baseline built from
        a World (for the metadata) and the exact closure.
        """
        from dataclasses import replace

        from tradewar.errors import ModelError
        from tradewar.world.world import World

        b = self.baseline
        if b.world is None:
            raise ModelError("counterfactual_world needs a baseline built with Baseline.from_world")
        if self.closure != "exact":
            raise ModelError(
                f"the {self.closure!r} closure does not clear markets exactly, so its "
                "counterfactual is not a balanced World",
                fix="solve with closure='exact'",
            )
        base_w = b.world
        share = self.pi / self.tau  # [n, i, k]: flows M' per unit of absorption
        tariff = self.tau - 1.0
        VA = self.gamma_va_cf * self.Y
        qs = self.quota_system
        if qs is not None and qs.n_groups:
            # quota rents: to the exporter, a profit in its value added (its flows are
            # recorded at the price with the wedge); to the importer, a tariff-like wedge
            # (flows at the price without it, t_eff = (1+t)(1+ω) - 1); to nobody, already a
            # resource cost inside the exporter's sales
            rent_rule = qs.rent[qs.group]
            flat = qs.cell
            omega = self.omega.reshape(-1)[flat]
            imp = rent_rule == 1
            share = share.copy()
            share.reshape(-1)[flat[imp]] /= 1.0 + omega[imp]
            tariff = tariff.copy()
            tariff.reshape(-1)[flat[imp]] = (self.tau.reshape(-1)[flat[imp]]) * (1.0 + omega[imp]) - 1.0
            exp_ = rent_rule == 0
            J = len(b.sectors)
            M = (self.pi / self.tau * self.X[:, None, :]).reshape(-1)[flat]
            rent = M * omega / (1.0 + omega)
            VA = VA + np.bincount(
                (qs.exporter * J + qs.sector)[exp_], weights=rent[exp_], minlength=VA.size
            ).reshape(VA.shape)
        Z = np.einsum("nik,nkj,nj->iknj", share, self.gamma_io_cf, self.Y)
        F = np.einsum("nik,nk->ikn", share, self.final_spending)
        meta = replace(
            base_w.meta,
            name=f"{base_w.meta.name}-counterfactual",
            notes=(*base_w.meta.notes, f"counterfactual of {self.shock!r} ({self.closure} closure)"),
        )
        return World.from_arrays(
            regions=list(b.regions),
            sectors=list(b.sectors),
            intermediate=Z,
            final_demand=F,
            value_added=VA,
            tariff=tariff.transpose(1, 0, 2),
            theta=b.theta,
            meta=meta,
            rtol=1e-6,
        )

    def __repr__(self) -> str:
        s = self.solver
        N, J = self.baseline.shape
        return (
            f"<Equilibrium {N}x{J}: converged={s.converged}, {s.iterations} iterations, "
            f"residual {s.residual:.1e}, {s.seconds:.3f} s>"
        )
