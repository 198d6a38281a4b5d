"""Production technology: nested CES elasticities by region and sector, with sources.

The engine's default technology is Cobb-Douglas (Caliendo and Parro 2015): cost shares
never move. A :class:`Technology` replaces it with a nested CES (Baqaee and Farhi 2019,
"The Macroeconomic Impact of Microeconomic Shocks: Beyond Hulten's Theorem",
Econometrica 87(4), section 2; Baqaee and Farhi 2024, "Networks, Barriers, and Trade",
Econometrica 92(2)):

* ``sigma[region, sector]`` between value added and the intermediate bundle;
* ``epsilon[region, sector]`` among intermediate inputs from different sectors;
* the trade elasticity ``theta[sector]`` (from the World) still governs substitution
  across suppliers of one input (Eaton-Kortum).

``sigma = epsilon = 1`` is Cobb-Douglas, and the engine then returns the Cobb-Douglas
results to rounding. Values near 0 approach Leontief: a scarce input then caps output
(the "beyond Hulten" effect). Accepted range: ``[MIN_ELASTICITY, MAX_ELASTICITY]``.

Every Technology carries ``sources`` (citations of the numbers); the library's
chokepoint scenarios state theirs in the scenario files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from tradewar.errors import ModelError
from tradewar.model.shock import Selector, region_sector_array, select_mask

if TYPE_CHECKING:
    from tradewar.model.baseline import Baseline, FloatArray
    from tradewar.world.world import World

#: Smallest elasticity accepted (0 itself would make the cost function a min(), which
#: the engine does not solve; 1e-3 is Leontief for any practical purpose).
MIN_ELASTICITY = 1e-3
#: Largest elasticity accepted.
MAX_ELASTICITY = 20.0


@dataclass(frozen=True)
class Technology:
    """Nested CES elasticities, labelled ``[region, sector]``, and their sources.

    Build with :meth:`cobb_douglas` and :meth:`set` (each returns a new Technology).
    """

    sigma: xr.DataArray
    epsilon: xr.DataArray
    sources: tuple[str, ...] = field(default=())

    # ------------------------------------------------------------------ construction
    @classmethod
    def cobb_douglas(cls, source: World | Baseline) -> Technology:
        """All elasticities 1 (the Caliendo-Parro technology)."""
        one = region_sector_array(source, 1.0)
        return cls._frozen(sigma=one, epsilon=one.copy(), sources=())

    @classmethod
    def uniform(
        cls,
        source: World | Baseline,
        *,
        sigma: float = 1.0,
        epsilon: float = 1.0,
        sources: Sequence[str] = (),
    ) -> Technology:
        """The same ``sigma`` and ``epsilon`` everywhere."""
        return cls.cobb_douglas(source).set(sigma=sigma, epsilon=epsilon, source=None)._add(sources)

    @classmethod
    def _frozen(cls, **kw: object) -> Technology:
        t = cls(**kw)  # type: ignore[arg-type]
        for a in (t.sigma, t.epsilon):
            a.values.flags.writeable = False
        t._check()
        return t

    def _add(self, sources: Sequence[str]) -> Technology:
        return Technology._frozen(
            sigma=self.sigma, epsilon=self.epsilon, sources=(*self.sources, *[str(s) for s in sources])
        )

    def set(
        self,
        *,
        sigma: float | None = None,
        epsilon: float | None = None,
        region: Selector = None,
        sector: Selector = None,
        source: str | None = None,
    ) -> Technology:
        """Set ``sigma`` and/or ``epsilon`` of the selected regions and sectors.

        ``source`` (a citation) is appended to :attr:`sources`.
        """
        regions = [str(r) for r in self.sigma["region"].values]
        sectors = [str(s) for s in self.sigma["sector"].values]
        in_region = select_mask(regions, region, "region")
        mask = in_region[:, None] & select_mask(sectors, sector, "sector")[None, :]
        new_s = np.where(mask, sigma, self.sigma.values) if sigma is not None else self.sigma.values
        new_e = np.where(mask, epsilon, self.epsilon.values) if epsilon is not None else self.epsilon.values
        out = Technology._frozen(
            sigma=self.sigma.copy(data=np.array(new_s, dtype=float)),
            epsilon=self.epsilon.copy(data=np.array(new_e, dtype=float)),
            sources=self.sources + ((source,) if source else ()),
        )
        return out

    def _check(self) -> None:
        for name, a in (("sigma", self.sigma), ("epsilon", self.epsilon)):
            if a.dims != ("region", "sector"):
                raise ModelError(f"{name} has dims {a.dims}", field=name, expected="('region', 'sector')")
            v = a.values
            if not np.isfinite(v).all() or (v < MIN_ELASTICITY).any() or (v > MAX_ELASTICITY).any():
                raise ModelError(
                    f"{name} has values outside [{MIN_ELASTICITY}, {MAX_ELASTICITY}]",
                    field=name,
                    expected=f"elasticities in [{MIN_ELASTICITY}, {MAX_ELASTICITY}] (1 = Cobb-Douglas)",
                    fix=f"use {MIN_ELASTICITY} for Leontief",
                )

    # ------------------------------------------------------------------ use
    @property
    def is_cobb_douglas(self) -> bool:
        """True if every elasticity is exactly 1."""
        return bool((self.sigma.values == 1.0).all() and (self.epsilon.values == 1.0).all())

    def arrays(self, base: Baseline) -> tuple[FloatArray, FloatArray]:
        """``(sigma, epsilon)`` as ``[n, j]`` arrays in the baseline's order.

        Raises
        ------
        ModelError
            If the labels do not match the baseline's.
        """
        regions, sectors = list(base.regions), list(base.sectors)
        mine_r = [str(r) for r in self.sigma.indexes["region"]]
        mine_s = [str(s) for s in self.sigma.indexes["sector"]]
        if mine_r == regions and mine_s == sectors and self.epsilon.dims == self.sigma.dims:
            same = self.epsilon.indexes["region"].equals(self.sigma.indexes["region"])
            if same and self.epsilon.indexes["sector"].equals(self.sigma.indexes["sector"]):
                s, e = self.sigma.values, self.epsilon.values
                return np.asarray(s, dtype=float), np.asarray(e, dtype=float)
        if sorted(mine_r) != sorted(regions) or sorted(mine_s) != sorted(sectors):
            raise ModelError(
                "the technology's regions/sectors do not match the baseline's",
                field="technology",
                expected=f"regions {regions[:5]}..., sectors {sectors[:5]}...",
                fix="build it with Technology.cobb_douglas(world) from the same World",
            )
        if mine_r == regions and mine_s == sectors:  # already in order: no label lookup
            s, e = self.sigma.values, self.epsilon.values
        else:
            s = self.sigma.sel(region=regions, sector=sectors).values
            e = self.epsilon.sel(region=regions, sector=sectors).values
        return np.asarray(s, dtype=float), np.asarray(e, dtype=float)

    def __repr__(self) -> str:
        s, e = self.sigma.values, self.epsilon.values
        return (
            f"<Technology sigma {s.min():g}..{s.max():g}, epsilon {e.min():g}..{e.max():g}; "
            f"{len(self.sources)} source(s)>"
        )
