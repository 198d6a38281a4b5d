"""``tradewar world info WORLD [--json | --csv]``: what a World holds and whether it balances.

WORLD is a shipped name (``default``), a bundle folder, or ``FORMAT:PATH`` (for example
``cp2015:../shared/data/cp2015_nafta``); see :func:`tradewar.world.load.load_world`.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tradewar.cli._errors import exclusive, user_errors
from tradewar.world.describe import describe_world, region_table, sector_table
from tradewar.world.load import FORMATS, SHIPPED, load_world, parse_option_items, stylized_notice

app = typer.Typer(help="Inspect baseline worlds.", no_args_is_help=True)


def _json_default(obj: Any) -> Any:
    if hasattr(obj, "item"):
        return obj.item()
    return str(obj)


@app.command("info")
def info(
    world: Annotated[
        str,
        typer.Argument(
            help=f"shipped name ({', '.join(SHIPPED)}), bundle folder, or FORMAT:PATH with FORMAT in "
            f"{', '.join(FORMATS)}"
        ),
    ],
    json_out: Annotated[bool, typer.Option("--json", help="write everything as JSON to stdout")] = False,
    csv: Annotated[
        bool, typer.Option("--csv", help="write the region x sector table (output, VA, trade) as CSV")
    ] = False,
    data_dir: Annotated[
        str | None, typer.Option("--data-dir", help="reference data root for a FORMAT without a path")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--world-option",
            "--option",
            "-o",
            help="reader option KEY=VALUE (repeatable), e.g. --world-option year=2000; or WORLD?year=2000",
        ),
    ] = None,
) -> None:
    """Regions, sectors, totals, provenance and account checks of WORLD."""
    exclusive(csv=csv, json_out=json_out)
    with user_errors():
        w = load_world(world, data_dir=data_dir, **parse_option_items(option))
        described = describe_world(w)
    notice = stylized_notice(w)
    if notice:
        Console(stderr=csv or json_out, soft_wrap=True).print(notice, markup=False)
    if json_out:
        sys.stdout.write(json.dumps(described, indent=2, default=_json_default) + "\n")
    elif csv:
        long = (
            w.gross_output.to_dataframe(name="gross_output")
            .join(w.value_added.to_dataframe(name="value_added"))
            .join(w.exports.rename({"product": "sector"}).to_dataframe(name="exports"))
            .join(w.imports.rename({"product": "sector"}).to_dataframe(name="imports"))
        )
        long.to_csv(sys.stdout, float_format="%.10g")
    else:
        _print(w, described)
    if not all(c["ok"] for c in described["account_checks"]):
        raise typer.Exit(1)


def _num(v: float) -> str:
    """Thousands separators for large values, three significant digits for small ones."""
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def _print(w: Any, d: dict[str, Any]) -> None:
    out = Console()
    unit = d["unit"]
    out.print(f"[bold]World {d['name']!r}[/bold]: {d['n_regions']} regions x {d['n_sectors']} sectors")
    out.print(f"source: {d['source']}", markup=False)
    out.print(f"year {d['year']}, values in {unit} at basic prices", markup=False)

    totals = Table(title=f"Totals ({unit})", title_justify="left")
    totals.add_column("account")
    totals.add_column("value", justify="right")
    for k, v in d["totals"].items():
        totals.add_row(k.replace("_", " "), _num(v))
    out.print(totals)

    short = {
        "value_added": "VA",
        "gross_output": "output",
        "exports": "exports",
        "imports": "imports",
        "deficit": "deficit",
        "tariff_revenue": "tariff rev.",
    }
    wide = out.width >= 110
    regions = Table(title=f"Regions ({unit})", title_justify="left")
    rt = region_table(w)
    regions.add_column("region", style="bold", no_wrap=True, min_width=3)
    if wide:
        regions.add_column("name", overflow="ellipsis", no_wrap=True, max_width=28)
    for c in rt.columns[1:]:
        regions.add_column(short.get(c, c), justify="right", no_wrap=True)
    for code, row in rt.iterrows():
        name = [str(row["name"])] if wide else []
        regions.add_row(str(code), *name, *(_num(row[c]) for c in rt.columns[1:]))
    out.print(regions)

    sectors = Table(title=f"Sectors ({unit})", title_justify="left")
    st = sector_table(w)
    sectors.add_column("sector", style="bold", no_wrap=True, min_width=3)
    sectors.add_column("name", overflow="fold", min_width=12)
    for c in st.columns[1:]:
        sectors.add_column(short.get(c, c), justify="right", no_wrap=True)
    for code, row in st.iterrows():
        cells = [_num(row[c]) if c != "theta" else f"{row[c]:.3g}" for c in st.columns[1:]]
        sectors.add_row(str(code), str(row["name"]), *cells)
    out.print(sectors)

    prov = Table(title="Provenance", title_justify="left", show_header=False)
    prov.add_column("item", style="bold")
    prov.add_column("detail", overflow="fold")
    shares = ", ".join(f"{k} {100 * v:.0f} %" for k, v in d["imputed_share"].items())
    prov.add_row("imputed cells", shares)
    prov.add_row("tariff layers", ", ".join(d["tariff_layers"]) or "none")
    for note in d["notes"]:
        prov.add_row("note", note)
    out.print(prov)

    checks = Table(title="Account checks", title_justify="left")
    for col in ("check", "measure", "value", "tolerance", "status"):
        checks.add_column(col, justify="right" if col in ("value", "tolerance") else "left")
    for c in d["account_checks"]:
        status = "[green]ok[/green]" if c["ok"] else "[red]FAILED[/red]"
        checks.add_row(c["check"], c["measure"], f"{c['value']:.3g}", f"{c['tolerance']:.0e}", status)
    out.print(checks)
