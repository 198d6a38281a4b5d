"""What the tariff-game code needs from a model, and how instruments map onto tariffs.

A *game model* maps a full tariff array ``t[origin, region, product]`` (the fraction
levied by ``region`` on ``product`` imported from ``origin``, the diagonal unused) to each
government's welfare change ``Ŵ[region]`` (1 = baseline). Models that can, also return
exact gradients of weighted sums of ``log Ŵ``; the optimisers then use quasi-Newton
methods. Models without gradients get a bounded derivative-free search (documented
where used).

An *instrument* is the shape of the policy a government chooses: one uniform rate, one
rate per product (MFN), one rate per partner, or one per partner and product
(unrestricted). :class:`InstrumentMap` packs a player's instrument vector into the full
tariff array and pulls gradients back; it is the only place positions are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import xarray as xr

from tradewar.errors import ModelError, UnknownCodeError

FloatArray = npt.NDArray[np.float64]


@runtime_checkable
class TariffGameModel(Protocol):
    """A model the strategy code can drive.

    Attributes
    ----------
    regions, products:
        Labels of the tariff axes (``origin`` and ``region`` share ``regions``).
    baseline_tariff:
        The status-quo tariffs ``t[origin, region, product]``.
    has_gradient:
        Whether :meth:`welfare_and_gradient` is implemented.
    """

    @property
    def regions(self) -> tuple[str, ...]: ...

    @property
    def products(self) -> tuple[str, ...]: ...

    @property
    def baseline_tariff(self) -> FloatArray: ...

    @property
    def has_gradient(self) -> bool: ...

    def welfare(self, tariff: FloatArray) -> FloatArray:
        """Welfare change ``Ŵ[region]`` (1 = baseline) at tariffs ``t``."""
        ...

    def welfare_and_gradient(self, tariff: FloatArray, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``Ŵ`` and ``d/dt Σ_j weights[k, j] log Ŵ_j`` as ``[K, origin, region, product]``."""
        ...


class Instrument(StrEnum):
    """The policy space of a government."""

    #: One ad-valorem rate on all imports from all targeted partners.
    UNIFORM = "uniform"
    #: One rate per product, the same for all partners (MFN).
    SECTOR = "sector"
    #: One rate per partner, the same for all products.
    PARTNER = "partner"
    #: One rate per partner and product (Ossa's "unrestricted" tariffs).
    BILATERAL = "bilateral"


#: The instrument of ``tradewar game optimal|nash|deal`` when none is given: one tariff
#: per product, the same for every partner (MFN), as in Ossa's (2014) trade wars and
#: talks and as WTO members' tariffs are; ``bilateral`` (one per partner and product) is
#: the richest policy space and the slowest to solve.
DEFAULT_INSTRUMENT = Instrument.SECTOR

#: The deficit rule of tariff games when none is given: ``zero``. With deficits held as in
#: the data (``data``, or ``fixed``, the same under the engine's world-GDP numeraire), a
#: deficit region keeps its deficit, a transfer from the rest of the world, whatever its
#: tariffs: on the default world the USA's optimal uniform tariff then runs to the
#: 1000 % bound (+5.8 % welfare), against 36 % (+0.46 %) with zero deficits. Ossa (2014)
#: purges deficits the same way. Scenario runs keep ``data``
#: (:data:`tradewar.runs.DEFAULT_DEFICITS`): their tariffs are given, not chosen.
DEFAULT_GAME_DEFICITS = "zero"


def region_index(model: TariffGameModel, code: str) -> int:
    """Position of a region code; raises :class:`UnknownCodeError` with suggestions."""
    regions = list(model.regions)
    if code not in regions:
        raise UnknownCodeError("region", code, regions)
    return regions.index(code)


@dataclass(frozen=True)
class InstrumentMap:
    """Packs player ``region``'s instrument vector into tariff entries ``t[i, region, s]``.

    Attributes
    ----------
    player: the importing region choosing the tariffs.
    instrument: its policy space.
    targets: the partners (origins) whose goods the instrument covers.
    origin_idx, product_idx: the covered entries ``t[origin_idx[k], player, product_idx[k]]``.
    slot: which instrument value sets each covered entry.
    size: number of instrument values.
    labels: a readable label per instrument value.
    """

    player: str
    player_idx: int
    instrument: Instrument
    targets: tuple[str, ...]
    origin_idx: npt.NDArray[np.intp]
    product_idx: npt.NDArray[np.intp]
    slot: npt.NDArray[np.intp]
    size: int
    labels: tuple[str, ...]

    @classmethod
    def build(
        cls,
        model: TariffGameModel,
        player: str,
        instrument: Instrument | str = Instrument.BILATERAL,
        targets: list[str] | tuple[str, ...] | None = None,
    ) -> InstrumentMap:
        """Instrument map of ``player``; ``targets`` defaults to every other region."""
        inst = Instrument(instrument)
        j = region_index(model, player)
        regions = list(model.regions)
        tg = [r for r in regions if r != player] if targets is None else list(targets)
        for r in tg:
            region_index(model, r)
        if player in tg:
            raise ModelError(f"a region cannot tariff itself: {player!r} is among the targets")
        if not tg:
            raise ModelError("no target partners", fix="pass at least one partner region")
        ti = np.array([regions.index(r) for r in tg], dtype=np.intp)
        products = list(model.products)
        S, T = len(products), len(ti)
        o = np.repeat(ti, S)
        p = np.tile(np.arange(S, dtype=np.intp), T)
        ot = np.repeat(np.arange(T, dtype=np.intp), S)
        labels: list[str]
        if inst is Instrument.UNIFORM:
            slot, labels = np.zeros(T * S, dtype=np.intp), ["all"]
        elif inst is Instrument.SECTOR:
            slot, labels = p.copy(), list(products)
        elif inst is Instrument.PARTNER:
            slot, labels = ot, list(tg)
        else:
            slot = ot * S + p
            labels = [f"{r}/{q}" for r in tg for q in products]
        return cls(
            player=player,
            player_idx=j,
            instrument=inst,
            targets=tuple(tg),
            origin_idx=o,
            product_idx=p,
            slot=slot,
            size=len(labels),
            labels=tuple(labels),
        )

    def apply(self, x: FloatArray, tariff: FloatArray) -> FloatArray:
        """A copy of ``tariff`` with the covered entries set from ``x``."""
        out = np.array(tariff, dtype=float, copy=True)
        out[self.origin_idx, self.player_idx, self.product_idx] = np.asarray(x, dtype=float)[self.slot]
        return out

    def extract(self, tariff: FloatArray) -> FloatArray:
        """Instrument values from a tariff array (mean over the entries each one covers)."""
        vals = np.asarray(tariff)[self.origin_idx, self.player_idx, self.product_idx]
        tot = np.bincount(self.slot, weights=vals, minlength=self.size)
        cnt = np.bincount(self.slot, minlength=self.size)
        return np.asarray(tot / np.maximum(cnt, 1), dtype=float)

    def pullback(self, grad: FloatArray) -> FloatArray:
        """Gradient w.r.t. ``x`` from a gradient w.r.t. the full tariff array ``[..., i, j, s]``."""
        g = np.asarray(grad)[..., self.origin_idx, self.player_idx, self.product_idx]
        if g.ndim == 1:
            return np.bincount(self.slot, weights=g, minlength=self.size).astype(float)
        g2 = g.reshape(-1, g.shape[-1])
        out = np.zeros((self.size, g2.shape[0]))
        np.add.at(out, self.slot, g2.T)
        return out.T.reshape((*g.shape[:-1], self.size))


def tariff_dataarray(model: TariffGameModel, tariff: FloatArray, name: str = "tariff") -> xr.DataArray:
    """Label a tariff array ``t[origin, region, product]`` with the model's codes."""
    regions, products = list(model.regions), list(model.products)
    arr = np.asarray(tariff, dtype=float)
    if arr.shape != (len(regions), len(regions), len(products)):
        raise ModelError(
            f"tariff has shape {arr.shape}",
            expected=f"(origin, region, product) = {(len(regions), len(regions), len(products))}",
        )
    return xr.DataArray(
        arr,
        dims=("origin", "region", "product"),
        coords={"origin": regions, "region": regions, "product": products},
        name=name,
    )
