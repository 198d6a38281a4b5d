"""Grids over named parameters: ``tradewar sweep SCENARIO --grid NAME=START:STOP:NUM ...``.

Each ``--grid`` names a settable number of the run (see
:func:`~tradewar.runs.parameters.named_parameter`: ``theta.<SECTOR>``, ``theta.scale``
(a factor on every theta), ``<measure>.magnitude``, ``<measure>.rate_of_return``,
``sigma``, ``epsilon``) and its
values: ``START:STOP:NUM`` (NUM evenly spaced values from START to STOP, both included, as
:func:`numpy.linspace`) or a list ``V1,V2,...``. Magnitudes are in the unit the scenario
writes them in; a phase-in is scaled so that its last number takes the value. Every value
is checked by the scenario's own validation before anything is solved.

The points are the Cartesian product of the grids (the last grid varies fastest); each is
solved year by year like a draw (:mod:`tradewar.runs.batch`, warm-started from its
solved neighbours) on any executor. The result, :class:`SweepRun`, is one long table: a
row per point, year and region with the grid values, the outcomes and ``converged``;
points without an equilibrium are counted and listed, never dropped.
"""

from __future__ import annotations

import itertools
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from tradewar.errors import ScenarioError
from tradewar.policy import Scenario, load_scenario
from tradewar.runs.batch import REGION_OUTCOMES
from tradewar.runs.draws import BATCH_SIZE, DRAW_TOL, batches_of, build_point_model
from tradewar.runs.executors import BatchProgress, map_batches
from tradewar.runs.parameters import Parameter, named_parameter, with_values
from tradewar.runs.result import DEFAULT_SCENARIO
from tradewar.runs.years import parse_years, scenario_years
from tradewar.world.world import World

#: Most points a sweep may have (a guard against a typo such as 0:100:1000 x 0:50:1000).
MAX_POINTS = 100_000

_GRID = re.compile(r"^\s*([^=\s]+)\s*=\s*(.+?)\s*$")


@dataclass(frozen=True)
class Grid:
    """One axis of a sweep: a parameter name and its values."""

    name: str
    values: tuple[float, ...]


def parse_grid(text: str) -> Grid:
    """``NAME=START:STOP:NUM`` or ``NAME=V1,V2,...`` -> :class:`Grid`.

    Raises
    ------
    ScenarioError
        If the text does not read as either form.
    """
    bad = ScenarioError(
        f"cannot read the grid {text!r}",
        field="grid",
        expected="NAME=START:STOP:NUM (NUM evenly spaced values, ends included) or NAME=V1,V2,...",
        fix="write e.g. --grid us-chip-controls.magnitude=0:100:11",
    )
    m = _GRID.match(text)
    if not m:
        raise bad
    name, spec = m.group(1), m.group(2)
    try:
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) != 3:
                raise bad
            start, stop, num = float(parts[0]), float(parts[1]), int(parts[2])
            if num < 1:
                raise bad
            values = tuple(float(v) for v in np.linspace(start, stop, num))
        else:
            values = tuple(float(v) for v in spec.split(","))
    except ValueError:
        raise bad from None
    if not values or not all(np.isfinite(values)):
        raise bad
    return Grid(name=name, values=values)


def check_value(param: Parameter, x: float, scenario: Scenario) -> None:
    """Raise :class:`ScenarioError` if ``param = x`` is not a valid scenario (same checks as a file)."""
    if param.kind == "theta":
        if not x > 0:
            raise ScenarioError(f"{param.name} = {x:g}", field=param.name, expected="a trade elasticity > 0")
        return
    sc = with_values(scenario, [param], [x])
    obj: Any = (
        sc.production[param.target] if param.kind == "elasticity" else sc.measures[param.target].measure
    )
    try:
        type(obj).model_validate(obj.model_dump(by_alias=True, exclude_none=True))
    except (ValidationError, ValueError) as err:
        detail = str(err.errors()[0]["msg"]) if isinstance(err, ValidationError) else str(err)
        detail = detail.removeprefix("Value error, ")
        detail = detail.split(": ", 1)[1] if detail.startswith("@") else detail
        detail = detail.split("; fix:")[0]
        raise ScenarioError(
            f"{param.name} = {x:g} is not a valid value: {detail}",
            field=param.name,
            fix="change the grid's range",
        ) from None


@dataclass(frozen=True)
class SweepRun:
    """The results of a sweep.

    Attributes
    ----------
    scenario, world, world_spec, years: what ran.
    grids: the axes, in order; parameters: the parameter of each axis.
    table: one row per point, year and region: ``point``, one column per grid (its
        name), ``year``, ``region``, the outcomes of
        :data:`~tradewar.runs.batch.REGION_OUTCOMES`, ``converged``.
    failures: one record per point without an equilibrium in some year.
    executor, workers, seconds: how it ran.
    """

    scenario: Scenario
    world: World
    world_spec: str
    years: tuple[int, ...]
    grids: tuple[Grid, ...]
    parameters: tuple[Parameter, ...]
    table: pd.DataFrame
    failures: tuple[dict[str, Any], ...]
    executor: str
    workers: int | None
    seconds: float

    @property
    def n_points(self) -> int:
        """Number of grid points."""
        return int(np.prod([len(g.values) for g in self.grids]))

    def summary(self) -> dict[str, Any]:
        """The content of the sweep's ``summary.json``."""
        from tradewar.runs.outputs import _versions

        return {
            "scenario": {
                "name": self.scenario.name,
                "title": self.scenario.title,
                "files": list(self.scenario.files),
            },
            "world": {"spec": self.world_spec, "regions": self.world.regions, "sectors": self.world.sectors},
            "stylized": self.world.meta.stylized,
            "years": list(self.years),
            "grids": [
                {"name": g.name, "values": list(g.values), **p.to_dict()}
                for g, p in zip(self.grids, self.parameters, strict=True)
            ],
            "points": self.n_points,
            "failed": len(self.failures),
            "failures": list(self.failures),
            "executor": self.executor,
            "workers": self.workers,
            "seconds": round(self.seconds, 3),
            "versions": _versions(),
        }


def run_sweep(
    scenario: str | Path | Scenario = DEFAULT_SCENARIO,
    grids: Sequence[Grid | str] = (),
    world: str | World | None = None,
    years: Sequence[int] | str | None = None,
    *,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    batch_size: int = BATCH_SIZE,
    tol: float = DRAW_TOL,
    data_dir: str | os.PathLike[str] | None = None,
    deficits: str | None = None,
    progress: BatchProgress | None = None,
) -> SweepRun:
    """Solve ``scenario`` at every point of the product of ``grids``; see the module docstring.

    Raises
    ------
    ScenarioError
        No grid, an unknown parameter name (with the names that exist), the same parameter
        twice, an invalid value, or more than :data:`MAX_POINTS` points; all before any solve.
    """
    sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    axes = [g if isinstance(g, Grid) else parse_grid(g) for g in grids]
    if not axes:
        raise ScenarioError(
            "a sweep needs at least one grid", field="grid", fix="add --grid NAME=START:STOP:NUM"
        )
    names = [g.name for g in axes]
    if len(set(names)) != len(names):
        raise ScenarioError("a parameter appears in two grids", field="grid", fix="give each parameter once")
    n_points = int(np.prod([len(g.values) for g in axes]))
    if n_points > MAX_POINTS:
        raise ScenarioError(f"{n_points} points", field="grid", expected=f"at most {MAX_POINTS}")
    if isinstance(world, World):
        w, spec = world, world.meta.name
    else:
        from tradewar.world.load import load_world

        spec = str(world or sc.baseline)
        w = load_world(spec, data_dir=data_dir)
    yrs = parse_years(years) if years is not None else None
    yrs = yrs or scenario_years(sc)
    rule = deficits or sc.deficits or "data"
    params = [named_parameter(n, sc, w) for n in names]
    for p, g in zip(params, axes, strict=True):
        for x in g.values:
            check_value(p, x, sc)
    # slopes of the policy map are taken at the grid value farthest from the central one
    scen = [(p, g) for p, g in zip(params, axes, strict=True) if p.kind != "theta"]
    probe = [_far(p, g.values) for p, g in scen]
    check = [_near(p, g.values, x) for (p, g), x in zip(scen, probe, strict=True)]
    params = [
        replace(p, low=min(min(g.values), p.central), high=max(max(g.values), p.central))
        for p, g in zip(params, axes, strict=True)
    ]
    points = np.array(list(itertools.product(*[g.values for g in axes])), dtype=float)
    t0 = time.perf_counter()
    model = build_point_model(sc, w, yrs, rule, params, tol=tol, probe=probe, check=check)
    ids = np.arange(len(points))
    results = map_batches(
        model,
        batches_of(ids, points, batch_size),
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        progress=progress,
    )
    seconds = time.perf_counter() - t0
    region = np.concatenate([r.region for r in results])
    conv = np.concatenate([r.converged for r in results])
    messages = [m for r in results for m in r.messages]
    P, Y, _, N = region.shape
    table = pd.DataFrame({"point": np.repeat(ids, Y * N)})
    for k, g in enumerate(axes):
        table[g.name] = np.repeat(points[:, k], Y * N)
    table["year"] = np.tile(np.repeat(np.asarray(yrs), N), P)
    table["region"] = np.tile(np.asarray(w.regions, dtype=object), P * Y)
    for o, name in enumerate(REGION_OUTCOMES):
        table[name] = region[:, :, o, :].reshape(-1)
    ok = conv.all(axis=1)
    table["converged"] = np.repeat(ok, Y * N)
    failures = tuple(
        {"point": int(i), "values": dict(zip(names, points[i].tolist(), strict=True)), "message": messages[i]}
        for i in np.flatnonzero(~ok)
    )
    return SweepRun(
        scenario=sc,
        world=w,
        world_spec=spec,
        years=tuple(yrs),
        grids=tuple(axes),
        parameters=tuple(params),
        table=table,
        failures=failures,
        executor=executor,
        workers=workers,
        seconds=seconds,
    )


def _far(p: Parameter, values: Sequence[float]) -> float:
    x = max(values, key=lambda v: abs(v - p.central))
    if x != p.central:
        return float(x)
    return p.central + (1.0 if p.kind != "elasticity" else 0.1)


def _near(p: Parameter, values: Sequence[float], probe: float) -> float:
    others = [v for v in values if v != probe]
    return float(others[0]) if others else p.central


def write_sweep(
    sweep: SweepRun,
    out_dir: str | os.PathLike[str],
    *,
    report_html: str | None = None,
    force: bool = False,
) -> Path:
    """Write ``sweep.parquet``, ``summary.json`` and the report into ``out_dir``.

    Written atomically into a run folder (:func:`tradewar.runs.outputs.write_folder`): an
    existing ``out_dir`` that is not a previous tradewar output is refused unless ``force``.
    """
    import json

    from tradewar.runs.outputs import write_folder

    def write(tmp: Path) -> None:
        sweep.table.to_parquet(tmp / "sweep.parquet", index=False)
        with open(tmp / "summary.json", "w", encoding="utf-8") as f:
            json.dump(sweep.summary(), f, indent=2, default=str)
            f.write("\n")
        if report_html is not None:
            (tmp / "report.html").write_text(report_html, encoding="utf-8")

    return write_folder(out_dir, write, force=force)
