"""``tradewar scenarios list|show|check``: the built-in scenario library and scenario files."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tradewar.cli._errors import user_errors
from tradewar.policy import library_names, load_scenario
from tradewar.report import measure_rows

app = typer.Typer(help="The built-in scenario library and scenario files.", no_args_is_help=True)


@app.command("list")
def list_() -> None:
    """List the built-in scenarios with their titles."""
    table = Table(title="Built-in scenarios")
    table.add_column("name")
    table.add_column("title")
    table.add_column("measures", justify="right")
    with user_errors():
        for name in library_names():
            sc = load_scenario(name)
            table.add_row(name, sc.title, str(len(sc.measures)))
    Console().print(table)


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="A built-in name or a YAML file.")],
    composed: Annotated[
        bool, typer.Option("--composed", help="Print the composed scenario (includes resolved) as YAML.")
    ] = False,
) -> None:
    """Show a scenario: the file as written, or with --composed the composed scenario."""
    with user_errors():
        sc = load_scenario(name)
    if composed:
        typer.echo(sc.to_yaml(), nl=False)
        return
    with open(sc.file, encoding="utf-8") as f:
        typer.echo(f.read(), nl=False)


@app.command("check")
def check(
    files: Annotated[list[str], typer.Argument(help="Scenario files or names to validate.")],
    world: Annotated[
        str | None,
        typer.Option("--world", "-w", help="Also check region and sector codes against this world."),
    ] = None,
    world_option: Annotated[
        list[str] | None,
        typer.Option("--world-option", help="reader option of --world, KEY=VALUE (repeatable)"),
    ] = None,
    data_dir: Annotated[
        str | None, typer.Option("--data-dir", help="reference data root for a FORMAT without a path")
    ] = None,
) -> None:
    """Validate scenario files (and their codes against a world) without running them."""
    console = Console()
    with user_errors():
        for f in files:
            sc = load_scenario(f)
            if world is not None:
                from tradewar.policy import check_against_world
                from tradewar.world.load import load_world, parse_option_items

                w = load_world(world, data_dir=data_dir, **parse_option_items(world_option))
                check_against_world(sc, w.regions, w.sectors)
            console.print(f"[green]ok[/green] {f}: {len(sc.measures)} measures")
            table = Table(show_lines=False)
            rows = measure_rows(sc)  # each measure's magnitudes over its own years
            for c in ("measure", "from", "type", "who", "sectors", "years", "magnitude"):
                table.add_column(c)
            for _, r in rows.iterrows():
                table.add_row(
                    *[str(r[c]) for c in ("measure", "from", "type", "who", "sectors", "years", "magnitude")]
                )
            console.print(table)
