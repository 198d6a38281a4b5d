"""Translate a composed scenario into one labelled policy state per year.

For each year the state is three arrays relative to the World's baseline:

``tariff[origin, region, product]``
    the ad-valorem tariff in force (fraction), starting from the World's tariffs.
``trade_cost[origin, region, product]``
    iceberg trade-cost factor relative to the baseline (1 = unchanged, ``inf`` = no trade).
``productivity[region, sector]``
    productivity factor relative to the baseline (1 = unchanged).

Measures are applied in the scenario's order (includes first). **Wedges compound; only
``ban``, ``lift`` and ``set`` overwrite.** Per measure type:

* ``tariff`` / ``tariff_schedule``: tariff[target -> imposer, sectors] = t (``set``,
  overwrites) or += t (``add``, adds to the tariff in force); a schedule writes the
  sectors it has lines for, within its ``sectors`` (default ``all``).
* ``tariff_layer``: tariff[target -> imposer, sectors] = the World's named tariff layer
  (overwrites, like ``set``).
* ``export_control``: on the flow imposer -> target, ``licence`` *multiplies* the flow's
  control wedge by 1 + t_e (a tariff-equivalent that raises no revenue: a resource cost);
  ``ban`` sets the control wedge to ``inf``; ``lift`` resets the control wedge to 1.
* ``import_ban``: the control wedge of target -> imposer = ``inf`` (ban) or 1 (lift).
* ``trade_cost``: the flow's cost wedge is *multiplied* by 1 + change (or the factor).
* ``quota``: a quantity limit on the flows (:class:`QuotaPolicy`), passed to the engine's
  :meth:`~tradewar.model.Shock.set_quota`, which solves each binding limit for its
  tariff-equivalent wedge; a later quota replaces an earlier one on the flows they share.
* ``productivity``: productivity[region, sectors] is *multiplied* by 1 + change, where
  with ``funding`` (see :func:`funding_change`)

      change(y) = rate_of_return × K(y) / x[region, sectors]  (baseline gross output)

  and K(y) the programme's capital (money spent up to y, net of depreciation when the
  funding states a ``financing``); the financing's lump-sum charge (user cost
  (r + δ) K(y)) is collected in :attr:`YearPolicy.financing`.

The trade-cost array handed to the engine is the product of the two wedges,
``trade_cost = control × cost``: a ``lift`` of an export control removes the control
only, never a ``trade_cost`` measure (a procurement preference) on the same cell, and a
later ``trade_cost`` measure never cancels an earlier licence. Multiplicative wedges
commute, so their order does not matter.

Everything is computed and checked for all years before anything is returned, so an
invalid measure (e.g. an ``add`` that takes a tariff below -100 %) fails the whole run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from tradewar.errors import ScenarioError
from tradewar.limits import MAX_FUNDING_SHARE, OVERRIDE_HINT
from tradewar.policy.models import (
    ExportControlMeasure,
    ImportBanMeasure,
    ProductivityMeasure,
    QuotaMeasure,
    TariffLayerMeasure,
    TariffMeasure,
    TariffScheduleMeasure,
    TradeCostMeasure,
)
from tradewar.policy.scenario import PlacedMeasure, Scenario, check_against_world
from tradewar.world.world import World

#: Units in which a World's values may be given, in USD million (for ``funding``).
UNIT_TO_USD_MILLION = {"USD million": 1.0, "USD billion": 1000.0, "USD thousand": 1e-3, "USD": 1e-6}


@dataclass(frozen=True)
class QuotaPolicy:
    """One quota in force: flows ``origins -> regions`` of ``sectors``.

    ``limit`` is a fraction of the baseline quantity (``unit="fraction"``) or a value at
    baseline prices in the World's unit (``unit="quantity"``); see
    :meth:`tradewar.model.Shock.set_quota` for ``rent`` and ``pooled``.
    """

    origins: tuple[str, ...]
    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    limit: float
    unit: str
    rent: str
    pooled: bool
    label: str


@dataclass(frozen=True)
class YearPolicy:
    """The policy state in one year; see the module docstring.

    Attributes
    ----------
    year: the calendar year.
    tariff, trade_cost, productivity: the three arrays.
    financing: the financing charges' investment spending (see :func:`funding_effect`).
    active: labels of the measures in force this year.
    """

    year: int
    tariff: xr.DataArray
    trade_cost: xr.DataArray
    productivity: xr.DataArray
    active: tuple[str, ...] = field(default_factory=tuple)
    quotas: tuple[QuotaPolicy, ...] = field(default_factory=tuple)
    #: investment goods bought with financing charges ``G[region, sector]`` (World
    #: value unit, baseline prices; row sums: the charges); None or zeros = no charge
    financing: xr.DataArray | None = None

    def changed_cells(self, world: World) -> dict[str, int]:
        """Number of cells that differ from the baseline, per array."""
        return {
            "tariff": int((~np.isclose(self.tariff.values, world.tariff.values, rtol=0, atol=1e-15)).sum()),
            "trade_cost": int((self.trade_cost.values != 1.0).sum()),
            "productivity": int((self.productivity.values != 1.0).sum()),
        }

    @property
    def charge(self) -> xr.DataArray:
        """Financing charges by region (World value unit, baseline prices)."""
        if self.financing is None:
            return self.productivity.isel(sector=0, drop=True) * 0.0
        return self.financing.sum("sector")

    def is_baseline(self, world: World) -> bool:
        """True if nothing differs from the baseline (no changed cell, quota or charge)."""
        charged = self.financing is not None and bool(self.financing.values.any())
        return not self.quotas and not charged and not any(self.changed_cells(world).values())


def _select(value: str | list[str], known: Sequence[str], exclude: Iterable[str] = ()) -> list[str]:
    vals = [value] if isinstance(value, str) else list(value)
    out = list(known) if "all" in vals else vals
    ex = set(exclude)
    return [v for v in out if v not in ex]


def _targets(m: Any, world: World) -> tuple[list[str], list[str]]:
    imposers = _select(m.imposer, world.regions)
    # a region in both lists (a group acting on its own members) meets itself only on the
    # diagonal, which translate() restores to the baseline
    targets = _select(m.target, world.regions, m.exclude_targets)
    return imposers, targets


@dataclass(frozen=True)
class FundingEffect:
    """What a ``funding`` measure does in one year (World value unit, baseline prices).

    Attributes
    ----------
    capital: the programme's capital K(y).
    productivity: ΔA/A of the targeted sectors, ``rate_of_return × K / x``.
    user_cost: ``(normal_return + depreciation) × K``.
    charge: the lump-sum charge on each targeted region's income (``by: budget``: the
        user cost split over the regions by value added; ``displacement``: 0).
    displaced: ΔA/A (negative) of all sectors of each region (``by: displacement``).
    """

    capital: float
    productivity: float
    user_cost: float
    charge: dict[str, float]
    displaced: dict[str, float]


def _check_funding_size(pm: PlacedMeasure, world: World, regions: list[str]) -> None:
    """Refuse an amount above :data:`~tradewar.limits.MAX_FUNDING_SHARE` of the regions' GDP.

    A slip of units (500000 USD billion for 500) would otherwise turn into a large
    productivity gain; ``extreme: true`` on the measure accepts it.
    """
    m = pm.measure
    f = m.funding
    amount = f.usd_million() / UNIT_TO_USD_MILLION[world.meta.unit]
    gdp = float(world.value_added.sel(region=regions).sum())
    if m.extreme or amount <= MAX_FUNDING_SHARE * gdp:
        return
    raise ScenarioError(
        f"the programme spends {f.amount:g} {f.unit}, {100 * amount / gdp:.3g} % of the annual GDP "
        f"(value added) of {', '.join(regions)} in world {world.meta.name!r}: implausible (above "
        f"{100 * MAX_FUNDING_SHARE:g} %)",
        file=pm.where("funding", "amount"),
        field=f"measures[{pm.index}].funding.amount",
        expected=f"an amount in {f.unit} (check billion vs million)",
        fix=f"check the amount and `unit:`; {OVERRIDE_HINT}",
    )


def funding_effect(pm: PlacedMeasure, world: World, year: int) -> FundingEffect:
    """The productivity gain and financing cost of a ``funding`` measure in ``year``.

    ``K(y) = amount × capital_share(y)`` (:meth:`~tradewar.policy.models.Funding.capital_share`);
    ``ΔA/A = rate_of_return × K / x`` over the targeted sectors' baseline gross output
    ``x`` (Hicks-neutral productivity on gross output raises value added by ΔA/A × x, so
    the programme adds ``rate_of_return × K`` of value added at baseline prices); the
    user cost ``(r + δ) K`` is charged on the regions' incomes (``by: budget``, split by
    value added) or taken out of the regions' productivity (``by: displacement``:
    ``ΔA/A = -(r + δ) K_n / x_n``, all sectors).
    """
    m = pm.measure
    assert isinstance(m, ProductivityMeasure) and m.funding is not None
    f = m.funding
    unit = world.meta.unit
    if unit not in UNIT_TO_USD_MILLION:
        raise ScenarioError(
            f"cannot convert funding to the world's unit {unit!r}",
            file=pm.where("funding"),
            field="funding",
            fix=f"use a world in one of {', '.join(UNIT_TO_USD_MILLION)}, or give `magnitude` instead",
        )
    regions = _select(m.region, world.regions)
    sectors = _select(m.sectors, world.sectors, m.exclude_sectors)
    x = float(world.gross_output.sel(region=regions, sector=sectors).sum())
    if x <= 0:
        raise ScenarioError(
            f"the targeted sectors have no output in {regions} (cannot turn money into productivity)",
            file=pm.where("sectors"),
            field="sectors",
            fix="target sectors with positive output, or give `magnitude` instead",
        )
    _check_funding_size(pm, world, regions)
    K = f.usd_million() / UNIT_TO_USD_MILLION[unit] * f.capital_share(year)
    cost = f.financing.user_cost_rate * K
    va = world.value_added.sel(region=regions).sum("sector")
    weights = {r: float(va.sel(region=r)) / float(va.sum()) for r in regions}
    charge: dict[str, float] = {}
    displaced: dict[str, float] = {}
    if f.financing.by == "budget":
        charge = {r: cost * wt for r, wt in weights.items()}
    else:
        for r in regions:
            xr_ = float(world.gross_output.sel(region=r).sum())
            displaced[r] = -cost * weights[r] / xr_
    return FundingEffect(
        capital=K, productivity=f.rate_of_return * K / x, user_cost=cost, charge=charge, displaced=displaced
    )


def funding_to_productivity(pm: PlacedMeasure, world: World, years: Iterable[int]) -> dict[int, float]:
    """Productivity change (fraction) of the targeted sectors a ``funding`` measure implies."""
    return {y: funding_effect(pm, world, y).productivity for y in years}


def translate(
    scenario: Scenario,
    world: World,
    years: Sequence[int],
    *,
    schedules: dict[int, Any] | None = None,
) -> dict[int, YearPolicy]:
    """Policy state of every year in ``years``; see the module docstring.

    Parameters
    ----------
    scenario: a composed scenario (see :func:`tradewar.policy.load_scenario`).
    world: the World it runs on (codes are checked against it).
    years: the calendar years to produce.
    schedules: pre-computed sector tariffs of ``tariff_schedule`` measures by measure
        position (``pandas.Series`` indexed by sector); computed here if not given.

    Raises
    ------
    ScenarioError
        Unknown codes, measures that cannot be applied, or tariffs pushed to -100 % or less.
    """
    from tradewar.policy.schedule import schedule_for_measure

    check_against_world(scenario, world.regions, world.sectors)
    sched = dict(schedules or {})
    for k, pm in enumerate(scenario.measures):
        m = pm.measure
        in_force = any(m.years.contains(y) for y in years)
        if isinstance(m, TariffScheduleMeasure) and k not in sched and in_force:
            sched[k] = schedule_for_measure(pm, world)
    out: dict[int, YearPolicy] = {}
    for year in years:
        tariff = world.tariff.values.copy()
        control = np.ones_like(tariff)
        cost = np.ones_like(tariff)
        prod = np.ones(world.shape)
        invest = np.zeros(world.shape)
        r_ix = {r: i for i, r in enumerate(world.regions)}
        s_ix = {s: i for i, s in enumerate(world.sectors)}
        active: list[str] = []
        quotas: list[QuotaPolicy] = []
        for k, pm in enumerate(scenario.measures):
            m = pm.measure
            if not m.years.contains(year):
                continue
            active.append(pm.label)
            if isinstance(m, ProductivityMeasure):
                regs = [r_ix[r] for r in _select(m.region, world.regions)]
                secs = [s_ix[s] for s in _select(m.sectors, world.sectors, m.exclude_sectors)]
                if m.funding is not None:
                    fx = funding_effect(pm, world, year)
                    change = fx.productivity
                    for r, d in fx.displaced.items():
                        prod[r_ix[r], :] *= 1.0 + d
                    goods = m.funding.financing.investment_goods or {}
                    for r, t in fx.charge.items():
                        for g, sh in goods.items():
                            invest[r_ix[r], s_ix[g]] += t * sh
                else:
                    assert m.magnitude is not None
                    change = m.magnitude.rate_at(year, m.years)
                prod[np.ix_(regs, secs)] *= 1.0 + change
                continue
            imposers, targets = _targets(m, world)
            if isinstance(m, QuotaMeasure):
                quotas.append(_quota_policy(pm, world, year, imposers, targets))
                continue
            imp = [r_ix[r] for r in imposers]
            tgt = [r_ix[r] for r in targets]
            if isinstance(m, TariffScheduleMeasure):
                by_sector = sched[k]
                chosen = set(_select(m.sectors, world.sectors, m.exclude_sectors))
                secs_named = [s for s in world.sectors if s in by_sector.index and s in chosen]
                for s in secs_named:
                    cell = np.ix_(tgt, imp, [s_ix[s]])
                    value = float(by_sector[s])
                    tariff[cell] = value if m.action == "set" else tariff[cell] + value
                _check_tariffs(tariff, pm, year, world)
                continue
            secs = [s_ix[s] for s in _select(m.sectors, world.sectors, m.exclude_sectors)]
            if isinstance(m, TariffLayerMeasure):
                if m.layer not in world.tariff_layers:
                    raise ScenarioError(
                        f"world {world.meta.name!r} has no tariff layer {m.layer!r}",
                        file=pm.where("layer"),
                        field=f"measures[{pm.index}].layer",
                        expected=f"one of: {', '.join(world.tariff_layers) or '(none)'}",
                        fix="use a layer of the world, or a `tariff` measure with explicit rates",
                    )
                layer = world.tariff_layers[m.layer].transpose(*world.tariff.dims).values
                cell = np.ix_(tgt, imp, secs)
                tariff[cell] = layer[cell]
                _check_tariffs(tariff, pm, year, world)
            elif isinstance(m, TariffMeasure):
                cell = np.ix_(tgt, imp, secs)
                rate = m.magnitude.rate_at(year, m.years)
                tariff[cell] = rate if m.action == "set" else tariff[cell] + rate
                _check_tariffs(tariff, pm, year, world)
            elif isinstance(m, ExportControlMeasure):
                cell = np.ix_(imp, tgt, secs)
                if m.mode == "ban":
                    control[cell] = np.inf
                elif m.mode == "licence":
                    assert m.magnitude is not None
                    control[cell] *= 1.0 + m.magnitude.rate_at(year, m.years)
                else:
                    control[cell] = 1.0
            elif isinstance(m, ImportBanMeasure):
                control[np.ix_(tgt, imp, secs)] = np.inf if m.mode == "ban" else 1.0
            elif isinstance(m, TradeCostMeasure):
                factor = 1.0 + m.magnitude.rate_at(year, m.years)
                if m.flow in ("imports", "both"):
                    cost[np.ix_(tgt, imp, secs)] *= factor
                if m.flow in ("exports", "both"):
                    cost[np.ix_(imp, tgt, secs)] *= factor
            else:  # anything else is a programming error
                raise ScenarioError(
                    f"measure type {getattr(m, 'type', '?')!r} cannot be applied",
                    file=pm.where("type"),
                    field="type",
                )
        # the diagonal (domestic sales) never carries tariffs or trade-cost changes
        R = len(world.regions)
        tariff[np.arange(R), np.arange(R), :] = world.tariff.values[np.arange(R), np.arange(R), :]
        tc = control * cost
        tc[np.arange(R), np.arange(R), :] = 1.0
        out[year] = YearPolicy(
            year=year,
            tariff=xr.DataArray(tariff, dims=world.tariff.dims, coords=world.tariff.coords),
            trade_cost=xr.DataArray(tc, dims=world.tariff.dims, coords=world.tariff.coords),
            productivity=xr.DataArray(
                prod,
                dims=("region", "sector"),
                coords={"region": world.regions, "sector": world.sectors},
            ),
            active=tuple(active),
            quotas=tuple(quotas),
            financing=xr.DataArray(
                invest,
                dims=("region", "sector"),
                coords={"region": world.regions, "sector": world.sectors},
            ),
        )
    return out


def _quota_policy(
    pm: PlacedMeasure, world: World, year: int, imposers: list[str], targets: list[str]
) -> QuotaPolicy:
    m = pm.measure
    assert isinstance(m, QuotaMeasure)
    sectors = tuple(_select(m.sectors, world.sectors, m.exclude_sectors))
    if m.magnitude is not None:
        limit, unit = m.magnitude.rate_at(year, m.years), "fraction"
    else:
        assert m.quantity is not None and m.unit is not None
        wu = world.meta.unit
        if m.unit == wu:
            limit = m.quantity
        elif m.unit in UNIT_TO_USD_MILLION and wu in UNIT_TO_USD_MILLION:
            limit = m.quantity * UNIT_TO_USD_MILLION[m.unit] / UNIT_TO_USD_MILLION[wu]
        else:
            raise ScenarioError(
                f"cannot convert the quota's unit {m.unit!r} to the world's {wu!r}",
                file=pm.where("unit"),
                field=f"measures[{pm.index}].unit",
                expected=f"one of: {', '.join(UNIT_TO_USD_MILLION)}",
                fix="write the quantity in the world's value unit",
            )
        unit = "quantity"
    exports = m.flow == "exports"
    origins, regions = (imposers, targets) if exports else (targets, imposers)
    return QuotaPolicy(
        origins=tuple(origins),
        regions=tuple(regions),
        sectors=sectors,
        limit=float(limit),
        unit=unit,
        rent=m.rent_rule(),
        pooled=m.pooled,
        label=pm.label,
    )


def scenario_technology(scenario: Scenario, world: World) -> Any:
    """The engine's :class:`~tradewar.model.Technology` from the scenario's ``production``.

    ``None`` (Cobb-Douglas) when the scenario sets no elasticity. Settings apply in order
    (includes first), later ones overriding earlier ones where they overlap; each
    setting's source is recorded in ``Technology.sources``.
    """
    if not scenario.production:
        return None
    from tradewar.model import Technology

    check_against_world(scenario, world.regions, world.sectors)
    tech = Technology.cobb_douglas(world)
    for e in scenario.production:
        srcs = e.source if isinstance(e.source, list) else ([e.source] if e.source is not None else [])
        cite = "; ".join(f"{s.document} ({s.date})" for s in srcs) or f"assumption: {e.assumption}"
        regions = None if "all" in ([e.regions] if isinstance(e.regions, str) else e.regions) else e.regions
        sectors = None if "all" in ([e.sectors] if isinstance(e.sectors, str) else e.sectors) else e.sectors
        kw = {e.parameter: e.value}
        tech = tech.set(region=regions, sector=sectors, source=f"{e.parameter}={e.value:g}: {cite}", **kw)
    return tech


def _check_tariffs(tariff: np.ndarray, pm: PlacedMeasure, year: int, world: World) -> None:
    bad = tariff <= -1.0
    if bad.any():
        o, r, p = (int(x) for x in np.argwhere(bad)[0])
        raise ScenarioError(
            f"in {year} this measure takes the tariff of {world.regions[r]} on {world.sectors[p]} "
            f"from {world.regions[o]} to {100 * tariff[o, r, p]:.4g} % (-100 % or less)",
            file=pm.where("magnitude"),
            field=f"measures[{pm.index}].magnitude",
            fix="use a smaller cut, or `action: set` to fix the tariff's level",
        )


def policy_to_shock(policy: YearPolicy, world: World, deficits: str = "data") -> Any:
    """The GE engine's ``Shock`` for one year's policy state (see :mod:`tradewar.model`).

    The three arrays are handed over whole: ``set_tariff`` with the tariff array,
    ``scale_trade_cost`` and ``scale_productivity`` with the factors (the engine ignores
    the diagonal), the financing charges with ``with_financing``, then each quota.
    ``deficits`` is the engine's deficit rule (default: as in the data).
    """
    from tradewar.model import Shock

    shock = Shock.none(world)
    if policy.is_baseline(world):
        return shock.with_deficits(deficits)  # type: ignore[arg-type]
    shock = (
        shock.set_tariff(policy.tariff, allow_extreme=True)  # checked per measure, with `extreme:`
        .scale_trade_cost(policy.trade_cost)
        .scale_productivity(policy.productivity, allow_extreme=True)
        .with_deficits(deficits)  # type: ignore[arg-type]
    )
    if policy.financing is not None and policy.financing.values.any():
        G = policy.financing
        T = G.sum("sector")
        charged = [str(r) for r in G["region"].values if float(T.sel(region=r)) != 0.0]
        shares = (G.sel(region=charged) / T.sel(region=charged)).reindex_like(G).fillna(0.0)
        shock = shock.with_financing(T, shares, region=charged, label="programme financing")
    for q in policy.quotas:
        shock = shock.set_quota(
            q.limit,
            origin=list(q.origins),
            region=list(q.regions),
            product=list(q.sectors),
            unit=q.unit,  # type: ignore[arg-type]
            rent=q.rent,  # type: ignore[arg-type]
            pooled=q.pooled,
        )
    return shock


def resolve_data_path(text: str, relative_to: Path) -> Path:
    """Expand ``${TRADEWAR_SHARED_DATA}``/``~`` and resolve relative to a scenario's folder."""
    import os

    expanded = text
    if "${TRADEWAR_SHARED_DATA}" in expanded:
        shared = os.environ.get("TRADEWAR_SHARED_DATA", str(Path("../shared/data")))
        expanded = expanded.replace("${TRADEWAR_SHARED_DATA}", shared)
    p = Path(os.path.expandvars(expanded)).expanduser()
    return p if p.is_absolute() else (relative_to / p)
