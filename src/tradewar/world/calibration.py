r"""Calibration report: a World's aggregates against observed targets.

A :class:`Target` is one observed statistic (a bilateral goods total, a region's GDP, a
chokepoint output share, ...) with its source and a tolerance; :func:`world_value`
computes the same statistic from a World and :func:`calibration_table` lines them up.

Every flow is at basic prices (net of tariffs), intermediate plus final use, in the
World's unit (``meta.unit``). With deliveries T[i, p, n] = Σ_s Z[i, p, n, s] + F[i, p, n],
gross output x[n, s] = Σ T[n, s, ·] and value added VA[n, s], the kinds are

====================  ===================================  ==========================================
kind                  labels                               value
====================  ===================================  ==========================================
bilateral_goods       origin, region                       Σ_{p ∈ goods} T[origin, p, region]
bilateral_services    origin, region                       Σ_{p ∈ services} T[origin, p, region]
bilateral_sector      origin, region, product              T[origin, product, region]
gdp                   region                               Σ_s VA[region, s]
exports_goods         region                               Σ_{p ∈ goods} Σ_{n ≠ region} T[region, p, n]
imports_goods         region                               Σ_{p ∈ goods} Σ_{i ≠ region} T[i, p, region]
goods_balance         region                               exports_goods - imports_goods
output_share          region, sector                       x[region, sector] / Σ_n x[n, sector]
self_sufficiency      region, product (or sector)          x[region, p] / Σ_i T[i, p, region]
self_sufficiency_net  region, product (or sector)          (x[region, p] - Σ_m W[region, p, m])
                                                           / (Σ_i T[i, p, region] - Σ_i W[i, p, region])
input_cost_share      input, sector [, region]             Σ_i Z[i, input, region, sector] / x[region, sector]
                                                           (summed over regions when none is given)
world_output          sector                               Σ_n x[n, sector]
====================  ===================================  ==========================================

``services`` (default ``("DIG", "SRV")``) names the service sectors; goods are all other
sectors; codes of ``services`` absent from a World are ignored. Self-sufficiency is
:func:`tradewar.world.absorption.absorption` (domestic output over domestic use), the
formula :mod:`tradewar.analysis.dependence` uses too; ``self_sufficiency_net`` is
:func:`tradewar.world.absorption.net_self_sufficiency`, with W[i, p, n] = Z[i, p, n, p] the
deliveries of a product to the industry that makes it, so that every unit is counted once,
at its sale to a user outside the industry (for chips: a foundry's wafer is counted in the
designer's chip, not a second time as the foundry's sale).

Units: flow kinds (bilateral_*, gdp, exports/imports, goods_balance, world_output) must
state the World's unit (e.g. ``"USD million"``); share kinds (output_share,
self_sufficiency, self_sufficiency_net, input_cost_share) state ``"fraction"``. A mismatch
raises, so a target in billions is never compared with a World in millions.

Errors: ``error = world - observed``; ``error_pct = 100 error / |observed|`` (0 when both
are 0, ±inf when only the observed value is 0). A target is ``within`` tolerance when
|error| <= tolerance |observed| (``relative=True``, tolerance a fraction: 0.05 = 5 %) or
|error| <= tolerance (``relative=False``, tolerance in the target's unit, e.g. 0.03 =
3 share points).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from tradewar.errors import DataError, UnknownCodeError
from tradewar.world.absorption import absorption, net_self_sufficiency
from tradewar.world.readers._common import read_table, require_columns
from tradewar.world.world import World

TargetKind = Literal[
    "bilateral_goods",
    "bilateral_services",
    "bilateral_sector",
    "gdp",
    "exports_goods",
    "imports_goods",
    "goods_balance",
    "output_share",
    "self_sufficiency",
    "self_sufficiency_net",
    "input_cost_share",
    "world_output",
]

#: Labels each kind requires, and those it may carry in addition.
LABELS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "bilateral_goods": (("origin", "region"), ()),
    "bilateral_services": (("origin", "region"), ()),
    "bilateral_sector": (("origin", "region", "product"), ()),
    "gdp": (("region",), ()),
    "exports_goods": (("region",), ()),
    "imports_goods": (("region",), ()),
    "goods_balance": (("region",), ()),
    "output_share": (("region", "sector"), ()),
    "self_sufficiency": (("region",), ("product", "sector")),
    "self_sufficiency_net": (("region",), ("product", "sector")),
    "input_cost_share": (("input", "sector"), ("region",)),
    "world_output": (("sector",), ()),
}

#: Kinds whose value is a share or ratio (unit ``"fraction"``); the others are flows.
SHARE_KINDS = frozenset({"output_share", "self_sufficiency", "self_sufficiency_net", "input_cost_share"})
#: Kinds of self-sufficiency (labels ``region`` and one of ``product``, ``sector``).
SELF_SUFFICIENCY_KINDS = frozenset({"self_sufficiency", "self_sufficiency_net"})
#: Unit of the share kinds.
SHARE_UNIT = "fraction"

#: Columns of :func:`calibration_table`, in order.
COLUMNS = (
    "key",
    "kind",
    "what",
    "world",
    "observed",
    "unit",
    "error",
    "error_pct",
    "tolerance",
    "within",
    "source",
)

#: Label name -> the World's code list it belongs to.
_REGION_LABELS = ("origin", "region")
_SECTOR_LABELS = ("product", "sector", "input")


class Target(BaseModel):
    """One observed statistic to compare with a World (see the module docstring).

    Attributes
    ----------
    key: unique id, e.g. ``"goods:USA>CHN"``, ``"sector:CHN>USA:AGR"``, ``"share:REE:CHN"``.
    kind: what is measured (one of :data:`LABELS`).
    labels: the region/sector codes the kind needs, e.g. ``{"origin": "USA", "region": "CHN"}``.
    observed: the observed value, in ``unit``.
    unit: the World's unit for flow kinds, ``"fraction"`` for share kinds.
    source: publisher, table and year of the observed value.
    tolerance: allowed error, a fraction of ``observed`` if ``relative`` else in ``unit``.
    relative: whether ``tolerance`` is relative (default) or absolute.

    """

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    key: str
    kind: TargetKind
    labels: dict[str, str]
    observed: float
    unit: str
    source: str
    tolerance: float
    relative: bool = True

    @model_validator(mode="after")
    def _check(self) -> Target:
        required, optional = LABELS[self.kind]
        missing = [k for k in required if k not in self.labels]
        extra = [k for k in self.labels if k not in required and k not in optional]
        if missing or extra:
            raise ValueError(
                f"target {self.key!r} of kind {self.kind!r} needs labels {list(required)}"
                + (f" and may have {list(optional)}" if optional else "")
                + (f"; missing {missing}" if missing else "")
                + (f"; unexpected {extra}" if extra else "")
            )
        if self.kind in SELF_SUFFICIENCY_KINDS and len(set(optional) & set(self.labels)) != 1:
            raise ValueError(f"target {self.key!r}: {self.kind} needs exactly one of 'product', 'sector'")
        if not self.key.strip():
            raise ValueError("a target needs a non-empty key")
        if not np.isfinite(self.observed):
            raise ValueError(f"target {self.key!r}: observed value must be finite")
        if not np.isfinite(self.tolerance) or self.tolerance < 0:
            raise ValueError(f"target {self.key!r}: tolerance must be a finite number >= 0")
        if self.relative and self.observed == 0:
            raise ValueError(
                f"target {self.key!r}: a relative tolerance needs a non-zero observed value "
                "(use relative=False for a target of 0)"
            )
        if self.kind in SHARE_KINDS and self.unit != SHARE_UNIT:
            raise ValueError(f"target {self.key!r}: unit of a {self.kind} target must be {SHARE_UNIT!r}")
        return self

    @property
    def product(self) -> str:
        """The sector a self-sufficiency target is about (``product`` or ``sector`` label)."""
        return self.labels.get("product") or self.labels["sector"]


@dataclass(frozen=True)
class _Accounts:
    """The World's arrays needed by every target kind, computed once (positional)."""

    world: World
    services: tuple[str, ...]

    @cached_property
    def regions(self) -> dict[str, int]:
        return {r: k for k, r in enumerate(self.world.regions)}

    @cached_property
    def sectors(self) -> dict[str, int]:
        return {s: k for k, s in enumerate(self.world.sectors)}

    @cached_property
    def is_service(self) -> np.ndarray:
        return np.array([s in self.services for s in self.world.sectors], dtype=bool)

    @cached_property
    def trade(self) -> np.ndarray:
        """T[origin, product, region]."""
        return np.asarray(self.world.trade.transpose("origin", "product", "region").values)

    @cached_property
    def foreign(self) -> np.ndarray:
        """T with the domestic diagonal (origin = region) set to zero."""
        R = len(self.regions)
        return self.trade * (1.0 - np.eye(R))[:, None, :]

    @cached_property
    def output(self) -> np.ndarray:
        """x[region, sector] at basic prices."""
        return np.asarray(self.world.gross_output.transpose("region", "sector").values)

    @cached_property
    def intermediate(self) -> np.ndarray:
        """Z[origin, product, region, sector]."""
        return np.asarray(self.world.intermediate.transpose("origin", "product", "region", "sector").values)

    @cached_property
    def value_added(self) -> np.ndarray:
        return np.asarray(self.world.value_added.transpose("region", "sector").values)

    @cached_property
    def self_sufficiency(self) -> np.ndarray:
        """ss[region, product]."""
        return absorption(self.trade, self.output).self_sufficiency

    @cached_property
    def self_sufficiency_net(self) -> np.ndarray:
        """ss_net[region, product], net of deliveries to the industry that makes the product."""
        S = len(self.sectors)
        within = self.intermediate[:, np.arange(S), :, np.arange(S)].transpose(1, 0, 2)  # [i, p, n]
        return net_self_sufficiency(self.trade, self.output, within)

    def region(self, target: Target, label: str) -> int:
        code = target.labels[label]
        if code not in self.regions:
            raise UnknownCodeError(
                "region", code, self.world.regions, field=f"target {target.key!r}: labels.{label}"
            )
        return self.regions[code]

    def sector(self, target: Target, label: str) -> int:
        code = target.labels[label]
        if code not in self.sectors:
            raise UnknownCodeError(
                "sector", code, self.world.sectors, field=f"target {target.key!r}: labels.{label}"
            )
        return self.sectors[code]

    def goods(self, target: Target, services: bool = False) -> np.ndarray:
        mask = self.is_service if services else ~self.is_service
        if not mask.any():
            what = (
                "service sectors (services=" + ", ".join(self.services) + ")" if services else "goods sectors"
            )
            raise DataError(
                f"target {target.key!r}: the World has no {what}",
                field=f"target {target.key!r}",
                expected=f"sectors among {self.world.sectors}",
                fix="pass services=... naming the World's service sectors",
            )
        return mask

    def value(self, t: Target) -> float:
        k = t.kind
        if k in ("bilateral_goods", "bilateral_services"):
            i, n = self.region(t, "origin"), self.region(t, "region")
            return float(self.trade[i, self.goods(t, k == "bilateral_services"), n].sum())
        if k == "bilateral_sector":
            i, n, p = self.region(t, "origin"), self.region(t, "region"), self.sector(t, "product")
            return float(self.trade[i, p, n])
        if k == "gdp":
            return float(self.value_added[self.region(t, "region")].sum())
        if k in ("exports_goods", "imports_goods", "goods_balance"):
            n, goods = self.region(t, "region"), self.goods(t)
            exports = float(self.foreign[n, goods, :].sum())
            imports = float(self.foreign[:, goods, n].sum())
            return {"exports_goods": exports, "imports_goods": imports}.get(k, exports - imports)
        if k == "output_share":
            n, s = self.region(t, "region"), self.sector(t, "sector")
            return _share(self.output[n, s], self.output[:, s].sum(), t)
        if k in SELF_SUFFICIENCY_KINDS:
            n = self.region(t, "region")
            p = self.sector(t, "product" if "product" in t.labels else "sector")
            v = float((self.self_sufficiency if k == "self_sufficiency" else self.self_sufficiency_net)[n, p])
            if not np.isfinite(v):
                raise DataError(
                    f"target {t.key!r}: self-sufficiency of {t.labels['region']} in {t.product} is "
                    "undefined (the region does not use the product"
                    + (")" if k == "self_sufficiency" else " outside the industry that makes it)"),
                    field=f"target {t.key!r}",
                    fix="drop the target or pick a product the region uses",
                )
            return v
        if k == "input_cost_share":
            p, s = self.sector(t, "input"), self.sector(t, "sector")
            if "region" in t.labels:
                n = self.region(t, "region")
                return _share(self.intermediate[:, p, n, s].sum(), self.output[n, s], t)
            return _share(self.intermediate[:, p, :, s].sum(), self.output[:, s].sum(), t)
        # world_output
        return float(self.output[:, self.sector(t, "sector")].sum())


def _share(num: float, den: float, target: Target) -> float:
    if den <= 0:
        raise DataError(
            f"target {target.key!r}: the denominator of the share is zero",
            field=f"target {target.key!r}",
            expected="a sector with positive output",
            fix="drop the target or pick a sector the World produces",
        )
    return float(num / den)


def _check_unit(world: World, target: Target) -> None:
    if target.kind not in SHARE_KINDS and target.unit != world.meta.unit:
        raise DataError(
            f"target {target.key!r} is in {target.unit!r} but the World's values are in {world.meta.unit!r}",
            field=f"target {target.key!r}: unit",
            expected=repr(world.meta.unit),
            fix="convert the observed value to the World's unit",
        )


def world_value(world: World, target: Target, *, services: Sequence[str] = ("DIG", "SRV")) -> float:
    """The World's value of the statistic ``target`` measures (see the module docstring).

    Parameters
    ----------
    world
        The World.
    target
        What to measure; its ``observed`` value is not used here.
    services
        Service sectors; goods are all other sectors of the World.

    Returns
    -------
    float
        In the World's unit for flow kinds, a fraction for share kinds.

    Raises
    ------
    UnknownCodeError
        A label that is not a region or sector of the World (the message names the key).
    DataError
        A unit other than the World's for a flow target; a share with zero denominator;
        a goods or services total in a World without such sectors.

    """
    _check_unit(world, target)
    return _Accounts(world, tuple(services)).value(target)


def world_values(
    world: World, targets: Sequence[Target], *, services: Sequence[str] = ("DIG", "SRV")
) -> np.ndarray:
    """:func:`world_value` of many targets, computing the World's accounts once."""
    for t in targets:
        _check_unit(world, t)
    acc = _Accounts(world, tuple(services))
    return np.array([acc.value(t) for t in targets], dtype=float)


def _describe(t: Target) -> str:
    lab = t.labels
    k = t.kind
    if k in ("bilateral_goods", "bilateral_services"):
        return f"{k.split('_')[1]} {lab['origin']} -> {lab['region']}"
    if k == "bilateral_sector":
        return f"{lab['product']} {lab['origin']} -> {lab['region']}"
    if k == "gdp":
        return f"GDP (value added) of {lab['region']}"
    if k in ("exports_goods", "imports_goods"):
        return f"goods {k.split('_')[0]} of {lab['region']}"
    if k == "goods_balance":
        return f"goods balance (exports - imports) of {lab['region']}"
    if k == "output_share":
        return f"{lab['region']} share of world {lab['sector']} output"
    if k == "self_sufficiency":
        return f"{lab['region']} self-sufficiency in {t.product}"
    if k == "self_sufficiency_net":
        return f"{lab['region']} self-sufficiency in {t.product}, net of sales within the industry"
    if k == "input_cost_share":
        where = lab.get("region", "world")
        return f"{lab['input']} share of {lab['sector']} costs ({where})"
    return f"world output of {lab['sector']}"


def calibration_table(world: World, targets: Sequence[Target], **kw: Sequence[str]) -> pd.DataFrame:
    """Every target with the World's value, the observed value and the error.

    Parameters
    ----------
    world
        The World.
    targets
        Observed targets; keys must be unique.
    **kw
        ``services=...`` as in :func:`world_value`.

    Returns
    -------
    pandas.DataFrame
        One row per target, columns :data:`COLUMNS`: ``world`` and ``observed`` in ``unit``,
        ``error = world - observed``, ``error_pct`` in percent of |observed|, ``within``
        whether the error is inside the tolerance; see the module docstring.

    Raises
    ------
    DataError
        Duplicate keys, or any error of :func:`world_value`.

    """
    keys = [t.key for t in targets]
    dup = sorted(k for k, n in Counter(keys).items() if n > 1)
    if dup:
        raise DataError(
            f"target keys {dup[:10]} are used more than once",
            field="key",
            expected="one target per key",
            fix="give every target a unique key",
        )
    unknown = set(kw) - {"services"}
    if unknown:
        raise TypeError(f"calibration_table() got unexpected keyword arguments {sorted(unknown)}")
    value = world_values(world, targets, services=kw.get("services", ("DIG", "SRV")))
    observed = np.array([t.observed for t in targets], dtype=float)
    tolerance = np.array([t.tolerance for t in targets], dtype=float)
    relative = np.array([t.relative for t in targets], dtype=bool)
    error = value - observed
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(
            observed != 0,
            100.0 * error / np.abs(observed),
            np.where(error == 0, 0.0, np.copysign(np.inf, error)),
        )
    allowed = np.where(relative, tolerance * np.abs(observed), tolerance)
    within = np.abs(error) <= allowed * (1.0 + 1e-12)
    return pd.DataFrame(
        {
            "key": keys,
            "kind": [t.kind for t in targets],
            "what": [_describe(t) for t in targets],
            "world": value,
            "observed": observed,
            "unit": [t.unit for t in targets],
            "error": error,
            "error_pct": pct,
            "tolerance": tolerance,
            "within": within,
            "source": [t.source for t in targets],
        },
        columns=list(COLUMNS),
    )


def calibration_summary(table: pd.DataFrame) -> str:
    """One line: how many targets hold, and the largest relative error (key and percent).

    ``table`` is a :func:`calibration_table`.
    """
    n, ok = len(table), int(table["within"].sum())
    if n == 0:
        return "no calibration targets"
    finite = table[np.isfinite(table["error_pct"])]
    worst = finite.loc[finite["error_pct"].abs().idxmax()] if len(finite) else table.iloc[0]
    line = (
        f"{ok} of {n} targets within tolerance; largest relative error {worst['error_pct']:+.3g} % "
        f"({worst['key']}: {worst['what']})"
    )
    outside = table.loc[~table["within"], "key"].tolist()
    if outside:
        line += f"; outside tolerance: {', '.join(outside[:10])}" + (" ..." if len(outside) > 10 else "")
    return line


#: Label columns of a targets CSV (empty cells: label absent).
LABEL_COLUMNS = ("origin", "region", "product", "sector", "input")
#: Other columns of a targets CSV (``relative`` optional, default true).
TARGET_COLUMNS = ("key", "kind", "observed", "unit", "source", "tolerance")


def read_targets(path: str | os.PathLike[str]) -> list[Target]:
    """Read observed targets from a CSV file, one target a row.

    Columns: ``key, kind, observed, unit, source, tolerance`` and optionally ``relative``
    (true/false, default true), plus the label columns the kinds need among
    :data:`LABEL_COLUMNS` (leave a cell empty where a kind has no such label).

    Raises
    ------
    DataError
        Missing columns, or a row that is not a valid :class:`Target` (the message names
        the row, the field and what is wrong).

    """
    p = Path(path)
    df = read_table(p, "calibration targets (key,kind,observed,unit,source,tolerance + labels)", sep=",")
    df.columns = [str(c).strip() for c in df.columns]
    require_columns(df, TARGET_COLUMNS, p)
    labels = [c for c in LABEL_COLUMNS if c in df.columns]
    out = []
    for k, row in enumerate(df.to_dict("records")):
        rel = str(row.get("relative", "true")).strip().lower()
        try:
            observed = float(row["observed"])
            tolerance = float(row["tolerance"])
            if rel not in ("true", "false", "1", "0", "nan"):
                raise ValueError(f"relative must be true or false, not {row.get('relative')!r}")
            out.append(
                Target(
                    key=str(row["key"]).strip(),
                    kind=str(row["kind"]).strip(),  # type: ignore[arg-type]
                    labels={
                        c: str(row[c]).strip() for c in labels if pd.notna(row[c]) and str(row[c]).strip()
                    },
                    observed=observed,
                    unit=str(row["unit"]).strip(),
                    source=str(row["source"]).strip(),
                    tolerance=tolerance,
                    relative=rel not in ("false", "0"),
                )
            )
        except (ValueError, TypeError) as err:
            detail = err.errors()[0]["msg"] if isinstance(err, ValidationError) else str(err)
            field = (
                ".".join(str(x) for x in err.errors()[0]["loc"]) if isinstance(err, ValidationError) else None
            )
            raise DataError(
                f"data row {k + 1} ({row.get('key')!r}) is not a valid target: {detail}",
                file=str(p),
                field=field or "observed, tolerance, relative",
                expected=f"kinds {', '.join(LABELS)}; numbers in observed and tolerance",
                fix="see tradewar.world.calibration for the labels each kind needs",
            ) from None
    return out
