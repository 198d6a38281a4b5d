"""Waterfall charts of a decomposition: which measure moves a region's welfare, and by how much.

One section per decomposed scenario (:class:`tradewar.runs.decompose.Decomposition`):
for the last year, the welfare change of each region built up measure by measure (the
largest contributions first, the smallest lumped together), ending at the total; a menu
switches regions. Each bar carries the equivalent variation in USD billion in its hover
text where the World's unit is USD. Contributions come from the Harrison-Horridge-Pearson
path integral and add up to the total exactly.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tradewar.errors import ModelError
from tradewar.report.layout import fig_html

if TYPE_CHECKING:
    from tradewar.runs.decompose import Decomposition

#: Measures shown one by one; the rest are summed as "other measures".
TOP_MEASURES = 10


def _bars(df: pd.DataFrame, top: int) -> pd.DataFrame:
    """``measure, contribution, money`` rows: the ``top`` largest, then the rest summed."""
    df = df.assign(size=df["contribution"].abs()).sort_values("size", ascending=False)
    head = df.iloc[:top]
    rest = df.iloc[top:]
    rows = head[["measure", "contribution", "money"]]
    if len(rest):
        other = pd.DataFrame(
            {
                "measure": [f"{len(rest)} other measures"],
                "contribution": [rest["contribution"].sum()],
                "money": [rest["money"].sum()],
            }
        )
        rows = pd.concat([rows, other], ignore_index=True)
    return rows.reset_index(drop=True)


def welfare_waterfall(
    decomposition: Decomposition, year: int | None = None, top: int = TOP_MEASURES
) -> go.Figure:
    """A plotly waterfall of each region's welfare change (%) by measure in ``year`` (default: last)."""
    t = decomposition.table
    y = int(t["year"].max()) if year is None else year
    w = t[(t["year"] == y) & (t["variable"] == "welfare_pct")]
    money_var = "ev_usd_bn" if (t["variable"] == "ev_usd_bn").any() else None
    ev = t[(t["year"] == y) & (t["variable"] == money_var)] if money_var else None
    regions = list(dict.fromkeys(w["region"]))
    fig = go.Figure()
    for i, region in enumerate(regions):
        g = w[w["region"] == region][["measure", "contribution", "total"]]
        money = (
            ev[ev["region"] == region].set_index("measure")["contribution"].reindex(g["measure"]).to_numpy()
            if ev is not None
            else np.zeros(len(g))
        )
        bars = _bars(g.assign(money=money), top)
        total = float(g["total"].iloc[0])
        total_money = float(np.sum(money))
        values = [*bars["contribution"].tolist(), total]
        if not np.isfinite(values).all():
            raise ModelError("the waterfall has NaN or infinite values", field="contributions")
        hover: list[Any] = [
            f"{html.escape(str(m))}: {c:+.4f} %" + (f" ({d:+.2f} USD bn)" if money_var else "")
            for m, c, d in zip(bars["measure"], bars["contribution"], bars["money"], strict=True)
        ]
        hover.append(f"total: {total:+.4f} %" + (f" ({total_money:+.2f} USD bn)" if money_var else ""))
        fig.add_trace(
            go.Waterfall(
                name=region,
                x=[*bars["measure"].tolist(), "total"],
                y=values,
                measure=["relative"] * len(bars) + ["total"],
                hovertext=hover,
                hoverinfo="text",
                visible=i == 0,
            )
        )
    buttons = [
        {
            "label": region,
            "method": "update",
            "args": [
                {"visible": [j == i for j in range(len(regions))]},
                {"title": f"Welfare change of {region} by measure, {y} (%; hover for USD bn)"},
            ],
        }
        for i, region in enumerate(regions)
    ]
    fig.update_layout(
        title=f"Welfare change of {regions[0]} by measure, {y} (%; hover for USD bn)",
        updatemenus=[{"buttons": buttons, "direction": "down", "x": 1.0, "xanchor": "right", "y": 1.15}],
        yaxis_title="% change in real income",
        showlegend=False,
        height=520,
        xaxis={"tickangle": -30, "automargin": True},
    )
    return fig


def decomposition_section(decomposition: Decomposition, key: str) -> str:
    """HTML for one decomposition: an explanation and the waterfall chart (plotly.js loaded by the page)."""
    fig = welfare_waterfall(decomposition)
    fig.update_layout(template="plotly_white", margin={"l": 60, "r": 20, "t": 60, "b": 140})
    body = fig_html(fig, f"{key}-waterfall")
    by = "measure" if decomposition.by == "measure" else "scenario file (group of measures)"
    return (
        f"<h3>Which {html.escape(by)} does what</h3>"
        "<p class='small'>Each bar is one measure's contribution to the region's welfare change, "
        "from integrating the model along the path from no measures to all measures in force "
        "(Harrison, Horridge and Pearson 2000, as GTAP's subtotals); the contributions add up "
        "to the total exactly. The table of every result's contributions is "
        "<code>contributions.csv</code>.</p>"
        f"{body}"
    )
