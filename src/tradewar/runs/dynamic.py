"""Recursive-dynamic path: capacity, investment and growing trade elasticities, year by year.

Each year ``t`` of the run is one equilibrium of the engine against the base-year World
(as in :mod:`tradewar.runs.single`), but with three things that change over the path
(see ``docs/dynamics.md``):

1. **Capacity.** Value added uses sector-specific capital (:class:`tradewar.model.Capital`,
   cited capital shares β by sector); each year is solved *given* the capacity stock
   ``K̂_t[n, j]`` (relative to the base year), so supply responds in the short run only
   through labour (the specific-factors supply elasticity ``(1-β)/β``).
2. **Investment.** Capacity evolves by ``K_{t+1} = (1 - δ) K_t + A_{t+1}``, where
   ``A_{t+1}`` is the investment arriving in ``t+1``: gross investment decided ``L_j``
   years earlier (time to build, Kydland and Prescott 1982, Econometrica 50(6)). The
   investment rate follows q-theory with convex adjustment costs (Hayashi 1982,
   Econometrica 50(1)): with ``Φ(I, K) = (φ/2)(I/K - δ)² K`` the first-order condition is
   ``I/K = δ + (q - 1)/φ``, here with static expectations ``q_t = r̂_t / P̂^I_t`` (the
   return on capacity relative to the base year, ``P̂^I`` the price of investment goods) and
   ``1/φ`` = :attr:`Dynamics.q_sensitivity`. Gross investment is irreversible (``I ≥ 0``), so
   capacity never falls below ``(1 - δ) K_t > 0``. At ``q = 1`` capacity is stationary: the
   long-run steady state is the engine's ``long_run`` capital mode (``r̂ = P̂^I``).
3. **Capacity limits on gross output** (:mod:`tradewar.model.capacity_limits`): in the
   sectors of :attr:`Dynamics.capacity_slack` (mines, separation and refining: REE,
   CRM) real gross output is at most ``(1 + u_j) K̂_t`` times the baseline, ``u_j`` the
   cited spare capacity; a binding limit has a scarcity wedge, whose rent goes to the
   buyers (contract allocation, :attr:`Dynamics.capacity_rent`) and enters the return on
   capacity that drives investment (its shadow value).
4. **Trade elasticities** rise from short- to long-run values (Boehm, Levchenko and
   Pandalai-Nayar 2023): ``θ_t = θ × m_t`` with ``m_t = ρ + (1 - ρ) min(t/H, 1)``, ``t``
   years since the first year of the run, ``ρ`` :attr:`Dynamics.short_run_elasticity_ratio`,
   ``H`` :attr:`Dynamics.elasticity_horizon`; the World's θ are the long-run values.

Programme money (``funding`` measures) builds capacity instead of free productivity: the
programme's capital ``K_prog(y - L^g_j)`` (money spent up to year ``y - L^g_j``, as in
:meth:`tradewar.policy.models.Funding.capital_share`: it depreciates once installed),
``L^g_j`` the greenfield gestation lag, is added to the targeted sectors' capacity in
proportion to their baseline capital value ``β VA / (r + δ)`` (the financing's normal
return and depreciation). The money is paid for by the financing charges that
:func:`tradewar.policy.translate` computes (:meth:`tradewar.model.Shock.with_financing`),
unchanged.

Optional external scale economies (learning, off by default): productivity
``Â_t = Q̂_{t-1}^ψ_j`` from last year's real output (Bartelme, Costinot, Donaldson and
Rodriguez-Clare 2019; Kucheryavyy, Lyn and Rodriguez-Clare 2023); lagged, so each year is
still a constant-returns equilibrium.

Besides the tables of :mod:`tradewar.runs.single`, a dynamic run has ``capacity`` (region,
sector, year: capacity, programme capacity, rental, return q, investment rate, elasticity
factor) and the long-run steady state under the last year's policies (``long_run_regions``,
``long_run_sectors``): every figure of the path is short-run (given that year's
capacity and elasticities); the long-run tables are labelled as such.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr

from tradewar.errors import ConvergenceError, ScenarioError
from tradewar.model.capacity_limits import CAPACITY_SLACK, capacity_limits, capacity_rent
from tradewar.model.shock import RentRule
from tradewar.policy import Scenario, YearPolicy, funding_effect, policy_to_shock
from tradewar.policy.models import DYNAMICS_PARAMETERS, DynamicsSetting, ProductivityMeasure
from tradewar.policy.shocks import UNIT_TO_USD_MILLION
from tradewar.runs.result import Progress, ScenarioRun
from tradewar.runs.single import deficit_advice, finish_tables, prepare_run, year_tables

FloatArray = npt.NDArray[np.float64]

_BLP = (
    "Boehm, C. E., A. A. Levchenko and N. Pandalai-Nayar, The Long and Short (Run) of Trade "
    "Elasticities, American Economic Review 113(4): 861-905 (2023): tariff elasticity about 0.76 "
    "in the year of the change and about 1.75-2.25 after 7-10 years"
)
_Q = (
    "Hayashi, F., Tobin's Marginal q and Average q: A Neoclassical Interpretation, Econometrica "
    "50(1): 213-224 (1982) for I/K = δ + (q - 1)/φ; the sensitivity 1/φ = 0.3: conventional Q "
    "regressions give 0.02-0.05, which measurement error biases down; estimates from market "
    "values are more than ten times higher (A New Look at Firm Market Value, Investment, and "
    "Adjustment Costs, Review of Economics and Statistics 81(2): 250 (1999)), i.e. 0.2-0.5"
)
_DEPRECIATION = (
    "depreciation 8 % a year: a mix of equipment (12-15 %) and structures (2-4 %), "
    "Fraumeni, B., The Measurement of Depreciation in the U.S. National Income and Product "
    "Accounts, Survey of Current Business 77(7) (1997)"
)
_SCALE = (
    "Bartelme, D., A. Costinot, D. Donaldson and A. Rodriguez-Clare, The Textbook Case for "
    "Industrial Policy: Theory Meets Data, NBER WP 26193 (2019): manufacturing scale "
    "elasticities around 0.1-0.2 (0.13 used); Kucheryavyy, K., G. Lyn and A. Rodriguez-Clare, "
    "Grounded by Gravity: A Well-Behaved Trade Model with Industry-Level Economies of Scale, "
    "AEJ: Macroeconomics 15(2) (2023)"
)
_EXPANSION = (
    "largest net expansion of capacity 40 % a year: the fastest observed build-up of rare-earth "
    "mining outside China, after the 2010 quota cut, roughly quadrupled output in four years "
    "(Mountain Pass and Mount Weld, 2011-2015; USGS Mineral Commodity Summaries 2012-2016, Rare "
    "Earths), about 40 % a year"
)
_CONTRACTS = (
    "capacity rent to the buyers: most rare-earth and critical-mineral supply outside China is "
    "sold under long-term offtake contracts at prices indexed to published benchmarks (Lynas "
    "Rare Earths, Annual Report 2023; MP Materials, Form 10-K 2023: sales to Shenghe under an "
    "offtake agreement), so a shortage is rationed by contract and the scarcity value stays "
    "with the buyers that are supplied"
)
_FAB = (
    "SIA and BCG, Strengthening the Global Semiconductor Supply Chain in an Uncertain Era "
    "(2021): a new fab takes 2-3 years to build and equip; added lines in existing shells ~2"
)
_MINE = (
    "IEA, The Role of Critical Minerals in Clean Energy Transitions (2021), ch. 2: ~16 years from "
    "discovery to production, 4-5 of them construction (greenfield with a known deposit: 5); "
    "restarts and brownfield expansions ~2 years: Mountain Pass restarted mining in 2010-11 and "
    "produced from 2012, Lynas's Mount Weld/Kuantan from 2012-13 (USGS Mineral Commodity "
    "Summaries 2013-2015, Rare Earths)"
)

#: Gestation lags by sector code: (expansion lag of private investment, greenfield lag
#: of programme capacity) in years, and the source. Other codes: :data:`DEFAULT_LAGS`.
GESTATION: dict[str, tuple[int, int, str]] = {
    "REE": (2, 5, _MINE),
    "CRM": (2, 5, _MINE),
    "ENE": (2, 3, _MINE),
    "SEMA": (2, 3, _FAB),
    "SEMM": (2, 3, _FAB),
    "SEM": (2, 3, _FAB),
    "SME": (1, 2, _FAB),
}
#: Lags of all other sectors: equipment is installed within a year (Kydland and Prescott
#: 1982 use four quarters of time to build); new plants take two.
DEFAULT_LAGS = (1, 2)
#: Sectors with external scale economies when learning is on (manufacturing, chips).
SCALE_SECTORS = ("CHM", "MAC", "SEMA", "SEMM", "SEM", "SME", "ELE", "VEH", "MAN")


@dataclass(frozen=True)
class Dynamics:
    """Parameters of the recursive-dynamic path (module docstring), with their sources.

    Attributes
    ----------
    depreciation: δ, per year (fraction).
    q_sensitivity: ``1/φ``, the response of the investment rate ``I/K`` to ``q - 1``.
    short_run_elasticity_ratio: ρ, the trade elasticity in the first year as a share of
        the long-run (World) value.
    elasticity_horizon: H, years until the trade elasticities reach their long-run values.
    learning: external scale economies on (off by default).
    scale_elasticity: ψ of the learning sectors.
    scale_sectors: the sector codes with external scale economies (default
        :data:`SCALE_SECTORS`: manufacturing and chips).
    max_expansion: g, the largest net expansion of capacity a year (fraction).
    capacity_slack: ``(sector, u)`` pairs: the sectors whose gross output is capped at
        ``(1 + u) K̂`` times the baseline on the path (default
        :data:`~tradewar.model.capacity_limits.CAPACITY_SLACK`; empty = no caps).
    capacity_rent: who keeps the scarcity rent of a binding cap, ``"importer"`` (the
        buyers, contract allocation) or ``"exporter"`` (the producers).
    sources: citations of the values.
    """

    depreciation: float = 0.08
    q_sensitivity: float = 0.3
    short_run_elasticity_ratio: float = 0.43
    elasticity_horizon: int = 7
    learning: bool = False
    scale_elasticity: float = 0.13
    scale_sectors: tuple[str, ...] = SCALE_SECTORS
    max_expansion: float = 0.4
    capacity_slack: tuple[tuple[str, float], ...] = tuple((k, v[0]) for k, v in CAPACITY_SLACK.items())
    capacity_rent: RentRule = "importer"
    sources: tuple[str, ...] = (
        _BLP,
        _Q,
        _DEPRECIATION,
        _SCALE,
        _EXPANSION,
        *(f"spare capacity {k} {v[0]:g}: {v[1]}" for k, v in CAPACITY_SLACK.items()),
        _CONTRACTS,
    )

    @classmethod
    def from_setting(cls, setting: DynamicsSetting | None) -> Dynamics:
        """The defaults, overridden by a scenario's ``dynamics:`` key (and its citation)."""
        out = cls()
        if setting is None:
            return out
        changes: dict[str, Any] = {"learning": setting.learning}
        for k in DYNAMICS_PARAMETERS:
            v = getattr(setting, k)
            if v is not None:
                changes[k] = v
        if len(changes) > 1:
            srcs = setting.source if isinstance(setting.source, list) else [setting.source]
            cite = "; ".join(f"{s.document} ({s.date})" for s in srcs if s is not None)
            changes["sources"] = (*out.sources, f"scenario: {cite or setting.assumption}")
        return replace(out, **changes)

    def elasticity_factor(self, t: int) -> float:
        """``m_t = ρ + (1 - ρ) min(t/H, 1)`` (1 at and after the horizon)."""
        if self.elasticity_horizon == 0:
            return 1.0
        rho = self.short_run_elasticity_ratio
        return rho + (1.0 - rho) * min(t / self.elasticity_horizon, 1.0)

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain JSON values."""
        return {
            "depreciation": self.depreciation,
            "q_sensitivity": self.q_sensitivity,
            "short_run_elasticity_ratio": self.short_run_elasticity_ratio,
            "elasticity_horizon": self.elasticity_horizon,
            "learning": self.learning,
            "scale_elasticity": self.scale_elasticity,
            "scale_sectors": list(self.scale_sectors),
            "max_expansion": self.max_expansion,
            "capacity_slack": dict(self.capacity_slack),
            "capacity_rent": self.capacity_rent,
            "sources": list(self.sources),
        }


# ------------------------------------------------------------------ pure building blocks
def investment_rate(
    q: FloatArray, depreciation: float, q_sensitivity: float, max_expansion: float = np.inf
) -> FloatArray:
    r"""Gross investment per unit of capacity, :math:`I/K = \min(\max(0, \delta + (q - 1)/\phi), \delta + g)`.

    Hayashi (1982) with quadratic adjustment costs; irreversible (``I ≥ 0``); net
    expansion at most ``g`` = ``max_expansion`` a year (builders, equipment and permits
    limit how fast capacity can be added, however high its return: with static
    expectations a scarcity spike would otherwise call for many times the capacity).
    """
    rate = np.maximum(0.0, depreciation + q_sensitivity * (q - 1.0))
    return np.asarray(np.minimum(rate, depreciation + max_expansion))


def next_capacity(K: FloatArray, arriving: FloatArray, depreciation: float) -> FloatArray:
    r"""Capacity next year, :math:`K_{t+1} = (1 - \delta) K_t + A_{t+1}` (``A ≥ 0``: never negative)."""
    return np.asarray((1.0 - depreciation) * K + arriving)


def gestation_lags(sectors: Sequence[str]) -> tuple[npt.NDArray[np.int_], npt.NDArray[np.int_]]:
    """``(expansion, greenfield)`` lags in years by sector (:data:`GESTATION`)."""
    exp = [GESTATION.get(s, (*DEFAULT_LAGS, ""))[0] for s in sectors]
    green = [GESTATION.get(s, (*DEFAULT_LAGS, ""))[1] for s in sectors]
    return np.asarray(exp, dtype=int), np.asarray(green, dtype=int)


def return_on_capacity(
    eq: Any, scarcity_rent: FloatArray | None = None, capital_income0: FloatArray | None = None
) -> FloatArray:
    r"""``q = (r̂ + ρ_ij / (r K)_ij K̂_ij) / P̂^I``: the return on capacity over the price of investment goods.

    ``r̂`` the rental of capacity; ``ρ`` the scarcity rent of a binding capacity limit
    (:func:`tradewar.model.capacity_limits.capacity_rent`), the shadow value of capacity
    whoever keeps it, over baseline capital income ``(r K)_ij = β γ Y``;
    ``P̂^I_n = Π_k P̂_nk^α_nk`` (final-demand shares, as the engine's ``long_run`` mode).
    """
    p_inv = np.exp((eq.baseline.alpha * eq.log_P).sum(axis=1))
    r = eq.rental_hat
    if scarcity_rent is not None and capital_income0 is not None:
        ok = capital_income0 > 0
        extra = np.where(ok, scarcity_rent / np.where(ok, capital_income0 * eq.capacity, 1.0), 0.0)
        r = r + extra
    return np.asarray(r / p_inv[:, None])


# ------------------------------------------------------------------ programme money
@dataclass(frozen=True)
class _Programme:
    """A funding measure: the targeted cells, their money in World units and lags."""

    cells: npt.NDArray[np.bool_]  # [n, j]
    amount: float  # World value unit
    weight: FloatArray  # [n, j]: ΔK̂ per unit of programme capital (1 / Σ capital value)
    measure: Any


def _programmes(scenario: Scenario, world: Any, beta: FloatArray) -> list[_Programme]:
    """The funding measures of ``scenario`` with the capital value of their targets."""
    from tradewar.policy.shocks import _select  # the policy layer's selector

    out = []
    va = world.value_added.transpose("region", "sector").values
    for pm in scenario.measures:
        m = pm.measure
        if not isinstance(m, ProductivityMeasure) or m.funding is None:
            continue
        f = m.funding
        regs = np.isin(world.regions, _select(m.region, world.regions))
        secs = np.isin(world.sectors, _select(m.sectors, world.sectors, m.exclude_sectors))
        cells = regs[:, None] & secs[None, :]
        value = beta * va / f.financing.user_cost_rate  # capital value β VA / (r + δ)
        total = float(value[cells].sum())
        if total <= 0:
            raise ScenarioError(
                "the programme's sectors have no capital (capital share or value added is zero)",
                file=pm.where("sectors"),
                field="sectors",
                fix="target sectors with capital, or run without --dynamics",
            )
        amount = f.usd_million() / UNIT_TO_USD_MILLION[world.meta.unit]
        out.append(
            _Programme(cells=cells, amount=amount, weight=np.where(cells, 1.0 / total, 0.0), measure=pm)
        )
    return out


def programme_capacity(
    programmes: Sequence[_Programme], year: int, green: npt.NDArray[np.int_]
) -> FloatArray:
    """ΔK̂ ``[n, j]`` built by programme money by ``year``: capital spent up to ``year - L^g_j``."""
    out = np.zeros(programmes[0].cells.shape) if programmes else np.zeros((0, 0))
    for p in programmes:
        f = p.measure.measure.funding
        share = np.array([f.capital_share(year - int(lag)) for lag in green])
        out = out + p.amount * share[None, :] * p.weight
    return out


def _without_programme_productivity(policy: YearPolicy, scenario: Scenario, world: Any) -> YearPolicy:
    """The year's policy with the funding measures' productivity gains taken out.

    Their financing charges and any displacement stay: in the path money builds capacity.
    """
    prod = policy.productivity.values.copy()
    from tradewar.policy.shocks import _select

    for pm in scenario.measures:
        m = pm.measure
        if not isinstance(m, ProductivityMeasure) or m.funding is None or not m.years.contains(policy.year):
            continue
        gain = funding_effect(pm, world, policy.year).productivity
        regs = np.isin(world.regions, _select(m.region, world.regions))
        secs = np.isin(world.sectors, _select(m.sectors, world.sectors, m.exclude_sectors))
        prod[np.ix_(regs, secs)] /= 1.0 + gain
    return replace(policy, productivity=policy.productivity.copy(data=prod))


def _path_policy(setup: Any, year: int, programmes: Sequence[_Programme]) -> tuple[YearPolicy, Any]:
    """The policy and engine shock of ``year`` on the path.

    The static run's, with the funding measures' productivity taken out when there are
    programmes.
    """
    if not programmes:
        return setup.policies[year], setup.shocks[year]
    policy = _without_programme_productivity(setup.policies[year], setup.scenario, setup.world)
    return policy, policy_to_shock(policy, setup.world, setup.rule)


# ------------------------------------------------------------------ the path
def run_dynamic(
    scenario: str | Path | Scenario,
    world: Any = None,
    years: Sequence[int] | str | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    deficits: str | None = None,
    tol: float = 1e-10,
    max_iter: int = 2000,
    chokepoints: Sequence[str] | None = None,
    baseline: Any | None = None,
    dynamics: Dynamics | None = None,
    capital: Any | None = None,
    long_run: bool = True,
    world_options: Any = None,
) -> ScenarioRun:
    """Solve ``scenario`` as a recursive-dynamic path (module docstring).

    Parameters as :func:`tradewar.runs.single.run_scenario`, and

    dynamics: the path's parameters (default: :class:`Dynamics` with the scenario's
        ``dynamics:`` key applied).
    capital: a :class:`tradewar.model.Capital` with the capital shares (default
        :meth:`Capital.default` of the World: cited shares by sector code, the total
        economy's share for codes without one, named in the sources).
    long_run: also solve the long-run steady state under the last year's policies.
    world_options: reader options for the World spec (see :func:`run_scenario`).

    Raises
    ------
    ScenarioError
        Years that are not consecutive, or anything :func:`run_scenario` raises.
    ConvergenceError
        If the engine fails in some year (the message names the year).
    """
    from tradewar.model import Capital, solve

    setup = prepare_run(
        scenario,
        world,
        years,
        data_dir=data_dir,
        deficits=deficits,
        tol=tol,
        max_iter=max_iter,
        chokepoints=chokepoints,
        baseline=baseline,
        world_options=world_options,
    )
    sc, w, yrs, base, tech = setup.scenario, setup.world, setup.years, setup.base, setup.technology
    if list(yrs) != list(range(yrs[0], yrs[0] + len(yrs))):
        raise ScenarioError(
            f"a dynamic path needs consecutive years, not {list(yrs)}",
            field="years",
            fix="give a range such as 2026-2030",
        )
    dyn = dynamics if dynamics is not None else Dynamics.from_setting(sc.dynamics)
    cap = capital if capital is not None else Capital.default(w, fallback=True)
    beta, _, _ = cap.arrays(base)
    va0 = base.gamma_va * base.output  # baseline value added [n, j]
    N, J = base.shape
    expansion, green = gestation_lags(list(base.sectors))
    programmes = _programmes(sc, w, beta)
    learners = np.isin(list(base.sectors), dyn.scale_sectors) if dyn.learning else np.zeros(J, dtype=bool)

    K = np.ones((N, J))  # private capacity relative to the base year
    decided: dict[int, FloatArray] = {}  # gross investment (per baseline capacity) by decision year
    prev: Any = None
    prev_output: FloatArray | None = None
    rows: tuple[list[pd.DataFrame], list[pd.DataFrame], list[pd.DataFrame]] = ([], [], [])
    records: list[dict[str, Any]] = []
    capacity_rows: list[pd.DataFrame] = []
    for t, y in enumerate(yrs):
        m_t = dyn.elasticity_factor(t)
        base_t = replace(base, theta=_read_only(base.theta * m_t))
        policy, shock = _path_policy(setup, y, programmes)
        if learners.any() and prev_output is not None:
            gain = np.where(learners[None, :], np.maximum(prev_output, 1e-12) ** dyn.scale_elasticity, 1.0)
            shock = shock.scale_productivity(_labelled(gain, base))
        built = programme_capacity(programmes, y, green) if programmes else np.zeros((N, J))
        stock = K + built
        caps = capacity_limits(
            base, stock, dict(dyn.capacity_slack), rent=dyn.capacity_rent, governed=shock.quotas
        )
        capped = np.zeros((N, N, J), dtype=bool)  # [n, i, j] cells under a capacity limit
        for c in caps:
            capped |= np.asarray(c.mask).transpose(1, 0, 2)
        shock = replace(shock, quotas=(*caps, *shock.quotas))
        try:
            eq = solve(
                base_t,
                shock,
                tol=tol,
                max_iter=max_iter,
                technology=tech,
                capital=cap.with_stock(stock),
                initial=prev,
            )
        except ConvergenceError as err:
            raise err.within(
                f"scenario {sc.name!r}, year {y} (dynamic path)", fix=deficit_advice(err, setup.rule)
            ) from None
        rec, reg, sec, fl = year_tables(eq, y, policy.active, tech, setup.chokes, setup.ss_base)
        rec["capital"] = repr(eq.capital)
        rec["elasticity_factor"] = m_t
        # the capacity limits come first (one group each): report them apart from the
        # scenario's own quotas
        rec["capacity_limits"], rec["quotas"] = rec["quotas"][: len(caps)], rec["quotas"][len(caps) :]
        records.append(rec)
        for acc, df in zip(rows, (reg, sec, fl), strict=True):
            acc.append(df)
        scarcity = capacity_rent(np.where(capped, eq.omega, 0.0), eq.X, eq.pi, eq.tau)
        q = return_on_capacity(eq, scarcity, beta * va0)
        rate = investment_rate(q, dyn.depreciation, dyn.q_sensitivity, dyn.max_expansion)
        decided[y] = rate * K
        capacity_rows.append(_capacity_rows(base, y, stock, built, eq, q, rate, m_t, capped))
        # investment arriving next year: decided `lag` years before it (before the path:
        # the baseline's replacement investment δ)
        nxt = y + 1
        arriving = np.stack(
            [
                decided[nxt - int(lag)][:, j] if nxt - int(lag) in decided else np.full(N, dyn.depreciation)
                for j, lag in enumerate(expansion)
            ],
            axis=1,
        )
        K = next_capacity(K, arriving, dyn.depreciation)
        prev = eq
        with np.errstate(divide="ignore", invalid="ignore"):
            A = eq.shock.productivity.transpose("region", "sector").values
            prev_output = np.where(base.output > 0, eq.Y / base.output / (eq.c_hat / A), 1.0)
        if progress is not None:
            progress(f"{sc.name} {y}", len(records))

    regions, sectors, flows = finish_tables(sc.name, *rows, setup.undefined, setup.rule)
    capacity = pd.concat(capacity_rows, ignore_index=True)
    capacity.insert(0, "scenario", sc.name)
    lr_regions = lr_sectors = None
    lr_record: dict[str, Any] = {}
    if long_run:
        last = yrs[-1]
        policy, shock = _path_policy(setup, last, programmes)
        eq_lr = solve(
            base,
            shock,
            tol=tol,
            max_iter=max_iter,
            technology=tech,
            capital=cap.long_run(),
            initial=prev,
        )
        _, lr_reg, lr_sec, _ = year_tables(eq_lr, last, policy.active, tech, setup.chokes, setup.ss_base)
        lr_sec["capacity_hat"] = eq_lr.capacity.reshape(-1)
        lr_regions, lr_sectors, _ = finish_tables(
            sc.name, [lr_reg], [lr_sec], [fl.iloc[:0]], setup.undefined, setup.rule
        )
        for df in (lr_regions, lr_sectors):
            df["horizon"] = "long run"
        lr_record = {"converged": bool(eq_lr.solver.converged), **_solver_dict(eq_lr)}
    return setup.result(
        regions,
        sectors,
        flows,
        records,
        capacity=capacity,
        long_run_regions=lr_regions,
        long_run_sectors=lr_sectors,
        dynamics={
            **dyn.to_dict(),
            "capital_shares": list(cap.sources),
            "gestation": _gestation_dict(base),
            "long_run_solver": lr_record,
        },
    )


def _capacity_rows(
    base: Any,
    year: int,
    stock: FloatArray,
    built: FloatArray,
    eq: Any,
    q: FloatArray,
    rate: FloatArray,
    m_t: float,
    capped: npt.NDArray[np.bool_],
) -> pd.DataFrame:
    # scarcity wedge ω of each cell's capacity limit (the same on all its sales; 0: none or slack)
    limited = capped.any(axis=0)
    omega = np.where(capped, eq.omega, -np.inf).max(axis=0)
    idx = pd.MultiIndex.from_product([list(base.regions), list(base.sectors)], names=["region", "sector"])
    return pd.DataFrame(
        {
            "year": year,
            "capacity_hat": stock.reshape(-1),
            "programme_capacity_hat": built.reshape(-1),
            "rental_hat": eq.rental_hat.reshape(-1),
            "return_q": q.reshape(-1),
            "investment_rate": rate.reshape(-1),
            "elasticity_factor": m_t,
            "capacity_limited": limited.reshape(-1),
            "capacity_wedge": np.where(limited, omega, 0.0).reshape(-1),
        },
        index=idx,
    ).reset_index()


def _solver_dict(eq: Any) -> dict[str, Any]:
    rec = eq.solver
    return {
        "iterations": int(rec.iterations),
        "residual": float(rec.residual),
        "seconds": float(rec.seconds),
        "method": str(rec.method),
        "checks": {k: float(v) for k, v in rec.checks.items()},
        "capital": repr(eq.capital),
    }


def _gestation_dict(base: Any) -> dict[str, Any]:
    exp, green = gestation_lags(list(base.sectors))
    return {
        str(s): {
            "expansion_years": int(e),
            "greenfield_years": int(g),
            "source": GESTATION.get(str(s), (0, 0, ""))[2],
        }
        for s, e, g in zip(base.sectors, exp, green, strict=True)
    }


def _read_only(a: FloatArray) -> FloatArray:
    out = np.array(a, dtype=float)
    out.flags.writeable = False
    return out


def _labelled(values: FloatArray, base: Any) -> xr.DataArray:
    return xr.DataArray(
        values, dims=("region", "sector"), coords={"region": list(base.regions), "sector": list(base.sectors)}
    )


__all__ = [
    "DEFAULT_LAGS",
    "GESTATION",
    "Dynamics",
    "gestation_lags",
    "investment_rate",
    "next_capacity",
    "programme_capacity",
    "return_on_capacity",
    "run_dynamic",
]
