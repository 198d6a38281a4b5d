"""The model's view of a World: Caliendo-Parro arrays computed once, with labels.

Notation (Caliendo and Parro 2015, "Estimates of the Trade and Welfare Effects of NAFTA",
REStud 82(1)): importer ``n``, exporter ``i``, sectors ``j`` (output) and ``k`` (input).
All arrays are NumPy, in the order of :attr:`Baseline.regions` / :attr:`Baseline.sectors`;
the labelled (xarray) forms come back in the results.

From a World with flows at basic prices ``trade[i, j, n] = Σ_s Z[i, j, n, s] + F[i, j, n]``
and tariffs ``t[i, n, j]`` (levied by ``n``):

* ``tau[n, i, j] = 1 + t[i, n, j]``
* absorption gross of tariffs ``X[n, j] = Σ_i tau[n, i, j] trade[i, j, n]``
* trade shares ``pi[n, i, j] = tau[n, i, j] trade[i, j, n] / X[n, j]``
* gross output ``x[n, j] = Σ_m trade[n, j, m]``
* value-added share ``gamma_va[n, j] = VA[n, j] / x[n, j]``
* input shares ``gamma_io[n, k, j] = Σ_i tau[n, i, k] Z[i, k, n, j] / x[n, j]``
* final-demand shares ``alpha[n, j] = Σ_i tau[n, i, j] F[i, j, n] / Σ_{i,k} tau F``
* labour income ``wL[n] = Σ_j VA[n, j]`` and deficit ``D[n]`` = imports - exports.

Cobb-Douglas technology implies ``gamma_va[n, j] + Σ_k gamma_io[n, k, j] = 1`` (the
World's cost identity). Cells without absorption get ``pi[n, n, j] = 1`` and cells
without output ``gamma_va = 1``: they carry no weight, but keep the algebra finite.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import xarray as xr

from tradewar.errors import ModelError

if TYPE_CHECKING:
    from tradewar.world.world import World

FloatArray = npt.NDArray[np.float64]


def _ro(a: npt.ArrayLike) -> FloatArray:
    out = np.array(a, dtype=float, copy=True)
    out.flags.writeable = False
    return out


@dataclass(frozen=True)
class Baseline:
    """Baseline arrays of the multi-sector model in Caliendo-Parro notation (read-only).

    Attributes
    ----------
    regions, sectors: labels.
    X: absorption (expenditure) gross of tariffs, ``[n, j]``.
    pi: trade shares, ``[n, i, j]`` (importer, exporter, sector); ``Σ_i pi = 1``.
    tau: ``1 + tariff``, ``[n, i, j]``.
    gamma_va: value-added share of gross output, ``[n, j]``.
    gamma_io: input-output shares, ``[n, k, j]`` (region, input, using sector).
    alpha: final-demand shares, ``[n, j]``; ``Σ_j alpha = 1``.
    wL: value added (labour income), ``[n]``.
    D: aggregate trade deficit, ``[n]``; ``Σ_n D = 0``.
    theta: trade elasticities, ``[j]``.
    unit: value unit of the levels (e.g. ``"USD million"``).
    world: the World it came from, if any (never mutated).
    """

    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    X: FloatArray
    pi: FloatArray
    tau: FloatArray
    gamma_va: FloatArray
    gamma_io: FloatArray
    alpha: FloatArray
    wL: FloatArray
    D: FloatArray
    theta: FloatArray
    unit: str = "USD million"
    world: World | None = field(default=None, repr=False, compare=False)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_arrays(
        cls,
        *,
        regions: Sequence[str],
        sectors: Sequence[str],
        X: npt.ArrayLike,
        pi: npt.ArrayLike,
        tau: npt.ArrayLike,
        gamma_va: npt.ArrayLike,
        gamma_io: npt.ArrayLike,
        alpha: npt.ArrayLike,
        wL: npt.ArrayLike,
        D: npt.ArrayLike | None = None,
        theta: npt.ArrayLike,
        unit: str = "USD million",
        tau_is_gross: bool = True,
    ) -> Baseline:
        """Build from CP arrays (e.g. the authors' calibrated data).

        ``tau`` is ``1 + t`` unless ``tau_is_gross=False`` (then fractions ``t``).

        Raises
        ------
        ModelError
            Wrong shapes, NaN values, shares that do not sum to one, tariffs <= -100 %,
            non-positive elasticities.
        """
        N, J = len(regions), len(sectors)
        tau_a = np.asarray(tau, dtype=float)
        if not tau_is_gross:
            tau_a = 1.0 + tau_a
        arrays = {
            "X": (np.asarray(X, dtype=float), (N, J)),
            "pi": (np.asarray(pi, dtype=float), (N, N, J)),
            "tau": (tau_a, (N, N, J)),
            "gamma_va": (np.asarray(gamma_va, dtype=float), (N, J)),
            "gamma_io": (np.asarray(gamma_io, dtype=float), (N, J, J)),
            "alpha": (np.asarray(alpha, dtype=float), (N, J)),
            "wL": (np.asarray(wL, dtype=float).reshape(-1), (N,)),
            "D": (np.zeros(N) if D is None else np.asarray(D, dtype=float).reshape(-1), (N,)),
            "theta": (np.asarray(theta, dtype=float).reshape(-1), (J,)),
        }
        for name, (a, shape) in arrays.items():
            if a.shape != shape:
                raise ModelError(
                    f"{name} has shape {a.shape}",
                    field=name,
                    expected=f"shape {shape} for {N} regions x {J} sectors",
                )
            if not np.isfinite(a).all():
                raise ModelError(f"{name} has NaN or infinite values", field=name, expected="finite numbers")
        checks = [
            ("pi", np.abs(arrays["pi"][0].sum(axis=1) - 1.0).max() > 1e-6, "Σ_i pi[n, i, j] = 1"),
            ("alpha", np.abs(arrays["alpha"][0].sum(axis=1) - 1.0).max() > 1e-6, "Σ_j alpha[n, j] = 1"),
            (
                "gamma_io",
                np.abs(arrays["gamma_io"][0].sum(axis=1) + arrays["gamma_va"][0] - 1.0).max() > 1e-5,
                "gamma_va[n, j] + Σ_k gamma_io[n, k, j] = 1",
            ),
            ("tau", (tau_a <= 0).any(), "tau = 1 + t > 0"),
            ("theta", (arrays["theta"][0] <= 0).any(), "theta > 0"),
            ("pi", (arrays["pi"][0] < 0).any(), "non-negative shares"),
        ]
        for name, bad, what in checks:
            if bad:
                raise ModelError(f"{name} violates {what}", field=name, expected=what)
        ro = {k: _ro(v) for k, (v, _) in arrays.items()}
        return cls(
            regions=tuple(str(r) for r in regions),
            sectors=tuple(str(s) for s in sectors),
            X=ro["X"],
            pi=ro["pi"],
            tau=ro["tau"],
            gamma_va=ro["gamma_va"],
            gamma_io=ro["gamma_io"],
            alpha=ro["alpha"],
            wL=ro["wL"],
            D=ro["D"],
            theta=ro["theta"],
            unit=unit,
        )

    @classmethod
    def from_world(cls, world: World) -> Baseline:
        """Compute the CP arrays of ``world`` (see the module docstring for the formulas)."""
        t = world.tariff.values  # [i, n, j]
        Z = world.intermediate.values  # [i, k, n, s]
        F = world.final_demand.values  # [i, j, n]
        VA = world.value_added.values  # [n, j]
        N = len(world.regions)
        tau = 1.0 + t.transpose(1, 0, 2)  # [n, i, j]
        trade = (Z.sum(axis=3) + F).transpose(2, 0, 1)  # [n, i, j] net of tariffs
        gross = tau * trade
        X = gross.sum(axis=1)
        eye = np.eye(N)[:, :, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            pi = np.where(X[:, None, :] > 0, gross / X[:, None, :], eye)
        x = trade.sum(axis=0)  # [i, j]: sales of i
        # purchaser-price inputs by (n, k, j): Σ_i tau[n, i, k] Z[i, k, n, j]
        inputs = np.einsum("nik,iknj->nkj", tau, Z)
        with np.errstate(invalid="ignore", divide="ignore"):
            gamma_io = np.where(x[:, None, :] > 0, inputs / x[:, None, :], 0.0)
        # VA / x, up to the World's ACCOUNTS_RTOL: take the residual so that the
        # Cobb-Douglas shares add up to one exactly
        gamma_va = np.where(x > 0, 1.0 - gamma_io.sum(axis=1), 1.0)
        final = np.einsum("nij,ijn->nj", tau, F)
        fin_tot = final.sum(axis=1)
        if (fin_tot <= 0).any():
            bad = [world.regions[r] for r in np.flatnonzero(fin_tot <= 0)]
            raise ModelError(
                f"regions {bad} have no final demand, so final-demand shares are undefined",
                field="final_demand",
                fix="give every region positive final demand",
            )
        alpha = final / fin_tot[:, None]
        return cls(
            regions=tuple(world.regions),
            sectors=tuple(world.sectors),
            X=_ro(X),
            pi=_ro(pi),
            tau=_ro(tau),
            gamma_va=_ro(gamma_va),
            gamma_io=_ro(gamma_io),
            alpha=_ro(alpha),
            wL=_ro(VA.sum(axis=1)),
            D=_ro(world.deficit.values),
            theta=_ro(world.theta.values),
            unit=world.meta.unit,
            world=world,
        )

    # ------------------------------------------------------------------ derived
    @property
    def shape(self) -> tuple[int, int]:
        """(N regions, J sectors)."""
        return len(self.regions), len(self.sectors)

    @property
    def trade(self) -> FloatArray:
        """Flows net of tariffs ``[n, i, j]`` = pi X / tau (importer n from exporter i)."""
        return np.asarray(self.pi * self.X[:, None, :] / self.tau)

    @property
    def output(self) -> FloatArray:
        """Gross output (sales) ``x[i, j] = Σ_n trade[n, i, j]``."""
        return np.asarray(self.trade.sum(axis=0))

    @property
    def tariff_revenue(self) -> FloatArray:
        """``R[n] = Σ_{i,j} (tau - 1) trade[n, i, j]``."""
        return np.asarray(((self.tau - 1.0) * self.trade).sum(axis=(1, 2)))

    @property
    def income(self) -> FloatArray:
        """Final-demand income ``I[n] = wL[n] + R[n] + D[n]``."""
        return np.asarray(self.wL + self.tariff_revenue + self.D)

    @property
    def tariff(self) -> xr.DataArray:
        """Tariffs as fractions, labelled ``[origin, region, product]`` like the World's."""
        return xr.DataArray(
            (self.tau - 1.0).transpose(1, 0, 2),
            dims=("origin", "region", "product"),
            coords={
                "origin": list(self.regions),
                "region": list(self.regions),
                "product": list(self.sectors),
            },
        )

    def __repr__(self) -> str:
        N, J = self.shape
        return f"<Baseline {N} regions x {J} sectors, {self.unit}>"
