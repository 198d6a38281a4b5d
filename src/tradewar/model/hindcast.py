r"""Hindcast: replay the 2018-2019 US-China tariff rounds and compare with observed imports.

The out-of-sample check analysts ask for first: does the engine, given only the tariffs
of the 2018-2019 trade war, predict which sectors' US imports from China fell most?

**Data** (``us_china_tradewar_tariffs`` in the shared data folder, M. Waugh's trade-war
tracker; see its SOURCE.md): US imports from China and from the world by NAICS3 industry,
monthly (US Census), with the trade-weighted US tariff on China in each industry; the same
for US exports to China with China's tariff on the US (Bown, Jung and Zhang, PIIE). The
HS6 schedules of the same folder are used for a cross-check of the aggregate tariff path
(simple averages of the HS6 lines): the folder has no HS6-to-NAICS3 concordance and no
HS6 trade weights, so the NAICS3 tariffs are the tracker's trade-weighted ones.

**World** (built here at run time from those files; nothing derived is stored): three
regions (USA, CHN, ROW) x the 27 NAICS3 goods industries (the Census special codes 910,
930, 980 and 990 are left out) + one non-traded sector ``SRV``, base year 2017, USD
million, no intermediate inputs (each goods sector is a multi-sector Armington/EK gravity
block with Cobb-Douglas final demand across sectors):

* observed (2017 sums of the monthly files): US imports from CHN and from ROW (= world -
  CHN), US exports to CHN and to ROW, by industry;
* imputed: every region's domestic sales of goods, as ``imports x (1 - p) / p`` with a
  uniform import penetration ``p`` = :data:`IMPORT_PENETRATION`; China's exports to ROW
  with the composition of its exports to the US, scaled to China's 2017 merchandise
  exports; China's imports from ROW with the composition of US imports from the world,
  scaled to China's 2017 merchandise imports (:data:`CHINA_TRADE_2017`); ``SRV`` = GDP
  (World Bank, 2017, :data:`GDP_2017`) minus goods output;
* tariffs 2017: the US on CHN and ROW (MFN) and China on the US and ROW at the 2017
  trade-weighted NAICS3 averages of the tracker (China-trade-weighted across months);
  ROW levies none (it does not change);
* trade elasticities θ: Caliendo and Parro (2015, Table 1, 99 % sample) read from
  ``cp2015_nafta/original/T.txt``, NAICS3 industries mapped to their 20 ISIC tradables by
  :data:`NAICS3_TO_CP2015` (NAICS 334 takes the mean of Office, Communication and Medical).

**Shock**: the 2019 tariffs (mean of the 12 monthly NAICS3 averages) of the US on China
and of China on the US; everything else unchanged; deficits fixed as shares of world
income (Caliendo-Parro footnote 47); exact closure.

**Comparison**: predicted % change of US imports from China by industry (values net of
tariffs, the engine's numeraire is world GDP) against the observed change from 2017 to
2019; Pearson and Spearman correlations, unweighted and weighted by 2017 imports; the
aggregate change, model against observed (and the observed change of US imports from ROW,
for scale: the model holds everything but tariffs fixed, the data do not).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.errors import DataError
from tradewar.world.readers._common import DEFAULT_DATA_DIR
from tradewar.world.world import World, WorldMeta

#: Folder of the trade-war data inside the shared data root.
FOLDER = "us_china_tradewar_tariffs"
#: Regions of the hindcast world.
REGIONS = ("USA", "CHN", "ROW")
#: The non-traded sector that closes GDP.
SERVICES = "SRV"
#: Census special codes left out (waste and scrap, used goods, special provisions).
SPECIAL_CODES = ("910", "930", "980", "990")
#: Uniform import penetration (imports / absorption) of goods, all regions: an imputation.
IMPORT_PENETRATION = 0.25
#: GDP 2017, current USD billion (World Bank, World Development Indicators, NY.GDP.MKTP.CD):
#: USA 19,485; China 12,310; world 80,951 (ROW = world - USA - CHN).
GDP_2017 = {"USA": 19_485.0, "CHN": 12_310.0, "ROW": 80_951.0 - 19_485.0 - 12_310.0}
#: China's 2017 merchandise exports and imports, USD billion (WTO, World Trade Statistical
#: Review 2018, Table A6).
CHINA_TRADE_2017 = {"exports": 2_263.0, "imports": 1_842.0}
#: Caliendo-Parro (2015) tradable sectors in the order of ``T.txt``.
CP2015_TRADABLES = (
    "Agriculture", "Mining", "Food", "Textile", "Wood", "Paper", "Petroleum", "Chemicals",
    "Plastic", "Minerals", "Basic metals", "Metal products", "Machinery n.e.c.", "Office",
    "Electrical", "Communication", "Medical", "Auto", "Other Transport", "Other",
)  # fmt: skip
#: NAICS 2017 three-digit goods industries -> Caliendo-Parro sectors whose θ they take
#: (several: the simple mean).
NAICS3_TO_CP2015: dict[str, tuple[str, ...]] = {
    "111": ("Agriculture",), "112": ("Agriculture",), "113": ("Agriculture",),
    "114": ("Agriculture",), "211": ("Mining",), "212": ("Mining",), "311": ("Food",),
    "312": ("Food",), "313": ("Textile",), "314": ("Textile",), "315": ("Textile",),
    "316": ("Textile",), "321": ("Wood",), "322": ("Paper",), "323": ("Paper",),
    "324": ("Petroleum",), "325": ("Chemicals",), "326": ("Plastic",), "327": ("Minerals",),
    "331": ("Basic metals",), "332": ("Metal products",), "333": ("Machinery n.e.c.",),
    "334": ("Office", "Communication", "Medical"), "335": ("Electrical",),
    "336": ("Auto", "Other Transport"), "337": ("Other",), "339": ("Other",),
}  # fmt: skip
#: θ of the non-traded sector (it has no trade, so it does not matter; CP's value).
THETA_SERVICES = 8.22


@dataclass(frozen=True)
class Hindcast:
    """The hindcast's setup and results.

    Attributes
    ----------
    sectors: one row per NAICS3 industry: ``imports_2017`` and ``imports_2019`` (observed,
        USD million), ``observed_pct``, ``model_pct``, ``us_tariff_2017`` /
        ``us_tariff_2019`` and ``cn_tariff_2017`` / ``cn_tariff_2019`` (percent), ``theta``.
    correlations: ``pearson``, ``spearman``, ``pearson_weighted``, ``spearman_weighted``
        (weights: 2017 US imports from China); ``pearson_relative`` and
        ``spearman_relative`` of the changes relative to US imports from the rest of the
        world in the same industry (``*_relative_pct`` columns; nets out the common growth
        of US demand that the model does not have).
    aggregate: ``observed_pct`` and ``model_pct`` (US imports from China, all industries),
        ``observed_row_pct`` and ``model_row_pct`` (US imports from the rest of the world),
        ``observed_relative_pct`` and ``model_relative_pct`` (from China relative to from
        the rest of the world),
        ``us_tariff_2017/2019`` and ``cn_tariff_2017/2019`` (trade-weighted averages, %),
        ``hs6_us_tariff_2017/2019`` (simple averages of the HS6 schedule, %).
    world: the hindcast World.
    setup: a description of the world, elasticities, year and shock.
    """

    sectors: pd.DataFrame
    correlations: dict[str, float]
    aggregate: dict[str, float]
    world: World
    setup: tuple[str, ...]


def _folder(data_dir: str | os.PathLike[str] | None) -> Path:
    return Path(DEFAULT_DATA_DIR if data_dir is None else data_dir) / FOLDER


def available(data_dir: str | os.PathLike[str] | None = None) -> bool:
    """True if the trade-war data folder (and the Caliendo-Parro elasticities) exist."""
    root = Path(DEFAULT_DATA_DIR if data_dir is None else data_dir)
    return (root / FOLDER / "imports_by_naics.csv").is_file() and (
        root / "cp2015_nafta" / "original" / "T.txt"
    ).is_file()


def _monthly(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(
            f"{path} not found", file=str(path), fix=f"point --data at the folder holding {FOLDER}/"
        )
    df = pd.read_csv(path, dtype={"naics3": str})
    missing = {"time", "naics3", "tariff_trd_w_avg", "total_trade", "china_trade"} - set(df.columns)
    if missing:
        raise DataError(f"{path.name} lacks columns {sorted(missing)}", file=str(path))
    df["year"] = df["time"].str[:4].astype(int)
    return df[~df["naics3"].isin(SPECIAL_CODES)]


def _annual(df: pd.DataFrame, year: int) -> pd.DataFrame:
    """Trade sums and the China-trade-weighted mean tariff (%) by industry in ``year``."""
    d = df[df["year"] == year].copy()
    ok = d["tariff_trd_w_avg"].notna()
    d["w"] = np.where(ok, d["china_trade"], 0.0)
    d["wt"] = np.where(ok, d["tariff_trd_w_avg"] * d["china_trade"], 0.0)
    d["n"] = ok.astype(float)
    d["t"] = d["tariff_trd_w_avg"].fillna(0.0)
    g = d.groupby("naics3")[["china_trade", "total_trade", "w", "wt", "n", "t"]].sum()
    # weighted by monthly trade with China; a year without trade: the simple mean of the months
    simple = g["t"] / g["n"].where(g["n"] > 0, 1.0)
    g["tariff"] = np.where(g["w"] > 0, g["wt"] / g["w"].where(g["w"] > 0, 1.0), simple)
    return g[["china_trade", "total_trade", "tariff"]]


def _mean_tariff(df: pd.DataFrame, year: int) -> pd.Series:
    """Mean of the 12 monthly NAICS3 tariffs of ``year`` (%; months without a value skipped)."""
    d = df[df["year"] == year]
    return d.groupby("naics3")["tariff_trd_w_avg"].mean().fillna(0.0)


def _theta(data_dir: str | os.PathLike[str] | None, codes: list[str]) -> np.ndarray:
    root = Path(DEFAULT_DATA_DIR if data_dir is None else data_dir)
    path = root / "cp2015_nafta" / "original" / "T.txt"
    if not path.is_file():
        raise DataError(f"{path} not found", file=str(path), fix="point --data at the shared data root")
    T = np.loadtxt(path)
    if T.shape != (len(CP2015_TRADABLES),):
        raise DataError(f"{path.name} has {T.size} values", file=str(path), expected="20 trade elasticities")
    by_name = dict(zip(CP2015_TRADABLES, T, strict=True))
    return np.array([np.mean([by_name[c] for c in NAICS3_TO_CP2015[code]]) for code in codes])


def _hs6_simple_mean(path: Path, date: str) -> float:
    """Simple mean (%) over HS6 lines of the tariff in force on ``date``."""
    df = pd.read_csv(path, dtype={"hs6": str}, usecols=["hs6", "time_of_tariff", "tariff"])
    df = df[df["time_of_tariff"] <= date].sort_values("time_of_tariff")
    return float(df.groupby("hs6")["tariff"].last().mean())


def hindcast_world(
    data_dir: str | os.PathLike[str] | None = None, *, theta_scale: float = 1.0
) -> tuple[World, pd.DataFrame, pd.DataFrame]:
    """The 2017 hindcast World, the observed imports table and the tariff table (see the module docstring).

    ``theta_scale`` multiplies every goods industry's trade elasticity (a sensitivity;
    1 = Caliendo-Parro).
    """
    folder = _folder(data_dir)
    imp = _monthly(folder / "imports_by_naics.csv")
    exp = _monthly(folder / "exports_by_naics.csv")
    codes = [c for c in NAICS3_TO_CP2015 if c in set(imp["naics3"])]
    i17, i19 = _annual(imp, 2017).reindex(codes), _annual(imp, 2019).reindex(codes)
    e17 = _annual(exp, 2017).reindex(codes)
    if i17.isna().any().any() or e17.isna().any().any():
        raise DataError("the 2017 trade of some NAICS3 industries is missing", file=str(folder))
    mn = 1e-6  # USD -> USD million
    m_chn = i17["china_trade"].to_numpy() * mn
    m_row = (i17["total_trade"] - i17["china_trade"]).to_numpy() * mn
    x_chn = e17["china_trade"].to_numpy() * mn
    x_row = (e17["total_trade"] - e17["china_trade"]).to_numpy() * mn
    # China's other trade, with stated compositions and 2017 totals
    c_exp = m_chn / m_chn.sum() * (CHINA_TRADE_2017["exports"] * 1e3 - m_chn.sum())
    world_mix = (m_chn + m_row) / (m_chn + m_row).sum()
    c_imp = world_mix * (CHINA_TRADE_2017["imports"] * 1e3 - x_chn.sum())
    p = IMPORT_PENETRATION
    J = len(codes)
    u, c, r = 0, 1, 2
    T = np.zeros((3, J + 1, 3))  # [origin, product, destination], USD million
    T[c, :J, u], T[r, :J, u] = m_chn, m_row
    T[u, :J, c], T[u, :J, r] = x_chn, x_row
    T[c, :J, r], T[r, :J, c] = c_exp, c_imp
    for n in (u, c, r):
        imports = T[:, :J, n].sum(axis=0) - T[n, :J, n]
        T[n, :J, n] = imports * (1.0 - p) / p
    goods = T[:, :J, :].sum(axis=(1, 2))
    for n, code in enumerate(REGIONS):
        srv = GDP_2017[code] * 1e3 - goods[n]
        if srv <= 0:
            raise DataError(f"goods output of {code} exceeds its GDP with the imputations", field="GDP")
        T[n, J, n] = srv
    theta = np.concatenate([_theta(data_dir, codes) * theta_scale, [THETA_SERVICES]])
    us17 = _annual(imp, 2017)["tariff"].reindex(codes).to_numpy() / 100.0
    cn17 = _annual(exp, 2017)["tariff"].reindex(codes).to_numpy() / 100.0
    tariff = np.zeros((3, 3, J + 1))  # [origin, region, product]
    tariff[c, u, :J] = tariff[r, u, :J] = us17  # US MFN applies to China and ROW alike
    tariff[u, c, :J] = tariff[r, c, :J] = cn17
    F = T.copy()
    va = T.sum(axis=2)  # no intermediates: output = value added
    sectors = [*codes, SERVICES]
    meta = WorldMeta(
        name="hindcast-us-china-2017",
        source=f"{FOLDER} (US Census by NAICS3 via M. Waugh's tracker) + stated imputations",
        year=2017,
        unit="USD million",
        stylized=True,
        region_names={"USA": "United States", "CHN": "China", "ROW": "Rest of the world"},
        sector_names={s: f"NAICS {s}" for s in codes} | {SERVICES: "non-traded (GDP residual)"},
        notes=(
            f"import penetration {p:g} imputed for every region and goods industry",
            "no intermediate inputs",
        ),
    )
    world = World.from_arrays(
        regions=list(REGIONS),
        sectors=sectors,
        intermediate=np.zeros((3, J + 1, 3, J + 1)),
        final_demand=F,
        value_added=va,
        tariff=tariff,
        theta=theta,
        meta=meta,
    )
    observed = pd.DataFrame(
        {"imports_2017": m_chn, "imports_2019": i19["china_trade"].to_numpy() * mn},
        index=pd.Index(codes, name="naics3"),
    )
    observed["row_2017"] = m_row
    observed["row_2019"] = (i19["total_trade"] - i19["china_trade"]).to_numpy() * mn
    tariffs = pd.DataFrame(
        {
            "us_tariff_2017": _annual(imp, 2017)["tariff"].reindex(codes),
            "us_tariff_2019": _mean_tariff(imp, 2019).reindex(codes).fillna(0.0),
            "cn_tariff_2017": _annual(exp, 2017)["tariff"].reindex(codes),
            "cn_tariff_2019": _mean_tariff(exp, 2019).reindex(codes).fillna(0.0),
        }
    )
    return world, observed, tariffs


def weighted_pearson(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> float:
    """Pearson correlation of ``x`` and ``y`` with weights ``w`` (None: equal)."""
    w = np.ones_like(x) if w is None else np.asarray(w, dtype=float)
    w = w / w.sum()
    mx, my = float(w @ x), float(w @ y)
    cov = float(w @ ((x - mx) * (y - my)))
    return cov / np.sqrt(float(w @ (x - mx) ** 2) * float(w @ (y - my) ** 2))


def weighted_spearman(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> float:
    """Spearman rank correlation: the (weighted) Pearson correlation of the ranks (ties averaged)."""
    rx = pd.Series(x).rank().to_numpy()
    ry = pd.Series(y).rank().to_numpy()
    return weighted_pearson(rx, ry, w)


def run_hindcast(
    data_dir: str | os.PathLike[str] | None = None, *, tol: float = 1e-10, theta_scale: float = 1.0
) -> Hindcast:
    """Build the 2017 world, apply the 2019 US-China tariffs, compare with observed imports.

    ``theta_scale`` multiplies the trade elasticities of the goods industries (a
    sensitivity; the default 1 is Caliendo-Parro's Table 1).
    """
    from tradewar.model.shock import Shock
    from tradewar.model.solver import solve

    world, observed, tariffs = hindcast_world(data_dir, theta_scale=theta_scale)
    codes = list(observed.index)
    sector_da = world.tariff.sel(origin="CHN", region="USA").copy(
        data=np.concatenate([tariffs["us_tariff_2019"].to_numpy() / 100.0, [0.0]])
    )
    cn_da = world.tariff.sel(origin="USA", region="CHN").copy(
        data=np.concatenate([tariffs["cn_tariff_2019"].to_numpy() / 100.0, [0.0]])
    )
    shock = (
        Shock.none(world)
        .set_tariff(sector_da, origin="CHN", region="USA", product=codes)
        .set_tariff(cn_da, origin="USA", region="CHN", product=codes)
        .with_deficits("fixed")
    )
    eq = solve(world, shock, tol=tol)
    flows = eq.flows.sel(origin="CHN", region="USA", product=codes)
    base = flows["baseline"].to_numpy()
    cf = flows["counterfactual"].to_numpy()
    table = observed.copy()
    table["observed_pct"] = 100.0 * (table["imports_2019"] / table["imports_2017"] - 1.0)
    table["model_pct"] = 100.0 * (cf / base - 1.0)
    # relative to US imports from the rest of the world (nets out common US demand growth)
    row = eq.flows.sel(origin="ROW", region="USA", product=codes)
    row_hat = row["counterfactual"].to_numpy() / row["baseline"].to_numpy()
    table["observed_relative_pct"] = 100.0 * (
        (table["imports_2019"] / table["imports_2017"]) / (table["row_2019"] / table["row_2017"]) - 1.0
    )
    table["model_relative_pct"] = 100.0 * ((cf / base) / row_hat - 1.0)
    table = table.join(tariffs)
    table["theta"] = np.asarray(world.theta.sel(product=codes).values)
    keep = table["imports_2017"] > 0
    x, y = table.loc[keep, "model_pct"].to_numpy(), table.loc[keep, "observed_pct"].to_numpy()
    w = table.loc[keep, "imports_2017"].to_numpy()
    corr = {
        "pearson": weighted_pearson(x, y),
        "spearman": weighted_spearman(x, y),
        "pearson_weighted": weighted_pearson(x, y, w),
        "spearman_weighted": weighted_spearman(x, y, w),
    }
    xr_, yr_ = (table.loc[keep, c].to_numpy() for c in ("model_relative_pct", "observed_relative_pct"))
    corr["pearson_relative"] = weighted_pearson(xr_, yr_)
    corr["spearman_relative"] = weighted_spearman(xr_, yr_)
    wts = table["imports_2017"] / table["imports_2017"].sum()
    x17 = observed["imports_2017"]
    folder = _folder(data_dir)
    aggregate = {
        "observed_pct": 100.0 * (table["imports_2019"].sum() / x17.sum() - 1.0),
        "model_pct": 100.0 * (cf.sum() / base.sum() - 1.0),
        "observed_row_pct": 100.0 * (table["row_2019"].sum() / table["row_2017"].sum() - 1.0),
        "model_row_pct": 100.0 * (row["counterfactual"].sum() / row["baseline"].sum() - 1.0).item(),
        "us_tariff_2017": float(wts @ table["us_tariff_2017"]),
        "us_tariff_2019": float(wts @ table["us_tariff_2019"]),
        "cn_tariff_2017": float(np.average(table["cn_tariff_2017"], weights=world.trade.sel(
            origin="USA", region="CHN", product=codes).values)),
        "cn_tariff_2019": float(np.average(table["cn_tariff_2019"], weights=world.trade.sel(
            origin="USA", region="CHN", product=codes).values)),
    }  # fmt: skip
    aggregate["observed_relative_pct"] = 100.0 * (
        (1 + aggregate["observed_pct"] / 100) / (1 + aggregate["observed_row_pct"] / 100) - 1
    )
    aggregate["model_relative_pct"] = 100.0 * (
        (1 + aggregate["model_pct"] / 100) / (1 + aggregate["model_row_pct"] / 100) - 1
    )
    hs6 = folder / "us_tariffs_2020.csv"
    if hs6.is_file():
        aggregate["hs6_us_tariff_2017"] = _hs6_simple_mean(hs6, "2018-01-01")
        aggregate["hs6_us_tariff_2019"] = _hs6_simple_mean(hs6, "2019-12-31")
    setup = (
        f"world: 3 regions (USA, CHN, ROW) x {len(codes)} NAICS3 goods industries + 1 non-traded, "
        "base year 2017, built from the observed US imports/exports by NAICS3 with stated "
        f"imputations (import penetration {IMPORT_PENETRATION:g}; China's other trade; GDP residual); "
        "no intermediates",
        "elasticities: Caliendo-Parro (2015) Table 1, 99 % sample, by NAICS3 -> ISIC tradable",
        "shock: 2019 mean NAICS3 tariffs of the US on China and China on the US (tracker's trade-"
        "weighted averages) against 2017; deficits fixed as shares of world income; exact closure",
        "observed: US imports from China, sum of 2017 vs sum of 2019 (US Census via the tracker)",
    )
    return Hindcast(sectors=table, correlations=corr, aggregate=aggregate, world=world, setup=setup)
