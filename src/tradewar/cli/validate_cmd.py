"""``tradewar validate [--data DIR] [--json FILE] [--case NAME] [--all-rows]``.

Runs the reproductions of published results in :mod:`tradewar.model.validation`
(Caliendo-Parro 2015 NAFTA tables and footnote 47, the cp2015-jax reference run, the
gegravity example), prints published versus computed with the difference, and exits
with status 1 if any check misses its tolerance (2 on a data error).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tradewar.cli._errors import fail
from tradewar.errors import TradewarError
from tradewar.model.validation import CASES, Check, run_validation


def _table(case: str, checks: list[Check], all_rows: bool) -> Table:
    shown = checks if all_rows else [c for c in checks if not c.ok or "reference" not in c.item]
    hidden = len(checks) - len(shown)
    title = f"{case}: {sum(c.ok for c in checks)}/{len(checks)} within tolerance"
    if hidden:
        title += f" ({hidden} passing reference rows hidden; --all-rows shows them)"
    table = Table(title=title, title_justify="left")
    for col, justify in (
        ("check", "left"),
        ("published", "right"),
        ("computed", "right"),
        ("difference", "right"),
        ("tolerance", "right"),
        ("", "center"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for c in shown:
        table.add_row(
            c.item,
            f"{c.published:.6g}",
            f"{c.computed:.6g}",
            f"{c.difference:+.2e}",
            f"{c.allowed:.1e}",
            "[green]ok[/green]" if c.ok else "[red]MISS[/red]",
        )
    return table


def validate(
    data: Annotated[
        Path | None,
        typer.Option("--data", help="reference data root (default ../shared/data)"),
    ] = None,
    json_file: Annotated[
        Path | None, typer.Option("--json", help="also write every check to this JSON file")
    ] = None,
    case: Annotated[
        list[str] | None,
        typer.Option("--case", help=f"run only these cases: {', '.join(CASES)}"),
    ] = None,
    all_rows: Annotated[bool, typer.Option("--all-rows", help="print every reference row")] = False,
) -> None:
    """Reproduce published results (Caliendo-Parro 2015, gegravity) and check tolerances."""
    console = Console() if sys.stdout.isatty() else Console(width=140)
    if case:
        unknown = [c for c in case if c not in CASES]
        if unknown:
            fail(f"unknown case(s) {unknown}; known: {', '.join(CASES)}")
    t0 = time.perf_counter()
    try:
        checks = run_validation(data, list(case) if case else None)
    except TradewarError as err:
        fail(err)
    seconds = time.perf_counter() - t0
    for name in dict.fromkeys(c.case for c in checks):
        console.print(_table(name, [c for c in checks if c.case == name], all_rows))
    failed = [c for c in checks if not c.ok]
    if json_file is not None:
        payload = {
            "seconds": seconds,
            "passed": len(checks) - len(failed),
            "failed": len(failed),
            "checks": [c.as_dict() for c in checks],
        }
        json_file.write_text(json.dumps(payload, indent=2, allow_nan=True))
    verdict = "[green]all within tolerance[/green]" if not failed else f"[red]{len(failed)} missed[/red]"
    console.print(f"{len(checks)} checks, {verdict} ({seconds:.1f} s)")
    if failed:
        sys.stdout.flush()
        raise typer.Exit(1)
