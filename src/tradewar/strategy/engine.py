"""Drive the general-equilibrium engine (:mod:`tradewar.model`) as a tariff game.

:class:`EngineGame` adapts ``tradewar.model.solve`` (Caliendo-Parro in changes; the
one-sector case is structural gravity) to :class:`TariffGameModel`: a tariff array in,
each region's exact real-income change ``Î/P̂`` out. Exact tariff gradients come from
:func:`tradewar.model.gradient.welfare_gradient` (implicit-function theorem with one
adjoint linear system through the solver's fixed point, hand-derived vector-Jacobian
products; no finite differences), so ``has_gradient`` is True and the optimisers use
L-BFGS-B, as for Ossa's model. Gradients cover Cobb-Douglas production without quotas,
which is all an EngineGame builds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

import numpy as np
import xarray as xr

from tradewar.model import Baseline, Shock, solve
from tradewar.model.gradient import welfare_gradient
from tradewar.model.results import Equilibrium
from tradewar.strategy._protocol import DEFAULT_GAME_DEFICITS, FloatArray
from tradewar.world.world import World


@dataclass
class EngineGame:
    """The GE engine as a tariff game; welfare is the exact real-income change.

    Parameters
    ----------
    model:
        A :class:`~tradewar.world.world.World` or :class:`~tradewar.model.Baseline`.
    deficits:
        Deficit rule of every counterfactual (``"zero"``, ``"fixed"`` or ``"data"``);
        welfare is relative to the equilibrium at baseline tariffs under the same rule.
        Default :data:`~tradewar.strategy.DEFAULT_GAME_DEFICITS` (``"zero"``, as Ossa
        purges imbalances): with deficits held as in the data a deficit region gains
        from prohibitive tariffs, and very high tariffs can leave the engine without an
        equilibrium.
    tol:
        Solver tolerance.
    """

    model: World | Baseline
    deficits: Literal["zero", "fixed", "data"] = DEFAULT_GAME_DEFICITS  # type: ignore[assignment]
    tol: float = 1e-11
    base: Baseline = field(init=False)
    _ref: FloatArray = field(init=False, repr=False)
    last: Equilibrium | None = field(default=None, init=False, repr=False)

    has_gradient: ClassVar[bool] = True

    def __post_init__(self) -> None:
        self.base = self.model if isinstance(self.model, Baseline) else Baseline.from_world(self.model)
        self._ref = np.ones(len(self.base.regions))
        self._ref = self.welfare(self.baseline_tariff)

    @property
    def regions(self) -> tuple[str, ...]:
        """Region codes."""
        return tuple(self.base.regions)

    @property
    def products(self) -> tuple[str, ...]:
        """Sector codes."""
        return tuple(self.base.sectors)

    @property
    def baseline_tariff(self) -> FloatArray:
        """Baseline tariffs ``t[origin, region, product]`` (the engine stores ``τ[n, i, j]``)."""
        return np.ascontiguousarray((np.asarray(self.base.tau) - 1.0).transpose(1, 0, 2))

    @property
    def import_values(self) -> FloatArray:
        """Baseline imports at importer prices ``[origin, region, product]`` (scales the optimisers)."""
        b = self.base
        return np.ascontiguousarray((b.pi * b.X[:, None, :]).transpose(1, 0, 2))

    def shock(self, tariff: FloatArray) -> Shock:
        """The engine's counterfactual for tariffs ``t[origin, region, product]``."""
        R = list(self.regions)
        t = xr.DataArray(
            np.asarray(tariff, dtype=float),
            dims=("origin", "region", "product"),
            coords={"origin": R, "region": R, "product": list(self.products)},
        )
        return Shock.none(self.base).set_tariff(t, allow_extreme=True).with_deficits(self.deficits)

    def solve(self, tariff: FloatArray) -> Equilibrium:
        """The engine's equilibrium at tariffs ``t[origin, region, product]``."""
        self.last = solve(self.base, self.shock(tariff), tol=self.tol)
        return self.last

    def welfare(self, tariff: FloatArray) -> FloatArray:
        """Real-income change ``Î/P̂`` by region relative to baseline tariffs."""
        return np.asarray(self.solve(tariff).welfare_hat, dtype=float) / self._ref

    def welfare_and_gradient(self, tariff: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``Ŵ`` and the exact gradients of ``Σ_j weights[k, j] log Ŵ_j`` w.r.t. all tariffs.

        One equilibrium solve and one adjoint solve
        (:func:`~tradewar.model.gradient.welfare_gradient`); the gradient is
        ``[K, origin, region, product]`` with zero diagonal. Dividing by the reference
        welfare does not change the gradient of ``log Ŵ``.
        """
        shock = self.shock(tariff)
        self.last = solve(self.base, shock, tol=self.tol)
        g = welfare_gradient(
            self.base, shock, np.atleast_2d(np.asarray(weights, dtype=float)), log=True, equilibrium=self.last
        )
        return np.asarray(self.last.welfare_hat, dtype=float) / self._ref, g.gradient
