"""Shocks: changes in trade policy and technology, as labelled, immutable objects.

A :class:`Shock` holds the *counterfactual levels* of the policy instruments and the
*changes* in the others, all labelled like the World:

``tariff[origin, region, product]``
    counterfactual ad-valorem tariff t' (fraction) levied by ``region``.
``trade_cost[origin, region, product]``
    iceberg change d̂ >= 0 (``np.inf`` = prohibitive: the flow becomes exactly zero).
``productivity[region, sector]``
    Â: effective unit cost is ĉ / Â.
``quotas``
    quantity limits (export bans and quotas) on flows, see :class:`Quota` and
    :meth:`Shock.set_quota`; the engine gives each an endogenous tariff-equivalent wedge.
``financing``
    optional lump-sum charges on regions' incomes spent on investment goods,
    ``[region, sector]`` at baseline prices (see :meth:`Shock.with_financing`).
``technology``
    optional nested-CES elasticities (:class:`~tradewar.model.technology.Technology`);
    ``None`` = Cobb-Douglas.
``capital``
    optional sector-specific capital (:class:`~tradewar.model.capital.Capital`: capital
    shares and capacity); ``None`` = labour is the only factor (Caliendo-Parro).
``deficits``
    ``"zero"`` (Caliendo-Parro main case: D' = 0), ``"fixed"`` (D'/Σ_n w'L = D/Σ_n wL,
    footnote 47), ``"data"`` (D' = D in baseline units; with tradewar's numeraire, world
    GDP fixed, it equals ``"fixed"``).

Every builder returns a new Shock; nothing is ever modified in place, and invalid input
raises before anything is built. Selectors take a code, a list of codes or ``None``
(= all); unknown codes raise :class:`~tradewar.errors.UnknownCodeError`. Tariffs and
trade costs apply to international pairs only (origin != region). A scenario language
can build on these methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

import numpy as np
import xarray as xr

from tradewar.errors import ScenarioError, UnknownCodeError
from tradewar.limits import check_rate

if TYPE_CHECKING:
    from tradewar.model.baseline import Baseline
    from tradewar.model.capital import Capital
    from tradewar.model.technology import Technology
    from tradewar.world.world import World

Selector = str | Sequence[str] | None
DeficitMode = Literal["zero", "fixed", "data"]
DEFICIT_MODES: tuple[str, ...] = ("zero", "fixed", "data")
RentRule = Literal["exporter", "importer", "nobody"]
RENT_RULES: tuple[str, ...] = ("exporter", "importer", "nobody")
QuotaUnit = Literal["fraction", "quantity"]


@dataclass(frozen=True, eq=False)
class Quota:
    """A quantity limit on trade flows (an export quota, an import quota or a ban).

    Attributes
    ----------
    mask: boolean ``[origin, region, product]``, the flows it covers (never the diagonal).
    limit: ``unit="fraction"``: the flows' quantity may be at most ``limit`` times the
        baseline (0 = ban); ``unit="quantity"``: at most ``limit`` in the World's value
        unit at baseline prices, per constrained group.
    unit: ``"fraction"`` or ``"quantity"``.
    rent: who keeps the quota rent ``ω/(1+ω)`` of the flow's value: ``"exporter"``
        (export licences, a voluntary export restraint), ``"importer"`` (import
        licences) or ``"nobody"`` (the wedge is a real resource cost, like an iceberg
        cost; a pure ban).
    pooled: ``False``: one limit per flow (exporter x importer x sector); ``True``: one
        limit on the sum over the covered importers, per exporter and sector (an export
        quota "to all").
    label: a description.

    The quantity of a flow is its value net of tariffs and of the wedge, deflated by the
    exporter's producer-price change: ``q̂ = M'/((1+ω) ĉ_ij/Â_ij M)``.
    """

    mask: np.ndarray
    limit: float
    unit: QuotaUnit = "fraction"
    rent: RentRule = "exporter"
    pooled: bool = False
    label: str = ""


def _labels(source: World | Baseline) -> tuple[list[str], list[str], xr.DataArray]:
    regions = [str(r) for r in source.regions]
    sectors = [str(s) for s in source.sectors]
    return regions, sectors, source.tariff


def select_mask(labels: list[str], sel: Selector, kind: str) -> np.ndarray:
    """Boolean mask over ``labels`` for a selector (code, list of codes, or None = all)."""
    if sel is None:
        return np.ones(len(labels), dtype=bool)
    codes = [sel] if isinstance(sel, str) else [str(s) for s in sel]
    for c in codes:
        if c not in labels:
            raise UnknownCodeError(kind, c, labels)
    return np.isin(np.asarray(labels), codes)


def region_sector_array(source: World | Baseline, value: float) -> xr.DataArray:
    """A ``[region, sector]`` array of ``source``'s labels filled with ``value``.

    The neutral element of every per-region-and-sector setting: Â = 1, σ = ε = 1, β = 0.
    """
    regions = [str(r) for r in source.regions]
    sectors = [str(s) for s in source.sectors]
    return xr.DataArray(
        np.full((len(regions), len(sectors)), float(value)),
        dims=("region", "sector"),
        coords={"region": regions, "sector": sectors},
    )


@dataclass(frozen=True)
class Shock:
    """A counterfactual: new tariffs, iceberg-cost and productivity changes, deficit rule.

    Build with :meth:`none` and the ``set_*`` / ``add_*`` / ``scale_*`` / ``with_*``
    methods (each returns a new Shock).
    """

    tariff: xr.DataArray
    trade_cost: xr.DataArray
    productivity: xr.DataArray
    deficits: DeficitMode = "zero"
    description: tuple[str, ...] = ()
    quotas: tuple[Quota, ...] = ()
    technology: Technology | None = None
    capital: Capital | None = None
    #: investment spending G[region, sector] financed by lump-sum charges, World value
    #: unit at baseline prices (row sums: the charges T_n); None = no charge
    financing: xr.DataArray | None = None

    @classmethod
    def none(cls, source: World | Baseline) -> Shock:
        """No change: baseline tariffs, d̂ = 1, Â = 1, deficits as in the data."""
        regions, sectors, tariff = _labels(source)
        R, S = len(regions), len(sectors)
        tc = xr.DataArray(
            np.ones((R, R, S)),
            dims=("origin", "region", "product"),
            coords={"origin": regions, "region": regions, "product": sectors},
        )
        prod = region_sector_array(source, 1.0)
        t = xr.DataArray(np.array(tariff.values, dtype=float), dims=tariff.dims, coords=tc.coords)
        return cls._frozen(tariff=t, trade_cost=tc, productivity=prod, deficits="data")

    @classmethod
    def _frozen(cls, **kw: object) -> Shock:
        s = cls(**kw)  # type: ignore[arg-type]
        for a in (s.tariff, s.trade_cost, s.productivity):
            a.values.flags.writeable = False
        return s

    # ------------------------------------------------------------------ helpers
    @property
    def regions(self) -> list[str]:
        """Region codes."""
        return [str(r) for r in self.tariff.indexes["region"]]

    @property
    def sectors(self) -> list[str]:
        """Sector codes."""
        return [str(s) for s in self.tariff.indexes["product"]]

    def _pair_mask(self, origin: Selector, region: Selector, product: Selector) -> np.ndarray:
        regs, secs = self.regions, self.sectors
        o = select_mask(regs, origin, "origin")
        r = select_mask(regs, region, "region")
        p = select_mask(secs, product, "product")
        mask = o[:, None, None] & r[None, :, None] & p[None, None, :]
        return mask & ~np.eye(len(regs), dtype=bool)[:, :, None]

    def _values(
        self, value: float | xr.DataArray, like: xr.DataArray, what: str, mask: np.ndarray
    ) -> np.ndarray:
        """``value`` as an array shaped like ``like``; it must cover every cell of ``mask``."""
        if isinstance(value, xr.DataArray):
            missing = [d for d in value.dims if d not in like.dims]
            if missing:
                raise ScenarioError(
                    f"{what} has dims {value.dims}; {missing} are not among {like.dims}",
                    field=what,
                    expected=f"a number or an array over a subset of {like.dims}",
                )
            arr = value.broadcast_like(like).reindex_like(like).transpose(*like.dims)
            out = np.asarray(arr.values, dtype=float)
            if np.isnan(out[mask]).any():
                raise ScenarioError(f"{what} does not cover every selected cell", field=what)
            return out
        return np.full(like.shape, float(value))

    def _with(self, note: str, **kw: object) -> Shock:
        new = replace(self, description=(*self.description, note), **kw)  # type: ignore[arg-type]
        for a in (new.tariff, new.trade_cost, new.productivity):
            a.values.flags.writeable = False
        return new

    # ------------------------------------------------------------------ builders
    def set_tariff(
        self,
        value: float | xr.DataArray,
        *,
        origin: Selector = None,
        region: Selector = None,
        product: Selector = None,
        allow_extreme: bool = False,
    ) -> Shock:
        """Set the tariff ``region`` levies on ``product`` from ``origin`` to ``value`` (fraction).

        Tariffs above :data:`tradewar.limits.MAX_RATE` (1000 %; ``set_tariff(25)`` is 2500 %,
        most likely 25 % meant as 0.25) are refused unless ``allow_extreme=True``.
        """
        mask = self._pair_mask(origin, region, product)
        v = self._values(value, self.tariff, "tariff", mask)
        new = np.where(mask, v, self.tariff.values)
        self._check_tariff(new)
        self._check_plausible(new[mask], "a tariff", allow_extreme)
        return self._with(f"set_tariff({origin}, {region}, {product})", tariff=self.tariff.copy(data=new))

    def add_tariff(
        self,
        delta: float | xr.DataArray,
        *,
        origin: Selector = None,
        region: Selector = None,
        product: Selector = None,
        allow_extreme: bool = False,
    ) -> Shock:
        """Add ``delta`` (fraction, e.g. 0.1 = 10 points) to the selected tariffs.

        Resulting tariffs above :data:`tradewar.limits.MAX_RATE` are refused unless
        ``allow_extreme=True`` (see :meth:`set_tariff`).
        """
        mask = self._pair_mask(origin, region, product)
        v = self._values(delta, self.tariff, "tariff", mask)
        new = np.where(mask, self.tariff.values + v, self.tariff.values)
        self._check_tariff(new)
        self._check_plausible(new[mask], "a tariff", allow_extreme)
        return self._with(f"add_tariff({origin}, {region}, {product})", tariff=self.tariff.copy(data=new))

    def scale_trade_cost(
        self,
        factor: float | xr.DataArray,
        *,
        origin: Selector = None,
        region: Selector = None,
        product: Selector = None,
    ) -> Shock:
        """Multiply iceberg costs by ``factor`` (d̂ > 0; ``np.inf`` bans the flow)."""
        mask = self._pair_mask(origin, region, product)
        v = self._values(factor, self.trade_cost, "trade_cost", mask)
        if np.isnan(v[mask]).any() or (v[mask] <= 0).any():
            raise ScenarioError(
                "trade-cost factors must be > 0 (np.inf for a ban)",
                field="trade_cost",
                expected="d̂ in (0, inf]",
                fix="use a factor > 0; remove a flow with np.inf",
            )
        new = np.where(mask, self.trade_cost.values * v, self.trade_cost.values)
        return self._with(
            f"scale_trade_cost({origin}, {region}, {product})", trade_cost=self.trade_cost.copy(data=new)
        )

    def scale_productivity(
        self,
        factor: float | xr.DataArray,
        *,
        region: Selector = None,
        sector: Selector = None,
        allow_extreme: bool = False,
    ) -> Shock:
        """Multiply productivity Â of ``sector`` in ``region`` by ``factor`` (> 0, finite).

        Factors above ``1 +`` :data:`tradewar.limits.MAX_RATE` are refused unless
        ``allow_extreme=True``.
        """
        r = select_mask(self.regions, region, "region")
        s = select_mask(self.sectors, sector, "sector")
        mask = r[:, None] & s[None, :]
        v = self._values(factor, self.productivity, "productivity", mask)
        if (~np.isfinite(v[mask])).any() or (v[mask] <= 0).any():
            raise ScenarioError(
                "productivity factors must be finite and > 0", field="productivity", expected="Â > 0"
            )
        self._check_plausible(v[mask] - 1.0, "a productivity change", allow_extreme)
        new = np.where(mask, self.productivity.values * v, self.productivity.values)
        return self._with(
            f"scale_productivity({region}, {sector})", productivity=self.productivity.copy(data=new)
        )

    def set_quota(
        self,
        limit: float,
        *,
        origin: Selector = None,
        region: Selector = None,
        product: Selector = None,
        unit: QuotaUnit = "fraction",
        rent: RentRule = "exporter",
        pooled: bool = False,
    ) -> Shock:
        """Limit the quantity of flows from ``origin`` to ``region`` of ``product``.

        ``limit`` is a fraction of the baseline quantity (``unit="fraction"``, 0 = ban)
        or a value at baseline prices in the World's unit (``unit="quantity"``, per
        flow, or per exporter and product when ``pooled``). See :class:`Quota` for
        ``rent`` and ``pooled``. Later quotas replace earlier ones on the flows they
        share. A non-binding quota changes nothing; a binding one gets a
        tariff-equivalent wedge in the equilibrium (``Equilibrium.quotas``).
        """
        if not np.isfinite(limit) or limit < 0:
            raise ScenarioError(
                f"a quota limit must be finite and >= 0, not {limit!r}",
                field="quota",
                expected="a fraction of baseline flows (0 = ban) or a value at baseline prices",
            )
        if unit not in ("fraction", "quantity"):
            raise ScenarioError(f"unknown quota unit {unit!r}", field="quota", expected="fraction | quantity")
        if rent not in RENT_RULES:
            raise ScenarioError(f"unknown rent rule {rent!r}", field="rent", expected=" | ".join(RENT_RULES))
        mask = self._pair_mask(origin, region, product)
        if not mask.any():
            raise ScenarioError(
                "the quota covers no international flow", field="quota", fix="check origin and region"
            )
        mask.flags.writeable = False
        pool = ", pooled" if pooled else ""
        note = f"quota({origin}, {region}, {product}: {limit:g} {unit}, rent={rent}{pool})"
        q = Quota(mask=mask, limit=float(limit), unit=unit, rent=rent, pooled=bool(pooled), label=note)
        return self._with(note, quotas=(*self.quotas, q))

    def with_technology(self, technology: Technology | None) -> Shock:
        """Production technology for the counterfactual (``None`` = Cobb-Douglas)."""
        if technology is not None and (
            [str(r) for r in technology.sigma["region"].values] != self.regions
            or [str(s) for s in technology.sigma["sector"].values] != self.sectors
        ):
            from tradewar.errors import ModelError

            raise ModelError(
                "the technology's regions/sectors do not match the shock's",
                field="technology",
                fix="build it with Technology.cobb_douglas(world) from the same World",
            )
        return self._with(f"technology={technology!r}", technology=technology)

    def with_capital(self, capital: Capital | None) -> Shock:
        """Sector-specific capital and capacity for the counterfactual (``None`` = none)."""
        if capital is not None and (
            [str(r) for r in capital.share["region"].values] != self.regions
            or [str(s) for s in capital.share["sector"].values] != self.sectors
        ):
            from tradewar.errors import ModelError

            raise ModelError(
                "the capital's regions/sectors do not match the shock's",
                field="capital",
                fix="build it with Capital.default(world) from the same World",
            )
        return self._with(f"capital={capital!r}", capital=capital)

    def with_financing(
        self,
        charge: float | xr.DataArray,
        shares: xr.DataArray,
        *,
        region: Selector = None,
        label: str = "",
    ) -> Shock:
        r"""Add a lump-sum charge on incomes, spent on a mix of investment goods.

        The charge :math:`T_n` (World value unit, at baseline prices; negative = a
        transfer to the region) buys the real quantities :math:`G_{nk} = T_n s_{nk}` of
        investment goods, so that in the equilibrium (Caliendo-Parro eq. 13 extended)

        .. math:: I'_n = \hat w_n w_n L_n + R'_n + D'_n - T'_n, \qquad
                  X'_{nk} = \sum_j \gamma_{nkj} Y'_{nj} + \alpha_{nk} I'_n + G_{nk} \hat P_{nk},
                  \qquad T'_n = \sum_k G_{nk} \hat P_{nk}

        Households' income :math:`I'_n` (and so ``welfare_pct``) falls by the charge;
        the region's total spending does not, it moves to the investment goods (world
        spending is unchanged). Charges accumulate: each call adds its spending to the
        earlier ones.

        Parameters
        ----------
        charge: :math:`T_n`, a number (each selected region) or an array over ``region``.
        shares: :math:`s_{nk}`, the investment-goods mix, over ``sector`` (or ``region``
            and ``sector``); non-negative, summing to one over sectors.
        region: the regions charged (default: all; with an array ``charge``, its cells).
        label: a description for the shock's history.
        """
        regs, secs = self.regions, self.sectors
        r = select_mask(regs, region, "region")
        like = self.productivity
        mask = r[:, None] & np.ones(len(secs), dtype=bool)[None, :]
        T = self._values(charge, like.isel(sector=0, drop=True), "charge", r)
        s = self._values(shares, like, "shares", mask)
        if (~np.isfinite(T[r])).any():
            raise ScenarioError("financing charges must be finite", field="charge")
        rows = s[r]
        if (rows < 0).any() or not np.allclose(rows.sum(axis=1), 1.0, rtol=0, atol=1e-9):
            raise ScenarioError(
                "investment-goods shares must be >= 0 and sum to one over sectors",
                field="shares",
                expected="an array over sector (or region x sector) whose rows sum to 1",
            )
        spend = np.where(mask, T[:, None] * s, 0.0)
        base = np.zeros(like.shape) if self.financing is None else self.financing.values
        new = like.copy(data=base + spend)
        new.values.flags.writeable = False
        return self._with(f"financing({region}{': ' + label if label else ''})", financing=new)

    def with_deficits(self, mode: DeficitMode) -> Shock:
        """Deficit rule: ``"zero"``, ``"fixed"`` (share of world income) or ``"data"``."""
        if mode not in DEFICIT_MODES:
            raise ScenarioError(
                f"unknown deficit rule {mode!r}", field="deficits", expected=" | ".join(DEFICIT_MODES)
            )
        return self._with(f"deficits={mode}", deficits=mode)

    @staticmethod
    def _check_plausible(rates: np.ndarray, what: str, allow_extreme: bool) -> None:
        if rates.size and not allow_extreme:
            check_rate(float(rates.max()), what=what)

    @staticmethod
    def _check_tariff(t: np.ndarray) -> None:
        if (~np.isfinite(t)).any() or (t <= -1).any():
            raise ScenarioError(
                "tariffs must be finite fractions > -1",
                field="tariff",
                expected="ad-valorem fractions (0.25 = 25 %)",
                fix="use scale_trade_cost(np.inf, ...) for a ban rather than an infinite tariff",
            )

    def __repr__(self) -> str:
        steps = "; ".join(self.description) or "no change"
        return f"<Shock {steps}; deficits={self.deficits}>"
