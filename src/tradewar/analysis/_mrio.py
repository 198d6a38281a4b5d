"""Matrix form of a World: the one place where labels are packed into flat arrays.

A World's ``intermediate[origin, product, region, sector]`` becomes the (n, n) matrix Z
with ``n = R*S`` rows (origin, product) and columns (region, sector), both region-major;
``final_demand[origin, product, region]`` becomes F (n, R). Every analysis function has a
matrix-level core over :class:`MRIO` (used directly by the benchmarks, which need no
World of 9,800 region-sectors) and a World-level wrapper that unpacks the results into
labelled xarray objects with :func:`unpack`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import xarray as xr

from tradewar.analysis.leontief import LeontiefSystem, Precision, calc_A
from tradewar.errors import ModelError
from tradewar.world.world import World


@dataclass(frozen=True)
class MRIO:
    """A multi-regional input-output system in matrix form (values at basic prices).

    Attributes
    ----------
    Z: (n, n) intermediate flows, rows (origin, product), columns (region, sector).
    F: (n, R) final demand, rows (origin, product), columns destination region.
    regions, sectors: labels; ``n = len(regions) * len(sectors)``, region-major.
    precision: LU precision for :attr:`system` (see :class:`LeontiefSystem`).
    """

    Z: np.ndarray
    F: np.ndarray
    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    precision: Precision = "auto"

    def __post_init__(self) -> None:
        R, S = len(self.regions), len(self.sectors)
        if self.Z.shape != (R * S, R * S) or self.F.shape != (R * S, R):
            raise ModelError(
                f"Z has shape {self.Z.shape} and F {self.F.shape} for {R} regions x {S} sectors",
                field="Z, F",
                expected=f"Z ({R * S}, {R * S}) and F ({R * S}, {R})",
            )

    @classmethod
    def from_world(cls, world: World, *, precision: Precision = "auto") -> MRIO:
        """Pack a World's Z and F (region-major order)."""
        R, S = world.shape
        Z = world.intermediate.transpose("origin", "product", "region", "sector").values.reshape(R * S, R * S)
        F = world.final_demand.transpose("origin", "product", "region").values.reshape(R * S, R)
        return cls(Z=Z, F=F, regions=tuple(world.regions), sectors=tuple(world.sectors), precision=precision)

    @property
    def R(self) -> int:
        """Number of regions."""
        return len(self.regions)

    @property
    def S(self) -> int:
        """Number of sectors."""
        return len(self.sectors)

    @property
    def n(self) -> int:
        """Number of region-sectors, R*S."""
        return self.R * self.S

    @cached_property
    def x(self) -> np.ndarray:
        """Gross output x = Z 1 + F 1 (sales side), (n,)."""
        return np.asarray(self.Z.sum(axis=1) + self.F.sum(axis=1))

    @cached_property
    def A(self) -> np.ndarray:
        """Technical coefficients A = Z x̂⁻¹ (not used by the analytics, which avoid the n x n copy)."""
        return calc_A(self.Z, self.x)

    @cached_property
    def inv_x(self) -> np.ndarray:
        """1 / x, zero where x = 0."""
        return np.divide(1.0, self.x, out=np.zeros_like(self.x), where=self.x != 0)

    @cached_property
    def v(self) -> np.ndarray:
        """Income coefficients v' = 1' - 1'A: value generated per unit of output.

        At basic prices this is value added plus the tariffs paid on imported inputs, both
        income of the producing region (tariff revenue accrues to its government, as in
        ``World.income``), so that v' L = 1' exactly (M&B 2009, §2.3: column sums of A
        plus value-added coefficients equal one). Read off the factored system.
        """
        return self.system.value_added_coefficients

    @cached_property
    def system(self) -> LeontiefSystem:
        """The factored Leontief system of this MRIO (factored once, on first use)."""
        return LeontiefSystem.from_flows(self.Z, self.x, precision=self.precision)

    @cached_property
    def region_of(self) -> np.ndarray:
        """Region index of each of the n rows."""
        return np.repeat(np.arange(self.R), self.S)

    def region_blocks(self, weights: np.ndarray) -> np.ndarray:
        """(n, R) matrix with ``weights`` in the rows of region r in column r, zero elsewhere."""
        out = np.zeros((self.n, self.R))
        out[np.arange(self.n), self.region_of] = weights
        return out

    @cached_property
    def va_source(self) -> np.ndarray:
        """Value-added origin by source region, Q = L' V̂ (n, R), V̂ = v by region blocks.

        ``Q[k, s] = Σ_{p} v[s, p] L[(s, p), k]``: income generated in region ``s`` per unit
        of output of region-sector ``k``, along the whole value chain. Rows sum to one
        (v' L = 1'). Columns of Koopman, Wang and Wei's (2014) VB matrix summed by source.
        R transposed solves of the factored system.
        """
        return self.system.solve_transposed(self.region_blocks(self.v))

    @cached_property
    def output_for_final(self) -> np.ndarray:
        """Gross output needed for each region's final demand, L F (n, R); columns sum to x."""
        return self.system.solve(self.F)

    @cached_property
    def output_for_output(self) -> np.ndarray:
        """L X̂ (n, R), X̂ = gross output x by region blocks.

        Column n is Σ_j L[:, (n,j)] x[n,j]: the output needed, directly and indirectly, for
        each region's gross output as if it were delivered to final users.
        """
        return self.system.solve(self.region_blocks(self.x))

    @cached_property
    def block_column_sums(self) -> np.ndarray:
        """C[k, m] = Σ_{i∈m} L[i, k]: output in region m per unit of final demand for k, (n, R).

        R transposed solves, L' (region indicators).
        """
        return self.system.solve_transposed(self.region_blocks(np.ones(self.n)))

    @cached_property
    def region_output(self) -> np.ndarray:
        """Gross output by region, X[r] = Σ_s x[r, s], (R,)."""
        return np.asarray(self.x.reshape(self.R, self.S).sum(axis=1))

    @cached_property
    def _rows_of_L(self) -> dict[int, np.ndarray]:
        return {}

    def rows_of_L(self, region: int) -> np.ndarray:
        """(n, S) array ``[k, j] = L[(region, j), k]``: the rows of L of one region, transposed.

        S transposed solves (cached per region).
        """
        if region not in self._rows_of_L:
            self._rows_of_L[region] = self.system.solve_transposed(self._unit_columns(region))
        return self._rows_of_L[region]

    def _unit_columns(self, region: int) -> np.ndarray:
        E = np.zeros((self.n, self.S))
        E[np.arange(region * self.S, (region + 1) * self.S), np.arange(self.S)] = 1.0
        return E

    def prepare(self, extraction_targets: Sequence[int] = ()) -> None:
        """Solve every right-hand side of the analytics in two batched calls.

        Fills :attr:`va_source`, :attr:`block_column_sums`, :attr:`output_for_final`,
        :attr:`output_for_output` and :meth:`rows_of_L` of the target regions; the same
        numbers as computing them one by one, with fewer and larger (faster) solves.
        """
        R = self.R
        targets = [int(t) for t in extraction_targets if int(t) not in self._rows_of_L]
        blocks = [self.region_blocks(self.v), self.region_blocks(np.ones(self.n))]
        blocks += [self._unit_columns(t) for t in targets]
        Yt = self.system.solve_transposed(np.hstack(blocks))
        self.__dict__["va_source"] = Yt[:, :R]
        self.__dict__["block_column_sums"] = Yt[:, R : 2 * R]
        for i, t in enumerate(targets):
            self._rows_of_L[t] = Yt[:, 2 * R + i * self.S : 2 * R + (i + 1) * self.S]
        Yn = self.system.solve(np.hstack([self.F, self.region_blocks(self.x)]))
        self.__dict__["output_for_final"] = Yn[:, :R]
        self.__dict__["output_for_output"] = Yn[:, R:]

    @cached_property
    def trade(self) -> np.ndarray:
        """Deliveries T[origin, product, region] = Σ_sector Z + F (incl. domestic), (R, S, R)."""
        Zb = self.Z.reshape(self.n, self.R, self.S).sum(axis=2)
        return (Zb + self.F).reshape(self.R, self.S, self.R)


def unpack(
    values: np.ndarray, dims: tuple[str, ...], mrio: MRIO, name: str, attrs: dict[str, str]
) -> xr.DataArray:
    """Label an array whose axes are the World dims ``dims``.

    ``origin`` and ``region`` take the region labels, ``product`` and ``sector`` the sector labels.
    """
    labels = {"origin": mrio.regions, "region": mrio.regions, "product": mrio.sectors, "sector": mrio.sectors}
    coords = {d: list(labels[d]) for d in dims}
    return xr.DataArray(np.asarray(values), dims=dims, coords=coords, name=name, attrs=attrs)
