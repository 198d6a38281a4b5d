"""Build the shipped default World from observed 2023 data, imputing only what no source gives.

The default world has 14 regions x 14 sectors (USD billion, 2023, basic prices). What is
*observed* (``world/default/sources.yaml``, section ``cited``, each with publisher, table,
year, URL and a record of whether it was checked against the publication) enters as
constraints; what is *assumed* (section ``assumed``) only shapes what the observations
leave open. The build (regions n, i; sectors s; products p):

1. **Value added and output.** GDP_n is observed. Agriculture and manufacturing value
   added are observed shares of GDP; energy and digital services are assumed shares.
   Gross output of the chokepoint sectors is pinned by value:

   * chips: x[n, SEMA] = sales_world · hq_n · adv_n + contract[n, SEMA] and
     x[n, SEMM] = sales_world · hq_n · (1 - adv_n) + contract[n, SEMM], with world sales
     (WSTS), the share of sales by company headquarters hq_n (SIA), so that design value
     is booked where the designer sits, and contract output (foundry wafers, outsourced
     assembly and test; TSMC, TrendForce) booked where it is made, an intermediate input
     of the designer's chip sector; adv_n is the assumed advanced share of n's sales;
   * chip tools x[n, SME] = billings_world · supplier_share_n (SEMI; company revenues);
   * rare earths x[n, REE] = Σ_stage value_stage · share[stage, n] over mining (USGS),
     refining and magnets (IEA), with assumed world stage values;
   * other critical minerals x[n, CRM] = c · market_world · share_n (IEA market less
     copper and rare earths, c assumed; shares assumed from IEA/USGS);
   * vehicles x[n, VEH] = output_world · units_n / units_world (OICA units);
   * electronics x[n, ELE] = output_world · share_n, world output sized so that chips
     are about a quarter of its costs (assumed; the calibration report shows the share).

   Value added is VA = v_s · x with assumed ratios v_s; the rest of manufacturing value
   added is split over CHM, MAC and MAN by assumed weights; SRV takes the rest of GDP.
   Other sectors' output is x = VA / v_s.
2. **World technology.** As in the former build: world final use FD_p = c · φ_p · x_p
   (φ assumed, c so that Σ_p FD_p = world GDP); the world input matrix is the RAS balance
   of an assumed input mix to row totals x_p - FD_p and column totals (1 - v_s) x_s;
   A[p, s] = M[p, s] / x_s in every region, except (2b) the chip-tool input of the chip
   sectors: a share λ of region n's SEMI billings is capital consumption booked as an
   input of SEMA and SEMM (in proportion to their output), the sectors' other inputs
   scaled to keep their value-added ratios.
3. **Final demand by region.** Spending is GDP_n + D_n, where the deficit D_n is
   *observed*: imports less exports of goods (the bilateral matrix) and services (the
   cited totals). FD[n, p] is the RAS balance of FD_p · specialisation[n, p]^κ to
   spending and world final use, with chip-tool investment fixed to (1 - λ) billings_n.
4. **Bilateral flows by IPF to the observations.** For every origin i, destination n and
   product p, T[i, n, p] is the iterative proportional fit of a gravity prior
   x[i, p] · U[n, p] · d_in^(-δ) (home bias h_p on i = n) to: output x[i, p]; use
   U[n, p] = Σ_s A[n, p, s] x[n, s] + FD[n, p]; the *observed* goods trade of every
   pair, Σ_{p ∈ goods} T[i, n, p] = G[i, n]; the *observed* US-China flow of every goods
   sector (cells fixed); the *observed* US services trade with every region; and each
   region's *observed* total services exports and imports. The gravity prior only
   decides what these leave open (sector mix of non-US-China pairs, non-US bilateral
   services, domestic sales).
5. **Intermediate and final flows.** Z[i, p, n, s] = T[i, n, p] · A[n, p, s] x[n, s] /
   U[n, p] and F[i, p, n] = T[i, n, p] · FD[n, p] / U[n, p] (proportionality).
6. **Tariffs.** t[i, n, p] = MFN_n · profile_p (cited averages, assumed sector profile,
   FTA pairs reduced), plus the US-China trade-war tariffs scaled so that the
   goods-trade-weighted averages equal the cited PIIE numbers. Value added is the cost
   residual VA = x - Σ (1 + t) Z.
7. **Trade elasticities** θ_s are assumed, informed by Caliendo & Parro (2015, Table 1).

``World.imputed`` flags every cell as imputed except the flows of the observed US-China
sector cells (their total over users is observed; the split between users is not).
The build also writes the calibration report (:func:`calibration_targets`, see
``world/default/calibration.csv``). Run ``python -m tradewar.world.default_build`` to
rebuild the shipped bundle and the report.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from tradewar.errors import ConvergenceError, DataError
from tradewar.limits import MAX_SCENARIO_BYTES, LimitedSafeLoader, read_text_limited
from tradewar.world.aggregate import aggregate
from tradewar.world.balance import ras
from tradewar.world.calibration import Target, calibration_table
from tradewar.world.world import World, WorldMeta

HERE = Path(__file__).resolve().parent / "default"
SOURCES_FILE = HERE / "sources.yaml"
BUNDLE_DIR = HERE / "bundle"

REGIONS = ["USA", "CHN", "EU", "NLD", "JPN", "KOR", "TWN", "IND", "VNM", "ASEAN", "MEX", "CAN", "AUS", "ROW"]
SECTORS = [
    "AGR", "ENE", "REE", "CRM", "CHM", "MAC", "SEMA", "SEMM", "SME", "ELE", "VEH", "MAN", "DIG", "SRV",
]  # fmt: skip
SERVICES = ["DIG", "SRV"]
GOODS = [s for s in SECTORS if s not in SERVICES]
CHIPS = ["SEMA", "SEMM"]


# ---------------------------------------------------------------------- the sources file
class Source(BaseModel):
    """Where a cited number comes from."""

    model_config = ConfigDict(extra="forbid")
    publisher: str
    title: str
    table: str
    year: int
    url: str


class Cited(BaseModel):
    """An observed, published aggregate, with the record of checking it against its publication.

    ``verified`` is true only where the figures were seen in a retrieved text of the
    publication (or of the publisher's own release); ``checked`` says what was found,
    where, and whether the figures were typed from memory.
    """

    model_config = ConfigDict(extra="forbid")
    description: str
    unit: str
    values: dict[str, float] | dict[str, dict[str, float]]
    source: Source
    verified: bool
    checked: str


class Assumed(BaseModel):
    """A documented assumption (no single publication gives it)."""

    model_config = ConfigDict(extra="forbid")
    description: str
    unit: str
    values: dict[str, float] | dict[str, dict[str, float]]
    rationale: str
    reference: str | None = None


class TargetGroup(BaseModel):
    """Every value of a cited entry as a calibration target of one kind."""

    model_config = ConfigDict(extra="forbid")
    kind: str
    cited: str
    tolerance: float
    relative: bool = True


class Sources(BaseModel):
    """The whole ``sources.yaml``."""

    model_config = ConfigDict(extra="forbid")
    title: str
    base_year: int
    currency: str
    unit: str
    provenance: str
    regions: dict[str, str]
    sectors: dict[str, str]
    cited: dict[str, Cited]
    assumed: dict[str, Assumed]
    target_groups: list[TargetGroup]
    targets: list[dict[str, Any]]

    def c(self, key: str) -> Any:
        """Values of a cited entry."""
        return self.cited[key].values

    def a(self, key: str) -> Any:
        """Values of an assumed entry."""
        return self.assumed[key].values


class _StrictLoader(LimitedSafeLoader):
    """Bounded SafeLoader (see :mod:`tradewar.limits`) that rejects duplicate keys."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise DataError(
                f"duplicate key {key!r} (line {key_node.start_mark.line + 1})",
                file=str(getattr(loader, "name", "sources.yaml")),
                field=str(key),
                fix="keep one entry per key",
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def load_sources(path: str | os.PathLike[str] | None = None) -> Sources:
    """Read and validate ``sources.yaml`` (unknown or duplicate keys are errors)."""
    p = Path(path) if path is not None else SOURCES_FILE
    if not p.is_file():
        raise DataError("sources file not found", file=str(p)) from None
    text = read_text_limited(p, MAX_SCENARIO_BYTES, "the sources file")
    try:
        raw = yaml.load(text, Loader=_StrictLoader)
    except (yaml.YAMLError, RecursionError) as err:
        raise DataError(f"invalid YAML: {err}", file=str(p)) from None
    try:
        src = Sources.model_validate(raw)
    except ValidationError as err:
        first = err.errors()[0]
        raise DataError(
            f"{first['msg']} ({err.error_count()} problems)",
            file=str(p),
            field=".".join(str(x) for x in first["loc"]),
            fix="compare with the documented layout at the top of the file",
        ) from None
    if list(src.regions) != REGIONS or list(src.sectors) != SECTORS:
        raise DataError(
            "regions or sectors differ from the build's",
            file=str(p),
            field="regions, sectors",
            expected=f"regions {REGIONS}, sectors {SECTORS}",
        )
    return src


def _vec(
    values: Mapping[str, float], labels: list[str], scale: float = 1.0, *, fill: float | None = None
) -> np.ndarray:
    """Values in the order of ``labels``; missing labels are an error unless ``fill`` is given."""
    missing = [x for x in labels if x not in values]
    if missing and fill is None:
        raise DataError(f"values missing for {missing}", file=str(SOURCES_FILE), expected=f"keys {labels}")
    extra = [k for k in values if k not in labels and k != "WORLD"]
    if extra:
        raise DataError(f"unknown labels {extra}", file=str(SOURCES_FILE), expected=f"keys among {labels}")
    return np.array([float(values.get(x, fill if fill is not None else 0.0)) for x in labels]) * scale


def _shares(values: Mapping[str, float], key: str) -> np.ndarray:
    """Percent shares by region (absent regions 0), checked to sum to 100."""
    v = _vec(values, REGIONS, 0.01, fill=0.0)
    if abs(v.sum() - 1.0) > 0.005:
        raise DataError(
            f"shares sum to {100 * v.sum():.2f} %", file=str(SOURCES_FILE), field=key, expected="100 %"
        )
    return v


# ---------------------------------------------------------------------- step 1
def gdp(src: Sources) -> np.ndarray:
    """GDP_n (ROW = WORLD less the named regions)."""
    g = src.c("gdp")
    named = {r: g[r] for r in REGIONS[:-1]}
    return _vec({**named, "ROW": g["WORLD"] - sum(named.values())}, REGIONS)


def chip_output(src: Sources) -> dict[str, np.ndarray]:
    """x[n, SEMA] and x[n, SEMM]: design value by headquarters plus contract output by location."""
    sales = float(src.c("semiconductor_sales")["WORLD"])
    hq = sales * _shares(src.c("chip_sales_share_by_hq"), "cited.chip_sales_share_by_hq")
    adv = _vec(src.a("chip_advanced_share"), REGIONS, fill=0.0)
    contract = src.c("chip_contract_output")
    return {
        "SEMA": hq * adv + _vec(contract["SEMA"], REGIONS, fill=0.0),
        "SEMM": hq * (1.0 - adv) + _vec(contract["SEMM"], REGIONS, fill=0.0),
    }


def ree_output(src: Sources) -> np.ndarray:
    """x[n, REE] = Σ_stage value_stage · share[stage, n] (mining, refining, magnets)."""
    value = src.a("ree_stage_value")
    return (
        value["mining"] * _shares(src.c("ree_mine_share"), "cited.ree_mine_share")
        + value["refining"] * _shares(src.c("ree_refining_share"), "cited.ree_refining_share")
        + value["magnets"] * _shares(src.c("ree_magnet_share"), "cited.ree_magnet_share")
    )


def pinned_output(src: Sources) -> dict[str, np.ndarray]:
    """Gross output of the sectors sized by value from observed totals and shares (step 1)."""
    out = chip_output(src)
    billings = _vec(src.c("sme_billings"), REGIONS)
    out["SME"] = billings.sum() * _shares(src.c("sme_sales_share"), "cited.sme_sales_share")
    out["REE"] = ree_output(src)
    crm = float(src.c("critical_minerals_market")["WORLD"]) * float(src.a("crm_share_of_market")["share"])
    out["CRM"] = crm * _shares(src.a("crm_output_share"), "assumed.crm_output_share")
    units = src.c("vehicle_production")
    named = {r: units[r] for r in REGIONS[:-1]}
    units_n = _vec({**named, "ROW": units["WORLD"] - sum(named.values())}, REGIONS)
    out["VEH"] = float(src.a("vehicle_output")["WORLD"]) * units_n / units_n.sum()
    ele = src.a("electronics_output")
    out["ELE"] = float(ele["WORLD"]) * _shares({r: ele[r] for r in REGIONS}, "assumed.electronics_output")
    return out


def value_added_and_output(src: Sources) -> tuple[np.ndarray, np.ndarray]:
    """Step 1: VA[n, s] and gross output x[n, s] (see the module docstring)."""
    R, S = len(REGIONS), len(SECTORS)
    col = {s: k for k, s in enumerate(SECTORS)}
    g = gdp(src)
    v = _vec(src.a("va_ratio"), SECTORS)
    x = np.zeros((R, S))
    pinned = pinned_output(src)
    for s, out in pinned.items():
        x[:, col[s]] = out
    va = x * v[None, :]
    va[:, col["AGR"]] = g * _vec(src.c("agriculture_share"), REGIONS, 0.01)
    va[:, col["ENE"]] = g * _vec(src.a("energy_share"), REGIONS, 0.01)
    va[:, col["DIG"]] = g * _vec(src.a("digital_share"), REGIONS, 0.01)
    manuf = g * _vec(src.c("manufacturing_share"), REGIONS, 0.01)
    in_manuf = [col[s] for s in ("SEMA", "SEMM", "SME", "ELE", "VEH")]
    rest = manuf - va[:, in_manuf].sum(axis=1)
    if (rest <= 0).any():
        raise DataError(
            "chip, chip-tool, electronics and vehicle value added exceed manufacturing value added in "
            f"{[r for r, ok in zip(REGIONS, rest > 0, strict=True) if not ok]}",
            file=str(SOURCES_FILE),
        )
    mix = src.a("manufacturing_mix")
    for k, r in enumerate(REGIONS):
        w = _vec(mix[r], ["CHM", "MAC", "MAN"])
        for s, share in zip(("CHM", "MAC", "MAN"), w / w.sum(), strict=True):
            va[k, col[s]] = rest[k] * share
    va[:, col["SRV"]] = g - np.delete(va, col["SRV"], axis=1).sum(axis=1)
    if (va < 0).any():
        raise DataError("negative value added in the default build", file=str(SOURCES_FILE))
    free = [col[s] for s in SECTORS if s not in pinned]
    x[:, free] = va[:, free] / v[None, free]
    return va, x


# ---------------------------------------------------------------------- step 2
def sme_capital_consumption(src: Sources) -> float:
    """The assumed share λ of each region's chip-tool use booked as an input of the chip sectors."""
    k = float(src.a("sme_capital_consumption")["share"])
    if not 0.0 <= k < 1.0:
        raise DataError(
            f"share {k} outside [0, 1)", file=str(SOURCES_FILE), field="assumed.sme_capital_consumption"
        )
    return k


def world_technology(src: Sources, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step 2: technical coefficients A[p, s] and world final use FD_p."""
    v = _vec(src.a("va_ratio"), SECTORS)
    xw = x.sum(axis=0)
    phi = _vec(src.a("final_use_share"), SECTORS)
    sme = SECTORS.index("SME")
    lam = sme_capital_consumption(src)
    if abs(phi[sme] - (1.0 - lam)) > 1e-12:
        raise DataError(
            "the final-use share of SME must equal 1 - the capital-consumption share",
            file=str(SOURCES_FILE),
            field="assumed.final_use_share.values.SME",
            expected=f"{1.0 - lam}",
            fix="change final_use_share.SME and sme_capital_consumption together",
        )
    gdp_world = float((v * xw).sum())
    fd = phi * xw
    others = np.arange(len(SECTORS)) != sme
    fd[others] *= (gdp_world - fd[sme]) / fd[others].sum()
    if (fd > xw + 1e-9).any():
        bad = [s for s, f, o in zip(SECTORS, fd, xw, strict=True) if f > o]
        raise DataError(
            f"final use exceeds output for {bad}", file=str(SOURCES_FILE), field="final_use_share"
        )
    mix = src.a("input_mix")
    W = np.zeros((len(SECTORS), len(SECTORS)))
    for j, s in enumerate(SECTORS):
        for p, w in mix[s].items():
            W[SECTORS.index(p), j] = w
    W /= W.sum(axis=0, keepdims=True)
    inputs = (1.0 - v) * xw
    M = ras(W * inputs[None, :], xw - fd, inputs, tol=1e-14).table
    return M / xw[None, :], fd


def regional_technology(src: Sources, A: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Step 2b: coefficients A[n, p, s]; the chip-tool input of the chip sectors is region-specific.

    Region n uses λ · billings_n of chip tools as an input of SEMA and SEMM, in proportion
    to their output: a_n = A[n, SME, s] = λ billings_n / (x[n, SEMA] + x[n, SEMM]) for
    s in {SEMA, SEMM}; the sector's other inputs are scaled by
    f = (1 - v_s - a_n) / (1 - v_s - A[SME, s]), which keeps its value-added ratio.
    """
    R = len(REGIONS)
    sme = SECTORS.index("SME")
    chips = [SECTORS.index(s) for s in CHIPS]
    lam = sme_capital_consumption(src)
    billings = _vec(src.c("sme_billings"), REGIONS)
    A_n = np.broadcast_to(A[None, :, :], (R, *A.shape)).copy()
    others = np.arange(len(SECTORS)) != sme
    for n in range(R):
        xs = x[n, chips].sum()
        if xs <= 0.0:
            if lam * billings[n] > 0.0:
                raise DataError(
                    f"{REGIONS[n]} buys chip tools but makes no chips",
                    file=str(SOURCES_FILE),
                    field="cited.sme_billings",
                )
            continue
        a_n = lam * billings[n] / xs
        for s in chips:
            total = A[:, s].sum()  # 1 - v_s
            if a_n >= total:
                raise DataError(
                    f"chip-tool capital consumption of {REGIONS[n]} exceeds {SECTORS[s]}'s input costs",
                    file=str(SOURCES_FILE),
                    field="assumed.sme_capital_consumption",
                )
            A_n[n, others, s] *= (total - a_n) / (total - A[sme, s])
            A_n[n, sme, s] = a_n
    return _rare_earth_use(src, A_n, x)


def _rare_earth_use(src: Sources, A_n: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Step 2c: rare earths are used where magnets and motors are made.

    Under one world technology every region would use rare earths in proportion to its
    electronics, vehicle and machinery output (the USA about USD 4 bn), far above what the
    observed trade allows (US imports from China about 0.5 bn, own mine output 0.5 bn, of
    which 0.3 bn is shipped to China). Region n's REE coefficients are therefore scaled by
    r_n ∝ max(share of world magnet output / share of world REE use, floor) (IEA magnet
    shares; floor assumed, ``ree_use_tilt``), normalised so that world REE use is
    unchanged; the other inputs of each using sector are scaled to keep its value-added
    ratio. The magnet share, not the share of all REE output, because rare earths are
    used where magnets are made and built into motors: mining regions (Australia, the
    USA, Myanmar in ASEAN) ship their concentrate away.
    """
    ree = SECTORS.index("REE")
    floor = float(src.a("ree_use_tilt")["floor"])
    magnets = _shares(src.c("ree_magnet_share"), "cited.ree_magnet_share")
    u = np.einsum("ns,ns->n", A_n[:, ree, :], x)  # REE use under one technology
    r = np.maximum(magnets / (u / u.sum()), floor)
    r *= u.sum() / (r * u).sum()
    out = A_n.copy()
    others = np.arange(len(SECTORS)) != ree
    for n in range(len(REGIONS)):
        old = A_n[n, ree, :]
        total = A_n[n, :, :].sum(axis=0)
        new = old * r[n]
        scale = np.divide(total - new, total - old, out=np.ones_like(total), where=total - old > 0)
        out[n, others, :] *= scale[None, :]
        out[n, ree, :] = new
    return out


# ---------------------------------------------------------------------- step 3
def trade_totals(src: Sources) -> dict[str, np.ndarray]:
    """Observed trade: goods G[i, n], services exports and imports by region, US services pairs.

    Returns ``goods`` (R, R), ``services_exports`` (R,), ``services_imports`` (R,) (ROW's
    exports assumed, its imports the residual) and ``us_services`` (R, R) with the US
    rows and columns filled and NaN elsewhere.
    """
    R = len(REGIONS)
    goods = np.zeros((R, R))
    for i, row in src.c("goods_trade").items():
        goods[REGIONS.index(i)] = _vec(row, REGIONS, fill=0.0)
    np.fill_diagonal(goods, 0.0)
    totals = src.c("services_trade_totals")
    sx = _vec({**totals["EXP"], "ROW": src.a("row_services_exports")["ROW"]}, REGIONS)
    sm = _vec(totals["IMP"], REGIONS, fill=0.0)
    sm[-1] = sx.sum() - sm[:-1].sum()
    if sm[-1] <= 0:
        raise DataError("ROW's services imports come out negative", file=str(SOURCES_FILE))
    us = np.full((R, R), np.nan)
    pairs = src.c("services_trade_usa")
    usa = REGIONS.index("USA")
    us[usa] = _vec(pairs["EXP"], REGIONS, fill=0.0)
    us[:, usa] = _vec(pairs["IMP"], REGIONS, fill=0.0)
    us[usa, usa] = np.nan
    for name, total, direction in (("EXP", sx[usa], us[usa]), ("IMP", sm[usa], us[:, usa])):
        if abs(np.nansum(direction) - total) > 1e-6 * total:
            raise DataError(
                f"US services {name} by partner sum to {np.nansum(direction):.6g}, not {total:.6g}",
                file=str(SOURCES_FILE),
                field=f"cited.services_trade_usa.{name}",
            )
    return {"goods": goods, "services_exports": sx, "services_imports": sm, "us_services": us}


def observed_balances(src: Sources) -> tuple[np.ndarray, np.ndarray]:
    """Goods and services deficits (imports - exports) by region, from the observed trade."""
    t = trade_totals(src)
    g = t["goods"]
    return g.sum(axis=0) - g.sum(axis=1), t["services_imports"] - t["services_exports"]


def final_demand(src: Sources, x: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Step 3: FD[n, p] at basic prices, fitted to the observed goods and services deficits.

    Use of goods in n less its output of goods must equal its observed goods deficit, and
    the same for services (imports - exports = use - output, product group by product
    group), so FD[n, goods] = Σ_{p ∈ goods} (x[n, p] - Σ_s A[n, p, s] x[n, s]) + Dg_n and
    likewise for services; with world final use FD_p these are the margins of an IPF of
    the prior FD_p · specialisation[n, p]^κ, where FD_p = Σ_n (x[n, p] - Σ_s A[n, p, s]
    x[n, s]) is world final use under the regional technology. The chip-tool column is
    fixed to the non-consumed part of each region's billings, (1 - λ) billings_n.
    """
    R, S = x.shape
    inter = np.einsum("nps,ns->np", A, x)
    fd_world = np.clip((x - inter).sum(axis=0), 0.0, None)  # REE has no final use: 0, not -1e-13
    sme = SECTORS.index("SME")
    billings = _vec(src.c("sme_billings"), REGIONS)
    billings *= fd_world[sme] / billings.sum()  # the final-use part, (1 - λ) billings_n
    keep = np.arange(S) != sme
    kappa = float(src.a("demand_tilt")["kappa"])
    spec = (x / x.sum(axis=1, keepdims=True)) / (x.sum(axis=0) / x.sum())[None, :]
    prior = (fd_world[None, :] * spec**kappa)[:, keep]
    serv = np.isin(np.array(SECTORS), SERVICES)
    dg, ds = observed_balances(src)
    want_g = (x - inter)[:, ~serv].sum(axis=1) + dg - billings
    want_s = (x - inter)[:, serv].sum(axis=1) + ds
    if (want_g <= 0).any() or (want_s <= 0).any():
        bad = [r for r, a, b in zip(REGIONS, want_g, want_s, strict=True) if a <= 0 or b <= 0]
        raise DataError(
            f"final demand for goods or services would be negative in {bad}",
            file=str(SOURCES_FILE),
            fix="check the region's observed trade against its output",
        )
    n_, p_ = np.meshgrid(np.arange(R), np.arange(S - 1), indexing="ij")
    is_serv = serv[keep][p_]
    groups = [
        ((n_ * 2 + is_serv).ravel(), np.stack([want_g, want_s], axis=1).ravel()),
        (p_.ravel(), fd_world[keep]),
    ]
    fd = np.zeros((R, S))
    fd[:, keep] = _group_ipf(prior, groups, tol=1e-12, max_iter=10_000)
    fd[:, sme] = billings
    return fd


# ---------------------------------------------------------------------- step 4
def _distances(src: Sources) -> np.ndarray:
    loc = src.a("location")
    dist = src.a("distance")
    R = len(REGIONS)
    d = np.full((R, R), float(dist["ROW"]))
    for i, a in enumerate(REGIONS):
        for j, b in enumerate(REGIONS):
            if a in loc and b in loc and i != j:
                la1, lo1, la2, lo2 = np.radians([loc[a]["lat"], loc[a]["lon"], loc[b]["lat"], loc[b]["lon"]])
                h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
                d[i, j] = 2 * 6371.0 * np.arcsin(np.sqrt(h))
    np.fill_diagonal(d, float(dist["own"]))
    return d


def us_china_sector_flows(src: Sources) -> np.ndarray:
    """Observed US-China goods flows by sector as a (R, R, S) array, NaN where not observed."""
    R, S = len(REGIONS), len(SECTORS)
    out = np.full((R, R, S), np.nan)
    for pair, flows in src.c("us_china_goods_by_sector").items():
        i, n = (REGIONS.index(c) for c in pair.split(">"))
        out[i, n, :] = _vec(flows, SECTORS, fill=np.nan)
        if abs(np.nansum(out[i, n]) - trade_totals(src)["goods"][i, n]) > 1e-6:
            raise DataError(
                f"the sector flows of {pair} do not sum to its goods total",
                file=str(SOURCES_FILE),
                field=f"cited.us_china_goods_by_sector.{pair}",
            )
    return out


def _group_ipf(
    prior: np.ndarray, groups: list[tuple[np.ndarray, np.ndarray]], *, tol: float, max_iter: int
) -> np.ndarray:
    """Iterative proportional fitting to sums over groups of cells.

    Each family is ``(index, target)``: ``index`` gives every cell of the flattened table
    its group (-1 for cells outside the family), ``target`` the required sum of each
    group. A sweep scales every group of every family to its target (Deming and Stephan
    1940); the fit stops when every group is within ``tol`` (relative to its target).
    """
    T = prior.ravel().copy()
    for _ in range(max_iter):
        worst = 0.0
        for idx, target in groups:
            m = idx >= 0
            sums = np.bincount(idx[m], weights=T[m], minlength=target.size)
            worst = max(worst, float(np.max(np.abs(sums - target) / np.maximum(target, 1e-9))))
            f = np.divide(target, sums, out=np.zeros_like(target), where=sums > 0)
            T[m] *= f[idx[m]]
        if worst < tol:
            return T.reshape(prior.shape)
    raise ConvergenceError(
        "fitting bilateral flows to the observed trade", residual=worst, iterations=max_iter, tolerance=tol
    )


def bilateral_flows(
    src: Sources, x: np.ndarray, use: np.ndarray, *, tol: float = 1e-11, max_iter: int = 20_000
) -> np.ndarray:
    """Step 4: T[i, n, p] fitted to output, use and every observed trade figure."""
    R, S = x.shape
    delta = float(src.a("distance_elasticity")["all"])
    hb = _vec(src.a("home_bias"), SECTORS)
    use = use * (x.sum(axis=0) / use.sum(axis=0))[None, :]  # remove rounding drift
    eye = np.eye(R, dtype=bool)
    prior = x[:, None, :] * use[None, :, :] * (_distances(src) ** (-delta))[:, :, None]
    prior[eye] *= hb[None, :]
    t = trade_totals(src)
    i_, n_, p_ = np.meshgrid(np.arange(R), np.arange(R), np.arange(S), indexing="ij")
    off = i_ != n_
    goods = np.isin(p_, [SECTORS.index(s) for s in GOODS])
    serv = ~goods
    groups: list[tuple[np.ndarray, np.ndarray]] = [
        ((i_ * S + p_).ravel(), x.ravel()),
        ((n_ * S + p_).ravel(), use.ravel()),
        (np.where(off & goods, i_ * R + n_, -1).ravel(), t["goods"].ravel()),
        (np.where(off & serv, i_, -1).ravel(), t["services_exports"]),
        (np.where(off & serv, n_, -1).ravel(), t["services_imports"]),
    ]
    us = t["us_services"]
    pair = np.where(np.isnan(us), -1, np.arange(R * R).reshape(R, R))
    groups.append((np.where(off & serv, pair[i_, n_], -1).ravel(), np.nan_to_num(us).ravel()))
    fixed = us_china_sector_flows(src)
    cells = np.flatnonzero(~np.isnan(fixed.ravel()))
    idx = np.full(R * R * S, -1)
    idx[cells] = np.arange(cells.size)
    groups.append((idx, fixed.ravel()[cells]))
    return _group_ipf(prior, groups, tol=tol, max_iter=max_iter)


# ---------------------------------------------------------------------- step 6
def tariffs(src: Sources, T: np.ndarray) -> np.ndarray:
    """Step 6: t[i, n, p] (fractions); US-China layer scaled to the cited averages."""
    R, S = len(REGIONS), len(SECTORS)
    mfn = _vec(src.c("mfn_tariff"), REGIONS, 0.01)
    profile = _vec(src.a("mfn_profile"), SECTORS)
    t = np.broadcast_to(mfn[None, :, None] * profile[None, None, :], (R, R, S)).copy()
    for pair, keep in src.a("fta_pairs").items():
        k1, k2 = (REGIONS.index(c) for c in pair.split("-"))
        t[k1, k2, :] *= keep
        t[k2, k1, :] *= keep
    goods = np.array([s in GOODS for s in SECTORS])
    cited = src.c("us_china_tariffs")
    prof = src.a("us_china_profile")
    for key, (exporter, importer) in (("USA_on_CHN", ("CHN", "USA")), ("CHN_on_USA", ("USA", "CHN"))):
        i, n = REGIONS.index(exporter), REGIONS.index(importer)
        extra = np.array([prof[key].get(s, 0.0) for s in SECTORS]) * goods
        w = T[i, n, :] * goods
        base_avg = float((t[i, n, :] * w).sum() / w.sum())
        raw_avg = float((extra * w).sum() / w.sum())
        scale = (cited[key] / 100.0 - base_avg) / raw_avg
        t[i, n, :] += scale * extra
    np.einsum("iip->ip", t)[...] = 0.0
    return t


# ---------------------------------------------------------------------- the World
def build_default_world(sources: Sources | None = None) -> World:
    """Build the default World from ``sources.yaml`` (steps 1-7 of the module docstring)."""
    src = sources or load_sources()
    R, S = len(REGIONS), len(SECTORS)
    _, x = value_added_and_output(src)
    A_world, _ = world_technology(src, x)
    A = regional_technology(src, A_world, x)
    FD = final_demand(src, x, A)
    inter = np.einsum("nps,ns->np", A, x)  # [n, p] = Σ_s A[n, p, s] x[n, s]
    use = inter + FD
    T = bilateral_flows(src, x, use)
    U = T.sum(axis=0)[None, :, :]
    share = np.divide(T, U, out=np.zeros_like(T), where=U > 0)  # T[i, n, p] / U[n, p]
    Z = np.einsum("inp,nps,ns->ipns", share, A, x)
    F = np.einsum("inp,np->ipn", share, FD * (use.sum(axis=0) > 0)[None, :])
    # the fitted use U differs from A x + FD by the drift removed in step 4; scale the
    # split so that Z and F add up to T exactly
    split = np.einsum("ipns->inp", Z) + np.transpose(F, (0, 2, 1))
    k = np.divide(T, split, out=np.zeros_like(T), where=split > 0)
    Z *= np.transpose(k, (0, 2, 1))[:, :, :, None]
    F *= np.transpose(k, (0, 2, 1))
    t = tariffs(src, T)
    cost = (Z * (1.0 + t.transpose(0, 2, 1))[:, :, :, None]).sum(axis=(0, 1))
    VA = Z.sum(axis=(2, 3)) + F.sum(axis=2) - cost
    meta = WorldMeta(
        name="default",
        source=f"{src.title}; observed figures and assumptions in world/default/sources.yaml, "
        "procedure in tradewar.world.default_build and world/default/PROVENANCE.md",
        year=src.base_year,
        currency=src.currency,
        unit=src.unit,
        stylized=False,
        provenance=src.provenance,
        region_names=dict(src.regions),
        sector_names=dict(src.sectors),
        notes=(
            "observed: "
            + "; ".join(
                f"{k} ({c.source.publisher.split(';')[0]}, {'verified' if c.verified else 'not verified'})"
                for k, c in src.cited.items()
            ),
            "imputed: every cell except the US-China goods flows by sector (procedure in PROVENANCE.md)",
            "baseline tariffs as of January 2025 (MFN, FTAs, US-China trade war), before the 2025 escalation",
        ),
    )
    theta = _vec(src.a("theta"), SECTORS)
    observed = ~np.isnan(us_china_sector_flows(src))  # [i, n, p]
    imputed = {
        "intermediate": np.broadcast_to(~observed.transpose(0, 2, 1)[:, :, :, None], (R, S, R, S)),
        "final_demand": ~observed.transpose(0, 2, 1),
        "value_added": np.ones((R, S), dtype=bool),
        "tariff": np.ones((R, R, S), dtype=bool),
        "theta": np.ones(S, dtype=bool),
    }
    return World.from_arrays(
        regions=REGIONS,
        sectors=SECTORS,
        intermediate=Z,
        final_demand=F,
        value_added=VA,
        tariff=t,
        theta=theta,
        meta=meta,
        imputed=imputed,
    )


# ---------------------------------------------------------------------- calibration report
#: The report's name for SEMA + SEMM (targets on all chips are evaluated on the World
#: with the two chip sectors summed).
ALL_CHIPS = "CHIPS"
#: The calibration report shipped beside the bundle.
CALIBRATION_FILE = HERE / "calibration.csv"


def derived_shares(src: Sources) -> dict[str, tuple[dict[str, float], str]]:
    """Output shares implied by cited figures, for the report: values (fractions) and source.

    ``ree_stage_shares``: the REE output share of each region, Σ_stage value_stage ·
    share[stage, n] / Σ_stage value_stage (USGS mining, IEA refining and magnets).
    ``chip_output_shares``: each region's share of world chip output (CHIPS), design sales
    by headquarters plus contract output (SIA, WSTS, TSMC/TrendForce).
    """
    ree = ree_output(src)
    chips = chip_output(src)
    both = chips["SEMA"] + chips["SEMM"]
    return {
        "ree_stage_shares": (
            {r: float(v) for r, v in zip(REGIONS, ree / ree.sum(), strict=True) if v >= 0.01},
            "USGS MCS 2024 mine shares, IEA GCMO 2024 refining and magnet shares, weighted by "
            "the assumed stage values (ree_stage_value); not verified",
        ),
        "chip_output_shares": (
            {r: float(v) for r, v in zip(REGIONS, both / both.sum(), strict=True) if v >= 0.01},
            "SIA sales by company headquarters x WSTS 2023 world sales, plus contract output by "
            "location (TSMC, TrendForce); not verified",
        ),
    }


def calibration_targets(src: Sources) -> list[Target]:
    """Every observed target of ``sources.yaml`` (groups expanded), as calibration Targets."""

    def cite(key: str) -> str:
        c = src.cited[key]
        flag = "verified" if c.verified else "not verified"
        return f"{c.source.publisher}, {c.source.title}, {c.source.table} ({flag})"

    derived = derived_shares(src)
    out: list[Target] = []

    def add(
        g: TargetGroup, key: str, labels: dict[str, str], observed: float, unit: str, source: str
    ) -> None:
        out.append(
            Target(
                key=key,
                kind=g.kind,  # type: ignore[arg-type]
                labels=labels,
                observed=float(observed),
                unit=unit,
                source=source,
                tolerance=g.tolerance,
                relative=g.relative,
            )
        )

    for g in src.target_groups:
        if g.cited in derived:
            values, source = derived[g.cited]
            sector = "REE" if g.cited.startswith("ree") else ALL_CHIPS
            for r, v in values.items():
                add(g, f"share:{sector}:{r}", {"region": r, "sector": sector}, v, "fraction", source)
            continue
        vals = src.c(g.cited)
        if g.kind == "bilateral_goods":
            for i, row in vals.items():
                for n, v in row.items():
                    add(g, f"goods:{i}>{n}", {"origin": i, "region": n}, v, src.unit, cite(g.cited))
        elif g.kind in ("exports_goods", "imports_goods"):
            g_mat = trade_totals(src)["goods"]
            totals = g_mat.sum(axis=1) if g.kind == "exports_goods" else g_mat.sum(axis=0)
            for r, v in zip(REGIONS, totals, strict=True):
                add(g, f"{g.kind}:{r}", {"region": r}, v, src.unit, cite(g.cited))
        elif g.kind == "bilateral_sector":
            for pair, flows in vals.items():
                i, n = pair.split(">")
                for p, v in flows.items():
                    add(
                        g,
                        f"sector:{pair}:{p}",
                        {"origin": i, "region": n, "product": p},
                        v,
                        src.unit,
                        cite(g.cited),
                    )
        elif g.kind == "bilateral_services":
            for direction, flows in vals.items():
                for r, v in flows.items():
                    i, n = ("USA", r) if direction == "EXP" else (r, "USA")
                    add(g, f"services:{i}>{n}", {"origin": i, "region": n}, v, src.unit, cite(g.cited))
        elif g.kind == "gdp":
            for r in REGIONS[:-1]:
                add(g, f"gdp:{r}", {"region": r}, vals[r], src.unit, cite(g.cited))
        elif g.kind == "output_share":
            sector = "SME" if g.cited.startswith("sme") else g.cited
            for r, v in vals.items():
                add(
                    g,
                    f"share:{sector}:{r}",
                    {"region": r, "sector": sector},
                    v / 100.0,
                    "fraction",
                    cite(g.cited),
                )
        else:
            raise DataError(
                f"no rule to expand a {g.kind!r} group", file=str(SOURCES_FILE), field="target_groups"
            )
    for raw in src.targets:
        try:
            out.append(Target.model_validate(raw, strict=False))
        except ValidationError as err:
            raise DataError(
                f"invalid target: {err.errors()[0]['msg']}", file=str(SOURCES_FILE), field="targets"
            ) from None
    return out


def calibration_report(world: World, src: Sources | None = None) -> pd.DataFrame:
    """The calibration table of ``world`` against every observed target (see ``calibration_table``).

    Targets that name :data:`ALL_CHIPS` are evaluated on ``world`` with SEMA and SEMM
    summed; the others on ``world`` itself.
    """
    src = src or load_sources()
    targets = calibration_targets(src)
    chips = [t for t in targets if ALL_CHIPS in t.labels.values()]
    rest = [t for t in targets if ALL_CHIPS not in t.labels.values()]
    summed = aggregate(
        world,
        sectors={s: (ALL_CHIPS if s in CHIPS else s) for s in world.sectors},
        sector_names={ALL_CHIPS: "Chips (SEMA + SEMM)"},
    )
    table = pd.concat(
        [
            calibration_table(world, rest, services=SERVICES),
            calibration_table(summed, chips, services=SERVICES),
        ],
        ignore_index=True,
    )
    order = {t.key: k for k, t in enumerate(targets)}
    return table.sort_values("key", key=lambda k: k.map(order)).reset_index(drop=True)


def write_calibration(table: pd.DataFrame, path: str | os.PathLike[str] = CALIBRATION_FILE) -> Path:
    """Write the calibration report as CSV (values rounded to 6 significant digits)."""
    dest = Path(path)
    table.to_csv(dest, index=False, float_format="%.6g")
    return dest


def main(argv: list[str] | None = None) -> int:
    """Rebuild the shipped bundle (``python -m tradewar.world.default_build [OUT]``)."""
    from tradewar.world.bundle import write_bundle

    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else BUNDLE_DIR
    world = build_default_world()
    write_bundle(world, out)
    report = write_calibration(calibration_report(world), out.parent / CALIBRATION_FILE.name)
    print(f"wrote {world!r} to {out} and its calibration report to {report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
