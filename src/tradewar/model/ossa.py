"""Ossa (2014) multi-industry Krugman model in changes, with exact tariff gradients.

Ralph Ossa, "Trade Wars and Trade Talks with Data", *American Economic Review* 104(12),
2014, pp. 4104-4146 (the model of his Section I, solved in changes as in his appendix).

Notation: exporter ``i``, importer ``j``, industry ``s``; ``x̂ = x'/x``. Data are trade
flows ``X[i, j, s]`` at exporter prices (net of tariffs), ad-valorem tariffs ``t[i, j, s]``
levied by ``j`` on industry-``s`` imports from ``i``, elasticities ``σ_s`` and
political-economy weights ``λ[j, s]``. Firms are monopolistically competitive with CES
demand; the number of firms is fixed, so the model in changes reads

* import shares at importer prices ``γ_ijs = (1+t_ijs) X_ijs / Σ_k (1+t_kjs) X_kjs``;
  sales shares ``α_ijs = X_ijs / Y_is`` with revenue ``Y_is = Σ_j X_ijs``;
* price index: ``P̂_js^(1-σ_s) = Σ_i γ_ijs (ŵ_i τ̂_ijs)^(1-σ_s)``, ``τ̂ = (1+t')/(1+t)``;
* trade: ``X̂_ijs = ŵ_i^(1-σ_s) τ̂_ijs^(-σ_s) P̂_js^(σ_s-1) Ê_j`` (Cobb-Douglas upper tier);
* labour market: ``ŵ_i = Σ_s δ_is Ŷ_is`` with ``Ŷ_is = Σ_j α_ijs X̂_ijs`` and
  ``δ_is`` the industry's share of the wage bill ``(σ_s-1)/σ_s Y_is``;
* budget: ``Ê_j E_j = L_j ŵ_j + Σ_s Y_js Ŷ_js / σ_s + Σ_{i,s} t'_ijs X_ijs X̂_ijs - NX'_j``
  (labour income, profits ``Y/σ``, tariff revenue, net exports held at ``NX'``);
* numeraire: ``Σ_i L_i ŵ_i = Σ_i L_i`` (world labour income).

Welfare (real income) is ``Ê_j / P̂_j`` with ``P̂_j = Π_s P̂_js^(μ_js)``, ``μ_js`` the
spending shares. Government welfare (Ossa's political-economy objective) weights the
income attributable to each industry, revenue plus the industry's wage-bill share of the
tariff revenue, by ``λ_js``::

    Ĝ_j = [Σ_s λ_js (Y'_js + δ'_js R'_j)] / [Σ_s λ_js (Y_js + δ_js R_j)] / P̂_j

(``λ = 1`` gives real income when net exports are zero).

The equilibrium system ``F(x, t) = 0`` in ``x = (log ŵ, log Ê)`` is solved by Newton's
method with an analytic Jacobian; gradients of ``log Ĝ`` with respect to every tariff
come from the implicit-function theorem, ``dL/dt = ∂L/∂t - μᵀ ∂F/∂t`` with
``F_xᵀ μ = ∂L/∂x``, both terms by a hand-written reverse pass (no finite differences).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Literal

import numpy as np
import numpy.typing as npt
import scipy.io
import xarray as xr

from tradewar.errors import ConvergenceError, DataError, ModelError

FloatArray = npt.NDArray[np.float64]

#: Folder of the dataset inside the shared data root.
OSSA_DATASET = "ossa2014_tradewars"

#: Region labels of Ossa's data, in file order (``data/csv_raw/regions.csv``).
OSSA_REGIONS = ("Brazil", "China", "EU", "India", "Japan", "ROW", "US")


# ---------------------------------------------------------------------------- data
@dataclass(frozen=True)
class OssaData:
    """Ossa's 7-region x 33-industry data (AEA replication package, ``DATA.mat``).

    Attributes
    ----------
    regions, industries:
        Labels (industries are GTAP codes).
    industry_names:
        Long names of the industries.
    trade:
        ``X[i, j, s]``, exporter ``i``, importer ``j``, industry ``s``, USD million, purged
        of aggregate trade imbalances (Ossa's factual equilibrium with NX = 0).
    tariff:
        ``t[i, j, s]``, ad-valorem fraction levied by importer ``j``.
    sigma:
        Elasticity of substitution ``σ_s`` by industry.
    lambda_pol:
        Political-economy weights ``λ[j, s]`` (``LAMBDAPOL``).
    target_tariff:
        Measured non-cooperative tariffs ``[j, s]`` used to calibrate ``λ``.
    mfn_optimal_tariff_pol:
        Ossa's MFN optimal tariffs at ``λ_pol`` ``[j, s]`` (calibration by-product).
    source:
        The file read.
    """

    regions: tuple[str, ...]
    industries: tuple[str, ...]
    industry_names: tuple[str, ...]
    trade: FloatArray
    tariff: FloatArray
    sigma: FloatArray
    lambda_pol: FloatArray
    target_tariff: FloatArray
    mfn_optimal_tariff_pol: FloatArray
    source: str


def _ossa_dir(data_dir: str | os.PathLike[str]) -> Path:
    root = Path(data_dir)
    for cand in (root / OSSA_DATASET, root):
        if (cand / "data" / "DATA.mat").is_file():
            return cand
    raise DataError(
        f"Ossa (2014) data not found under {root}",
        file=str(root / OSSA_DATASET / "data" / "DATA.mat"),
        expected="the shared data root (containing ossa2014_tradewars/) or the dataset folder",
        fix="pass data_dir=<path to shared/data> or set it up as described in SOURCE.md",
    )


def _unstack(block: np.ndarray, n: int, s: int, name: str, file: str) -> FloatArray:
    """Ossa's ``(S*N) x N`` stacked layout -> ``[i, j, s]``: ``A[(s-1)*N + i, j]``."""
    if block.shape != (s * n, n):
        raise DataError(f"{name} has shape {block.shape}", file=file, field=name, expected=f"({s * n}, {n})")
    return np.ascontiguousarray(block.reshape(s, n, n).transpose(1, 2, 0), dtype=float)


def read_ossa2014(data_dir: str | os.PathLike[str] = Path("../shared/data")) -> OssaData:
    """Read Ossa's 7x33 data from ``<data_dir>/ossa2014_tradewars/data/DATA.mat``.

    ``TRADE`` and ``TARIFF`` are 33 stacked 7x7 blocks with row = exporter, column =
    importer; ``LAMBDAPOL`` is region x industry; ``TARGETTARIFF`` and
    ``MFNOPTIMALTARIFFPOL`` are industry x region (see the dataset's SOURCE.md).
    """
    folder = _ossa_dir(data_dir)
    path = folder / "data" / "DATA.mat"
    raw = scipy.io.loadmat(str(path))
    missing = [k for k in ("TRADE", "TARIFF", "SIGMA", "LAMBDAPOL", "TARGETTARIFF") if k not in raw]
    if missing:
        raise DataError(f"variables {missing} missing", file=str(path), expected="Ossa's DATA.mat")
    n = raw["TRADE"].shape[1]
    s = raw["TRADE"].shape[0] // n
    trade = _unstack(raw["TRADE"], n, s, "TRADE", str(path))
    tariff = _unstack(raw["TARIFF"], n, s, "TARIFF", str(path))
    sigma = np.asarray(raw["SIGMA"], dtype=float).ravel()
    lam = np.asarray(raw["LAMBDAPOL"], dtype=float)
    if lam.shape != (n, s) or sigma.shape != (s,):
        raise DataError("LAMBDAPOL or SIGMA has the wrong shape", file=str(path), field="LAMBDAPOL")
    if np.any(trade < 0) or not np.all(np.isfinite(trade)):
        raise DataError("negative or NaN trade flows", file=str(path), field="TRADE")
    codes = tuple(str(np.asarray(x).ravel()[0]).strip() for x in raw["LABELS"].ravel())
    names = codes
    sectors_csv = folder / "data" / "csv_raw" / "sectors.csv"
    if sectors_csv.is_file():
        import pandas as pd

        tab = pd.read_csv(sectors_csv)
        lookup = dict(zip(tab.iloc[:, 1].astype(str).str.strip(), tab.iloc[:, 2].astype(str), strict=True))
        names = tuple(lookup.get(c, c) for c in codes)
    regions = OSSA_REGIONS if n == len(OSSA_REGIONS) else tuple(f"R{k + 1}" for k in range(n))
    mfn = raw.get("MFNOPTIMALTARIFFPOL")
    return OssaData(
        regions=regions,
        industries=codes,
        industry_names=names,
        trade=trade,
        tariff=tariff,
        sigma=sigma,
        lambda_pol=lam,
        target_tariff=np.asarray(raw["TARGETTARIFF"], dtype=float).T.copy(),
        mfn_optimal_tariff_pol=(
            np.asarray(mfn, dtype=float).T.copy() if mfn is not None else np.full((n, s), np.nan)
        ),
        source=str(path),
    )


# --------------------------------------------------------------------------- model
@dataclass(frozen=True)
class OssaEquilibrium:
    """A counterfactual equilibrium of :class:`OssaModel` (all changes relative to baseline).

    Attributes
    ----------
    tariff: the counterfactual tariffs ``t'[i, j, s]``.
    wage_hat, expenditure_hat: ``ŵ`` and ``Ê`` by region.
    price_index_hat: ``P̂_j`` (Cobb-Douglas aggregate).
    welfare_hat: real income ``Ê_j / P̂_j``.
    government_welfare_hat: ``Ĝ_j`` (political-economy weighted).
    trade: counterfactual flows ``X'[i, j, s]`` at exporter prices.
    iterations, residual: Newton iterations and final max-norm residual.
    """

    tariff: FloatArray
    wage_hat: FloatArray
    expenditure_hat: FloatArray
    price_index_hat: FloatArray
    welfare_hat: FloatArray
    government_welfare_hat: FloatArray
    trade: FloatArray
    iterations: int
    residual: float


@dataclass
class _Forward:
    """Intermediates of one forward pass (kept for the reverse pass)."""

    t: FloatArray
    lw: FloatArray
    le: FloatArray
    pi: FloatArray  # new import shares at importer prices [i, j, s]
    logA: FloatArray  # log P̂^(1-σ) [j, s]
    Xn: FloatArray  # new trade [i, j, s]
    Yn: FloatArray  # new revenue [i, s]
    Rn: FloatArray  # new tariff revenue [j]
    lP: FloatArray  # log P̂_j [j]


@dataclass
class OssaModel:
    """Ossa's model calibrated to baseline flows; see the module docstring for equations.

    Parameters
    ----------
    trade:
        ``X[i, j, s]`` at exporter prices (diagonal = domestic sales).
    tariff:
        Baseline tariffs ``t[i, j, s]`` (the diagonal is ignored and set to 0).
    sigma:
        ``σ_s > 1`` by industry.
    lambda_:
        Political-economy weights ``λ[j, s]``; ``None`` = all ones (real income).
    regions, industries:
        Labels.
    net_exports:
        ``"baseline"`` holds each region's nominal net exports at their baseline value
        (the baseline then solves exactly); ``"zero"`` imposes ``NX' = 0`` as Ossa does
        with his purged data.
    tol, max_iter:
        Newton tolerance (max-norm of the residual) and iteration cap.
    """

    trade: FloatArray
    tariff: FloatArray
    sigma: FloatArray
    lambda_: FloatArray | None = None
    regions: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    net_exports: Literal["baseline", "zero"] = "baseline"
    tol: float = 1e-11
    max_iter: int = 50
    _x: FloatArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        X = np.asarray(self.trade, dtype=float)
        if X.ndim != 3 or X.shape[0] != X.shape[1]:
            raise ModelError(f"trade must be [i, j, s] with i, j regions; got shape {X.shape}")
        n, _, s = X.shape
        t0 = np.array(self.tariff, dtype=float)
        sig = np.asarray(self.sigma, dtype=float).ravel()
        if t0.shape != X.shape or sig.shape != (s,):
            raise ModelError(
                f"shapes disagree: trade {X.shape}, tariff {t0.shape}, sigma {sig.shape}",
                expected="tariff like trade and sigma of length S",
            )
        if np.any(sig <= 1):
            raise ModelError("every σ_s must exceed 1", field="sigma")
        if np.any(X < 0) or np.any(t0 <= -1):
            raise ModelError("trade must be >= 0 and tariffs > -1")
        t0[np.arange(n), np.arange(n), :] = 0.0
        lam = np.ones((n, s)) if self.lambda_ is None else np.asarray(self.lambda_, dtype=float)
        if lam.shape != (n, s):
            raise ModelError(f"lambda_ must be [region, industry] = {(n, s)}, got {lam.shape}")
        self.trade, self.tariff, self.sigma, self.lambda_ = X, t0, sig, lam
        self.lam: FloatArray = lam
        if not self.regions:
            self.regions = tuple(f"R{k + 1}" for k in range(n))
        if not self.industries:
            self.industries = tuple(f"S{k + 1}" for k in range(s))
        if len(self.regions) != n or len(self.industries) != s:
            raise ModelError("region or industry labels do not match the array shapes")
        # --- calibration (Ossa's "mycalculations")
        self.N, self.S = n, s
        self.one_minus_sigma = 1.0 - sig
        tx = (1.0 + t0) * X
        absorb = tx.sum(axis=0)  # [j, s]
        self.gamma = np.divide(tx, absorb[None], out=np.zeros_like(tx), where=absorb[None] > 0)
        self.E = tx.sum(axis=(0, 2))  # [j]
        self.mu = absorb / self.E[:, None]  # [j, s]
        self.Y = X.sum(axis=1)  # [i, s]
        self.b = (sig - 1.0) / sig
        wage_bill = self.b[None, :] * self.Y
        self.delta = wage_bill / wage_bill.sum(axis=1, keepdims=True)
        self.R = (t0 * X).sum(axis=(0, 2))
        self.NX = self.Y.sum(axis=1) - X.sum(axis=(0, 2))
        self.LI = self.E + self.NX - self.R - (self.Y / sig[None, :]).sum(axis=1)
        if np.any(self.LI <= 0):
            raise ModelError("implied labour income is not positive; check trade and tariffs")
        self.nx_cf = self.NX.copy() if self.net_exports == "baseline" else np.zeros(n)
        self.delta_over_Y = np.divide(self.delta, self.Y, out=np.zeros_like(self.Y), where=self.Y > 0)
        el0 = self.Y + self.delta * self.R[:, None]
        self.G0 = (lam * el0).sum(axis=1)
        self._x = np.zeros(2 * n)

    # ------------------------------------------------------------------ builders
    @classmethod
    def from_data(cls, data: OssaData, *, weights: Literal["pol", "bas"] = "pol", **kw: object) -> OssaModel:
        """Ossa's model on his data with ``λ = LAMBDAPOL`` (``"pol"``) or ones (``"bas"``)."""
        lam = data.lambda_pol if weights == "pol" else None
        return cls(
            trade=data.trade,
            tariff=data.tariff,
            sigma=data.sigma,
            lambda_=lam,
            regions=data.regions,
            industries=data.industries,
            **kw,  # type: ignore[arg-type]
        )

    def purged(self) -> OssaModel:
        """The model recalibrated to its own equilibrium with zero net exports.

        Ossa (2014, Section III) purges the data of aggregate trade imbalances this way:
        solve for ``NX' = 0`` at baseline tariffs and use the resulting flows as the
        baseline. Holding large nominal deficits fixed under large tariffs can make the
        equilibrium infeasible, so tariff games on unbalanced data should use this.
        """
        zero = OssaModel(
            trade=self.trade,
            tariff=self.tariff,
            sigma=self.sigma,
            lambda_=self.lam,
            regions=self.regions,
            industries=self.industries,
            net_exports="zero",
            tol=self.tol,
        )
        flows = zero.solve(self.tariff).trade
        return OssaModel(
            trade=flows,
            tariff=self.tariff,
            sigma=self.sigma,
            lambda_=self.lam,
            regions=self.regions,
            industries=self.industries,
            net_exports="baseline",
            tol=self.tol,
            max_iter=self.max_iter,
        )

    @classmethod
    def from_world(
        cls, world: object, *, lambda_: FloatArray | None = None, purge: bool = True, **kw: object
    ) -> OssaModel:
        """Calibrate to a :class:`tradewar.world.world.World`.

        Uses total bilateral flows ``trade[origin, region, product]`` (intermediate plus
        final use), the tariffs, and ``σ = θ + 1``. Input-output links are not modelled:
        Ossa's model has labour as the only factor. ``purge`` (default) removes aggregate
        trade imbalances first, as Ossa does (see :meth:`purged`).
        """
        trade = world.trade.transpose("origin", "region", "product")  # type: ignore[attr-defined]
        tariff = world.tariff.transpose("origin", "region", "product")  # type: ignore[attr-defined]
        theta = world.theta  # type: ignore[attr-defined]
        spending = trade.sum("origin")
        if bool((spending <= 0).any()):
            empty = spending.where(spending <= 0).to_series().dropna().index.tolist()
            raise ModelError(
                f"Ossa's model needs every region to buy every product; {len(empty)} (region, "
                f"product) cells buy nothing, e.g. {empty[:3]}",
                field="trade",
                expected="positive spending on each product in each region",
                fix="aggregate the empty products away (tradewar.world.aggregate), or play the game "
                "with the general-equilibrium engine (--model ge)",
            )
        model = cls(
            trade=np.asarray(trade.values, dtype=float),
            tariff=np.asarray(tariff.values, dtype=float),
            sigma=np.asarray(theta.values, dtype=float) + 1.0,
            lambda_=lambda_,
            regions=tuple(str(r) for r in trade["origin"].values),
            industries=tuple(str(p) for p in trade["product"].values),
            **kw,  # type: ignore[arg-type]
        )
        return model.purged() if purge else model

    # ---------------------------------------------------------- protocol surface
    @property
    def products(self) -> tuple[str, ...]:
        """Industry labels (the ``product`` axis of tariffs)."""
        return self.industries

    @property
    def baseline_tariff(self) -> FloatArray:
        """Baseline tariffs ``t[origin, region, product]`` (a copy)."""
        return np.array(self.tariff, copy=True)

    #: Exact gradients are available (the strategy code uses quasi-Newton optimisers).
    has_gradient: ClassVar[bool] = True

    @property
    def import_values(self) -> FloatArray:
        """Baseline imports at importer prices ``(1+t) X[i, j, s]`` (used to scale optimisers)."""
        return (1.0 + self.tariff) * self.trade

    # ------------------------------------------------------------ forward pass
    def _check_tariff(self, t: FloatArray) -> FloatArray:
        t = np.asarray(t, dtype=float)
        if t.shape != self.tariff.shape:
            raise ModelError(f"tariff must have shape {self.tariff.shape}, got {t.shape}")
        if np.any(t <= -1) or not np.all(np.isfinite(t)):
            raise ModelError("tariffs must be finite and > -1 (a subsidy of 100 % or more)")
        t = t.copy()
        t[np.arange(self.N), np.arange(self.N), :] = 0.0
        return t

    def _forward(self, lw: FloatArray, le: FloatArray, t: FloatArray) -> _Forward:
        oms = self.one_minus_sigma
        lt = np.log1p(t) - np.log1p(self.tariff)
        a = oms[None, None, :] * (lw[:, None, None] + lt)
        u = self.gamma * np.exp(a)
        A = u.sum(axis=0)
        pi = u / A[None]
        logA = np.log(A)
        v = a - lt - logA[None] + le[None, :, None]
        Xn = self.trade * np.exp(v)
        Yn = Xn.sum(axis=1)
        Rn = (t * Xn).sum(axis=(0, 2))
        lP = (self.mu * logA / oms[None, :]).sum(axis=1)
        return _Forward(t=t, lw=lw, le=le, pi=pi, logA=logA, Xn=Xn, Yn=Yn, Rn=Rn, lP=lP)

    def _residual(self, f: _Forward) -> FloatArray:
        what, ehat = np.exp(f.lw), np.exp(f.le)
        F1 = what - (self.delta_over_Y * f.Yn).sum(axis=1)
        profits = (f.Yn / self.sigma[None, :]).sum(axis=1)
        F2 = ehat - (self.LI * what + profits + f.Rn - self.nx_cf) / self.E
        Fn = (self.LI * what).sum() / self.LI.sum() - 1.0
        return np.concatenate([F1[1:], F2, [Fn]])

    # ------------------------------------------------------------ reverse pass
    def _reverse(
        self,
        f: _Forward,
        gYn: FloatArray,
        gRn: FloatArray,
        glP: FloatArray,
        glw: FloatArray,
        gle: FloatArray,
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Batched vector-Jacobian product through the forward pass.

        Cotangents carry a leading batch axis ``K``: ``gYn[K, i, s]``, ``gRn[K, j]``,
        ``glP[K, j]``, ``glw[K, i]``, ``gle[K, j]``. Returns ``(glw, gle, gt[K, i, j, s])``.
        """
        oms = self.one_minus_sigma
        gXn = gYn[:, :, None, :] + f.t[None] * gRn[:, None, :, None]
        gt = f.Xn[None] * gRn[:, None, :, None]
        gv = gXn * f.Xn[None]
        gle = gle + gv.sum(axis=(1, 3))
        glA = -gv.sum(axis=1) + glP[:, :, None] * (self.mu / oms[None, :])[None]
        ga = gv + glA[:, None, :, :] * f.pi[None]
        glt = -gv + oms[None, None, None, :] * ga
        glw = glw + (oms[None, None, None, :] * ga).sum(axis=(2, 3))
        gt = gt + glt / (1.0 + f.t[None])
        return glw, gle, gt

    def _residual_vjp(self, f: _Forward, cot: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``cotᵀ F_x`` (split into log ŵ and log Ê parts) and ``cotᵀ F_t``; ``cot[K, 2N]``."""
        n = self.N
        K = cot.shape[0]
        c1 = np.zeros((K, n))
        c1[:, 1:] = cot[:, : n - 1]
        c2 = cot[:, n - 1 : 2 * n - 1]
        cn = cot[:, 2 * n - 1]
        what, ehat = np.exp(f.lw), np.exp(f.le)
        glw = c1 * what - c2 * self.LI * what / self.E + cn[:, None] * self.LI * what / self.LI.sum()
        gle = c2 * ehat
        gYn = (
            -c1[:, :, None] * self.delta_over_Y[None] - (c2 / self.E)[:, :, None] / self.sigma[None, None, :]
        )
        gRn = -c2 / self.E
        return self._reverse(f, gYn, gRn, np.zeros((K, n)), glw, gle)

    def _jacobian(self, f: _Forward) -> FloatArray:
        glw, gle, _ = self._residual_vjp(f, np.eye(2 * self.N))
        return np.concatenate([glw, gle], axis=1)

    # ------------------------------------------------------------------ solving
    def _solve_x(self, t: FloatArray, x0: FloatArray | None = None) -> tuple[_Forward, int, float]:
        n = self.N
        x = (self._x if x0 is None else x0).copy()
        f = self._forward(x[:n], x[n:], t)
        F = self._residual(f)
        res = float(np.max(np.abs(F)))
        it = 0
        while res > self.tol and it < self.max_iter:
            J = self._jacobian(f)
            try:
                dx = np.linalg.solve(J, -F)
            except np.linalg.LinAlgError as exc:  # pragma: no cover - singular only if data are degenerate
                raise ConvergenceError(
                    "Ossa equilibrium: singular Jacobian", residual=res, iterations=it, tolerance=self.tol
                ) from exc
            step = 1.0
            while True:  # backtracking on the max-norm
                xn = x + step * dx
                fn = self._forward(xn[:n], xn[n:], t)
                Fn = self._residual(fn)
                rn = float(np.max(np.abs(Fn)))
                if np.isfinite(rn) and (rn < res or step < 1e-4):
                    break
                step *= 0.5
            x, f, F, res = xn, fn, Fn, rn
            it += 1
        if not res <= self.tol:
            if x0 is None and np.any(self._x != 0):  # retry from the baseline before giving up
                return self._solve_x(t, np.zeros(2 * n))
            raise ConvergenceError(
                "Ossa equilibrium did not converge", residual=res, iterations=it, tolerance=self.tol
            )
        if res > 1e-14:
            # One more (quadratically convergent) step takes the residual to rounding level,
            # so welfare is smooth to ~1e-15 for the optimisers' line searches.
            xn = x + np.linalg.solve(self._jacobian(f), -F)
            fn = self._forward(xn[:n], xn[n:], t)
            rn = float(np.max(np.abs(self._residual(fn))))
            if rn < res:
                x, f, res = xn, fn, rn
                it += 1
        self._x = x
        return f, it, res

    def _log_gov(self, f: _Forward) -> FloatArray:
        B = (self.b[None, :] * f.Yn).sum(axis=1)
        C = (self.lam * self.b[None, :] * f.Yn).sum(axis=1)
        D = (self.lam * f.Yn).sum(axis=1)
        H = D + f.Rn * C / B
        return np.log(H) - np.log(self.G0) - f.lP

    def solve(self, tariff: FloatArray) -> OssaEquilibrium:
        """Solve the counterfactual equilibrium at tariffs ``t'[i, j, s]``."""
        t = self._check_tariff(tariff)
        f, it, res = self._solve_x(t)
        return OssaEquilibrium(
            tariff=t,
            wage_hat=np.exp(f.lw),
            expenditure_hat=np.exp(f.le),
            price_index_hat=np.exp(f.lP),
            welfare_hat=np.exp(f.le - f.lP),
            government_welfare_hat=np.exp(self._log_gov(f)),
            trade=f.Xn,
            iterations=it,
            residual=res,
        )

    def welfare(self, tariff: FloatArray) -> FloatArray:
        """Government welfare changes ``Ĝ_j`` (1 = baseline) at tariffs ``t'``."""
        t = self._check_tariff(tariff)
        f, _, _ = self._solve_x(t)
        return np.exp(self._log_gov(f))

    def welfare_and_gradient(self, tariff: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``Ĝ`` and the exact gradients of ``Σ_j weights[k, j] log Ĝ_j`` w.r.t. all tariffs.

        Parameters
        ----------
        tariff:
            ``t'[i, j, s]``.
        weights:
            ``[K, N]``: each row defines one scalar objective ``Σ_j w_kj log Ĝ_j``.

        Returns
        -------
        (welfare, gradient):
            ``Ĝ[N]`` and ``d objective_k / d t'[i, j, s]`` as ``[K, i, j, s]`` (diagonal
            entries are zero). Implicit-function theorem: ``dL/dt = ∂L/∂t - μᵀ F_t`` with
            ``F_xᵀ μ = ∂L/∂x``.
        """
        t = self._check_tariff(tariff)
        w = np.atleast_2d(np.asarray(weights, dtype=float))
        if w.shape[1] != self.N:
            raise ModelError(f"weights must be [K, {self.N}], got {w.shape}")
        f, _, _ = self._solve_x(t)
        logG = self._log_gov(f)
        # cotangents of L_k = Σ_j w_kj (log H_j - lP_j)
        B = (self.b[None, :] * f.Yn).sum(axis=1)
        C = (self.lam * self.b[None, :] * f.Yn).sum(axis=1)
        D = (self.lam * f.Yn).sum(axis=1)
        H = D + f.Rn * C / B
        dH_dY = self.lam + (f.Rn / B)[:, None] * self.b[None, :] * (self.lam - (C / B)[:, None])
        K = w.shape[0]
        gYn = (w / H)[:, :, None] * dH_dY[None]
        gRn = w / H * (C / B)
        glP = -w
        zeros = np.zeros((K, self.N))
        gx_lw, gx_le, gt_direct = self._reverse(f, gYn, gRn, glP, zeros, zeros)
        gx = np.concatenate([gx_lw, gx_le], axis=1)  # [K, 2N]
        J = self._jacobian(f)
        mu = np.linalg.solve(J.T, gx.T).T  # [K, 2N]
        _, _, gt_F = self._residual_vjp(f, mu)
        grad = gt_direct - gt_F
        grad[:, np.arange(self.N), np.arange(self.N), :] = 0.0
        return np.exp(logG), grad

    # ------------------------------------------------------------------ labels
    def tariff_dataarray(self, tariff: FloatArray, name: str = "tariff") -> xr.DataArray:
        """Label a tariff array as ``[origin, region, product]``."""
        return xr.DataArray(
            np.asarray(tariff),
            dims=("origin", "region", "product"),
            coords={
                "origin": list(self.regions),
                "region": list(self.regions),
                "product": list(self.industries),
            },
            name=name,
        )
