"""``tradewar validate [--data DIR] [--json FILE] [--case NAME] [--all-rows]``.

Runs the reproductions of published results in :mod:`tradewar.model.validation`
(Caliendo-Parro 2015 NAFTA tables and footnote 47, the cp2015-jax reference run, the
gegravity example), prints published versus computed with the difference, and exits
with status 1 if any check misses its tolerance (2 on a data error).

It then runs the hindcast of the 2018-2019 US-China tariff rounds
(:mod:`tradewar.model.hindcast`): model against observed changes in US imports from China
by NAICS3 industry. The hindcast is informational (no pass/fail on its correlations); it is
skipped with a note when its data are absent. ``--case hindcast`` runs it alone.
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
from tradewar.model.hindcast import Hindcast, available, run_hindcast
from tradewar.model.validation import CASES, Check, run_validation

#: The informational case beside the pass/fail ones.
HINDCAST = "hindcast"


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


def _hindcast_tables(h: Hindcast, all_rows: bool) -> list[Table]:
    a, c = h.aggregate, h.correlations
    head = Table(
        title="hindcast: 2018-2019 US-China tariff rounds, US imports from China (informational)",
        title_justify="left",
    )
    head.add_column("measure", justify="left")
    head.add_column("model", justify="right")
    head.add_column("observed 2017-2019", justify="right")
    head.add_row(
        "US imports from China, all NAICS3 goods (%)", f"{a['model_pct']:+.1f}", f"{a['observed_pct']:+.1f}"
    )
    head.add_row(
        "US imports from the rest of the world (%)",
        f"{a['model_row_pct']:+.1f}",
        f"{a['observed_row_pct']:+.1f}",
    )
    head.add_row(
        "US imports from China relative to from ROW (%)",
        f"{a['model_relative_pct']:+.1f}",
        f"{a['observed_relative_pct']:+.1f}",
    )
    head.add_row(
        "US tariff on China, 2017 -> 2019 (trade-weighted %)",
        f"{a['us_tariff_2017']:.1f} -> {a['us_tariff_2019']:.1f}",
        "",
    )
    head.add_row(
        "China's tariff on the US, 2017 -> 2019 (trade-weighted %)",
        f"{a['cn_tariff_2017']:.1f} -> {a['cn_tariff_2019']:.1f}",
        "",
    )
    if "hs6_us_tariff_2017" in a:
        head.add_row(
            "US tariff on China, HS6 lines, simple mean, 2017 -> end 2019 (%)",
            f"{a['hs6_us_tariff_2017']:.1f} -> {a['hs6_us_tariff_2019']:.1f}",
            "",
        )
    for k, label in (
        ("pearson", "Pearson, sectors (model vs observed % change)"),
        ("spearman", "Spearman, sectors"),
        ("pearson_weighted", "Pearson, weighted by 2017 imports"),
        ("spearman_weighted", "Spearman, weighted by 2017 imports"),
        ("pearson_relative", "Pearson, changes relative to imports from ROW"),
        ("spearman_relative", "Spearman, changes relative to imports from ROW"),
    ):
        head.add_row(label, f"{c[k]:.3f}", "")
    head.caption = "; ".join(h.setup)
    out = [head]
    if all_rows:
        t = Table(title="hindcast by NAICS3 industry", title_justify="left")
        for col in ("naics3", "imports 2017 USD m", "US tariff 17->19 %", "theta", "model %", "observed %"):
            t.add_column(col, justify="right")
        for code, r in h.sectors.iterrows():
            t.add_row(
                str(code),
                f"{r['imports_2017']:,.0f}",
                f"{r['us_tariff_2017']:.1f} -> {r['us_tariff_2019']:.1f}",
                f"{r['theta']:.2f}",
                f"{r['model_pct']:+.1f}",
                f"{r['observed_pct']:+.1f}",
            )
        out.append(t)
    return out


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
        unknown = [c for c in case if c not in CASES and c != HINDCAST]
        if unknown:
            fail(f"unknown case(s) {unknown}; known: {', '.join([*CASES, HINDCAST])}")
    cases = [c for c in case if c != HINDCAST] if case else None
    t0 = time.perf_counter()
    hindcast: Hindcast | None = None
    try:
        checks = run_validation(data, cases) if cases is None or cases else []
        if (not case or HINDCAST in case) and available(data):
            hindcast = run_hindcast(data)
    except TradewarError as err:
        fail(err)
    seconds = time.perf_counter() - t0
    for name in dict.fromkeys(c.case for c in checks):
        console.print(_table(name, [c for c in checks if c.case == name], all_rows))
    if hindcast is not None:
        for t in _hindcast_tables(hindcast, all_rows):
            console.print(t)
    elif not case or HINDCAST in case:
        console.print("hindcast skipped: its data (us_china_tradewar_tariffs, cp2015_nafta) were not found")
    failed = [c for c in checks if not c.ok]
    if json_file is not None:
        payload = {
            "seconds": seconds,
            "passed": len(checks) - len(failed),
            "failed": len(failed),
            "checks": [c.as_dict() for c in checks],
        }
        if hindcast is not None:
            payload["hindcast"] = {
                "setup": list(hindcast.setup),
                "aggregate": {k: float(v) for k, v in hindcast.aggregate.items()},
                "correlations": {k: float(v) for k, v in hindcast.correlations.items()},
                "sectors": hindcast.sectors.reset_index().to_dict(orient="records"),
            }
        json_file.write_text(json.dumps(payload, indent=2, allow_nan=True))
    verdict = "[green]all within tolerance[/green]" if not failed else f"[red]{len(failed)} missed[/red]"
    console.print(f"{len(checks)} checks, {verdict} ({seconds:.1f} s)")
    if failed:
        sys.stdout.flush()
        raise typer.Exit(1)
