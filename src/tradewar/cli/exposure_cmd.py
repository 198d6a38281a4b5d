"""``tradewar exposure WORLD --region CHN --supplier USA [--sector ...] [--csv | --json]``.

Prints how much ``--region`` depends on ``--supplier``, product by product: deliveries,
shares of use and imports, supplier concentration, direct and value-chain (Leontief)
exposure of inputs and final demand, and the output lost if the supplier stopped
delivering the product (hypothetical extraction). Definitions:
:data:`tradewar.analysis.TABLE_COLUMNS` and the modules of :mod:`tradewar.analysis`.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tradewar.analysis import TABLE_COLUMNS, exposure_table
from tradewar.cli._errors import exclusive, user_errors
from tradewar.world.world import World

_PCT_COLUMNS = (
    "share_of_use",
    "share_of_imports",
    "input_direct",
    "input_total",
    "final_direct",
    "final_total",
)
_HEADERS = {
    "deliveries": "bought",
    "share_of_use": "% use",
    "share_of_imports": "% imp.",
    "import_hhi": "imp. HHI",
    "input_direct": "inputs direct",
    "input_total": "inputs total",
    "final_direct": "final direct",
    "final_total": "final total",
    "forward_output_lost": "fwd lost",
    "forward_output_lost_pct": "fwd % out.",
    "output_lost": "bwd lost",
    "output_lost_pct": "bwd % out.",
    "world_output_lost": "bwd world",
}
_GROUPS = (
    ("Dependence on the supplier", ("deliveries", "share_of_use", "share_of_imports", "import_hhi")),
    (
        "Exposure, % of output (inputs) / final demand",
        ("input_direct", "input_total", "final_direct", "final_total"),
    ),
    (
        "Output lost if the supplier stopped delivering (hypothetical extraction)",
        (
            "forward_output_lost",
            "forward_output_lost_pct",
            "output_lost",
            "output_lost_pct",
            "world_output_lost",
        ),
    ),
)


def _load(spec: str, data_dir: str | None, options: list[str] | None) -> tuple[World, str | None]:
    """Resolve WORLD through ``tradewar.world.load`` (shipped name, bundle, FORMAT:PATH)."""
    from tradewar.world.load import load_world, parse_option_items, stylized_notice

    world = load_world(spec, data_dir=data_dir, **parse_option_items(options))
    return world, stylized_notice(world)


def _fmt(column: str, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if column in _PCT_COLUMNS:
        return f"{100 * value:.2f}"
    if column == "import_hhi":
        return f"{value:.3f}"
    if column in ("output_lost_pct", "forward_output_lost_pct"):
        return f"{value:.3f}"
    return f"{value:,.1f}"


def _json_value(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def exposure(
    world: Annotated[str, typer.Argument(help="shipped name (default), bundle folder, or FORMAT:PATH")],
    region: Annotated[str, typer.Option("--region", help="the exposed (importing) region, e.g. CHN")],
    supplier: Annotated[str, typer.Option("--supplier", help="the supplier region, e.g. USA")],
    sector: Annotated[
        list[str] | None,
        typer.Option("--sector", help="supplier product(s) to show (repeatable)"),
    ] = None,
    csv: Annotated[bool, typer.Option("--csv", help="write the table as CSV to stdout")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="write the table as JSON to stdout")] = False,
    data_dir: Annotated[
        str | None, typer.Option("--data-dir", help="reference data root for FORMAT: without a path")
    ] = None,
    world_option: Annotated[
        list[str] | None,
        typer.Option("--world-option", help="reader option KEY=VALUE (repeatable), e.g. year=2000"),
    ] = None,
) -> None:
    """How much REGION depends on SUPPLIER, product by product (no counterfactual)."""
    exclusive(csv=csv, json_out=json_out)
    with user_errors():
        w, notice = _load(world, data_dir, world_option)
        table = exposure_table(w, region, supplier, sector or None)
    if notice:
        Console(stderr=csv or json_out, soft_wrap=True).print(notice, markup=False)
    if csv:
        table.to_csv(sys.stdout, float_format="%.10g")
        return
    if json_out:
        payload = {
            "world": w.meta.name,
            "unit": w.meta.unit,
            "stylized": w.meta.stylized,
            "region": region,
            "supplier": supplier,
            "columns": TABLE_COLUMNS,
            "rows": [
                {"product": str(idx), **{k: _json_value(float(v)) for k, v in row.items()}}
                for idx, row in table.iterrows()
            ],
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    out = Console()
    out.print(f"Exposure of {region} to {supplier}: world {w.meta.name!r}, values in {w.meta.unit}")
    names = w.meta.sector_names
    for title, columns in _GROUPS:
        rich_table = Table(title=title, title_justify="left")
        rich_table.add_column("product", style="bold", overflow="fold", min_width=8)
        for column in columns:
            rich_table.add_column(_HEADERS[column], justify="right", no_wrap=True)
        for idx, row in table.iterrows():
            name = names.get(str(idx), str(idx))
            label = "ALL" if idx == "ALL" else (str(idx) if name == str(idx) else f"{idx} {name}")
            if idx == "ALL":
                rich_table.add_section()
            rich_table.add_row(label, *(_fmt(c, float(row[c])) for c in columns))
        out.print(rich_table)
    out.print(
        "bought: deliveries from the supplier; % use / % imp.: their share of the region's use / imports "
        "of the product; direct: purchases; total: value-chain content via the Leontief inverse (income "
        "generated in the supplier). Output lost (ALL: every product at once): fwd = supply-driven "
        "(Ghosh) extraction, what the region's users lose downstream; bwd = Leontief extraction "
        "(Miller & Blair 2009 ch. 12), the region keeps producing and stops buying, so the loss falls "
        "mostly on the supplier's chain (bwd world). Linear accounting, no substitution: not a "
        "counterfactual. --json lists the definitions.",
        style="dim",
    )
