"""Run scenarios year by year through the GE engine and assemble time series.

For a scenario and a World, each year y of the run is one counterfactual equilibrium of
the engine (:func:`tradewar.model.solve`) **against the same baseline**: the policy state
of year y (see :mod:`tradewar.policy.shocks`) is a Shock relative to the World, so the
results of 2028 are "the world of the base year with the measures in force in 2028", a
comparative-static path rather than a dynamic model.

Outputs (:func:`tradewar.runs.outputs.write_outputs`, written atomically: files go to a hidden temporary
folder that is renamed into place only when everything is written):

``regions.csv``
    scenario, region, year, welfare_pct (exact real-income change), ev_usd_bn (its
    equivalent variation, :mod:`tradewar.runs.money`), real_wage_pct,
    terms_of_trade_pct, volume_of_trade_pct (Caliendo-Parro eq. 16 terms),
    tot_plus_vot_pct, and ``self_sufficiency_<SECTOR>`` (domestic output / domestic use
    in the counterfactual) with ``..._baseline`` for each chokepoint sector of the World;
    empty where a region neither makes nor uses the product (listed in summary.json);
    income_baseline_usd_bn (the base of the equivalent variation); last, ``deficits``:
    the deficit rule of the run.
``sectors.csv``
    scenario, region, sector, year, output_change_pct (real), output_value_change_pct,
    price_change_pct, output_before, output_after, output_change_usd_bn (the real change
    at baseline prices), deficits.
``flows.parquet``
    scenario, year, origin, region, product, baseline, counterfactual (net of tariffs,
    World units), tariff (counterfactual, fraction), change_usd_bn, deficits.

The ``*_usd_bn`` columns are written when the World's unit is a USD unit (USD, USD
thousand, million or billion); they are base-year US dollars (billion).
``summary.json``
    scenarios (composed measures, sources, assumptions, deficit rule and where it came
    from), world (spec with reader options, base year and provenance), years, the solver
    record per year, package versions.
``report.html``
    the self-contained report (see :mod:`tradewar.report.html`).

No NaN or infinite number reaches these files: the tables are checked and a
:class:`~tradewar.errors.ModelError` is raised instead. The one exception is documented
above: undefined self-sufficiency (0/0) is an empty cell, never a number.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradewar.errors import ModelError, ScenarioError
from tradewar.policy import (
    Scenario,
    load_scenario,
    policy_to_shock,
    scenario_technology,
    translate,
)
from tradewar.runs.money import equivalent_variation, usd_bn_per_unit
from tradewar.runs.result import (
    CHOKEPOINT_SECTORS,
    DEFAULT_DEFICITS,
    DEFAULT_SCENARIO,
    DEFAULT_SCENARIOS,
    DEFICIT_RULES,
    REGION_COLUMNS,
    Progress,
    ScenarioRun,
    json_value,
)
from tradewar.runs.years import parse_years, scenario_years
from tradewar.world.world import World


def _self_sufficiency(world: World, sectors: Sequence[str]) -> pd.DataFrame:
    """Domestic output / domestic use by (region, sector) for ``sectors``."""
    from tradewar.analysis import self_sufficiency

    ss = self_sufficiency(world).sel(product=list(sectors))
    df = ss.to_dataframe(name="ss").reset_index()[["region", "product", "ss"]]
    return df.pivot(index="region", columns="product", values="ss").reindex(world.regions)


def _check_finite(
    df: pd.DataFrame, what: str, keys: Sequence[str], allowed: np.ndarray | None = None
) -> None:
    is_num = np.array([pd.api.types.is_numeric_dtype(t) for t in df.dtypes])
    num = df.loc[:, is_num]
    bad = ~np.isfinite(num.to_numpy(dtype=float))
    if allowed is not None:
        bad &= ~allowed[:, is_num]
    if bad.any():
        r, c = np.argwhere(bad)[0]
        row = df.iloc[int(r)]
        where = ", ".join(f"{k}={row[k]}" for k in keys if k in df.columns)
        raise ModelError(
            f"{what} has {int(bad.sum())} NaN or infinite values (first: column "
            f"{num.columns[int(c)]!r} at {where})",
            field=str(num.columns[int(c)]),
            fix="this is a bug or a degenerate world (a region that neither makes nor uses a "
            "product); report it with the scenario and world",
        )


def year_tables(
    eq: Any,
    year: int,
    active: Sequence[str],
    tech: Any,
    chokes: Sequence[str],
    ss_base: pd.DataFrame | None,
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The solver record and the region, sector and flow rows of one solved year.

    ``active``: labels of the measures in force; ``tech``: the technology used (for the
    record); ``chokes`` and ``ss_base``: the chokepoint sectors and their baseline
    self-sufficiency (see :func:`run_scenario`).
    """
    rec = eq.solver
    record = {
        "year": year,
        "converged": bool(rec.converged),
        "iterations": int(rec.iterations),
        "residual": float(rec.residual),
        "seconds": float(rec.seconds),
        "method": str(rec.method),
        "checks": {k: float(v) for k, v in dict(getattr(rec, "checks", {}) or {}).items()},
        "measures_in_force": list(active),
        "technology": "Cobb-Douglas" if tech is None else repr(tech),
        # wedges of bans (limit 0) are infinite: written as null with ban = true
        "quotas": [
            {
                **{k: json_value(v) for k, v in row.items()},
                "ban": bool(row["limit"] == 0.0),
            }
            for row in eq.quotas.to_dict(orient="records")
        ],
    }
    usd = usd_bn_per_unit(eq.baseline.unit)  # money columns only for worlds in a USD unit
    reg = eq.regions.reset_index()[["region", *REGION_COLUMNS]].copy()
    reg.insert(1, "year", year)
    if usd is not None:
        reg.insert(3, "ev_usd_bn", equivalent_variation(eq) * usd)
        reg["income_baseline_usd_bn"] = np.asarray(eq.baseline.income) * usd
    if chokes:
        assert ss_base is not None
        ss = _self_sufficiency(eq.counterfactual_world(), chokes)
        for code in chokes:
            reg[f"self_sufficiency_{code}"] = ss[code].reindex(reg["region"]).to_numpy()
            reg[f"self_sufficiency_{code}_baseline"] = ss_base[code].reindex(reg["region"]).to_numpy()
    sec = eq.sectors.reset_index()
    zero = sec["output_before"] <= 0
    out = pd.DataFrame(
        {
            "region": sec["region"],
            "sector": sec["sector"],
            "year": year,
            # a sector with no output before has none after (no entry in the model): 0 %
            "output_change_pct": sec["output_change_pct"].where(~zero, 0.0),
            "output_value_change_pct": sec["output_value_change_pct"].where(~zero, 0.0),
            "price_change_pct": 100.0 * (sec["price_hat"] - 1.0),
            "output_before": sec["output_before"],
            "output_after": sec["output_after"],
        }
    )
    if usd is not None:
        out["output_change_usd_bn"] = out["output_before"] * out["output_change_pct"] / 100.0 * usd
    fl = eq.flows[["baseline", "counterfactual", "tariff"]].to_dataframe().reset_index()
    fl.insert(0, "year", year)
    if usd is not None:
        fl["change_usd_bn"] = (fl["counterfactual"] - fl["baseline"]) * usd
    return record, reg, out, fl


def finish_tables(
    name: str,
    region_rows: Sequence[pd.DataFrame],
    sector_rows: Sequence[pd.DataFrame],
    flow_rows: Sequence[pd.DataFrame],
    undefined: Sequence[tuple[str, str]],
    rule: str,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Concatenate the yearly rows, add the scenario and deficit-rule columns, check all is finite.

    Only the undefined self-sufficiency cells (``undefined``) may stay empty.
    """
    regions = pd.concat(region_rows, ignore_index=True)
    sectors = pd.concat(sector_rows, ignore_index=True)
    flows = pd.concat(flow_rows, ignore_index=True)
    for df in (regions, sectors, flows):
        df.insert(0, "scenario", name)
        df["deficits"] = rule  # the deficit rule, in every table (it changes every number)
    allowed = np.zeros(regions.shape, dtype=bool)
    for r, s in undefined:
        rows = (regions["region"] == r).to_numpy()
        for c in (f"self_sufficiency_{s}", f"self_sufficiency_{s}_baseline"):
            allowed[rows, regions.columns.get_loc(c)] = True
    _check_finite(regions, "regions table", ["scenario", "region", "year"], allowed=allowed)
    _check_finite(sectors, "sectors table", ["scenario", "region", "sector", "year"])
    _check_finite(flows, "flows table", ["scenario", "origin", "region", "product", "year"])
    return regions, sectors, flows


def engine_baseline(
    world: World,
    deficits: str,
    technology: Any = None,
    *,
    baseline: Any | None = None,
    tol: float = 1e-10,
    max_iter: int = 2000,
) -> Any:
    """The engine :class:`~tradewar.model.Baseline` every year of a run is relative to.

    The World's baseline; with the ``zero`` deficit rule, the World re-solved with zero
    deficits first (Caliendo and Parro's procedure). ``baseline``: a precomputed
    ``Baseline.from_world(world)``.
    """
    from tradewar.model import Baseline, Shock, solve

    base = baseline if baseline is not None else Baseline.from_world(world)
    if deficits == "zero":
        base = solve(
            base, Shock.none(base).with_deficits("zero"), tol=tol, max_iter=max_iter, technology=technology
        ).as_baseline()
    return base


@dataclass(frozen=True)
class RunSetup:
    """Everything a run needs before its first equilibrium, validated (see :func:`prepare_run`)."""

    scenario: Scenario
    world: World
    spec: str
    years: tuple[int, ...]
    chokes: tuple[str, ...]
    rule: str
    rule_from: str
    policies: dict[int, Any]
    shocks: dict[int, Any]
    technology: Any
    base: Any
    ss_base: pd.DataFrame | None
    undefined: list[tuple[str, str]]

    def result(
        self,
        regions: pd.DataFrame,
        sectors: pd.DataFrame,
        flows: pd.DataFrame,
        solver: Sequence[dict[str, Any]],
        **extra: Any,
    ) -> ScenarioRun:
        """The :class:`ScenarioRun` of this setup with its tables and solver records.

        ``extra``: the fields only some runs fill (the dynamic path's capacity, long run
        and settings).
        """
        return ScenarioRun(
            scenario=self.scenario,
            world=self.world,
            world_spec=self.spec,
            years=self.years,
            policies=self.policies,
            regions=regions,
            sectors=sectors,
            flows=flows,
            solver=tuple(solver),
            chokepoints=self.chokes,
            undefined_self_sufficiency=tuple(self.undefined),
            deficits=self.rule,
            deficits_from=self.rule_from,
            **extra,
        )


def prepare_run(
    scenario: str | Path | Scenario,
    world: str | World | None,
    years: Sequence[int] | str | None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    deficits: str | None = None,
    tol: float = 1e-10,
    max_iter: int = 2000,
    chokepoints: Sequence[str] | None = None,
    baseline: Any | None = None,
    world_options: Mapping[str, Any] | None = None,
) -> RunSetup:
    """Load and validate a run; see :func:`run_scenario` for the parameters.

    Nothing is solved but the zero-deficit baseline when the rule is ``zero``.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if isinstance(world, World):
        w, spec = world, world.meta.name
    else:
        from tradewar.world.load import load_world, world_spec_text

        spec = world_spec_text(str(world or sc.baseline), world_options)
        w = load_world(spec, data_dir=data_dir)
    yrs = parse_years(years) if years is not None else None
    yrs = yrs or scenario_years(sc)
    wanted = chokepoints if chokepoints is not None else CHOKEPOINT_SECTORS
    chokes = tuple(s for s in wanted if s in w.sectors)
    # validate and translate everything before solving anything
    rule = deficits or sc.deficits or DEFAULT_DEFICITS
    rule_from = "argument" if deficits else (sc.deficits_from or "default")
    if rule not in DEFICIT_RULES:
        raise ScenarioError(
            f"unknown deficit rule {rule!r}", field="deficits", expected=", ".join(DEFICIT_RULES)
        )
    policies = translate(sc, w, yrs)
    shocks = {y: policy_to_shock(policies[y], w, rule) for y in yrs}
    tech = scenario_technology(sc, w)
    base = engine_baseline(w, rule, tech, baseline=baseline, tol=tol, max_iter=max_iter)
    ss_base = _self_sufficiency(w, chokes) if chokes else None
    # self-sufficiency is undefined (0/0) where a region neither makes nor uses a product;
    # those cells stay empty, are listed in `undefined`, and are the only ones allowed so
    undefined: list[tuple[str, str]] = []
    if ss_base is not None:
        undefined = [(str(r), str(s)) for s in chokes for r in ss_base.index[ss_base[s].isna()]]

    return RunSetup(
        scenario=sc,
        world=w,
        spec=spec,
        years=tuple(yrs),
        chokes=chokes,
        rule=rule,
        rule_from=rule_from,
        policies=policies,
        shocks=shocks,
        technology=tech,
        base=base,
        ss_base=ss_base,
        undefined=undefined,
    )


def run_scenario(
    scenario: str | Path | Scenario = DEFAULT_SCENARIO,
    world: str | World | None = None,
    years: Sequence[int] | str | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    deficits: str | None = None,
    tol: float = 1e-10,
    max_iter: int = 2000,
    chokepoints: Sequence[str] | None = None,
    baseline: Any | None = None,
    dynamics: bool | None = None,
    default_dynamics: bool = False,
    world_options: Mapping[str, Any] | None = None,
) -> ScenarioRun:
    """Solve ``scenario`` on ``world`` for each of ``years``; see the module docstring.

    Parameters
    ----------
    scenario: a built-in name, a YAML path or a loaded :class:`~tradewar.policy.Scenario`.
    world: a World or a spec for :func:`tradewar.world.load.load_world`; default: the
        scenario's ``baseline`` (its own, else its includes', else ``default``).
    years: years to solve; default: the scenario's ``years``, else 2026-2030.
    data_dir: reference-data root for world specs such as ``cp2015``.
    progress: called as ``progress(label, done)`` after each solved year.
    deficits: the engine's deficit rule (``data``, ``fixed`` or ``zero``); default: the
        scenario's (its own, else its includes'), else :data:`DEFAULT_DEFICITS` (``data``).
        With ``zero`` the World is first re-solved with zero deficits (Caliendo and
        Parro's procedure) and every year is relative to that.
    tol, max_iter: solver settings.
    chokepoints: sectors whose self-sufficiency is reported (default
        :data:`CHOKEPOINT_SECTORS` present in the World).
    baseline: a precomputed :class:`tradewar.model.Baseline` of ``world`` (saves time
        when several scenarios run on one World).
    world_options: reader options for the World spec (e.g. ``{"year": 2000}``), merged
        over those written after ``?`` in the spec.
    dynamics: ``True``: the recursive-dynamic path of :func:`tradewar.runs.dynamic.run_dynamic`
        (capacity, investment, growing elasticities); ``False``: comparative statics year
        by year; ``None`` (default): the scenario's ``dynamics:`` key, else
        ``default_dynamics`` (the command line passes
        :data:`~tradewar.runs.result.DEFAULT_DYNAMICS`).

    Raises
    ------
    ScenarioError
        Anything wrong with the scenario; raised before any equilibrium is solved.
    ConvergenceError
        If the engine fails in some year (the message names the year).
    """
    from tradewar.errors import ConvergenceError
    from tradewar.model import solve

    loaded = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if dynamics is None:
        dynamics = loaded.dynamics.enabled if loaded.dynamics is not None else default_dynamics
    if dynamics:
        from tradewar.runs.dynamic import run_dynamic

        return run_dynamic(
            loaded,
            world,
            years,
            data_dir=data_dir,
            progress=progress,
            deficits=deficits,
            tol=tol,
            max_iter=max_iter,
            chokepoints=chokepoints,
            baseline=baseline,
            world_options=world_options,
        )
    setup = prepare_run(
        loaded,
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
    sc, yrs, chokes, rule = setup.scenario, setup.years, setup.chokes, setup.rule
    policies, shocks, tech, base = setup.policies, setup.shocks, setup.technology, setup.base
    ss_base, undefined = setup.ss_base, setup.undefined
    region_rows: list[pd.DataFrame] = []
    sector_rows: list[pd.DataFrame] = []
    flow_rows: list[pd.DataFrame] = []
    records: list[dict[str, Any]] = []
    for y in yrs:
        try:
            eq = solve(base, shocks[y], tol=tol, max_iter=max_iter, technology=tech)
        except ConvergenceError as err:
            raise err.within(f"scenario {sc.name!r}, year {y}", fix=deficit_advice(err, rule)) from None
        rec, reg, sec, fl = year_tables(eq, y, policies[y].active, tech, chokes, ss_base)
        records.append(rec)
        region_rows.append(reg)
        sector_rows.append(sec)
        flow_rows.append(fl)
        if progress is not None:
            progress(f"{sc.name} {y}", len(records))

    regions, sectors, flows = finish_tables(sc.name, region_rows, sector_rows, flow_rows, undefined, rule)
    return setup.result(regions, sectors, flows, records)


def deficit_advice(err: Any, rule: str) -> str | None:
    """A fix for a failed solve that the deficit rule ``zero`` would avoid, else None."""
    if rule != "zero" and "deficit rule 'zero'" in err.reason:
        return (
            "try the deficit rule zero (`deficits: zero` in the scenario file, "
            "`--deficits zero` on the command line)"
        )
    return None


def check_distinct_names(scenarios: Sequence[Scenario]) -> None:
    """Refuse two scenarios with the same name: the tables key their rows by it.

    Raises
    ------
    ScenarioError
        Naming the scenario and the files (the same file twice, or two files with one stem).
    """
    seen: dict[str, Scenario] = {}
    for sc in scenarios:
        if sc.name in seen:
            first = seen[sc.name]
            same = first.file == sc.file
            raise ScenarioError(
                f"scenario {sc.name!r} is given twice"
                + ("" if same else f" ({first.file} and {sc.file} have the same name)"),
                field="scenario",
                expected="each scenario once: the output tables have one set of rows per scenario name",
                fix="drop the repeated name" if same else "rename one of the files",
            )
        seen[sc.name] = sc


def run_scenarios(
    scenarios: Sequence[str | Path | Scenario] = DEFAULT_SCENARIOS,
    world: str | World | None = None,
    years: Sequence[int] | str | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    world_options: Mapping[str, Any] | None = None,
    **options: Any,
) -> list[ScenarioRun]:
    """Run several scenarios; all are loaded and validated before the first is solved.

    Scenarios without an explicit ``world`` that share a baseline share one loaded World
    and one engine :class:`~tradewar.model.Baseline`. ``world_options`` are reader
    options for every World spec (see :func:`run_scenario`). A scenario named twice is an
    error (its rows would be duplicated in every table).
    """
    from tradewar.model import Baseline
    from tradewar.world.load import load_world, world_spec_text

    loaded = [s if isinstance(s, Scenario) else load_scenario(s) for s in scenarios]
    if not loaded:
        raise ScenarioError("no scenario given", field="scenario", fix="name a scenario or a file")
    worlds: dict[str, tuple[World, Any]] = {}
    plans = []
    for sc in loaded:
        if isinstance(world, World):
            key = world.meta.name
            if key not in worlds:
                worlds[key] = (world, Baseline.from_world(world))
        else:
            key = world_spec_text(str(world or sc.baseline), world_options)
            if key not in worlds:
                w = load_world(key, data_dir=data_dir)
                worlds[key] = (w, Baseline.from_world(w))
        w, _ = worlds[key]
        yrs = parse_years(years) if years is not None else None
        translate(sc, w, yrs or scenario_years(sc))  # validate all scenarios before solving any
        plans.append((sc, key))
    check_distinct_names(loaded)
    runs = []
    done = 0

    def step(label: str, _: int) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(label, done)

    for sc, key in plans:
        w, base = worlds[key]
        run = run_scenario(sc, w, years, progress=step, baseline=base, **options)
        runs.append(replace(run, world_spec=key))
    return runs
