r"""Sector-specific capital (capacity): capital shares, capacity stocks, and their sources.

Value added of sector ``j`` in region ``n`` is made from mobile labour and capital that is
specific to the sector (mines, fabs, plants), Cobb-Douglas with capital share ``β_nj``::

    V_nj = L_nj^(1-β_nj) K_nj^β_nj,   price of value added  p^V_nj = w_n^(1-β_nj) r_nj^β_nj

or its CES analogue with an elasticity of substitution ``s_nj`` between labour and capital
(:attr:`Capital.substitution`; ``p̂^V = ((1-β) ŵ^(1-s) + β r̂^(1-s))^(1/(1-s))``, capital's
share ``β' = β (r̂/p̂^V)^(1-s)``, rental ``ln r̂ = (ln(V̂A) - ln K̂ - (1-s) ln p̂^V)/s``;
see :mod:`tradewar.model.equations`),

so the unit cost in changes is (Caliendo and Parro 2015, eq. 10, with a specific factor)

.. math:: \hat c_{nj} = \big(\hat w_n^{1-\beta_{nj}} \hat r_{nj}^{\beta_{nj}}\big)^{\gamma_{nj}}
          \prod_k \hat P_{nk}^{\gamma_{nkj}}

(or the nested-CES analogue, with ``p̂^V`` in place of ``ŵ``). The rental of the capacity
follows from capital income ``r K = β × value added``:

.. math:: \hat r_{nj} = \frac{\gamma'_{nj} Y'_{nj}}{\gamma_{nj} Y_{nj}} \frac{1}{\hat K_{nj}}

Labour is mobile across sectors within a region: ``Σ_j (1-β_nj) γ'_nj Y'_nj = ŵ_n L_n``, with
``L_n = Σ_j (1-β_nj) γ_nj Y_nj`` the baseline labour income. Capital income goes to the
region's households. ``β = 0`` everywhere is Caliendo-Parro exactly (the engine then does
not build the capital block at all).

Specific-factors supply elasticity (Jones 1971; Mussa 1974). With no intermediates
(``γ_nj = 1``) the identities above give, for any shock,

.. math:: \ln \hat Q_{nj} = \ln \hat K_{nj}
          + \frac{1-\beta_{nj}}{\beta_{nj}} \big(\ln \hat p_{nj} - \ln \hat w_n\big)

(``Q̂ = Ŷ/p̂`` real output, ``p̂ = ĉ`` the producer price): derivation ``ln p̂ = (1-β) ln ŵ +
β ln r̂``, ``ln r̂ = ln Ŷ - ln K̂``, hence ``ln Ŷ = (ln p̂ - (1-β) ln ŵ)/β + ln K̂`` and
``ln Q̂ = ln Ŷ - ln p̂``. The supply elasticity of the sector with respect to its price
relative to the wage is ``(1-β)/β``, the textbook ratio of the mobile factor's share to the
specific factor's share. With intermediates (Cobb-Douglas, input prices and wage held
fixed) it is ``(1 - γβ)/(γβ)``. With CES value added (``γ = 1``) the exact identity is
``Q̂ = K̂ (r̂/p̂)^s`` with ``p̂`` the CES mean of ``ŵ`` and ``r̂``, and the supply elasticity at
the baseline ``s (1-β)/β`` (Jones 1971): a low short-run ``s`` makes capacity bind.

Two modes:

``"stock"`` (default)
    ``K̂`` given (a year of a recursive-dynamic path): short-run supply is limited by it.
``"long_run"``
    capacity adjusts until its rental equals the price of investment goods, ``r̂_nj = P̂^I_n``
    (the return on capacity is back at its baseline, the steady state of the investment
    rule in :mod:`tradewar.runs.dynamic`); ``K̂`` is a result. The investment-goods price
    index uses the region's final-demand shares ``α_nj`` (an assumption: the World has no
    separate investment column).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

import numpy as np
import xarray as xr

from tradewar.errors import ModelError
from tradewar.model.shock import Selector, region_sector_array, select_mask

if TYPE_CHECKING:
    from tradewar.model.baseline import Baseline, FloatArray
    from tradewar.world.world import World

CapitalMode = Literal["stock", "long_run"]
#: Largest capital share accepted (labour must earn something in every region).
MAX_CAPITAL_SHARE = 0.95
#: Smallest labour-capital substitution elasticity accepted (0 would be Leontief).
MIN_SUBSTITUTION = 0.05
#: Short-run elasticity of substitution between labour and installed capital used by
#: :meth:`Capital.default`, with its source.
SHORT_RUN_SUBSTITUTION = (
    0.4,
    "Chirinko, R. S., σ: The Long and Short of It, Journal of Macroeconomics 30(2): 671-686 "
    "(2008): estimates of the capital-labour elasticity mostly 0.4-0.6 (the low end for the "
    "short run, where installed capital is putty-clay)",
)

_KLEMS = (
    "EU KLEMS & INTANProd, 2023 release (Bontadini, Corrado, Haskel, Iommi and Jona-Lasinio, "
    "LUISS Lab), capital compensation CAP / value added VA by NACE Rev. 2 industry, EU and US, "
    "2015-2019, rounded to 0.05"
)
_BEA = (
    "BEA GDP by industry, components of value added (gross operating surplus / value added), "
    "US, 2017-2022, rounded to 0.05"
)

#: Capital (specific-factor) shares of value added by sector code, with their sources.
#: Codes of the default world (new and old labels). Rounded industry averages; the
#: extractive sectors include resource rents, which are specific to the deposit.
CAPITAL_SHARES: dict[str, tuple[float, str]] = {
    "AGR": (0.50, f"{_KLEMS}: A (agriculture, forestry and fishing; land and self-employed capital)"),
    "ENE": (0.70, f"{_KLEMS}: B (mining and quarrying) and C19 (coke and refined petroleum)"),
    "REE": (0.65, f"{_KLEMS}: B (mining) with C24 (basic metals) for separation, metals and magnets"),
    "CRM": (0.65, f"{_KLEMS}: B (mining) with C24 (basic metals) for refining"),
    "CHM": (0.55, f"{_KLEMS}: C20-C21 (chemicals and pharmaceuticals)"),
    "MAC": (0.35, f"{_KLEMS}: C28 (machinery and equipment n.e.c.)"),
    "SEMA": (0.60, f"{_BEA}: NAICS 3344 (semiconductors; fabs are capital intensive)"),
    "SEMM": (0.55, f"{_BEA}: NAICS 3344 (semiconductors), mature nodes"),
    "SEM": (0.55, f"{_BEA}: NAICS 3344 (semiconductors and other electronic components)"),
    "SME": (0.40, f"{_BEA}: NAICS 3332 (industrial machinery, incl. semiconductor machinery)"),
    "ELE": (0.45, f"{_KLEMS}: C26-C27 (computer, electronic, optical and electrical equipment)"),
    "VEH": (0.35, f"{_KLEMS}: C29-C30 (motor vehicles and other transport equipment)"),
    "MAN": (0.40, f"{_KLEMS}: C10-C18, C22-C25, C31-C33 (other manufacturing)"),
    "DIG": (0.45, f"{_KLEMS}: J (information and communication)"),
    "SRV": (0.35, f"{_KLEMS}: G-U excluding J and L68 (services; imputed rents excluded)"),
}


#: Capital share of the total economy, for sector codes without their own value (used by
#: :meth:`Capital.default` with ``fallback=True``, and then named in the sources).
ECONOMY_CAPITAL_SHARE = (0.40, f"{_KLEMS}: TOT (total economy)")


@dataclass(frozen=True)
class Capital:
    """Sector-specific capital: shares ``β[region, sector]``, capacity ``K̂[region, sector]``.

    Build with :meth:`none`, :meth:`default` or :meth:`uniform`, then :meth:`set`,
    :meth:`with_stock` and :meth:`long_run` (each returns a new Capital).

    Attributes
    ----------
    share: capital share of value added β (fraction, 0 = no specific factor).
    substitution: elasticity of substitution s between labour and capital (1 = Cobb-Douglas).
    stock: capacity relative to the baseline K̂ (1 = baseline; used in ``"stock"`` mode).
    mode: ``"stock"`` or ``"long_run"`` (see the module docstring).
    sources: citations of the shares.
    """

    share: xr.DataArray
    stock: xr.DataArray
    substitution: xr.DataArray
    mode: CapitalMode = "stock"
    sources: tuple[str, ...] = field(default=())

    # ------------------------------------------------------------------ construction
    @classmethod
    def none(cls, source: World | Baseline) -> Capital:
        """β = 0 everywhere: no specific factor (the Caliendo-Parro engine)."""
        zero = region_sector_array(source, 0.0)
        one = xr.ones_like(zero)
        return cls._frozen(share=zero, stock=one, substitution=one.copy(), mode="stock", sources=())

    @classmethod
    def uniform(cls, source: World | Baseline, share: float, sources: Sequence[str] = ()) -> Capital:
        """The same β in every region and sector."""
        return cls.none(source).set(share, source="; ".join(sources) or None)

    @classmethod
    def default(cls, source: World | Baseline, *, fallback: bool = False) -> Capital:
        """Cited shares and the short-run labour-capital elasticity, the same in every region.

        β by sector code from :data:`CAPITAL_SHARES`; ``s`` from :data:`SHORT_RUN_SUBSTITUTION`.
        ``fallback``: codes the table does not know get :data:`ECONOMY_CAPITAL_SHARE`, and the
        sources say so; without it they raise.

        Raises
        ------
        ModelError
            A sector code the table does not know (name it with :meth:`set`).
        """
        out = cls.none(source)
        missing = [str(s) for s in source.sectors if str(s) not in CAPITAL_SHARES]
        if missing and not fallback:
            raise ModelError(
                f"no cited capital share for sectors {missing}",
                field="capital_share",
                expected=f"sector codes among {sorted(CAPITAL_SHARES)}",
                fix="give them with Capital.none(world).set(beta, sector=..., source=...)",
            )
        for code in source.sectors:
            if str(code) in CAPITAL_SHARES:
                beta, cite = CAPITAL_SHARES[str(code)]
            else:
                beta, cite = ECONOMY_CAPITAL_SHARE
                cite = f"no value for this sector code; {cite}"
            out = out.set(beta, sector=str(code), source=f"{code} {beta:g}: {cite}")
        sub, cite = SHORT_RUN_SUBSTITUTION
        return out.with_substitution(sub, source=f"labour-capital elasticity {sub:g}: {cite}")

    @classmethod
    def _frozen(cls, **kw: object) -> Capital:
        c = cls(**kw)  # type: ignore[arg-type]
        for a in (c.share, c.stock, c.substitution):
            a.values.flags.writeable = False
        c._check()
        return c

    def set(
        self, share: float, *, region: Selector = None, sector: Selector = None, source: str | None = None
    ) -> Capital:
        """Set β of the selected regions and sectors; ``source`` is appended to :attr:`sources`."""
        mask = self._mask(region, sector)
        new = np.where(mask, float(share), self.share.values)
        return replace(
            self, share=self.share.copy(data=new), sources=self.sources + ((source,) if source else ())
        )._refreeze()

    def with_substitution(
        self, value: float, *, region: Selector = None, sector: Selector = None, source: str | None = None
    ) -> Capital:
        """Set the labour-capital elasticity ``s`` of the selected cells (1 = Cobb-Douglas)."""
        mask = self._mask(region, sector)
        new = np.where(mask, float(value), self.substitution.values)
        return replace(
            self,
            substitution=self.substitution.copy(data=new),
            sources=self.sources + ((source,) if source else ()),
        )._refreeze()

    def with_stock(self, stock: xr.DataArray | FloatArray) -> Capital:
        """The same shares with capacity ``K̂`` (labelled like :attr:`share`, or an array in its order)."""
        if isinstance(stock, xr.DataArray):
            values = stock.transpose("region", "sector").reindex_like(self.share).values
        else:
            values = np.asarray(stock, dtype=float)
        return replace(
            self, stock=self.share.copy(data=np.array(values, dtype=float)), mode="stock"
        )._refreeze()

    def long_run(self) -> Capital:
        """The same shares with capacity free to adjust (``mode="long_run"``)."""
        return replace(self, mode="long_run")._refreeze()

    def _refreeze(self) -> Capital:
        return Capital._frozen(
            share=self.share,
            stock=self.stock,
            substitution=self.substitution,
            mode=self.mode,
            sources=self.sources,
        )

    def _mask(self, region: Selector, sector: Selector) -> np.ndarray:
        regions = [str(r) for r in self.share["region"].values]
        sectors = [str(s) for s in self.share["sector"].values]
        return (
            select_mask(regions, region, "region")[:, None] & select_mask(sectors, sector, "sector")[None, :]
        )

    def _check(self) -> None:
        for name, a in (("share", self.share), ("stock", self.stock), ("substitution", self.substitution)):
            if a.dims != ("region", "sector"):
                raise ModelError(
                    f"capital {name} has dims {a.dims}", field=name, expected="('region', 'sector')"
                )
        b = self.share.values
        if not np.isfinite(b).all() or (b < 0).any() or (b > MAX_CAPITAL_SHARE).any():
            raise ModelError(
                "capital shares outside [0, 0.95]",
                field="capital_share",
                expected=f"fractions in [0, {MAX_CAPITAL_SHARE}] (0 = no specific factor)",
            )
        k = self.stock.values
        if not np.isfinite(k).all() or (k <= 0).any():
            raise ModelError(
                "capacity must be finite and positive",
                field="capacity",
                expected="K̂ > 0 (1 = baseline capacity)",
                fix="keep some capacity in every sector (investment paths never go below zero)",
            )
        sub = self.substitution.values
        if not np.isfinite(sub).all() or (sub < MIN_SUBSTITUTION).any() or (sub > 20).any():
            raise ModelError(
                "labour-capital elasticities outside [0.05, 20]",
                field="substitution",
                expected="elasticities in [0.05, 20] (1 = Cobb-Douglas)",
            )
        if self.mode not in ("stock", "long_run"):
            raise ModelError(f"unknown capital mode {self.mode!r}", field="mode", expected="stock | long_run")

    # ------------------------------------------------------------------ use
    @property
    def is_zero(self) -> bool:
        """True if β = 0 everywhere (the engine then skips the capital block)."""
        return not bool((self.share.values > 0).any())

    def arrays(self, base: Baseline) -> tuple[FloatArray, FloatArray, FloatArray]:
        """``(β, K̂, s)`` as ``[n, j]`` arrays in the baseline's order.

        Raises
        ------
        ModelError
            If the labels do not match the baseline's.
        """
        regions, sectors = list(base.regions), list(base.sectors)
        mine_r = [str(r) for r in self.share["region"].values]
        mine_s = [str(s) for s in self.share["sector"].values]
        if sorted(mine_r) != sorted(regions) or sorted(mine_s) != sorted(sectors):
            raise ModelError(
                "the capital shares' regions/sectors do not match the baseline's",
                field="capital",
                expected=f"regions {regions[:5]}..., sectors {sectors[:5]}...",
                fix="build it with Capital.default(world) from the same World",
            )
        b = self.share.sel(region=regions, sector=sectors).values
        k = self.stock.sel(region=regions, sector=sectors).values
        sub = self.substitution.sel(region=regions, sector=sectors).values
        return np.asarray(b, dtype=float), np.asarray(k, dtype=float), np.asarray(sub, dtype=float)

    def __repr__(self) -> str:
        b, k, sub = self.share.values, self.stock.values, self.substitution.values
        return (
            f"<Capital {self.mode}: beta {b.min():g}..{b.max():g}, s {sub.min():g}..{sub.max():g}, "
            f"capacity {k.min():.3g}..{k.max():.3g}; "
            f"{len(self.sources)} source(s)>"
        )
