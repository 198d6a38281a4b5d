"""Report sections for uncertainty: fan charts, tornado charts, failed draws, sweep heatmaps.

* :func:`draws_section`: for a :class:`~tradewar.runs.DrawsRun`, the parameters drawn
  (distribution, support, source), a fan chart of welfare by region over the years (the
  5-95 % band, the median and the central run), a tornado chart per headline region
  (Spearman rank correlation of each parameter with welfare in the last year: which
  parameter moves welfare most), and the list of draws without an equilibrium.
* :func:`render_sweep_report`: the self-contained report of a
  :class:`~tradewar.runs.SweepRun`: welfare heatmaps over the first two grids (a line
  chart for one grid), one panel per region, and the failed points.

Like the main report, nothing here writes NaN: failed draws are excluded from the bands
and listed; failed sweep points are blank cells, listed below the heatmap.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs
from plotly.subplots import make_subplots

from tradewar.report.layout import CSS, esc, fig_html, finite, table
from tradewar.report.palette import diverging_scale

if TYPE_CHECKING:
    from tradewar.runs import DrawsRun, SweepRun

#: Parameters shown in a tornado chart (the largest |rank correlation|).
TORNADO_TOP = 12
#: Failed draws or points listed in a report (all are in summary.json).
LISTED_FAILURES = 25


def _headline_regions(regions: list[str], n: int = 2) -> list[str]:
    """USA and CHN where the World has them, else the first ``n`` regions."""
    pick: list[str] = [r for r in ("USA", "CHN") if r in regions]
    return pick or regions[:n]


def _panel_grid(n: int, cols: int = 4) -> tuple[int, int]:
    cols = min(cols, n)
    return math.ceil(n / cols), cols


def fan_chart(dr: DrawsRun, key: str, outcome: str = "welfare_pct") -> str:
    """Welfare by region over the years: 5-95 % band, median of the draws, central run."""
    reg = dr.run.regions
    regions = list(dr.run.world.regions)
    rows, cols = _panel_grid(len(regions))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=regions, shared_xaxes=True)
    for k, region in enumerate(regions):
        g = reg[reg["region"] == region].sort_values("year")
        lo, mid, hi = (g[f"{outcome}_p{q}"] for q in (5, 50, 95))
        finite(pd.concat([lo, mid, hi, g[outcome]]), "fan chart")
        r, c = k // cols + 1, k % cols + 1
        x = g["year"].tolist()
        first = k == 0
        fig.add_trace(
            go.Scatter(
                x=x + x[::-1],
                y=hi.tolist() + lo.tolist()[::-1],
                fill="toself",
                mode="lines",
                line={"width": 0},
                fillcolor="rgba(31,119,180,0.25)",
                name="5-95 % of draws",
                legendgroup="band",
                showlegend=first,
                hoverinfo="skip",
            ),
            row=r,
            col=c,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=mid.tolist(),
                mode="lines",
                line={"color": "rgb(31,119,180)"},
                name="median of draws",
                legendgroup="median",
                showlegend=first,
            ),
            row=r,
            col=c,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=g[outcome].tolist(),
                mode="lines+markers",
                line={"color": "black", "dash": "dot"},
                name="central (as written)",
                legendgroup="central",
                showlegend=first,
            ),
            row=r,
            col=c,
        )
    fig.update_xaxes(dtick=1)
    fig.update_layout(
        title=f"Welfare by region, {dr.n - dr.n_failed} draws: 5-95 % band, median, central run (%)",
        height=260 * rows,
    )
    return fig_html(fig, f"{key}-fan")


def tornado_chart(dr: DrawsRun, key: str, region: str, year: int | None = None) -> str:
    """Rank correlation of each parameter with welfare of ``region`` (largest |ρ| first)."""
    y = dr.run.years[-1] if year is None else year
    rho = dr.rank_correlations(y)[region]
    finite(rho, "tornado chart")
    top = rho.reindex(rho.abs().sort_values(ascending=False).index[:TORNADO_TOP])[::-1]
    fig = go.Figure(
        go.Bar(
            x=top.to_numpy(),
            y=list(top.index),
            orientation="h",
            marker_color=["#c0392b" if v < 0 else "#2471a3" for v in top.to_numpy()],
            hovertemplate="%{y}: ρ = %{x:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"What moves {region}'s welfare in {y}: Spearman rank correlation with each parameter",
        xaxis={"title": "rank correlation with welfare", "range": [-1, 1]},
        height=max(300, 32 * len(top) + 120),
    )
    return fig_html(fig, f"{key}-tornado-{region}")


def _parameter_table(dr: DrawsRun) -> str:
    rows = pd.DataFrame(
        [
            {
                "parameter": p.name,
                "distribution": p.shape + (f" ({p.spread:g})" if p.spread is not None else ""),
                "low": p.low,
                "central": p.central,
                "high": p.high,
                "unit": p.unit,
            }
            for p in dr.parameters
        ]
    )
    cites = "".join(f"<li><b>{esc(p.name)}</b>: {esc(p.source)}</li>" for p in dr.parameters)
    return table(rows, digits=3) + (
        f"<details><summary>Source of each distribution</summary><ul>{cites}</ul></details>"
    )


def _failure_list(failures: tuple[dict[str, object], ...], total: int, what: str) -> str:
    if not failures:
        return f"<p>All {total} {what} found an equilibrium in every year.</p>"
    key = "draw" if "draw" in failures[0] else "point"
    shown = pd.DataFrame([{key: f[key], "what happened": f["message"]} for f in failures[:LISTED_FAILURES]])
    more = (
        f"<p class='small'>... and {len(failures) - LISTED_FAILURES} more (all in summary.json).</p>"
        if len(failures) > LISTED_FAILURES
        else ""
    )
    return (
        f"<p class='notice'><b>{len(failures)} of {total} {what} found no equilibrium</b> in some year. "
        "They are excluded from the bands and percentiles, and listed here and in summary.json "
        "with their parameter values.</p>" + table(shown) + more
    )


def draws_section(dr: DrawsRun, key: str) -> str:
    """The uncertainty section of a scenario's report (see the module docstring)."""
    last = dr.run.years[-1]
    parts = [
        f"<h3>Uncertainty: {dr.n} draws of {len(dr.parameters)} parameters</h3>",
        "<div class='explain'><p>Each draw solves the scenario, year by year, with the uncertain "
        f"parameters drawn from the distributions below ({esc(dr.sampler)} design, seed {dr.seed}). "
        "The band shows where 90 % of the draws fall (5th to 95th percentile), the line their "
        "median; the dotted line is the run with every number as written. regions.csv and "
        "sectors.csv carry the percentiles (<code>_p5</code>, <code>_p50</code>, <code>_p95</code>, "
        "<code>_mean</code>) and draws.parquet every draw.</p></div>",
        _parameter_table(dr),
        _failure_list(dr.failures, dr.n, "draws"),
    ]
    if dr.n - dr.n_failed < 2:
        return "\n".join(parts)
    parts.append(fan_chart(dr, key))
    parts.append(
        f"<p>Which assumption matters most for welfare in {last}: the rank correlation between "
        "each parameter and the region's welfare across the draws (near ±1: the parameter "
        "alone orders the outcomes; near 0: it hardly matters).</p>"
    )
    for region in _headline_regions(list(dr.run.world.regions)):
        parts.append(tornado_chart(dr, key, region))
    return "\n".join(parts)


# ---------------------------------------------------------------------------------- sweeps
def sweep_figure(sw: SweepRun, key: str, outcome: str = "welfare_pct") -> str:
    """Heatmaps (two or more grids) or lines (one grid) of ``outcome`` in the last year."""
    last = sw.years[-1]
    t = sw.table[sw.table["year"] == last]
    names = [g.name for g in sw.grids]
    for g in sw.grids[2:]:  # further grids held at their first value
        t = t[t[g.name] == g.values[0]]
    regions = list(sw.world.regions)
    rows, cols = _panel_grid(len(regions))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=regions)
    ok = t[t["converged"]]
    finite(ok[outcome], "sweep chart")
    if len(names) == 1:
        for k, region in enumerate(regions):
            g = t[t["region"] == region].sort_values(names[0])
            y = g[outcome].where(g["converged"])
            fig.add_trace(
                go.Scatter(
                    x=g[names[0]].tolist(),
                    y=[None if np.isnan(v) else v for v in y],
                    mode="lines+markers",
                    name=region,
                    showlegend=False,
                ),
                row=k // cols + 1,
                col=k % cols + 1,
            )
        for c in range(1, cols + 1):
            fig.update_xaxes(title_text=names[0], row=rows, col=c)
    else:
        lim = diverging_scale(ok[outcome].to_numpy()).limit if len(ok) else 1.0
        for k, region in enumerate(regions):
            g = t[t["region"] == region]
            piv = g.pivot(index=names[0], columns=names[1], values=outcome)
            conv = g.pivot(index=names[0], columns=names[1], values="converged").astype(bool)
            z = piv.where(conv).to_numpy()
            fig.add_trace(
                go.Heatmap(
                    z=[[None if np.isnan(v) else v for v in row] for row in z],
                    x=list(piv.columns),
                    y=list(piv.index),
                    colorscale="RdBu",
                    zmid=0,
                    zmin=-lim,
                    zmax=lim,
                    showscale=k == 0,
                    colorbar={"title": "%"},
                    hovertemplate=f"{names[0]} %{{y}}<br>{names[1]} %{{x}}<br>{region}: %{{z:.3f}} %"
                    "<extra></extra>",
                ),
                row=k // cols + 1,
                col=k % cols + 1,
            )
        for c in range(1, cols + 1):
            fig.update_xaxes(title_text=names[1], row=rows, col=c)
        fig.update_yaxes(title_text=names[0], row=None, col=1)
    held = ", ".join(f"{g.name} = {g.values[0]:g}" for g in sw.grids[2:])
    fig.update_layout(
        title=f"Welfare by region in {last} (%)" + (f"; {held}" if held else ""),
        height=280 * rows,
    )
    return fig_html(fig, f"{key}-sweep")


def render_sweep_report(sw: SweepRun) -> str:
    """The self-contained HTML report of a sweep."""
    created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    title = f"Sweep: {sw.scenario.title}"
    grid_rows = pd.DataFrame(
        [
            {
                "parameter": g.name,
                "values": ", ".join(f"{v:g}" for v in g.values),
                "as written": p.central,
                "unit": p.unit,
            }
            for g, p in zip(sw.grids, sw.parameters, strict=True)
        ]
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)} - tradewar report</title>",
        f"<style>{CSS}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<p class='meta'>World: <b>{esc(sw.world_spec)}</b>. Years {sw.years[0]}-{sw.years[-1]}. "
        f"{sw.n_points} points. Generated {created} by tradewar.</p>",
    ]
    if sw.world.meta.stylized:
        parts.append(
            "<div class='notice' id='stylized-notice'><b>Stylized world - not for policy "
            "conclusions.</b> The numbers show mechanisms and orders of magnitude.</div>"
        )
    parts += [
        "<div class='explain'><p>Every point of the grid solves the scenario year by year with the "
        "parameters set to the point's values (everything else as written). Welfare is the change "
        "in real income against the same baseline without the measures. sweep.parquet has every "
        "point, year and region.</p></div>",
        "<h2>Grid</h2>",
        table(grid_rows, digits=3),
        "<h2>Welfare</h2>",
        sweep_figure(sw, "sweep"),
        "<h2>Points without an equilibrium</h2>",
        _failure_list(sw.failures, sw.n_points, "points"),
        "</body></html>",
    ]
    return "\n".join(parts)
