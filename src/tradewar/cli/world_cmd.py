"""``tradewar world``: inspect, build and download baseline worlds.

* ``world info WORLD [--json | --csv] [--calibration]``: what a World holds and whether it
  balances; ``--calibration`` prints its calibration report instead (every observed
  target with the World's value, the observed value, the error and the source).
  WORLD is a shipped name (``default``), a bundle folder, or ``FORMAT:PATH`` (for example
  ``cp2015:../shared/data/cp2015_nafta``); see :func:`tradewar.world.load.load_world`.
* ``world build SOURCE --regions MAP --sectors MAP [--trade HS6] --out BUNDLE``: a bundle
  from a source table (:mod:`tradewar.world.build`).
* ``world download-oecd YEAR --to DIR``: the OECD ICIO 2023 table of a year
  (:mod:`tradewar.world.download`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tradewar.cli._errors import exclusive, user_errors
from tradewar.world.build import (
    CALIBRATION_FILE,
    DEFAULT_SERVICES,
    build_world,
    check_output_folder,
    write_build,
)
from tradewar.world.calibration import calibration_summary
from tradewar.world.describe import describe_world, region_table, sector_table
from tradewar.world.load import (
    FORMATS,
    SHIPPED,
    calibration_report_path,
    load_world,
    parse_option_items,
    stylized_notice,
)

app = typer.Typer(help="Inspect, build and download baseline worlds.", no_args_is_help=True)


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
    calibration: Annotated[
        bool,
        typer.Option(
            "--calibration",
            help="print the calibration report (observed targets, the World's values, errors, "
            "sources); with --csv as CSV",
        ),
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
    if calibration:
        exclusive(calibration=calibration, json_out=json_out)
        _calibration(world, csv=csv)
        return
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


def _calibration(spec: str, *, csv: bool) -> None:
    """Print the calibration report of ``spec`` (rich table, or CSV to stdout)."""
    import pandas as pd

    with user_errors():
        path = calibration_report_path(spec)
        table = pd.read_csv(path)
    if csv:
        table.to_csv(sys.stdout, index=False, float_format="%.6g")
        return
    out = Console()
    out.print(f"[bold]Calibration of {spec!r}[/bold] ({path})", highlight=False)
    out.print(calibration_summary(table), markup=False, highlight=False)
    grid = Table(title="Observed targets (error = world - observed)", title_justify="left")
    wide = out.width >= 150  # narrow terminals: no description and source columns
    cols = [("key", "left"), ("what", "left"), ("world", "right"), ("observed", "right"), ("unit", "left")]
    cols += [("error %", "right"), ("tolerance", "right"), ("", "left"), ("source", "left")]
    shown = [c for c in cols if wide or c[0] not in ("what", "source")]
    for col, just in shown:
        grid.add_column(
            col,
            justify=just,  # type: ignore[arg-type]
            overflow="fold" if col == "what" else "ellipsis",
            no_wrap=col != "what",
            min_width=26 if col == "key" else None,
            max_width=40 if col == "source" else None,
        )
    for row in table.itertuples(index=False):
        tol = f"{100 * row.tolerance:.3g} %" if row.unit != "fraction" else f"{row.tolerance:.3g}"
        cells = {
            "key": str(row.key),
            "what": str(row.what),
            "world": _num(float(row.world)),
            "observed": _num(float(row.observed)),
            "unit": str(row.unit),
            "error %": f"{float(row.error_pct):+.2f}",
            "tolerance": tol,
            "": "[green]ok[/green]" if bool(row.within) else "[red]outside[/red]",
            "source": str(row.source),
        }
        grid.add_row(*(cells[c] for c, _ in shown))
    out.print(grid)


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


@app.command("build")
def build(
    source: Annotated[
        str,
        typer.Argument(
            help=f"source table as FORMAT:PATH (FORMAT in {', '.join(FORMATS)}), e.g. icio:ICIO2023_2020.csv"
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="bundle folder to write (calibration.csv goes inside)")],
    regions: Annotated[
        Path | None, typer.Option("--regions", help="region concordance CSV: from,to[,name]")
    ] = None,
    sectors: Annotated[
        Path | None,
        typer.Option(
            "--sectors",
            help="sector concordance CSV: from,to[,hs6][,name]; a source on several rows is split",
        ),
    ] = None,
    trade: Annotated[
        Path | None,
        typer.Option(
            "--trade", help="bilateral HS6 trade CSV: exporter,importer,hs6,value (e.g. from CEPII BACI)"
        ),
    ] = None,
    baci_countries: Annotated[
        Path | None,
        typer.Option(
            "--baci-countries", help="BACI's country_codes CSV, when --trade is a BACI file as released"
        ),
    ] = None,
    output_shares: Annotated[
        Path | None,
        typer.Option(
            "--output-shares", help="observed output shares of split pieces CSV: region,sector,share"
        ),
    ] = None,
    targets: Annotated[
        Path | None,
        typer.Option("--targets", help="observed targets CSV to report beside the source's aggregates"),
    ] = None,
    services: Annotated[
        str, typer.Option("--services", help="service sectors among the target codes, comma-separated")
    ] = ",".join(DEFAULT_SERVICES),
    name: Annotated[
        str | None, typer.Option("--name", help="name of the World (default: the folder name)")
    ] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="replace --out even if it is a non-empty folder that is not a bundle"),
    ] = False,
    data_dir: Annotated[
        str | None, typer.Option("--data-dir", help="reference data root for a FORMAT without a path")
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--world-option",
            "--option",
            help="reader option KEY=VALUE (repeatable), e.g. --world-option theta=4; or SOURCE?theta=4",
        ),
    ] = None,
) -> None:
    """Build a World bundle from SOURCE: aggregate, split sectors by trade shares, check, write."""
    console = Console(soft_wrap=True)
    with user_errors():
        check_output_folder(out, force=force)
        src = load_world(source, data_dir=data_dir, **parse_option_items(option))
        console.print(f"read {source}: {len(src.regions)} regions x {len(src.sectors)} sectors", markup=False)
        result = build_world(
            src,
            regions=regions,
            sectors=sectors,
            trade=trade,
            output_shares=output_shares,
            targets=targets,
            baci_countries=baci_countries,
            services=tuple(s.strip() for s in services.split(",") if s.strip()),
            name=name or out.name,
        )
        path = write_build(result, out, force=force)
    w = result.world
    console.print(
        f"built {w.meta.name!r}: {len(w.regions)} regions ({', '.join(w.regions[:20])}) x "
        f"{len(w.sectors)} sectors ({', '.join(w.sectors)})",
        markup=False,
    )
    for note in w.meta.notes:
        if "split into" in note or "of the HS6 trade table" in note or note.startswith("imputed"):
            console.print(f"  {note}", markup=False)
    n = result.n_preserved
    table = result.calibration
    console.print(f"source's aggregates preserved: {calibration_summary(table.iloc[:n])}", markup=False)
    if len(table) > n:
        console.print(f"observed targets: {calibration_summary(table.iloc[n:])}", markup=False)
    console.print(f"wrote {path} ({CALIBRATION_FILE} inside)", markup=False)
    if not result.preserved:
        raise typer.Exit(1)


@app.command("download-oecd")
def download_oecd(
    year: Annotated[int, typer.Argument(help="year of the table (1995-2020 in the 2023 release)")],
    to: Annotated[Path, typer.Option("--to", help="folder for the CSV files")] = Path("oecd-icio"),
) -> None:
    """Download the OECD ICIO (2023 release) table of YEAR with pymrio (needs internet)."""
    from tradewar.world.download import download_oecd_icio

    with user_errors():
        path = download_oecd_icio(year, to)
    console = Console(soft_wrap=True)
    console.print(f"ICIO table of {year}: {path}", markup=False)
    console.print(
        f"next: tradewar world build icio:{path} --regions REGIONS.csv --sectors SECTORS.csv --out BUNDLE",
        markup=False,
    )
