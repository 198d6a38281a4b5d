"""``tradewar run``: run scenarios year by year and write tables and the HTML report.

With no arguments it runs the conflict (``trade-war-2026``) and the industrial policies
(``industrial-policy-2026-2030``) side by side on the shipped default world for
2026-2030 and writes ``tradewar-out/``. With ``--draws N`` it runs one scenario (default
``trade-war-2026``) and also draws its uncertain parameters N times
(:func:`tradewar.runs.run_draws`, solved on ``--executor``), adding percentile columns,
``draws.parquet`` and the uncertainty charts.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from tradewar.cli._errors import fail
from tradewar.errors import ScenarioError, TradewarError
from tradewar.policy import load_scenario
from tradewar.report import render_report, summary_rich_table
from tradewar.runs import (
    DEFAULT_DYNAMICS,
    DEFAULT_SCENARIO,
    DEFAULT_SCENARIOS,
    check_distinct_names,
    check_out,
    decompose_run,
    parse_years,
    run_scenarios,
    scenario_years,
    write_outputs,
)
from tradewar.world.load import parse_option_items, stylized_notice
from tradewar.world.world import World


class DecomposeBy(StrEnum):
    """What contributions are reported for."""

    measure = "measure"
    group = "group"


class Executor(StrEnum):
    """Where draws and sweep points are solved."""

    local = "local"
    processes = "processes"
    dask = "dask"


class Sampler(StrEnum):
    """Designs of the draws in the unit cube."""

    lhs = "lhs"
    sobol = "sobol"


class Deficits(StrEnum):
    """The engine's rules for aggregate trade deficits."""

    data = "data"
    fixed = "fixed"
    zero = "zero"


def _year(world: World) -> str:
    return "not stated" if world.meta.year is None else str(world.meta.year)


def run(
    scenarios: Annotated[
        list[str] | None,
        typer.Argument(
            help="Built-in scenario names or YAML files (default: trade-war-2026 and "
            "industrial-policy-2026-2030, side by side). "
            "`tradewar scenarios list` shows the built-in ones.",
            show_default=False,
        ),
    ] = None,
    world: Annotated[
        str | None,
        typer.Option(
            "--world",
            "-w",
            help="World to run on: `default`, a bundle folder or FORMAT:PATH such as "
            "cp2015:../shared/data/cp2015_nafta (default: the scenario's baseline).",
        ),
    ] = None,
    years: Annotated[
        str | None,
        typer.Option("--years", "-y", help="Years, e.g. 2026-2030 (default: the scenario's years)."),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Output folder: created, or replaced atomically if it is empty or a previous run's "
            "output; anything else is refused unless --force.",
        ),
    ] = Path("tradewar-out"),
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace --out even if it is a file or a folder of other files."),
    ] = False,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Reference data root for data-set worlds (default ../shared/data)."),
    ] = None,
    world_option: Annotated[
        list[str] | None,
        typer.Option(
            "--world-option",
            help="Reader option of the world, KEY=VALUE (repeatable), e.g. --world-option year=2000; "
            "also writable in the spec: wiod-eu:PATH?year=2000.",
        ),
    ] = None,
    deficits: Annotated[
        Deficits | None,
        typer.Option(
            "--deficits",
            help="Deficit rule of the engine: data (deficits as in the World), fixed (share of world "
            "income) or zero (closed first). Default: the scenario's, else data.",
        ),
    ] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="Skip report.html.")] = False,
    draws: Annotated[
        int | None,
        typer.Option(
            "--draws",
            "-n",
            min=1,
            help="Also solve N draws of the uncertain parameters (theta by sector; magnitudes, "
            "returns and elasticities with a `range`) and report percentiles.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the draws (same seed, same numbers).")] = 0,
    sampler: Annotated[Sampler, typer.Option("--sampler", help="Design of the draws.")] = Sampler.lhs,
    executor: Annotated[
        Executor, typer.Option("--executor", help="Where draws are solved.")
    ] = Executor.local,
    workers: Annotated[
        int | None,
        typer.Option("--workers", min=1, help="Worker processes (default: the CPU cores)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Address of an existing Dask scheduler, tcp://HOST:PORT."),
    ] = None,
    fixed_theta: Annotated[
        bool, typer.Option("--fixed-theta", help="Hold theta at the World's values in the draws.")
    ] = False,
    dynamics: Annotated[
        bool | None,
        typer.Option(
            "--dynamics/--static",
            help="Recursive-dynamic path (capacity, investment, short-run trade elasticities "
            "rising to long-run ones, and the long-run steady state; docs/dynamics.md) or "
            "comparative statics year by year. Default: the scenario's `dynamics:` key, else "
            "dynamic, except with --decompose (which decomposes the static years).",
            show_default=False,
        ),
    ] = None,
    decompose: Annotated[
        DecomposeBy | None,
        typer.Option(
            "--decompose",
            help="Split every result into the contributions of each measure (or each scenario "
            "file: group) and write contributions.csv and a waterfall chart in the report.",
        ),
    ] = None,
) -> None:
    """Run trade-policy scenarios through the general-equilibrium model, year by year."""
    console = Console()
    err = Console(stderr=True, soft_wrap=True)
    if scheduler is not None and executor != Executor.dask:
        fail("a scheduler address needs the dask executor: add --executor dask")
    if draws is not None:
        from tradewar.cli.draws_cmd import run_with_draws

        if scenarios is not None and len(scenarios) != 1:
            fail("--draws runs one scenario at a time; name one")
        if decompose is not None:
            fail("--decompose and --draws do not combine; run them separately")
        if world_option:
            fail("--world-option does not combine with --draws; name a world that needs no options")
        if dynamics:
            fail("--draws follows the comparative-static path; drop --dynamics (or add --static)")
        run_with_draws(
            scenarios[0] if scenarios else DEFAULT_SCENARIO,
            world=world,
            years=years,
            out=out,
            data_dir=data_dir,
            deficits=deficits.value if deficits else None,
            no_report=no_report,
            draws=draws,
            seed=seed,
            sampler=sampler.value,
            executor=executor.value,
            workers=workers,
            scheduler=scheduler,
            theta=not fixed_theta,
            force=force,
        )
        return
    if scheduler is not None or executor != Executor.local:
        fail("--executor and --scheduler apply to --draws; add --draws N")
    names = scenarios or list(DEFAULT_SCENARIOS)
    try:
        check_out(out, force=force)
        if dynamics and decompose is not None:
            raise ScenarioError(
                "--decompose splits the static years; it cannot decompose a dynamic path",
                field="decompose",
                fix="add --static, or drop --decompose",
            )
        options = parse_option_items(world_option)
        yrs = parse_years(years)
        loaded = [load_scenario(n) for n in names]
        check_distinct_names(loaded)
        total = sum(len(yrs or scenario_years(sc)) for sc in loaded)
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task("loading the world", total=total)

            def progress(label: str, done: int) -> None:
                bar.update(task, completed=done, description=f"solved {label}")

            runs = run_scenarios(
                loaded,
                world,
                yrs,
                data_dir=data_dir,
                progress=progress,
                deficits=deficits.value if deficits else None,
                dynamics=dynamics,
                default_dynamics=DEFAULT_DYNAMICS and decompose is None,
                world_options=options,
            )
            decompositions = []
            if decompose is not None and any(r.is_dynamic for r in runs):
                raise ScenarioError(
                    "--decompose splits the static years; the scenario asks for a dynamic path",
                    field="decompose",
                    fix="add --static, or drop --decompose",
                )
            if decompose is not None:
                bar.update(task, completed=0, description="decomposing")
                for r in runs:
                    decompositions.append(decompose_run(r, by=decompose.value, progress=progress))
            bar.update(task, description="writing")
            html = None if no_report else render_report(runs, decompositions)
            dest = write_outputs(runs, out, report_html=html, decompositions=decompositions, force=force)
    except TradewarError as exc:
        fail(exc)
    for spec in dict.fromkeys(r.world_spec for r in runs):
        w = next(r.world for r in runs if r.world_spec == spec)
        console.print(
            f"world {spec!r} ({w.meta.name}): base year {_year(w)}, "
            f"{len(w.regions)} regions x {len(w.sectors)} sectors, {w.meta.unit}",
            markup=False,
            highlight=False,
        )
    notices = {n for n in (stylized_notice(r.world) for r in runs) if n}
    for notice in sorted(notices):
        console.print(notice, style="yellow", markup=False)
    for r in runs:
        idle = [str(rec["year"]) for rec in r.solver if not rec["measures_in_force"]]
        if idle:
            console.print(
                f"[yellow]note:[/yellow] no measure of {r.scenario.name!r} is in force in {', '.join(idle)}"
                " (those years equal the baseline)"
            )
    for r in runs:
        console.print(summary_rich_table(r))
    for d in decompositions:
        console.print(
            f"decomposed {d.scenario!r} by {d.by}: {len(d.names)} contributions per result, "
            f"largest sum error {d.max_sum_error():.1e} (relative)"
        )
    files = "regions.csv, sectors.csv, flows.parquet, summary.json"
    files += ", contributions.csv, contributions_flows.parquet" if decompositions else ""
    files += (
        ", capacity.csv, long_run_regions.csv, long_run_sectors.csv"
        if any(r.is_dynamic for r in runs)
        else ""
    )
    files += "" if no_report else ", report.html"
    console.print(f"wrote {files} to {dest}")
