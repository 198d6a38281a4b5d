"""Build the shipped default World from cited aggregates and documented assumptions.

The default world is *stylized*: 9 regions x 12 sectors calibrated to rounded public
aggregates (``world/default/sources.yaml``, section ``cited``), with every cell of the
table imputed by the procedure below from those margins and from stated assumptions
(section ``assumed``). It is for illustration and testing, not for policy conclusions.

Procedure (regions n, i; sectors s; products p; all values USD billion, 2023):

1. **Value added and output.** GDP_n is cited. Agriculture and manufacturing value added
   are cited shares of GDP; energy and digital services are assumed shares. Gross output
   of the chokepoint sectors is pinned by cited world totals and shares: semiconductors
   x[n, SEM] = sales_world · capacity_share_n (WSTS, SIA/BCG), chip tools
   x[n, SME] = Σ billings · share_n (SEMI; assumed supplier shares), critical minerals
   x[n, CRM] = market_world · share_n (IEA; assumed shares informed by USGS) and
   vehicles x[n, VEH] = output_world · production_share_n (OICA unit shares). Value
   added is VA = v_s · x with assumed ratios v_s; the rest of manufacturing value added
   is split over CHM, MAC, ELE, MAN by assumed weights; services SRV take the rest of
   GDP. Other sectors' output is x = VA / v_s.
2. **World technology.** World final use of each product is FD_p = c · φ_p · x_p with
   assumed final-use shares φ_p and c chosen so that Σ_p FD_p = world GDP. Chip tools
   are used in two ways: a share λ (assumed, ``sme_capital_consumption``) of every
   region's purchases is *capital consumption of fab equipment booked as an
   intermediate input of SEM* (the usual device for putting capital goods into a
   static input-output model), the rest 1 - λ is final use (investment), so
   φ_SME = 1 - λ and SEM is the only user of SME. The world input matrix M[p, s] is the
   RAS balance of the prior (assumed input mix of s) · (1 - v_s) x_s to row totals
   x_p - FD_p and column totals (1 - v_s) x_s; the technical coefficients
   A[p, s] = M[p, s] / x_s are used in every region (the usual assumption when only
   margins are known), except the chip-tool input of SEM (step 2b).
2b. **Chip tools in chip making, by region.** A[n, SME, SEM] = λ billings_n / x[n, SEM]
   (SEMI billings cited), and SEM's other inputs in n are scaled by
   (1 - v_SEM - A[n, SME, SEM]) / (1 - v_SEM - A[SME, SEM]); this keeps v_SEM in every
   region and every world total of step 2 (``regional_technology``).
3. **Final demand by region.** Final spending is GDP_n + D_n, with the cited U.S.
   deficit D_USA and surpluses of the other regions proportional to GDP. FD[n, p] is the
   RAS balance of the prior FD_p · (specialisation[n, p])^κ to row totals (spending) and
   column totals FD_p, with the chip-tool column fixed to (1 - λ) times the cited SEMI
   billings by region (so intermediate plus final chip-tool use of each region equals
   its billings); specialisation[n, p] = (x[n, p] / x_n) / (x_p / x) tilts each region's final
   demand towards what it produces (κ = 1, assumed), without which a uniform demand mix
   would force exports of non-traded services far above the cited exports.
4. **Bilateral sourcing.** Use of product p in n is U[n, p] = Σ_s A[n, p, s] x[n, s] +
   FD[n, p]. For every p, the flows T[i, n, p] are the RAS balance of a gravity prior
   x[i, p] · U[n, p] · d_in^(-δ) · (h_p h_i if i = n) to row totals x[i, p] and column
   totals U[n, p] (distances from representative coordinates; home-bias weights h_p
   assumed). The per-region weights h_i are calibrated by fixed-point iteration so that
   each region's exports Σ_{n≠i,p} T equal the cited exports (ROW is not targeted).
5. **Intermediate and final flows.** The proportionality assumption splits every flow
   by the user's mix: Z[i, p, n, s] = T[i, n, p] · A[n, p, s] x[n, s] / U[n, p] and
   F[i, p, n] = T[i, n, p] · FD[n, p] / U[n, p].
6. **Tariffs.** t[i, n, p] = MFN_n · profile_p (cited averages, assumed sector profile,
   ITA products duty-free, FTA pairs reduced), plus the US-China trade-war tariffs with
   an assumed sector profile scaled so that the goods-trade-weighted averages equal the
   cited PIIE numbers. Value added is then the cost residual
   VA = x - Σ (1 + t) Z, so tariffs paid on inputs lower value added slightly below the
   cited GDP (by up to about 1 %, India with the highest tariffs).
7. **Trade elasticities** θ_s are assumed, informed by Caliendo & Parro (2015, Table 1)
   and the literature cited in ``sources.yaml``.

All cells of every variable are flagged imputed (``World.imputed``); the cited numbers
enter as margins, and the tests check that the built World reproduces each of them.
Run ``python -m tradewar.world.default_build`` to rebuild the shipped bundle.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from tradewar.errors import ConvergenceError, DataError
from tradewar.limits import MAX_SCENARIO_BYTES, LimitedSafeLoader, read_text_limited
from tradewar.world.balance import ras
from tradewar.world.world import World, WorldMeta

HERE = Path(__file__).resolve().parent / "default"
SOURCES_FILE = HERE / "sources.yaml"
BUNDLE_DIR = HERE / "bundle"

REGIONS = ["USA", "CHN", "EU", "JPN", "KOR", "TWN", "IND", "ASEAN", "ROW"]
SECTORS = ["AGR", "ENE", "CRM", "CHM", "MAC", "SEM", "SME", "ELE", "VEH", "MAN", "DIG", "SRV"]
GOODS = [s for s in SECTORS if s not in ("DIG", "SRV")]


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
    """A rounded public aggregate, with the record of checking it against its publication.

    ``verified`` is true only where the figures were seen in a retrieved text of the
    publication (or of the publisher's own release); ``checked`` says what was found,
    where, and any correction or remaining doubt.
    """

    model_config = ConfigDict(extra="forbid")
    description: str
    unit: str
    values: dict[str, float]
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


class Sources(BaseModel):
    """The whole ``sources.yaml``."""

    model_config = ConfigDict(extra="forbid")
    title: str
    base_year: int
    currency: str
    unit: str
    notice: str
    regions: dict[str, str]
    sectors: dict[str, str]
    cited: dict[str, Cited]
    assumed: dict[str, Assumed]

    def c(self, key: str) -> dict[str, float]:
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


def _vec(values: Mapping[str, float], labels: list[str], scale: float = 1.0) -> np.ndarray:
    missing = [x for x in labels if x not in values]
    if missing:
        raise DataError(f"values missing for {missing}", file=str(SOURCES_FILE), expected=f"keys {labels}")
    return np.array([float(values[x]) for x in labels]) * scale


# ---------------------------------------------------------------------- steps
def value_added_and_output(src: Sources) -> tuple[np.ndarray, np.ndarray]:
    """Step 1: VA[n, s] and gross output x[n, s] (see the module docstring)."""
    R, S = len(REGIONS), len(SECTORS)
    col = {s: k for k, s in enumerate(SECTORS)}
    gdp_c = src.c("gdp")
    gdp = _vec({**gdp_c, "ROW": gdp_c["WORLD"] - sum(gdp_c[r] for r in REGIONS[:-1])}, REGIONS)
    v = _vec(src.a("va_ratio"), SECTORS)
    x = np.zeros((R, S))
    pinned = {
        "SEM": src.c("semiconductor_sales")["WORLD"]
        * _vec(src.c("semiconductor_capacity_share"), REGIONS, 0.01),
        "SME": sum(src.c("sme_billings").values()) * _vec(src.a("sme_output_share"), REGIONS, 0.01),
        "CRM": src.c("critical_minerals_market")["WORLD"] * _vec(src.a("crm_output_share"), REGIONS, 0.01),
    }
    units = _vec(src.c("vehicle_production"), REGIONS)
    pinned["VEH"] = src.a("vehicle_output")["WORLD"] * units / units.sum()
    for s, out in pinned.items():
        x[:, col[s]] = out
    va = x * v[None, :]
    va[:, col["AGR"]] = gdp * _vec(src.c("agriculture_share"), REGIONS, 0.01)
    va[:, col["ENE"]] = gdp * _vec(src.a("energy_share"), REGIONS, 0.01)
    va[:, col["DIG"]] = gdp * _vec(src.a("digital_share"), REGIONS, 0.01)
    manuf = gdp * _vec(src.c("manufacturing_share"), REGIONS, 0.01)
    rest = manuf - va[:, [col[s] for s in ("SEM", "SME", "VEH")]].sum(axis=1)
    if (rest <= 0).any():
        raise DataError(
            "chip, chip-tool and vehicle value added exceed manufacturing value added in "
            f"{[r for r, ok in zip(REGIONS, rest > 0, strict=True) if not ok]}",
            file=str(SOURCES_FILE),
        )
    mix = src.a("manufacturing_mix")
    for k, r in enumerate(REGIONS):
        w = _vec(mix[r], ["CHM", "MAC", "ELE", "MAN"])
        for s, share in zip(("CHM", "MAC", "ELE", "MAN"), w / w.sum(), strict=True):
            va[k, col[s]] = rest[k] * share
    va[:, col["SRV"]] = gdp - np.delete(va, col["SRV"], axis=1).sum(axis=1)
    if (va < 0).any():
        raise DataError("negative value added in the default build", file=str(SOURCES_FILE))
    free = [col[s] for s in SECTORS if s not in pinned]
    x[:, free] = va[:, free] / v[None, free]
    return va, x


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


def sme_capital_consumption(src: Sources) -> float:
    """The assumed share λ of each region's chip-tool use booked as an input of SEM."""
    k = float(src.a("sme_capital_consumption")["share"])
    if not 0.0 <= k < 1.0:
        raise DataError(
            f"share {k} outside [0, 1)", file=str(SOURCES_FILE), field="assumed.sme_capital_consumption"
        )
    return k


def regional_technology(src: Sources, A: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Step 2b: coefficients A[n, p, s]; the chip-tool input of SEM is region-specific.

    Region n uses λ · billings_n of chip tools as an input of SEM (capital consumption
    of fab equipment; λ assumed, billings cited), so a_n = A[SME, SEM]_n =
    λ billings_n / x[n, SEM]; SEM's other inputs are scaled by
    f_n = (1 - v_SEM - a_n) / (1 - v_SEM - ā), ā = A[SME, SEM] the world coefficient,
    which keeps SEM's value-added ratio in every region and, because
    Σ_n a_n x[n, SEM] = λ Σ billings = ā Σ_n x[n, SEM], every world total of step 2.
    Every other coefficient is the world one.
    """
    R = len(REGIONS)
    sem, sme = SECTORS.index("SEM"), SECTORS.index("SME")
    lam = sme_capital_consumption(src)
    billings = _vec(src.c("sme_billings"), REGIONS)
    A_n = np.broadcast_to(A[None, :, :], (R, *A.shape)).copy()
    total = A[:, sem].sum()  # 1 - v_SEM
    others = np.arange(len(SECTORS)) != sme
    for n in range(R):
        xs = x[n, sem]
        if xs <= 0.0:
            if lam * billings[n] > 0.0:
                raise DataError(
                    f"{REGIONS[n]} buys chip tools but makes no chips",
                    file=str(SOURCES_FILE),
                    field="cited.sme_billings",
                )
            continue
        a_n = lam * billings[n] / xs
        if a_n >= total:
            raise DataError(
                f"chip-tool capital consumption of {REGIONS[n]} exceeds SEM's input costs",
                file=str(SOURCES_FILE),
                field="assumed.sme_capital_consumption",
            )
        A_n[n, others, sem] *= (total - a_n) / (total - A[sme, sem])
        A_n[n, sme, sem] = a_n
    return A_n


def final_demand(src: Sources, va: np.ndarray, x: np.ndarray, fd_world: np.ndarray) -> np.ndarray:
    """Step 3: FD[n, p] at basic prices, rows summing to GDP_n + D_n."""
    gdp = va.sum(axis=1)
    usa = REGIONS.index("USA")
    deficit = np.zeros(len(REGIONS))
    deficit[usa] = src.c("us_trade_deficit")["USA"]
    others = np.arange(len(REGIONS)) != usa
    deficit[others] = -deficit[usa] * gdp[others] / gdp[others].sum()
    spending = gdp + deficit
    sme = SECTORS.index("SME")
    billings = _vec(src.c("sme_billings"), REGIONS)
    billings *= fd_world[sme] / billings.sum()  # the final-use part, (1 - λ) billings_n
    keep = np.arange(len(SECTORS)) != sme
    kappa = float(src.a("demand_tilt")["kappa"])
    spec = (x / x.sum(axis=1, keepdims=True)) / (x.sum(axis=0) / x.sum())[None, :]
    prior = (fd_world[None, :] * spec**kappa)[:, keep]
    rest = ras(prior, spending - billings, fd_world[keep], tol=1e-14).table
    fd = np.zeros((len(REGIONS), len(SECTORS)))
    fd[:, keep] = rest
    fd[:, sme] = billings
    return fd


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


def bilateral_flows(
    src: Sources, x: np.ndarray, use: np.ndarray, *, tol: float = 1e-9, max_iter: int = 500
) -> tuple[np.ndarray, np.ndarray]:
    """Step 4: T[i, n, p] balanced to output and use, exports calibrated; returns (T, h)."""
    R, S = x.shape
    delta = float(src.a("distance_elasticity")["all"])
    base = _distances(src) ** (-delta)
    hb = _vec(src.a("home_bias"), SECTORS)
    target = src.c("exports")
    targeted = [i for i, r in enumerate(REGIONS) if r in target]
    goal = np.array([target[REGIONS[i]] for i in targeted])
    use = use * (x.sum(axis=0) / use.sum(axis=0))[None, :]  # remove rounding drift
    h = np.ones(R)
    eye = np.eye(R, dtype=bool)
    T = np.zeros((R, R, S))

    def flows(ras_tol: float) -> np.ndarray:
        for p in range(S):
            prior = x[:, p, None] * use[None, :, p] * base
            prior[eye] *= hb[p] * h
            T[:, :, p] = ras(prior, x[:, p], use[:, p], tol=ras_tol).table
        return T

    for _ in range(max_iter):
        exports = (flows(1e-3 * tol) * ~eye[:, :, None]).sum(axis=(1, 2))
        gap = exports[targeted] / goal
        if np.abs(gap - 1.0).max() < tol:
            return flows(1e-13), h
        h[targeted] *= gap**1.5
    raise ConvergenceError(
        "calibrating home bias to the cited exports",
        residual=float(np.abs(gap - 1.0).max()),
        iterations=max_iter,
        tolerance=tol,
    )


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


def build_default_world(sources: Sources | None = None) -> World:
    """Build the default World from ``sources.yaml`` (steps 1-7 of the module docstring)."""
    src = sources or load_sources()
    R, S = len(REGIONS), len(SECTORS)
    va0, x = value_added_and_output(src)
    A_world, fd_world = world_technology(src, x)
    A = regional_technology(src, A_world, x)
    FD = final_demand(src, va0, x, fd_world)
    inter = np.einsum("nps,ns->np", A, x)  # [n, p] = Σ_s A[n, p, s] x[n, s]
    use = inter + FD
    T, _ = bilateral_flows(src, x, use)
    U = np.broadcast_to(use[None, :, :], T.shape)
    share = np.divide(T, U, out=np.zeros_like(T), where=U > 0)  # T[i, n, p] / U[n, p]
    Z = np.einsum("inp,nps,ns->ipns", share, A, x)
    F = np.einsum("inp,np->ipn", share, FD)
    t = tariffs(src, T)
    cost = (Z * (1.0 + t.transpose(0, 2, 1))[:, :, :, None]).sum(axis=(0, 1))
    VA = Z.sum(axis=(2, 3)) + F.sum(axis=2) - cost
    meta = WorldMeta(
        name="default",
        source=f"{src.title}; cited aggregates and assumptions in world/default/sources.yaml, "
        "procedure in tradewar.world.default_build and world/default/PROVENANCE.md",
        year=src.base_year,
        currency=src.currency,
        unit=src.unit,
        stylized=True,
        region_names=dict(src.regions),
        sector_names=dict(src.sectors),
        notes=(
            "every cell is imputed from cited margins and stated assumptions (see PROVENANCE.md)",
            "cited: "
            + "; ".join(f"{k} ({c.source.publisher}, {c.source.year})" for k, c in src.cited.items()),
            "baseline tariffs as of January 2025 (MFN, FTAs, US-China trade war), before the 2025 escalation",
        ),
    )
    theta = _vec(src.a("theta"), SECTORS)
    imputed = {
        "intermediate": np.ones((R, S, R, S), dtype=bool),
        "final_demand": np.ones((R, S, R), dtype=bool),
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


def main(argv: list[str] | None = None) -> int:
    """Rebuild the shipped bundle (``python -m tradewar.world.default_build [OUT]``)."""
    from tradewar.world.bundle import write_bundle

    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else BUNDLE_DIR
    world = build_default_world()
    write_bundle(world, out)
    print(f"wrote {world!r} to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
