"""Reproductions of published results: the engine against Caliendo-Parro (2015) and gegravity.

Each case takes the reference-data root (``../shared/data`` by default, or
``$TRADEWAR_SHARED_DATA`` in the tests) and returns :class:`Check` rows, published versus
computed, each with its tolerance and source. ``tradewar validate`` prints them.

``cp2015_nafta``
    Caliendo and Parro (2015), REStud 82(1): NAFTA tariff reductions. World from
    :func:`~tradewar.world.readers.cp2015.read_cp2015`; as in the authors' code, the 1993
    economy is first re-solved with zero deficits (``bln``), then the counterfactual with
    2005 tariffs on the six ordered intra-NAFTA pairs is solved from it (``cfl``), so
    results are ``cfl / bln``. Table 2 (welfare = ToT + VoT of eq. 16, ToT, VoT, real
    wage), Table 3 (ToT/VoT with NAFTA and with the rest of the world), Table 5 (import
    changes) to the printed precision; the full-precision run of ``paulofelipe/cp2015-jax``
    to 1e-4 percentage points for all 31 regions.
``cp2015_deficits``
    Footnote 47: the same tariff change with deficits held fixed as a share of world
    income, from the 1993 World with its deficits.
``gegravity_sample``
    USITC gegravity 0.3 example (Herman 2021): Canada-Japan PTA, σ = 5 (θ = 4), one
    sector, no intermediates, through the same engine. gegravity's baseline is "modeled"
    trade (gravity fit of exp(β·x) to the file's output and expenditure); its full-GE
    system clears goods markets at baseline nominal expenditure (the one-shot
    approximation of Larch and Yotov 2016), which the engine reproduces with
    ``closure="fixed_expenditure"``; the exact equilibrium is reported beside it. Welfare
    statistic = (E/P)_baseline / (E/P)_counterfactual (below one = gain); prices are
    normalised so that the reference importer's (DEU) inward resistance is unchanged.
``chokepoint_analytic``
    Nested CES near Leontief against closed-form results (docs/chokepoints.md): a closed
    two-sector economy whose downstream output follows its scarce input, and a
    two-region ban whose downstream output loss equals the lost input share.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from tradewar.errors import DataError
from tradewar.model.baseline import Baseline
from tradewar.model.results import Equilibrium
from tradewar.model.shock import Shock
from tradewar.model.solver import solve
from tradewar.world.readers._common import DEFAULT_DATA_DIR, dataset_dir, require_file
from tradewar.world.readers.cp2015 import (
    CP2015_REGION_NAMES,
    CP2015_REGIONS,
    CP2015_SECTORS,
    read_cp2015,
)
from tradewar.world.world import World, WorldMeta

NAFTA = ("CAN", "MEX", "USA")
#: Tolerance of a number printed with two decimals (half a unit of the last digit).
PRINTED_2DP = 0.005 + 1e-9
#: Tolerance against the full-precision reference runs, in percentage points.
REFERENCE_PP = 1e-4
#: Relative tolerance for gegravity outputs.
GEGRAVITY_RTOL = 1e-4
#: Absolute floor (percent or ratio) for gegravity's full-precision outputs: its
#: ``simulate(ge_tolerance=1e-8)`` solves prices to about 1e-8, i.e. changes to ~1e-6
#: percent, so near-zero changes (HKG's GDP, -0.0010 %) cannot be compared relatively.
GEGRAVITY_FLOOR = 1e-6


@dataclass(frozen=True)
class Check:
    """One published number against the computed one.

    ``tolerance`` is absolute unless ``relative`` (then a share of ``|published|``, with an
    absolute floor ``floor`` for numbers printed with few digits).
    """

    case: str
    item: str
    published: float
    computed: float
    tolerance: float
    source: str
    relative: bool = False
    floor: float = 0.0
    significant: int | None = None

    @property
    def shown(self) -> float:
        """``computed`` as the source's own code prints it (``significant`` digits), else itself."""
        if self.significant is None or self.computed == 0 or not math.isfinite(self.computed):
            return self.computed
        digits = self.significant - 1 - math.floor(math.log10(abs(self.computed)))
        return round(self.computed, digits)

    @property
    def difference(self) -> float:
        """Computed (as shown) - published."""
        return self.shown - self.published

    @property
    def allowed(self) -> float:
        """The absolute difference allowed."""
        if self.relative:
            return max(self.tolerance * abs(self.published), self.floor)
        return self.tolerance

    @property
    def ok(self) -> bool:
        """Within tolerance (False for NaN)."""
        return bool(math.isfinite(self.computed) and abs(self.difference) <= self.allowed)

    def as_dict(self) -> dict[str, object]:
        """Plain dict (for JSON)."""
        return {
            "case": self.case,
            "item": self.item,
            "published": self.published,
            "computed": self.computed,
            "shown": self.shown,
            "difference": self.difference,
            "tolerance": self.allowed,
            "relative": self.relative,
            "ok": self.ok,
            "source": self.source,
        }


def _root(data_dir: str | os.PathLike[str] | None) -> Path:
    return Path(DEFAULT_DATA_DIR if data_dir is None else data_dir)


# ------------------------------------------------------------------------- CP2015
def nafta_shock(source: World | Baseline, layer: xr.DataArray, *, deficits: str = "zero") -> Shock:
    """2005 tariffs (``layer``) on the six ordered intra-NAFTA pairs, baseline tariffs elsewhere."""
    return (
        Shock.none(source).set_tariff(layer, origin=list(NAFTA), region=list(NAFTA)).with_deficits(deficits)  # type: ignore[arg-type]
    )


def nafta_equilibria(
    model: World | Baseline, layer: xr.DataArray | None = None, *, deficits: str = "zero"
) -> tuple[Equilibrium, Equilibrium]:
    """(bln, cfl): 1993 re-solved under the deficit rule, then NAFTA tariffs from it.

    ``layer`` is the 2005 tariff schedule ``[origin, region, product]`` (default: the
    World's tariff layer ``"2005"``). With ``deficits="zero"`` this is the paper's main
    case (the data's deficits are closed in ``bln``); with ``"fixed"`` the 1993 World is
    its own baseline and ``bln`` is the identity. ``cfl`` is solved from
    ``bln.as_baseline()``, so its hats are cfl / bln.
    """
    if layer is None:
        if not isinstance(model, World) or "2005" not in model.tariff_layers:
            raise DataError("the NAFTA shock needs the CP2015 World with its '2005' tariff layer")
        layer = model.tariff_layers["2005"]
    base = model if isinstance(model, Baseline) else Baseline.from_world(model)
    bln = solve(base, Shock.none(base).with_deficits(deficits))  # type: ignore[arg-type]
    start = bln.as_baseline()
    cfl = solve(start, nafta_shock(start, layer, deficits=deficits))
    return bln, cfl


def cp2015_npz_baseline(data_dir: str | os.PathLike[str] | None = None) -> tuple[Baseline, xr.DataArray]:
    """The authors' model arrays (``converted/cp2015_model_arrays.npz``) as a Baseline.

    Returns the Baseline (region codes as in the World) and the counterfactual tariff
    schedule (1993 with the intra-NAFTA pairs at 2005), ``[origin, region, product]``.
    """
    folder = dataset_dir(_root(data_dir), "cp2015_nafta", "original")
    path = require_file(folder / "converted" / "cp2015_model_arrays.npz", "CP2015 model arrays")
    with np.load(path, allow_pickle=False) as d:
        arrays = {k: np.asarray(d[k]) for k in d.files}
    regions = list(CP2015_REGIONS)
    sectors = [c for c, _ in CP2015_SECTORS]
    base = Baseline.from_arrays(
        regions=regions,
        sectors=sectors,
        X=arrays["X_nj"],
        pi=arrays["pi_nij"],
        tau=arrays["tau_nij"],
        tau_is_gross=False,
        gamma_va=arrays["gamma_nj"],
        gamma_io=arrays["gamma_nkj"],
        alpha=arrays["alpha_nj"],
        wL=arrays["wL_n"],
        D=arrays["D_n"],
        theta=arrays["theta_j"],
        unit="USD",
    )
    layer = xr.DataArray(
        arrays["tau_nij_cfl"].transpose(1, 0, 2),
        dims=("origin", "region", "product"),
        coords={"origin": regions, "region": regions, "product": sectors},
    )
    return base, layer


def _partner_decomposition(cfl: Equilibrium, partners: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """ToT and VoT (fractions) of each region with the ``partners`` only (Table 3)."""
    b = cfl.baseline
    m0, m1, c = b.trade, cfl.trade, cfl.c_hat
    mask = np.zeros(len(b.regions), dtype=bool)
    mask[partners] = True
    e0 = m0.transpose(1, 0, 2)
    tot = ((e0 * (c[:, None, :] - 1.0)) - m0 * (c[None, :, :] - 1.0))[:, mask].sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        mh = np.where(m0 > 0, m1 / np.where(m0 > 0, m0, 1.0), 0.0)
    vot = ((b.tau - 1.0) * m0 * (mh - c[None, :, :]))[:, mask].sum(axis=(1, 2))
    return tot / b.income, vot / b.income


_BY_NAME = dict(zip(CP2015_REGION_NAMES, CP2015_REGIONS, strict=True)) | {"Row": "ROW"}


def _imports_change(cfl: Equilibrium) -> np.ndarray:
    """Percent change in bilateral imports (all sectors, net of tariffs) [importer, exporter]."""
    trade0 = cfl.baseline.trade.sum(axis=2)
    trade1 = cfl.trade.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(100.0 * (trade1 / np.where(trade0 > 0, trade0, np.nan) - 1.0))


def _published_checks(folder: Path, cfl: Equilibrium) -> list[Check]:
    """Tables 2, 3, 5 and 11 of the paper against ``cfl`` (printed precision)."""
    regions = list(cfl.baseline.regions)
    table = cfl.regions
    imports_change = _imports_change(cfl)
    trade0 = cfl.baseline.trade.sum(axis=2)
    trade1 = cfl.trade.sum(axis=2)
    nafta_idx = [regions.index(r) for r in NAFTA]
    rest_idx = [i for i in range(len(regions)) if i not in nafta_idx]
    tot_n, vot_n = _partner_decomposition(cfl, nafta_idx)
    tot_r, vot_r = _partner_decomposition(cfl, rest_idx)
    measure_col = {
        "welfare_total": "tot_plus_vot_pct",
        "terms_of_trade": "terms_of_trade_pct",
        "volume_of_trade": "volume_of_trade_pct",
        "real_wage": "real_wage_pct",
    }
    pub = pd.read_csv(require_file(folder / "expected" / "published_results.csv", "CP2015 published results"))
    checks: list[Check] = []
    for row in pub.itertuples(index=False):
        table_name, country, partner = str(row.table), str(row.country), str(row.partner_or_sector)
        measure, value = str(row.measure), float(row.value_percent)
        n = regions.index(_BY_NAME[country])
        if table_name == "Table 2":
            computed = float(table[measure_col[measure]].iloc[n])
        elif table_name == "Table 3":
            src = {"terms_of_trade": (tot_n, tot_r), "volume_of_trade": (vot_n, vot_r)}[measure]
            computed = 100.0 * float(src[0 if partner == "NAFTA" else 1][n])
        elif table_name == "Table 5":
            computed = float(imports_change[n, regions.index(_BY_NAME[partner])])
        elif table_name == "Table 11":
            others = [i for i in nafta_idx if i != n]
            computed = 100.0 * float(trade1[n, others].sum() / trade0[n, others].sum() - 1.0)
        else:
            continue  # footnote 47: case cp2015_deficits
        checks.append(
            Check(
                "cp2015_nafta",
                f"{table_name} {country} {partner} {measure}",
                value,
                computed,
                PRINTED_2DP,
                f"Caliendo & Parro (2015) {table_name}",
            )
        )
    checks += _r_package_checks(folder, table, regions, "zero_aggregate_deficit", "cp2015_nafta", "R package")
    return checks


def _r_package_checks(
    folder: Path, table: pd.DataFrame, regions: list[str], variant: str, case: str, label: str
) -> list[Check]:
    """The values ``paulofelipe/cp2015``'s tests assert for one variant (two decimals)."""
    rpk = pd.read_csv(
        require_file(folder / "expected" / "r_package_test_values.csv", "R package test values")
    )
    cols = {"tot": "terms_of_trade_pct", "vot": "volume_of_trade_pct", "welfare": "tot_plus_vot_pct",
            "realwage": "real_wage_pct"}  # fmt: skip
    checks = []
    for row in rpk[rpk["variant"] == variant].itertuples(index=False):
        n = regions.index(_BY_NAME[str(row.country)])
        for col, ours in cols.items():
            checks.append(
                Check(
                    case,
                    f"{label} {row.country} {col}",
                    float(getattr(row, col)),
                    float(table[ours].iloc[n]),
                    PRINTED_2DP,
                    "paulofelipe/cp2015 tests/testthat/test-run_cp2015.R",
                )
            )
    return checks


def _reference_checks(folder: Path, cfl: Equilibrium, label: str, imports_tol: float) -> list[Check]:
    """The cp2015-jax full-precision run against ``cfl``, in cp2015-jax's numeraire.

    cp2015-jax fixes no numeraire: its wage level comes out of the damped iteration's
    path. Nominal results (the decomposition, import values) are compared after
    expressing ``cfl`` in that numeraire — one scalar ``k`` for all regions, whose spread
    across regions measures the agreement of relative wages.
    """
    regions = list(cfl.baseline.regions)
    src = "cp2015-jax full-precision run (expected/reference_run_cp2015_jax_*.csv)"
    ref = pd.read_csv(
        require_file(folder / "expected" / "reference_run_cp2015_jax_all_regions.csv", "reference")
    )
    ref_idx = [regions.index(_BY_NAME[str(r)]) for r in ref["region"]]
    ratios = ref["w_hat_cfl_over_bln"].to_numpy(dtype=float) / cfl.w_hat[ref_idx]
    k = float(np.median(ratios))
    checks = [
        Check(
            "cp2015_nafta",
            f"{label}: relative wages, spread of w_ref/w over regions (numeraire k = {k:.8f})",
            0.0,
            float(ratios.max() - ratios.min()) / k,
            1e-6,
            src,
        )
    ]
    cfl = cfl.rescaled(k)
    table = cfl.regions
    for row, n in zip(ref.itertuples(index=False), ref_idx, strict=True):
        for col, ours in (
            ("welfare_pct", "tot_plus_vot_pct"),
            ("terms_of_trade_pct", "terms_of_trade_pct"),
            ("volume_of_trade_pct", "volume_of_trade_pct"),
            ("real_wage_pct", "real_wage_pct"),
        ):
            checks.append(
                Check(
                    "cp2015_nafta",
                    f"{label}: {row.region} {col}",
                    float(getattr(row, col)),
                    float(table[ours].iloc[n]),
                    REFERENCE_PP,
                    src,
                )
            )
    imports_change = _imports_change(cfl)
    imp = pd.read_csv(
        require_file(folder / "expected" / "reference_run_cp2015_jax_nafta_imports.csv", "imports")
    )
    for row in imp.itertuples(index=False):
        n, i = regions.index(_BY_NAME[str(row.importer)]), regions.index(_BY_NAME[str(row.exporter)])
        checks.append(
            Check(
                "cp2015_nafta",
                f"{label}: imports {row.importer} from {row.exporter}",
                float(row.imports_change_pct),
                float(imports_change[n, i]),
                imports_tol,
                src,
            )
        )
    return checks


#: Tolerance (pp) of the World path's import changes: the World cannot hold the one
#: negative input-output coefficient of IO.txt (see tradewar.world.readers.cp2015), and
#: clipping it moves sectoral trade of Canada by up to 2.5e-3 percentage points.
WORLD_IMPORTS_PP = 5e-3


def cp2015_nafta(data_dir: str | os.PathLike[str] | None = None) -> list[Check]:
    """Tables 2, 3, 5, 11 and the cp2015-jax reference run (see the module docstring).

    The published tables and the reference welfare, terms of trade, volume of trade and
    real wages are checked through the World (reader -> Baseline.from_world -> solve);
    the reference run is also checked from the authors' arrays
    (``Baseline.from_arrays``), where the import changes match to 1e-4 pp too.
    """
    root = _root(data_dir)
    folder = dataset_dir(root, "cp2015_nafta", "original")
    _, cfl_world = nafta_equilibria(read_cp2015(root), deficits="zero")
    checks = _published_checks(folder, cfl_world)
    checks += _reference_checks(folder, cfl_world, "reference (World)", WORLD_IMPORTS_PP)
    base, layer = cp2015_npz_baseline(root)
    _, cfl_arrays = nafta_equilibria(base, layer, deficits="zero")
    checks += _reference_checks(folder, cfl_arrays, "reference (authors' arrays)", REFERENCE_PP)
    return checks


#: Significant digits with which the authors' code prints Table A.4 (welfare with
#: deficits): ``num2str(x, 3)`` for Mexico, ``num2str(x, 2)`` for Canada and the USA
#: (``welfare_stats_with_deficit.m``); footnote 47 rounds those printouts to two decimals.
_TABLE_A4_DIGITS = {"MEX": 3, "CAN": 2, "USA": 2}


def cp2015_deficits(data_dir: str | os.PathLike[str] | None = None) -> list[Check]:
    """Footnote 47: NAFTA with aggregate deficits held fixed as a share of world income.

    Starts from the authors' calibrated 1993 base year with deficits
    (``read_cp2015(calibration="deficits")``). The footnote's numbers are the authors'
    printout of Table A.4 (two or three significant digits) rounded again to two
    decimals: the USA's 0.08496 prints as 0.085 and appears as 0.09. The checks compare
    the value as the authors' code prints it. The R package ``paulofelipe/cp2015``
    asserts the same run to two decimals (ToT, VoT, welfare, real wage).
    """
    root = _root(data_dir)
    folder = dataset_dir(root, "cp2015_nafta", "original")
    world = read_cp2015(root, calibration="deficits")
    _, cfl = nafta_equilibria(world, deficits="fixed")
    regions = list(world.regions)
    table = cfl.regions
    pub = pd.read_csv(require_file(folder / "expected" / "published_results.csv", "CP2015 published results"))
    pub = pub[pub["table"] == "Footnote 47"]
    checks = []
    for row in pub.itertuples(index=False):
        code = _BY_NAME[str(row.country)]
        checks.append(
            Check(
                "cp2015_deficits",
                f"Footnote 47 {row.country} welfare_total "
                f"(as printed, {_TABLE_A4_DIGITS[code]} significant digits)",
                float(row.value_percent),
                float(table["tot_plus_vot_pct"].iloc[regions.index(code)]),
                PRINTED_2DP,
                "Caliendo & Parro (2015) footnote 47 / Table A.4",
                significant=_TABLE_A4_DIGITS[code],
            )
        )
    checks += _r_package_checks(
        folder, table, regions, "with_deficits", "cp2015_deficits", "R package with deficits"
    )
    return checks


# ------------------------------------------------------------------------- gegravity
GEGRAVITY_REFERENCE = "DEU"
GEGRAVITY_SIGMA = 5.0
_COST_VARS = ("lndist", "contiguity", "common_language", "pta", "international")


@dataclass(frozen=True)
class GegravityCase:
    """The gegravity example prepared for the engine: modeled-trade World and the PTA shock."""

    world: World
    codes: list[str]
    cost0: np.ndarray  # t^(1-σ) = exp(β·x), [exporter, importer]
    cost1: np.ndarray
    output: np.ndarray  # the file's Y by exporter
    observed: np.ndarray  # observed trade [exporter, importer]
    omr_reference: float  # baseline OMR of the reference importer
    shock: Shock


def _ras(
    T: np.ndarray, rows: np.ndarray, cols: np.ndarray, tol: float = 1e-15
) -> tuple[np.ndarray, np.ndarray]:
    """Biproportional scaling r_i T_ij c_j with the given row and column sums."""
    r = np.ones(len(rows))
    c = np.ones(len(cols))
    for _ in range(10_000):
        c = cols / (T.T @ r)
        r_new = rows / (T @ c)
        if np.max(np.abs(r_new / r - 1.0)) < tol:
            return r_new, c
        r = r_new
    raise DataError("gravity fit (RAS) did not converge")  # pragma: no cover


def gegravity_case(data_dir: str | os.PathLike[str] | None = None) -> GegravityCase:
    """Build the gegravity baseline (modeled trade) and the Canada-Japan PTA shock.

    Modeled trade ``X_ij = E_j (Y_i/ΣY) t_ij^(1-σ) / (P_j^(1-σ) Π_i^(1-σ))`` is the
    biproportional fit of ``t^(1-σ) = exp(β·x)`` to exporter totals ``Y_i ΣE/ΣY`` and
    importer totals ``E_j`` (gegravity's multilateral-resistance system). The PTA scales
    ``t^(1-σ)`` by ``exp(β_pta)``, i.e. iceberg costs by ``exp(-β_pta/θ)``.
    """
    folder = dataset_dir(_root(data_dir), "gegravity_sample", "sample_data_set.dlm")
    data_path = require_file(folder / "sample_data_set.dlm", "gegravity sample data")
    coef_path = require_file(folder / "cost_coefficients.csv", "gegravity cost coefficients")
    df = pd.read_csv(data_path)
    beta = pd.read_csv(coef_path).set_index("var")["beta"]
    codes = sorted(set(df["exporter"]) | set(df["importer"]))
    n = len(codes)
    idx = pd.MultiIndex.from_product([codes, codes], names=["exporter", "importer"])
    panel = df.set_index(["exporter", "importer"]).reindex(idx)
    if panel[[*_COST_VARS, "trade"]].isna().any().any():
        raise DataError("the gegravity panel is not square", file=str(data_path))
    xb = sum(panel[v].to_numpy(dtype=float) * float(beta[v]) for v in _COST_VARS) + float(beta["constant"])
    cost0 = np.exp(np.asarray(xb)).reshape(n, n)
    pta = panel["pta"].to_numpy(dtype=float).reshape(n, n).copy()
    c, j = codes.index("CAN"), codes.index("JPN")
    pta_new = pta.copy()
    pta_new[c, j] = pta_new[j, c] = 1.0
    cost1 = cost0 * np.exp(float(beta["pta"]) * (pta_new - pta))
    Y = df.groupby("exporter")["Y"].mean().reindex(codes).to_numpy(dtype=float)
    E = df.groupby("importer")["E"].mean().reindex(codes).to_numpy(dtype=float)
    r, cc = _ras(cost0, Y * E.sum() / Y.sum(), E)
    modeled = r[:, None] * cost0 * cc[None, :]
    # multilateral resistances with the reference importer's IMR = 1:
    # X_ij = E_j s_i T_ij a_j b_i, a = 1/P^(1-σ), b = 1/Π^(1-σ)
    k = codes.index(GEGRAVITY_REFERENCE)
    s = Y / Y.sum()
    b_ref = r[k] * cc[k] / (E[k] * s[k])
    omr_ref = (1.0 / b_ref) ** (1.0 / (1.0 - GEGRAVITY_SIGMA))
    theta = GEGRAVITY_SIGMA - 1.0
    world = World.from_arrays(
        regions=codes,
        sectors=["TOT"],
        intermediate=np.zeros((n, 1, n, 1)),
        final_demand=modeled.reshape(n, 1, n),
        value_added=modeled.sum(axis=1).reshape(n, 1),
        tariff=None,
        theta=np.array([theta]),
        meta=WorldMeta(
            name="gegravity-modeled",
            source="gegravity 0.3 example (sample_data_set.dlm), baseline modeled trade",
            year=2006,
            unit="USD million",
            stylized=False,
        ),
    )
    d_hat = (cost1 / cost0) ** (-1.0 / theta)  # [exporter, importer]
    factor = xr.DataArray(
        d_hat.reshape(n, n, 1),
        dims=("origin", "region", "product"),
        coords={"origin": codes, "region": codes, "product": ["TOT"]},
    )
    shock = Shock.none(world).scale_trade_cost(factor, origin=["CAN", "JPN"], region=["CAN", "JPN"])
    observed = panel["trade"].to_numpy(dtype=float).reshape(n, n)
    return GegravityCase(world, codes, cost0, cost1, Y, observed, omr_ref, shock)


def gegravity_outputs(case: GegravityCase, eq: Equilibrium) -> dict[str, pd.DataFrame]:
    """Gegravity's result tables computed from an engine equilibrium (J = 1).

    Prices are rescaled so that the reference importer's price index is unchanged; with
    ``p`` the factory-gate price and ``P̂`` the inward resistance (consumer price): OMR
    change ``1/p``, GDP change ``p/P̂`` (= terms of trade), welfare statistic ``P̂/p``,
    and experiment trade as gegravity builds it,
    ``X'_ij = X_ij (π'_ji/π_ji) p_j p_i ΣY / Σ p Y``.
    """
    codes = case.codes
    k = codes.index(GEGRAVITY_REFERENCE)
    P = eq.P_hat[:, 0]
    scale = 1.0 / P[k]
    p = eq.w_hat * scale
    P = P * scale
    base = eq.baseline
    X0 = base.trade[:, :, 0].T  # [exporter, importer]
    ratio = np.where(
        base.pi[:, :, 0] > 0, eq.pi[:, :, 0] / np.where(base.pi[:, :, 0] > 0, base.pi[:, :, 0], 1.0), 0.0
    ).T
    Y = case.output
    X1 = X0 * ratio * p[None, :] * p[:, None] * Y.sum() / (p @ Y)
    off = ~np.eye(len(codes), dtype=bool)
    fx0, fx1 = (X0 * off).sum(axis=1), (X1 * off).sum(axis=1)
    fm0, fm1 = (X0 * off).sum(axis=0), (X1 * off).sum(axis=0)
    country = pd.DataFrame(
        {
            "factory gate price change (percent)": 100 * (p - 1),
            "omr change (percent)": 100 * (1 / p - 1),
            "imr change (percent)": 100 * (P - 1),
            "GDP change (percent)": 100 * (p / P - 1),
            "welfare statistic": P / p,
            "terms of trade change (percent)": 100 * (p / P - 1),
            "output change (percent)": 100 * (p - 1),
            "expenditure change (percent)": 100 * (p - 1),
            "foreign exports change (percent)": 100 * (fx1 / fx0 - 1),
            "foreign imports change (percent)": 100 * (fm1 / fm0 - 1),
            "intranational trade change (percent)": 100 * (np.diag(X1) / np.diag(X0) - 1),
        },
        index=pd.Index(codes, name="country"),
    )
    idx = pd.MultiIndex.from_product([codes, codes], names=["exporter", "importer"])
    bilateral = pd.DataFrame(
        {
            "baseline modeled trade": X0.reshape(-1),
            "experiment trade": X1.reshape(-1),
            "trade change (percent)": (100 * (X1 / X0 - 1)).reshape(-1),
        },
        index=idx,
    )
    obs = case.observed
    levels = pd.DataFrame(
        {
            "experiment observed foreign exports": (obs * off).sum(axis=1)
            * (1 + country["foreign exports change (percent)"].to_numpy() / 100),
            "experiment observed foreign imports": (obs * off).sum(axis=0)
            * (1 + country["foreign imports change (percent)"].to_numpy() / 100),
            "experiment observed intranational trade": np.diag(obs)
            * (1 + country["intranational trade change (percent)"].to_numpy() / 100),
        },
        index=pd.Index(codes, name="country"),
    )
    return {
        "country": country,
        "bilateral": bilateral,
        "levels": levels,
        "X0": pd.DataFrame(X0),
        "X1": pd.DataFrame(X1),
    }


def _share(
    X: np.ndarray, codes: list[str], importers: list[str], exporters: list[str]
) -> tuple[float, float]:
    ii = [codes.index(c) for c in importers]
    ee = [codes.index(c) for c in exporters]
    imp = X[np.ix_(ee, ii)].sum() / X[:, ii].sum()
    exp = X[np.ix_(ee, ii)].sum() / X[ee, :].sum()
    return 100 * float(imp), 100 * float(exp)


def gegravity_sample(data_dir: str | os.PathLike[str] | None = None) -> list[Check]:
    """Every documented output of the gegravity example, and its full 0.3 reference run."""
    case = gegravity_case(data_dir)
    eq = solve(case.world, case.shock, closure="fixed_expenditure")
    out = gegravity_outputs(case, eq)
    codes = case.codes
    X0 = out["X0"].to_numpy()
    X1 = out["X1"].to_numpy()
    folder = dataset_dir(_root(data_dir), "gegravity_sample", "sample_data_set.dlm") / "expected"
    doc = pd.read_csv(require_file(folder / "documented_outputs.csv", "gegravity documented outputs"))
    checks: list[Check] = []
    src_doc = "gegravity 0.3 documentation (expected/documented_outputs.csv)"
    for row in doc.itertuples(index=False):
        item, key, col, value = str(row.item), str(row.key), str(row.column), float(row.value)
        if item == "bilateral_costs":
            e, i = (codes.index(c) for c in key.split("->"))
            computed = {
                "baseline trade cost": case.cost0[e, i],
                "experiment trade cost": case.cost1[e, i],
                "trade cost change (%)": 100 * (case.cost1[e, i] / case.cost0[e, i] - 1),
            }[col]
        elif item == "baseline_mr":
            computed = case.omr_reference
        elif item == "country_results":
            computed = float(out["country"].loc[key, col])
        elif item == "bilateral_trade_results":
            computed = float(out["bilateral"].loc[tuple(key.split("->")), col])
        elif item == "trade_share":
            imp_b, exp_b = _share(X0, codes, ["CAN"], ["USA", "MEX"])
            imp_e, exp_e = _share(X1, codes, ["CAN"], ["USA", "MEX"])
            base_col = col.startswith("baseline")
            if key.startswith("CAN imports"):
                computed = imp_b if base_col else imp_e
            else:
                computed = exp_b if base_col else exp_e
        elif item == "calculate_levels":
            computed = float(out["levels"].loc[key, col])
        else:
            raise DataError(f"unknown documented item {item!r}", file=str(folder / "documented_outputs.csv"))
        checks.append(
            Check("gegravity_sample", f"{item} {key} {col}", value, float(computed), GEGRAVITY_RTOL, src_doc,
                  relative=True, floor=0.5e-6)
        )  # fmt: skip
    ref_c = pd.read_csv(
        require_file(folder / "reference_run_gegravity0.3_country_results.csv", "country results")
    )
    src_ref = "gegravity 0.3 full run (expected/reference_run_gegravity0.3_*.csv)"
    for row in ref_c.to_dict("records"):
        for col, value in row.items():
            if col == "country":
                continue
            checks.append(
                Check("gegravity_sample", f"reference {row['country']} {col}", float(value),
                      float(out["country"].loc[row["country"], col]), GEGRAVITY_RTOL, src_ref,
                      relative=True, floor=GEGRAVITY_FLOOR)
            )  # fmt: skip
    ref_b = pd.read_csv(
        require_file(folder / "reference_run_gegravity0.3_bilateral_trade_results.csv", "bilateral")
    )
    mine = out["bilateral"].reindex(pd.MultiIndex.from_frame(ref_b[["exporter", "importer"]]))
    for col in ("baseline modeled trade", "experiment trade"):
        rel = np.abs(mine[col].to_numpy() / ref_b[col].to_numpy() - 1.0)
        worst = int(np.argmax(rel))
        pair = f"{ref_b['exporter'].iloc[worst]}->{ref_b['importer'].iloc[worst]}"
        checks.append(
            Check("gegravity_sample", f"reference bilateral {col} (worst of {len(ref_b)}: {pair})",
                  float(ref_b[col].iloc[worst]), float(mine[col].iloc[worst]), GEGRAVITY_RTOL, src_ref,
                  relative=True)
        )  # fmt: skip
    return checks


#: The validation cases by name.
# ------------------------------------------------------------------------- chokepoints
def analytic_closed_leontief(*, s: float = 0.4, A: float = 0.5, elasticity: float = 1e-3) -> dict[str, float]:
    """Real output changes (percent) in the closed two-sector economy of docs/chokepoints.md.

    One region; ``inp`` is made from labour only, ``fin`` from labour and ``inp`` (cost
    share ``s``) with ``σ = ε = elasticity``; final demand buys ``fin`` only. Shock:
    ``inp``'s productivity x ``A``. Leontief limit: ``x̂_fin = x̂_inp = 1/(s/A + 1 - s)``;
    Cobb-Douglas: ``x̂_inp = A``, ``x̂_fin = A^s``.
    """
    from tradewar.model.technology import Technology

    base = Baseline.from_arrays(
        regions=["H"],
        sectors=["inp", "fin"],
        X=[[100 * s, 100.0]],
        pi=np.ones((1, 1, 2)),
        tau=np.ones((1, 1, 2)),
        gamma_va=[[1.0, 1 - s]],
        gamma_io=np.array([[[0.0, s], [0.0, 0.0]]]),
        alpha=[[0.0, 1.0]],
        wL=[100.0],
        theta=[4.0, 4.0],
    )
    tech = Technology.uniform(base, sigma=elasticity, epsilon=elasticity)
    eq = solve(base, Shock.none(base).scale_productivity(A, sector="inp"), technology=tech)
    out = eq.sectors["output_change_pct"].droplevel("region")
    return {"inp": float(out["inp"]), "fin": float(out["fin"])}


def analytic_import_ban(*, phi: float = 0.4, s: float = 0.3, elasticity: float = 1e-3) -> dict[str, float]:
    """Home's downstream output change (percent) when a share ``phi`` of its input is banned.

    Two regions H, F; sectors ``m`` (input, made only in F from labour), ``d`` (H: labour
    and ``m`` with cost share ``s``, ``σ = ε = elasticity``; F: labour only; not traded)
    and ``s`` (services, labour only; H exports them to F to pay for ``m``). Shock: F's
    sales of ``m`` to H limited to ``1 - phi`` of the baseline quantity (a ban of the
    share ``phi``; the wedge is a resource cost, rent to nobody). Leontief limit:
    ``x̂_d = 1 - phi``; H's labour moves into exported services.
    """
    from tradewar.model.technology import Technology

    m_imp = 100 * s  # H's purchases of m (= its exports of s); d's output is 100
    base = Baseline.from_arrays(
        regions=["H", "F"],
        sectors=["m", "d", "s"],
        X=[[m_imp, 100.0, 50.0], [0.0, 100.0, 50.0 + m_imp]],
        pi=np.array(
            [
                [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]],
                [[0.0, 0.0, m_imp / (50.0 + m_imp)], [1.0, 1.0, 50.0 / (50.0 + m_imp)]],
            ]
        ),
        tau=np.ones((2, 2, 3)),
        gamma_va=[[1.0, 1 - s, 1.0], [1.0, 1.0, 1.0]],
        gamma_io=np.array([[[0.0, s, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], np.zeros((3, 3))]),
        alpha=[
            [0.0, 100.0 / (150.0 + m_imp - 30.0), (50.0 + m_imp - 30.0) / (150.0 + m_imp - 30.0)],
            [0.0, 100.0 / (150.0 + m_imp), (50.0 + m_imp) / (150.0 + m_imp)],
        ],
        wL=[100 * (1 - s) + 50.0 + m_imp, m_imp + 100.0 + 50.0],
        theta=[4.0, 4.0, 4.0],
    )
    tech = Technology.cobb_douglas(base).set(sigma=elasticity, epsilon=elasticity, region="H", sector="d")
    shock = Shock.none(base).set_quota(1 - phi, origin="F", region="H", product="m", rent="nobody")
    eq = solve(base, shock.with_deficits("zero"), technology=tech)
    out = eq.sectors["output_change_pct"]
    return {"leontief_d_pct": float(out[("H", "d")]), "wedge": float(eq.quotas["wedge"].iloc[0])}


def chokepoint_analytic(data_dir: str | os.PathLike[str] | None = None) -> list[Check]:
    """The analytic chokepoint cases (docs/chokepoints.md), engine at elasticity 1e-3.

    Tolerance 0.05 percentage points: the engine's Leontief is an elasticity of 1e-3,
    whose substitution moves quantities by about 1e-3 x ln(relative price).
    """
    del data_dir  # the cases need no reference data
    src = "analytic (docs/chokepoints.md)"
    out: list[Check] = []
    for s in (0.2, 0.4, 0.6):
        for A in (0.5, 0.8):
            a = analytic_closed_leontief(s=s, A=A)
            target = 100 * (1 / (s / A + 1 - s) - 1)
            for sector, name in (("inp", "input"), ("fin", "downstream")):
                item = f"closed Leontief, s={s:g}, A={A:g}: {name} output %"
                out.append(Check("chokepoint_analytic", item, target, a[sector], 0.05, src))
    for phi in (0.2, 0.4, 0.6, 0.9):
        b = analytic_import_ban(phi=phi)
        item = f"2-region ban of {100 * phi:g} % of the input: downstream output %"
        out.append(Check("chokepoint_analytic", item, -100 * phi, b["leontief_d_pct"], 0.1, src))
    return out


CASES: dict[str, Callable[[str | os.PathLike[str] | None], list[Check]]] = {
    "cp2015_nafta": cp2015_nafta,
    "cp2015_deficits": cp2015_deficits,
    "gegravity_sample": gegravity_sample,
    "chokepoint_analytic": chokepoint_analytic,
}


def run_validation(
    data_dir: str | os.PathLike[str] | None = None, cases: list[str] | None = None
) -> list[Check]:
    """Run the named cases (default: all) and return every check."""
    names = list(CASES) if cases is None else cases
    unknown = [c for c in names if c not in CASES]
    if unknown:
        raise DataError(f"unknown validation case(s) {unknown}", expected=", ".join(CASES))
    out: list[Check] = []
    for name in names:
        out.extend(CASES[name](data_dir))
    return out
