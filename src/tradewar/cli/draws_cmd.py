"""``tradewar run --draws`` and ``tradewar sweep``: uncertainty bands and parameter grids.

``tradewar sweep SCENARIO --grid NAME=START:STOP:NUM [--grid ...]`` solves the scenario
at every point of the grids and writes ``sweep.parquet``, ``summary.json`` and a report
with heatmaps (see :mod:`tradewar.runs.sweep`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tradewar.cli._errors import fail
from tradewar.cli.run_cmd import Deficits, Executor
from tradewar.errors import TradewarError
from tradewar.report import render_report, render_sweep_report
from tradewar.runs import (
    DEFAULT_SCENARIO,
    DrawsRun,
    check_out,
    run_draws,
    run_sweep,
    write_outputs,
    write_sweep,
)
from tradewar.world.load import stylized_notice

#: Failed draws or points listed on the terminal (all are in summary.json).
SHOWN_FAILURES = 10


def _bar(console: Console) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _band_table(dr: DrawsRun) -> Table:
    run = dr.run
    last = run.years[-1]
    t = Table(title=f"{run.scenario.name}, {last}: welfare % (central and {dr.n} draws)")
    for c in ("region", "central", "p5", "p50", "p95", "mean"):
        t.add_column(c, justify="left" if c == "region" else "right")
    reg = run.regions[run.regions["year"] == last]
    for _, r in reg.iterrows():
        t.add_row(
            str(r["region"]),
            *[
                f"{r[c]:+.3f}"
                for c in ("welfare_pct", "welfare_pct_p5", "welfare_pct_p50", "welfare_pct_p95")
            ],
            f"{r['welfare_pct_mean']:+.3f}",
        )
    return t


def _failures(console: Console, what: str, failures: tuple[dict[str, object], ...], total: int) -> None:
    if not failures:
        console.print(f"all {total} {what} converged")
        return
    console.print(
        f"[yellow]warning:[/yellow] {len(failures)} of {total} {what} found no equilibrium; they are "
        "excluded from the percentiles and listed in summary.json:"
    )
    for f in failures[:SHOWN_FAILURES]:
        key = "draw" if "draw" in f else "point"
        console.print(f"  {key} {f[key]}: {f['message']}")
    if len(failures) > SHOWN_FAILURES:
        console.print(f"  ... and {len(failures) - SHOWN_FAILURES} more")


def run_with_draws(
    scenario: str,
    *,
    world: str | None,
    years: str | None,
    out: Path,
    data_dir: Path | None,
    deficits: str | None,
    no_report: bool,
    draws: int,
    seed: int,
    sampler: str,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    theta: bool,
    force: bool = False,
) -> None:
    """The ``--draws`` branch of ``tradewar run``."""
    console = Console()
    err = Console(stderr=True, soft_wrap=True)
    try:
        check_out(out, force=force)
        with _bar(err) as bar:
            task = bar.add_task("central run", total=draws)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, description="draws")

            dr = run_draws(
                scenario,
                world,
                years,
                draws=draws,
                seed=seed,
                sampler=sampler,
                executor=executor,
                workers=workers,
                scheduler=scheduler,
                theta=theta,
                data_dir=data_dir,
                deficits=deficits,
                progress=progress,
            )
            bar.update(task, description="writing")
            html = None if no_report else render_report([dr.run], draws=[dr])
            dest = write_outputs(
                [dr.run],
                out,
                report_html=html,
                tables={"draws.parquet": dr.draws},
                summary={"draws": dr.summary()},
                force=force,
            )
    except TradewarError as exc:
        fail(exc)
    notice = stylized_notice(dr.run.world)
    if notice:
        console.print(notice, style="yellow", markup=False)
    console.print(
        "[yellow]note:[/yellow] draws follow the comparative-static path (every year against the "
        "base year), not the recursive-dynamic one"
    )
    console.print(_band_table(dr))
    console.print(
        f"{dr.n} draws of {len(dr.parameters)} parameters ({sampler}, seed {seed}) on {executor} "
        f"in {dr.seconds:.1f} s"
    )
    _failures(console, "draws", dr.failures, dr.n)
    files = "regions.csv, sectors.csv, flows.parquet, draws.parquet, summary.json"
    console.print(f"wrote {files}{'' if no_report else ', report.html'} to {dest}")


def sweep(
    scenario: Annotated[
        str,
        typer.Argument(help="A built-in scenario name or a YAML file."),
    ] = DEFAULT_SCENARIO,
    grid: Annotated[
        list[str] | None,
        typer.Option(
            "--grid",
            "-g",
            help="NAME=START:STOP:NUM (NUM values, ends included) or NAME=V1,V2,...; NAME is "
            "theta.<SECTOR>, theta.scale, <measure>.magnitude, <measure>.rate_of_return, sigma or "
            "epsilon. Repeat for more axes.",
        ),
    ] = None,
    world: Annotated[str | None, typer.Option("--world", "-w", help="World to run on.")] = None,
    years: Annotated[str | None, typer.Option("--years", "-y", help="Years, e.g. 2026-2030.")] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Output folder: created, or replaced atomically if it is a previous tradewar "
            "output; anything else is refused unless --force.",
        ),
    ] = Path("tradewar-sweep"),
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Reference data root.")] = None,
    deficits: Annotated[Deficits | None, typer.Option("--deficits", help="Deficit rule.")] = None,
    executor: Annotated[
        Executor, typer.Option("--executor", help="Where points are solved.")
    ] = Executor.local,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Worker processes.")] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Existing Dask scheduler, tcp://HOST:PORT.")
    ] = None,
    no_report: Annotated[bool, typer.Option("--no-report", help="Skip report.html.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace --out even if it is a file or a folder of other files.")
    ] = False,
) -> None:
    """Solve a scenario over grids of parameters or measure magnitudes; one Parquet table, heatmaps."""
    console = Console()
    err = Console(stderr=True, soft_wrap=True)
    if not grid:
        fail("give at least one --grid NAME=START:STOP:NUM")
    if scheduler is not None and executor != Executor.dask:
        fail("--scheduler needs --executor dask")
    try:
        check_out(out, force=force)
        with _bar(err) as bar:
            task = bar.add_task("setting up", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total, description="points")

            sw = run_sweep(
                scenario,
                grid,
                world,
                years,
                executor=executor.value,
                workers=workers,
                scheduler=scheduler,
                data_dir=data_dir,
                deficits=deficits.value if deficits else None,
                progress=progress,
            )
            html = None if no_report else render_sweep_report(sw)
            dest = write_sweep(sw, out, report_html=html, force=force)
    except TradewarError as exc:
        fail(exc)
    console.print(f"{sw.n_points} points x {len(sw.years)} years on {executor.value} in {sw.seconds:.1f} s")
    _failures(console, "points", sw.failures, sw.n_points)
    console.print(f"wrote sweep.parquet, summary.json{'' if no_report else ', report.html'} to {dest}")
