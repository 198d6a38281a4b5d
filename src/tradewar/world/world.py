"""The World: a labelled, immutable multi-region input-output baseline economy.

Dimensions (all labelled, never positional):

``origin``
    supplying region (same labels as ``region``)
``product``
    supplied sector, i.e. the good (same labels as ``sector``)
``region``
    using / destination region
``sector``
    using sector

Variables of :attr:`World.data` (values in ``meta.unit``, e.g. USD million, at basic
prices, i.e. net of tariffs):

``intermediate[origin, product, region, sector]``
    Z: intermediate use of ``product`` made in ``origin`` by ``sector`` in ``region``.
``final_demand[origin, product, region]``
    F: final use of ``product`` made in ``origin`` by ``region``.
``value_added[region, sector]``
    VA: payments to primary factors (labour, capital) of ``sector`` in ``region``.
``tariff[origin, region, product]``
    t: ad-valorem tariff (fraction, 0.1 = 10 %) that ``region`` levies on ``product``
    imported from ``origin``; zero on the diagonal.
``theta[product]``
    trade elasticity (Eaton-Kortum dispersion θ_j, = σ_j - 1 in Armington terms).

Accounts (checked on construction, relative tolerance :data:`ACCOUNTS_RTOL`):

* no negative or NaN flows;
* output by use:  x[i, p] = Σ_{n,s} Z[i, p, n, s] + Σ_n F[i, p, n];
* output by cost: x[n, s] = Σ_{i,p} (1 + t[i, n, p]) Z[i, p, n, s] + VA[n, s].

Buyers pay tariffs on imported inputs, so the cost identity values inputs at purchaser
prices. A region's income is I_n = Σ_s VA[n, s] + R_n + D_n with tariff revenue R_n and
trade deficit D_n; it buys final goods Σ (1 + t) F = I_n.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import xarray as xr

from tradewar.errors import AccountsError, DataError, UnknownCodeError
from tradewar.world.codes import check_regions

#: Relative tolerance of the account checks (share of the larger side of the identity).
ACCOUNTS_RTOL = 1e-6

#: Dimensions of each World variable.
DIMS: Mapping[str, tuple[str, ...]] = {
    "intermediate": ("origin", "product", "region", "sector"),
    "final_demand": ("origin", "product", "region"),
    "value_added": ("region", "sector"),
    "tariff": ("origin", "region", "product"),
    "theta": ("product",),
}


@dataclass(frozen=True)
class WorldMeta:
    """Provenance and units of a World.

    Attributes
    ----------
    name: short identifier (``default``, ``cp2015``, ...).
    source: where the numbers come from (publisher, table, year).
    year: base year of the data.
    currency: currency of the values, e.g. ``"USD"``.
    unit: value unit, e.g. ``"USD million"``.
    stylized: True for illustrative worlds that must not be used for policy conclusions.
    provenance: one-line statement of what is observed and what is imputed, printed once
        by the commands that use the World (empty: nothing to say).
    region_names: names of the region codes (aggregates must be declared here).
    sector_names: names of the sector codes.
    notes: free-form notes (imputation rules, adjustments) shown by ``world info``.

    """

    name: str
    source: str
    year: int | None = None
    currency: str = "USD"
    unit: str = "USD million"
    stylized: bool = False
    provenance: str = ""
    region_names: Mapping[str, str] = field(default_factory=dict)
    sector_names: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form for manifests."""
        return {
            "name": self.name,
            "source": self.source,
            "year": self.year,
            "currency": self.currency,
            "unit": self.unit,
            "stylized": self.stylized,
            "provenance": self.provenance,
            "region_names": dict(self.region_names),
            "sector_names": dict(self.sector_names),
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> WorldMeta:
        """Inverse of :meth:`to_dict`."""
        return cls(
            name=str(d["name"]),
            source=str(d["source"]),
            year=None if d.get("year") is None else int(d["year"]),
            currency=str(d.get("currency", "USD")),
            unit=str(d.get("unit", "USD million")),
            stylized=bool(d.get("stylized", False)),
            provenance=str(d.get("provenance", "")),
            region_names=dict(d.get("region_names", {})),
            sector_names=dict(d.get("sector_names", {})),
            notes=tuple(d.get("notes", ())),
        )


@dataclass(frozen=True)
class World:
    """A baseline economy of R regions and S sectors; see the module docstring.

    Build one with :meth:`World.from_arrays` (validates) rather than the constructor.
    Arrays are read-only; every transformation returns a new World.

    Attributes
    ----------
    data: the variables listed in :data:`DIMS`.
    meta: units and provenance.
    imputed: boolean masks, one per variable of ``data`` that has imputed entries
        (True = imputed, False = observed); variables absent here are fully observed.
    tariff_layers: named alternative tariff schedules with the dims of ``tariff``
        (e.g. ``"2005"`` for the CP2015 data).

    """

    data: xr.Dataset
    meta: WorldMeta
    imputed: xr.Dataset = field(default_factory=xr.Dataset)
    tariff_layers: Mapping[str, xr.DataArray] = field(default_factory=dict)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_arrays(
        cls,
        *,
        regions: list[str],
        sectors: list[str],
        intermediate: np.ndarray,
        final_demand: np.ndarray,
        value_added: np.ndarray,
        tariff: np.ndarray | None,
        theta: np.ndarray,
        meta: WorldMeta,
        imputed: Mapping[str, np.ndarray] | None = None,
        tariff_layers: Mapping[str, np.ndarray] | None = None,
        source_file: str | None = None,
        rtol: float = ACCOUNTS_RTOL,
    ) -> World:
        """Build and validate a World from positional NumPy arrays.

        Shapes: ``intermediate`` (R, S, R, S) or (R*S, R*S) with rows (origin, product)
        and columns (region, sector) in region-major order; ``final_demand`` (R, S, R) or
        (R*S, R); ``value_added`` (R, S); ``tariff`` (R, R, S) as (origin, region,
        product), fractions, or None for no tariffs; ``theta`` (S,).

        Raises
        ------
        DataError, AccountsError, UnknownCodeError
            On wrong shapes, negative/NaN values, unknown codes or unbalanced accounts;
            ``source_file`` is named in the message.

        """
        R, S = len(regions), len(sectors)
        regions = [str(r) for r in regions]
        sectors = [str(s) for s in sectors]
        for kind, labels in (("region", regions), ("sector", sectors)):
            dup = sorted({x for x in labels if labels.count(x) > 1})
            if dup:
                raise DataError(
                    f"duplicate {kind} codes {dup}",
                    file=source_file,
                    field=kind,
                    fix=f"give every {kind} a unique code (aggregate duplicates first)",
                )
        names = dict(meta.region_names)
        try:
            region_names = check_regions(regions, names)
        except UnknownCodeError as err:
            raise UnknownCodeError(
                "region (ISO 3166-1 alpha-3 or an aggregate declared in meta.region_names)",
                err.code,
                regions,
                file=source_file,
                field="region",
            ) from None
        sector_names = {s: meta.sector_names.get(s, s) for s in sectors}
        meta = replace(meta, region_names=region_names, sector_names=sector_names)

        shapes = {
            "intermediate": (R, S, R, S),
            "final_demand": (R, S, R),
            "value_added": (R, S),
            "tariff": (R, R, S),
            "theta": (S,),
        }
        raw = {
            "intermediate": intermediate,
            "final_demand": final_demand,
            "value_added": value_added,
            "tariff": np.zeros((R, R, S)) if tariff is None else tariff,
            "theta": theta,
        }
        coords = {"origin": regions, "product": sectors, "region": regions, "sector": sectors}
        variables = {}
        for name, arr in raw.items():
            a = np.asarray(arr, dtype=float)
            if a.size == int(np.prod(shapes[name])):
                a = a.reshape(shapes[name])
            else:
                raise DataError(
                    f"{name} has shape {np.shape(arr)}, which does not fit {R} regions x {S} sectors",
                    file=source_file,
                    field=name,
                    expected=f"shape {shapes[name]} with dims {DIMS[name]}",
                    fix="check the file's layout against the reader's documentation",
                )
            variables[name] = (DIMS[name], a)
        ds = xr.Dataset(variables, coords=coords)
        layers = {
            k: xr.DataArray(
                np.asarray(v, dtype=float).reshape(shapes["tariff"]),
                dims=DIMS["tariff"],
                coords={d: coords[d] for d in DIMS["tariff"]},
            )
            for k, v in (tariff_layers or {}).items()
        }
        masks = xr.Dataset(
            {k: (DIMS[k], np.asarray(v, dtype=bool).reshape(shapes[k])) for k, v in (imputed or {}).items()},
            coords=coords,
        )
        world = cls(data=ds, meta=meta, imputed=masks, tariff_layers=layers)
        world.validate(rtol=rtol, source_file=source_file)
        world._freeze()
        return world

    def _freeze(self) -> None:
        for var in (*self.data.data_vars.values(), *self.tariff_layers.values()):
            var.values.flags.writeable = False

    # ------------------------------------------------------------------ checks
    def validate(self, rtol: float = ACCOUNTS_RTOL, source_file: str | None = None) -> None:
        """Check values and accounts; raise naming region, sector, account and imbalance.

        Raises
        ------
        DataError
            NaN, infinite or negative flows; tariffs <= -1; non-positive theta.
        AccountsError
            Output by use differs from output by cost by more than ``rtol`` of output.

        """
        for name in ("intermediate", "final_demand", "value_added"):
            a = self.data[name]
            bad = ~np.isfinite(a.values)
            if bad.any():
                where = _first_label(a, bad)
                raise DataError(
                    f"{name} has NaN or infinite values (first at {where})",
                    file=source_file,
                    field=name,
                    expected="finite numbers",
                    fix="fill missing flows with 0 or drop the region/sector",
                )
            neg = a.values < 0
            if neg.any():
                where = _first_label(a, neg)
                raise DataError(
                    f"{name} has {int(neg.sum())} negative values (first at {where}: "
                    f"{float(a.values[neg].min()):.6g})",
                    file=source_file,
                    field=name,
                    expected="non-negative flows",
                    fix="net negative entries (e.g. inventory changes) out of final demand "
                    "or set them to 0 and rebalance the table",
                )
        t = self.data["tariff"].values
        if (~np.isfinite(t)).any() or (t <= -1).any():
            raise DataError(
                "tariff has NaN values or values <= -1",
                file=source_file,
                field="tariff",
                expected="ad-valorem fractions > -1 (0.25 = 25 %)",
                fix="convert percent to fractions and fill missing tariffs with 0",
            )
        th = self.data["theta"].values
        if (~np.isfinite(th)).any() or (th <= 0).any():
            raise DataError(
                "theta has non-positive or NaN values",
                file=source_file,
                field="theta",
                expected="trade elasticities > 0",
                fix="give every sector a positive trade elasticity",
            )
        by_use = self.output_by_use.values
        by_cost = self.output_by_cost.values
        scale = np.maximum(np.maximum(np.abs(by_use), np.abs(by_cost)), 1e-12 * max(by_use.max(), 1.0))
        gap = np.abs(by_use - by_cost) / scale
        gap[(by_use == 0) & (by_cost == 0)] = 0.0
        if (gap > rtol).any():
            r, s = np.unravel_index(int(np.argmax(gap)), gap.shape)
            raise AccountsError(
                f"accounts do not balance for region {self.regions[r]!r}, sector "
                f"{self.sectors[s]!r}: output by use (sales) {by_use[r, s]:.6g} vs output by "
                f"cost (inputs incl. tariffs + value added) {by_cost[r, s]:.6g}, imbalance "
                f"{by_use[r, s] - by_cost[r, s]:.6g} ({gap[r, s]:.2e} relative; "
                f"{int((gap > rtol).sum())} cells above {rtol:.0e})",
                file=source_file,
                field="output",
                expected="sales = inputs + value added for every region and sector",
                fix="balance the table (tradewar.world.balance.ras) or adjust value added",
            )

    # ------------------------------------------------------------------ labels
    @property
    def regions(self) -> list[str]:
        """Region codes, in storage order."""
        return [str(x) for x in self.data["region"].values]

    @property
    def sectors(self) -> list[str]:
        """Sector codes, in storage order."""
        return [str(x) for x in self.data["sector"].values]

    @property
    def shape(self) -> tuple[int, int]:
        """(number of regions, number of sectors)."""
        return len(self.regions), len(self.sectors)

    # ------------------------------------------------------------------ derived accounts
    @property
    def intermediate(self) -> xr.DataArray:
        """Z[origin, product, region, sector] at basic prices."""
        return self.data["intermediate"]

    @property
    def final_demand(self) -> xr.DataArray:
        """F[origin, product, region] at basic prices."""
        return self.data["final_demand"]

    @property
    def value_added(self) -> xr.DataArray:
        """VA[region, sector]."""
        return self.data["value_added"]

    @property
    def tariff(self) -> xr.DataArray:
        """t[origin, region, product], ad-valorem fractions."""
        return self.data["tariff"]

    @property
    def theta(self) -> xr.DataArray:
        """θ[product], trade elasticities."""
        return self.data["theta"]

    @property
    def output_by_use(self) -> xr.DataArray:
        """Gross output from the sales side, x[region, sector] = ΣZ + ΣF over users."""
        sales = self.intermediate.sum(("region", "sector")) + self.final_demand.sum("region")
        return sales.rename({"origin": "region", "product": "sector"})

    @property
    def output_by_cost(self) -> xr.DataArray:
        """Gross output from the cost side: inputs at purchaser prices plus value added."""
        factor = 1.0 + self.tariff
        inputs = (self.intermediate * factor).sum(("origin", "product"))
        return inputs + self.value_added

    @property
    def gross_output(self) -> xr.DataArray:
        """x[region, sector], gross output at basic prices (sales side)."""
        return self.output_by_use

    @property
    def trade(self) -> xr.DataArray:
        """Bilateral flows incl. domestic sales, trade[origin, product, region], net of tariffs."""
        return self.intermediate.sum("sector") + self.final_demand

    @property
    def exports(self) -> xr.DataArray:
        """Exports by region (origin) and product, excluding domestic sales."""
        return self._offdiag(self.trade).sum("region").rename({"origin": "region"})

    @property
    def imports(self) -> xr.DataArray:
        """Imports by region and product at basic prices (net of tariffs)."""
        return self._offdiag(self.trade).sum("origin")

    @property
    def tariff_revenue(self) -> xr.DataArray:
        """Tariff revenue R_n = Σ_{i,p} t[i, n, p] trade[i, n, p] by region."""
        return (self.tariff * self.trade).sum(("origin", "product"))

    @property
    def deficit(self) -> xr.DataArray:
        """Aggregate trade deficit D_n = imports - exports (basic prices) by region."""
        return self.imports.sum("product") - self.exports.sum("product")

    @property
    def income(self) -> xr.DataArray:
        """Final-demand income I_n = ΣVA + tariff revenue + deficit."""
        return self.value_added.sum("sector") + self.tariff_revenue + self.deficit

    @property
    def absorption(self) -> xr.DataArray:
        """X[region, product]: spending on each product at purchaser prices (incl. tariffs)."""
        return ((1.0 + self.tariff) * self.trade).sum("origin")

    def _offdiag(self, a: xr.DataArray) -> xr.DataArray:
        eye = xr.DataArray(
            np.eye(len(self.regions), dtype=bool),
            dims=("origin", "region"),
            coords={"origin": self.regions, "region": self.regions},
        )
        return a.where(~eye, 0.0)

    # ------------------------------------------------------------------ transformations
    def summary(self) -> dict[str, float]:
        """Headline totals in ``meta.unit``."""
        return {
            "gross_output": float(self.gross_output.sum()),
            "value_added": float(self.value_added.sum()),
            "intermediate_use": float(self.intermediate.sum()),
            "final_demand": float(self.final_demand.sum()),
            "exports": float(self.exports.sum()),
            "tariff_revenue": float(self.tariff_revenue.sum()),
        }

    def __repr__(self) -> str:
        R, S = self.shape
        return f"<World {self.meta.name!r}: {R} regions x {S} sectors, {self.meta.unit}, {self.meta.year}>"


def _first_label(a: xr.DataArray, mask: np.ndarray) -> str:
    idx = np.argwhere(mask)[0]
    return ", ".join(f"{d}={a[d].values[i]}" for d, i in zip(a.dims, idx, strict=True))
