"""Run scenarios year by year through the GE engine and assemble time series.

For a scenario and a World, each year y of the run is one counterfactual equilibrium of
the engine (:func:`tradewar.model.solve`) **against the same baseline**: the policy state
of year y (see :mod:`tradewar.policy.shocks`) is a Shock relative to the World, so the
results of 2028 are "the world of the base year with the measures in force in 2028", a
comparative-static path rather than a dynamic model.

Outputs (:func:`write_outputs`, written atomically: files go to a hidden temporary
folder that is renamed into place only when everything is written):

``regions.csv``
    scenario, region, year, welfare_pct (exact real-income change), real_wage_pct,
    terms_of_trade_pct, volume_of_trade_pct (Caliendo-Parro eq. 16 terms),
    tot_plus_vot_pct, and ``self_sufficiency_<SECTOR>`` (domestic output / domestic use
    in the counterfactual) with ``..._baseline`` for each chokepoint sector of the World;
    empty where a region neither makes nor uses the product (listed in summary.json).
``sectors.csv``
    scenario, region, sector, year, output_change_pct (real), output_value_change_pct,
    price_change_pct, output_before, output_after.
``flows.parquet``
    scenario, year, origin, region, product, baseline, counterfactual (net of tariffs,
    World units), tariff (counterfactual, fraction).
``summary.json``
    scenarios (composed measures, sources, assumptions), world (spec and provenance),
    years, the solver record per year, package versions.
``report.html``
    the self-contained report (see :mod:`tradewar.report.html`).

No NaN or infinite number reaches these files: the tables are checked and a
:class:`~tradewar.errors.ModelError` is raised instead. The one exception is documented
above: undefined self-sufficiency (0/0) is an empty cell, never a number.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tradewar.errors import ModelError, ScenarioError
from tradewar.policy import (
    Scenario,
    YearPolicy,
    load_scenario,
    policy_to_shock,
    scenario_technology,
    translate,
)
from tradewar.world.world import World

#: The scenario `tradewar run` runs without arguments.
DEFAULT_SCENARIO = "trade-war-2026"
#: The World it runs on.
DEFAULT_WORLD = "default"
#: Years run when neither the command line nor the scenario says.
DEFAULT_YEARS = (2026, 2027, 2028, 2029, 2030)
#: Sectors whose self-sufficiency is reported, where the World has them.
CHOKEPOINT_SECTORS = ("CRM", "SEM", "SME")
#: Columns of regions.csv besides self-sufficiency.
REGION_COLUMNS = (
    "welfare_pct",
    "real_wage_pct",
    "terms_of_trade_pct",
    "volume_of_trade_pct",
    "tot_plus_vot_pct",
)

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class ScenarioRun:
    """Results of one scenario over the years of a run.

    Attributes
    ----------
    scenario: the composed scenario.
    world: the World it ran on; ``world_spec`` how it was named.
    years: the years solved.
    policies: the policy state of each year.
    regions, sectors, flows: long tables (see the module docstring).
    solver: one record per year (converged, iterations, residual, seconds, method, checks).
    chokepoints: the chokepoint sectors reported.
    undefined_self_sufficiency: (region, sector) pairs that neither make nor use the
        product (0/0): their self-sufficiency cells are empty.
    deficits: the deficit rule the engine used.
    """

    scenario: Scenario
    world: World
    world_spec: str
    years: tuple[int, ...]
    policies: dict[int, YearPolicy]
    regions: pd.DataFrame
    sectors: pd.DataFrame
    flows: pd.DataFrame
    solver: tuple[dict[str, Any], ...]
    chokepoints: tuple[str, ...]
    undefined_self_sufficiency: tuple[tuple[str, str], ...] = ()
    deficits: str = "data"

    def summary_table(self, year: int | None = None) -> pd.DataFrame:
        """Regions in ``year`` (default: the last) with the headline columns."""
        y = self.years[-1] if year is None else year
        cols = ["region", *REGION_COLUMNS[:4], *[f"self_sufficiency_{s}" for s in self.chokepoints]]
        return self.regions.loc[self.regions["year"] == y, cols].reset_index(drop=True)


def parse_years(text: str | Sequence[int] | None) -> tuple[int, ...] | None:
    """``"2026-2030"``, ``"2027"``, ``"2026,2028"`` or a sequence -> sorted years (None stays None)."""
    if text is None:
        return None
    if not isinstance(text, str):
        years = sorted({int(y) for y in text})
    else:
        years = []
        try:
            for part in text.replace(" ", "").split(","):
                if "-" in part:
                    a, b = part.split("-", 1)
                    years.extend(range(int(a), int(b) + 1))
                elif part:
                    years.append(int(part))
        except ValueError:
            years = []
        years = sorted(set(years))
    if not years or years[0] < 1900 or years[-1] > 2200:
        raise ScenarioError(
            f"cannot read years {text!r}",
            field="years",
            expected="a range such as 2026-2030, a year, or a comma-separated list",
            fix="write e.g. --years 2026-2030",
        )
    return tuple(years)


def scenario_years(scenario: Scenario) -> tuple[int, ...]:
    """The years a scenario runs by default: its ``years``, else :data:`DEFAULT_YEARS`.

    An open-ended ``years`` (``2026-``) runs to the last of :data:`DEFAULT_YEARS`.
    """
    if scenario.years is None:
        return DEFAULT_YEARS
    end = scenario.years.end
    if end is None:
        end = max(DEFAULT_YEARS[-1], scenario.years.start)
    return tuple(range(scenario.years.start, end + 1))


def _json_value(v: Any) -> Any:
    """A plain JSON value: NumPy scalars as Python ones, non-finite floats as None."""
    v = v.item() if hasattr(v, "item") else v
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("tradewar", "numpy", "scipy", "pandas", "xarray", "pydantic", "plotly", "pyarrow"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


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
) -> ScenarioRun:
    """Solve ``scenario`` on ``world`` for each of ``years``; see the module docstring.

    Parameters
    ----------
    scenario: a built-in name, a YAML path or a loaded :class:`~tradewar.policy.Scenario`.
    world: a World or a spec for :func:`tradewar.world.load.load_world`; default: the
        scenario's ``baseline`` (normally ``default``).
    years: years to solve; default: the scenario's ``years``, else 2026-2030.
    data_dir: reference-data root for world specs such as ``cp2015``.
    progress: called as ``progress(label, done)`` after each solved year.
    deficits: the engine's deficit rule (``data``, ``fixed`` or ``zero``); default: the
        scenario's, else ``data``. With ``zero`` the World is first re-solved with zero
        deficits (Caliendo and Parro's procedure) and every year is relative to that.
    tol, max_iter: solver settings.
    chokepoints: sectors whose self-sufficiency is reported (default
        :data:`CHOKEPOINT_SECTORS` present in the World).
    baseline: a precomputed :class:`tradewar.model.Baseline` of ``world`` (saves time
        when several scenarios run on one World).

    Raises
    ------
    ScenarioError
        Anything wrong with the scenario; raised before any equilibrium is solved.
    ConvergenceError
        If the engine fails in some year (the message names the year).
    """
    from tradewar.errors import ConvergenceError
    from tradewar.model import Baseline, solve

    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if isinstance(world, World):
        w, spec = world, world.meta.name
    else:
        from tradewar.world.load import load_world

        spec = str(world or sc.baseline)
        w = load_world(spec, data_dir=data_dir)
    yrs = parse_years(years) if years is not None else None
    yrs = yrs or scenario_years(sc)
    wanted = chokepoints if chokepoints is not None else CHOKEPOINT_SECTORS
    chokes = tuple(s for s in wanted if s in w.sectors)
    # validate and translate everything before solving anything
    rule = deficits or sc.deficits or "data"
    if rule not in ("data", "fixed", "zero"):
        raise ScenarioError(
            f"unknown deficit rule {rule!r}", field="deficits", expected="data, fixed or zero"
        )
    policies = translate(sc, w, yrs)
    shocks = {y: policy_to_shock(policies[y], w, rule) for y in yrs}
    tech = scenario_technology(sc, w)
    base = baseline if baseline is not None else Baseline.from_world(w)
    if rule == "zero":
        from tradewar.model import Shock

        base = solve(
            base, Shock.none(base).with_deficits("zero"), tol=tol, max_iter=max_iter, technology=tech
        ).as_baseline()
    ss_base = _self_sufficiency(w, chokes) if chokes else None
    # self-sufficiency is undefined (0/0) where a region neither makes nor uses a product;
    # those cells stay empty, are listed in `undefined`, and are the only ones allowed so
    undefined: list[tuple[str, str]] = []
    if ss_base is not None:
        undefined = [(str(r), str(s)) for s in chokes for r in ss_base.index[ss_base[s].isna()]]

    region_rows: list[pd.DataFrame] = []
    sector_rows: list[pd.DataFrame] = []
    flow_rows: list[pd.DataFrame] = []
    records: list[dict[str, Any]] = []
    for y in yrs:
        try:
            eq = solve(base, shocks[y], tol=tol, max_iter=max_iter, technology=tech)
        except ConvergenceError as err:
            raise ConvergenceError(
                f"scenario {sc.name!r}, year {y}: {err.message}",
                residual=err.residual,
                iterations=err.iterations,
                tolerance=err.tolerance,
            ) from None
        rec = eq.solver
        records.append(
            {
                "year": y,
                "converged": bool(rec.converged),
                "iterations": int(rec.iterations),
                "residual": float(rec.residual),
                "seconds": float(rec.seconds),
                "method": str(rec.method),
                "checks": {k: float(v) for k, v in dict(getattr(rec, "checks", {}) or {}).items()},
                "measures_in_force": list(policies[y].active),
                "technology": "Cobb-Douglas" if tech is None else repr(tech),
                # wedges of bans (limit 0) are infinite: written as null with ban = true
                "quotas": [
                    {
                        **{k: _json_value(v) for k, v in row.items()},
                        "ban": bool(row["limit"] == 0.0),
                    }
                    for row in eq.quotas.to_dict(orient="records")
                ],
            }
        )
        reg = eq.regions.reset_index()[["region", *REGION_COLUMNS]].copy()
        reg.insert(1, "year", y)
        if chokes:
            assert ss_base is not None
            ss = _self_sufficiency(eq.counterfactual_world(), chokes)
            for s in chokes:
                reg[f"self_sufficiency_{s}"] = ss[s].reindex(reg["region"]).to_numpy()
                reg[f"self_sufficiency_{s}_baseline"] = ss_base[s].reindex(reg["region"]).to_numpy()
        region_rows.append(reg)
        sec = eq.sectors.reset_index()
        zero = sec["output_before"] <= 0
        out = pd.DataFrame(
            {
                "region": sec["region"],
                "sector": sec["sector"],
                "year": y,
                # a sector with no output before has none after (no entry in the model): 0 %
                "output_change_pct": sec["output_change_pct"].where(~zero, 0.0),
                "output_value_change_pct": sec["output_value_change_pct"].where(~zero, 0.0),
                "price_change_pct": 100.0 * (sec["price_hat"] - 1.0),
                "output_before": sec["output_before"],
                "output_after": sec["output_after"],
            }
        )
        sector_rows.append(out)
        fl = eq.flows[["baseline", "counterfactual", "tariff"]].to_dataframe().reset_index()
        fl.insert(0, "year", y)
        flow_rows.append(fl)
        if progress is not None:
            progress(f"{sc.name} {y}", len(records))

    regions = pd.concat(region_rows, ignore_index=True)
    sectors = pd.concat(sector_rows, ignore_index=True)
    flows = pd.concat(flow_rows, ignore_index=True)
    for df in (regions, sectors, flows):
        df.insert(0, "scenario", sc.name)
    allowed = np.zeros(regions.shape, dtype=bool)
    for r, s in undefined:
        rows = (regions["region"] == r).to_numpy()
        for c in (f"self_sufficiency_{s}", f"self_sufficiency_{s}_baseline"):
            allowed[rows, regions.columns.get_loc(c)] = True
    _check_finite(regions, "regions table", ["scenario", "region", "year"], allowed=allowed)
    _check_finite(sectors, "sectors table", ["scenario", "region", "sector", "year"])
    _check_finite(flows, "flows table", ["scenario", "origin", "region", "product", "year"])
    return ScenarioRun(
        scenario=sc,
        world=w,
        world_spec=spec,
        years=tuple(yrs),
        policies=policies,
        regions=regions,
        sectors=sectors,
        flows=flows,
        solver=tuple(records),
        chokepoints=chokes,
        undefined_self_sufficiency=tuple(undefined),
        deficits=rule,
    )


def run_scenarios(
    scenarios: Sequence[str | Path | Scenario] = (DEFAULT_SCENARIO,),
    world: str | World | None = None,
    years: Sequence[int] | str | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> list[ScenarioRun]:
    """Run several scenarios; all are loaded and validated before the first is solved.

    Scenarios without an explicit ``world`` that share a baseline share one loaded World
    and one engine :class:`~tradewar.model.Baseline`.
    """
    from tradewar.model import Baseline
    from tradewar.world.load import load_world

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
            key = str(world or sc.baseline)
            if key not in worlds:
                w = load_world(key, data_dir=data_dir)
                worlds[key] = (w, Baseline.from_world(w))
        w, _ = worlds[key]
        yrs = parse_years(years) if years is not None else None
        translate(sc, w, yrs or scenario_years(sc))  # validate all scenarios before solving any
        plans.append((sc, key))
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
        runs.append(dataclass_replace_spec(run, key))
    return runs


def dataclass_replace_spec(run: ScenarioRun, spec: str) -> ScenarioRun:
    """The run with ``world_spec`` set to how the user named the World."""
    from dataclasses import replace

    return replace(run, world_spec=spec)


def summary_dict(runs: Sequence[ScenarioRun]) -> dict[str, Any]:
    """The content of ``summary.json``."""
    first = runs[0]
    return {
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "years": list(first.years),
        "world": {
            "spec": first.world_spec,
            "regions": first.world.regions,
            "sectors": first.world.sectors,
            "stylized": first.world.meta.stylized,
            "meta": first.world.meta.to_dict(),
        },
        "chokepoint_sectors": list(first.chokepoints),
        "scenarios": [
            {
                "name": r.scenario.name,
                "title": r.scenario.title,
                "description": r.scenario.description,
                "files": list(r.scenario.files),
                "assumptions": list(r.scenario.assumptions),
                "composed": r.scenario.to_dict(),
                "world": r.world_spec,
                "deficits": r.deficits,
                "solver": list(r.solver),
                "self_sufficiency_undefined": [
                    {"region": reg, "sector": sec, "reason": "neither makes nor uses the product"}
                    for reg, sec in r.undefined_self_sufficiency
                ],
            }
            for r in runs
        ],
        "versions": _versions(),
    }


def write_outputs(
    runs: Sequence[ScenarioRun], out_dir: str | os.PathLike[str], *, report: bool = True
) -> Path:
    """Write the output folder for ``runs`` atomically; see the module docstring.

    The files are written into a hidden temporary folder next to ``out_dir`` that is
    renamed to ``out_dir`` at the end; an existing ``out_dir`` is replaced only then. An
    interruption leaves ``out_dir`` as it was (and no half-written folder).
    """
    if not runs:
        raise ScenarioError("nothing to write: no scenario was run", field="scenario")
    dest = Path(out_dir).resolve()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes 0700; the result is an ordinary folder
    old: Path | None = None
    try:
        regions = pd.concat([r.regions for r in runs], ignore_index=True)
        sectors = pd.concat([r.sectors for r in runs], ignore_index=True)
        flows = pd.concat([r.flows for r in runs], ignore_index=True)
        regions.to_csv(tmp / "regions.csv", index=False, float_format="%.10g")
        sectors.to_csv(tmp / "sectors.csv", index=False, float_format="%.10g")
        flows.to_parquet(tmp / "flows.parquet", index=False)
        with open(tmp / "summary.json", "w", encoding="utf-8") as f:
            json.dump(summary_dict(runs), f, indent=2, default=str)
            f.write("\n")
        if report:
            from tradewar.report import render_report

            (tmp / "report.html").write_text(render_report(runs), encoding="utf-8")
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
            old.rmdir()
            dest.rename(old)
        tmp.rename(dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists() and not dest.exists():
            old.rename(dest)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return dest
