"""Summaries of a World for people and machines (used by ``tradewar world info``).

:func:`account_checks` re-measures every identity a World satisfies, so that the numbers
a user sees are computed, not asserted:

* non-negative flows (smallest entry of Z, F, VA);
* output by use = output by cost, x = ΣZ + ΣF = Σ(1 + t)Z + VA (largest relative gap);
* final spending = income, Σ(1 + t)F = ΣVA + R + D by region (largest relative gap);
* world trade balance ΣD = 0 (relative to world output).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from tradewar.world.world import ACCOUNTS_RTOL, World


def account_checks(world: World) -> list[dict[str, Any]]:
    """Each identity with its measured largest relative gap and whether it holds."""
    x_use = world.output_by_use.values
    x_cost = world.output_by_cost.values
    scale = np.maximum(np.maximum(np.abs(x_use), np.abs(x_cost)), 1e-300)
    out_gap = float((np.abs(x_use - x_cost) / scale).max())
    spend = ((1.0 + world.tariff) * world.final_demand).sum(("origin", "product"))
    inc = world.income
    inc_gap = float((np.abs(spend - inc) / np.maximum(np.abs(inc), 1e-300)).max())
    total = float(world.gross_output.sum())
    bal_gap = abs(float(world.deficit.sum())) / max(total, 1e-300)
    smallest = min(float(world.data[v].min()) for v in ("intermediate", "final_demand", "value_added"))
    return [
        {
            "check": "non-negative flows",
            "measure": "smallest entry of intermediate, final_demand, value_added",
            "value": smallest,
            "tolerance": 0.0,
            "ok": smallest >= 0.0,
        },
        {
            "check": "output by use = output by cost",
            "measure": "max |x_use - x_cost| / x over regions and sectors",
            "value": out_gap,
            "tolerance": ACCOUNTS_RTOL,
            "ok": out_gap <= ACCOUNTS_RTOL,
        },
        {
            "check": "final spending = income",
            "measure": "max |Σ(1+t)F - (VA + tariff revenue + deficit)| / income over regions",
            "value": inc_gap,
            "tolerance": ACCOUNTS_RTOL,
            "ok": inc_gap <= ACCOUNTS_RTOL,
        },
        {
            "check": "world trade balances",
            "measure": "|Σ deficits| / world gross output",
            "value": bal_gap,
            "tolerance": ACCOUNTS_RTOL,
            "ok": bal_gap <= ACCOUNTS_RTOL,
        },
    ]


def region_table(world: World) -> pd.DataFrame:
    """Per region: name, value added, gross output, exports, imports, deficit, tariff revenue."""
    df = pd.DataFrame(
        {
            "name": [world.meta.region_names.get(r, r) for r in world.regions],
            "value_added": world.value_added.sum("sector").values,
            "gross_output": world.gross_output.sum("sector").values,
            "exports": world.exports.sum("product").values,
            "imports": world.imports.sum("product").values,
            "deficit": world.deficit.values,
            "tariff_revenue": world.tariff_revenue.values,
        },
        index=pd.Index(world.regions, name="region"),
    )
    return df


def sector_table(world: World) -> pd.DataFrame:
    """Per sector: name, gross output, value added, exports, trade elasticity θ."""
    return pd.DataFrame(
        {
            "name": [world.meta.sector_names.get(s, s) for s in world.sectors],
            "gross_output": world.gross_output.sum("region").values,
            "value_added": world.value_added.sum("region").values,
            "exports": world.exports.sum("region").values,
            "theta": world.theta.values,
        },
        index=pd.Index(world.sectors, name="sector"),
    )


def imputed_shares(world: World) -> dict[str, float]:
    """Share of cells flagged imputed, per variable (0 for variables without a mask)."""
    out = {}
    for var in ("intermediate", "final_demand", "value_added", "tariff", "theta"):
        out[var] = float(world.imputed[var].values.mean()) if var in world.imputed else 0.0
    return out


def describe_world(world: World) -> dict[str, Any]:
    """Everything ``world info`` shows, as plain JSON-ready data."""
    R, S = world.shape
    return {
        "name": world.meta.name,
        "source": world.meta.source,
        "year": world.meta.year,
        "currency": world.meta.currency,
        "unit": world.meta.unit,
        "stylized": world.meta.stylized,
        "n_regions": R,
        "n_sectors": S,
        "totals": world.summary(),
        "regions": region_table(world).reset_index().to_dict(orient="records"),
        "sectors": sector_table(world).reset_index().to_dict(orient="records"),
        "imputed_share": imputed_shares(world),
        "tariff_layers": sorted(world.tariff_layers),
        "notes": list(world.meta.notes),
        "account_checks": account_checks(world),
    }
