"""The self-contained HTML report of a scenario run, for readers who do not program.

One file, no network: plotly.js is embedded inline once, every figure is a ``<div>``
drawn by it. Sections: the stylized-world notice (when the World is stylized), how to
read the numbers, what was assumed (every measure with its magnitude by year and its
source or assumption), welfare by region, sector output changes, trade-flow changes,
self-sufficiency paths over the years, and the solver record.

:func:`render_report` refuses to write NaN or infinite numbers: it raises
:class:`~tradewar.errors.ModelError` naming the figure.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from tradewar.errors import ModelError
from tradewar.report.tables import measure_rows
from tradewar.report.waterfall import decomposition_section

if TYPE_CHECKING:
    from tradewar.runs import DrawsRun, ScenarioRun
    from tradewar.runs.decompose import Decomposition

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:2px solid #ddd;padding-bottom:.2em}
h3{margin-top:1.5em}.meta{color:#555}.notice{background:#fff4e5;border-left:6px solid #f0a020;
padding:.8em 1em;margin:1em 0}.explain{background:#f3f6fa;padding:.6em 1em;border-radius:4px}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}th,td{border:1px solid #ccc;padding:.3em .6em;
vertical-align:top}th{background:#f0f0f0;text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.figure{margin:1em 0}.small{font-size:.85em;color:#555}.headline{font-size:1.1em;font-weight:600}
details{margin:.8em 0}summary{cursor:pointer;color:#245}
"""

_EXPLAIN = """
<div class="explain">
<p><b>How to read the numbers.</b> Every number compares the world <i>with</i> the measures in
force in a given year to the same base-year world <i>without</i> them (a comparative-static
path, not a forecast). Changes are in percent, with money amounts in base-year US dollars
where the world's values are in dollars.</p>
<ul>
<li><b>Welfare</b>: the change in a region's real income, i.e. what its income buys at the new
prices. This is the number to quote. <b>EV</b> (equivalent variation) is the same change in
money: welfare % times the region's base-year income (USD billion).</li>
<li><b>Real wage</b>: wages deflated by the consumer price index.</li>
<li><b>Terms of trade</b> and <b>volume of trade</b>: the two parts of the first-order welfare
decomposition of Caliendo and Parro (2015, eq. 16): better or worse prices for what a region
sells relative to what it buys, and more or less trade where tariffs drive a wedge. Their sum
approximates welfare only for small changes.</li>
<li><b>Self-sufficiency</b>: domestic output divided by domestic use of a product (1 = the
region makes as much as it uses).</li>
</ul></div>
"""


def _esc(x: object) -> str:
    return html.escape(str(x))


def _finite(values: Any, what: str) -> None:
    a = np.asarray(values, dtype=float)
    if not np.isfinite(a).all():
        raise ModelError(
            f"the report's {what} has NaN or infinite values; nothing was written",
            field=what,
            fix="check the run's tables (regions.csv, sectors.csv) and report the scenario and world",
        )


def _fig_html(fig: go.Figure, name: str) -> str:
    fig.update_layout(template="plotly_white", margin={"l": 60, "r": 20, "t": 50, "b": 60})
    body = fig.to_html(full_html=False, include_plotlyjs=False, div_id=name, config={"displaylogo": False})
    return f'<div class="figure">{body}</div>'


def _table(df: pd.DataFrame, digits: int = 2, na_ok: Sequence[str] = ()) -> str:
    """HTML table; NaN is an error except in the ``na_ok`` columns, where it reads "n/a"."""
    head = "".join(f"<th>{_esc(c)}</th>" for c in df.columns)
    rows = []
    for _, r in df.iterrows():
        cells = []
        for col, v in r.items():
            if isinstance(v, float | np.floating) and np.isnan(v) and col in na_ok:
                cells.append('<td class="num">n/a</td>')
            elif isinstance(v, float | np.floating):
                _finite(v, "table")
                cells.append(f'<td class="num">{v:,.{digits}f}</td>')
            else:
                cells.append(f"<td>{_esc(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _welfare_figs(run: ScenarioRun, key: str) -> list[str]:
    last = run.years[-1]
    reg = run.regions[run.regions["year"] == last]
    _finite(reg[["welfare_pct", "real_wage_pct"]], "welfare chart")
    bar = go.Figure(
        [
            go.Bar(name="Welfare (real income)", x=reg["region"], y=reg["welfare_pct"]),
            go.Bar(name="Real wage", x=reg["region"], y=reg["real_wage_pct"]),
        ]
    )
    bar.update_layout(
        title=f"Welfare and real wages by region, {last} (% vs. no measures)",
        barmode="group",
        yaxis_title="% change",
    )
    lines = go.Figure()
    for region, g in run.regions.groupby("region", sort=False):
        _finite(g["welfare_pct"], "welfare path")
        lines.add_trace(go.Scatter(x=g["year"], y=g["welfare_pct"], mode="lines+markers", name=str(region)))
    lines.update_layout(
        title="Welfare path by region (% vs. no measures)",
        xaxis_title="year",
        yaxis_title="% change",
        xaxis={"dtick": 1},
    )
    return [_fig_html(bar, f"{key}-welfare"), _fig_html(lines, f"{key}-welfare-path")]


def _colour_limit(z: np.ndarray) -> float:
    """Symmetric colour range: the 95th percentile of |z|.

    One outlier then does not wash out the rest: cells beyond it show the end colour, and
    hovering shows every value.
    """
    a = np.abs(z[np.isfinite(z)])
    lim = float(np.percentile(a, 95)) if a.size else 0.0
    return lim if lim > 0 else (float(a.max()) if a.size and a.max() > 0 else 1.0)


def _change_heatmap(piv: pd.DataFrame, what: str, hovertemplate: str) -> go.Figure:
    """Diverging red-blue heatmap of percentage changes, centred on 0 (rows: ``y``, columns: ``x``)."""
    _finite(piv.to_numpy(), what)
    lim = _colour_limit(piv.to_numpy())
    return go.Figure(
        go.Heatmap(
            z=piv.to_numpy(),
            x=list(piv.columns),
            y=list(piv.index),
            colorscale="RdBu",
            zmid=0,
            zmin=-lim,
            zmax=lim,
            colorbar={"title": "%"},
            hovertemplate=hovertemplate,
        )
    )


def _sector_fig(run: ScenarioRun, key: str) -> str:
    last = run.years[-1]
    sec = run.sectors[run.sectors["year"] == last]
    piv = sec.pivot(index="region", columns="sector", values="output_change_pct")
    piv = piv.reindex(index=run.world.regions, columns=run.world.sectors)
    fig = _change_heatmap(piv, "sector output heatmap", "%{y} %{x}: %{z:.2f} %<extra></extra>")
    fig.update_layout(
        title=f"Real output change by region and sector, {last} (%; hover for values)", height=420
    )
    return _fig_html(fig, f"{key}-sectors")


def _flow_figs(run: ScenarioRun, key: str) -> list[str]:
    last = run.years[-1]
    fl = run.flows[run.flows["year"] == last]
    tot = fl.groupby(["origin", "region"], sort=False)[["baseline", "counterfactual"]].sum()
    none = tot["baseline"] <= 0
    if (tot.loc[none, "counterfactual"] > 0).any():
        raise ModelError("a pair with no baseline trade trades in the counterfactual", field="flows")
    # pairs that trade neither before nor after: no change
    ratio = tot["counterfactual"].where(~none, 1.0) / tot["baseline"].where(~none, 1.0)
    change = 100.0 * (ratio - 1.0)
    piv = change.unstack("region").reindex(index=run.world.regions, columns=run.world.regions)
    heat = _change_heatmap(piv, "trade-flow heatmap", "from %{y} to %{x}: %{z:.1f} %<extra></extra>")
    heat.update_layout(
        title=f"Change in trade flows, all products, {last} (%; rows: exporter, columns: importer)",
        xaxis_title="importer",
        yaxis_title="exporter",
        height=460,
    )
    out = [_fig_html(heat, f"{key}-flows"), _flow_path_fig(run, key, change)]
    if run.chokepoints:
        foreign = fl[fl["origin"] != fl["region"]]
        imp = (
            foreign[foreign["product"].isin(run.chokepoints)]
            .groupby(["region", "product"], sort=False)[["baseline", "counterfactual"]]
            .sum()
        )
        imp = imp[imp["baseline"] > 0]
        pct = (100.0 * (imp["counterfactual"] / imp["baseline"] - 1.0)).reset_index(name="pct")
        _finite(pct["pct"], "chokepoint imports chart")
        bars = go.Figure(
            [go.Bar(name=str(p), x=g["region"], y=g["pct"]) for p, g in pct.groupby("product", sort=False)]
        )
        bars.update_layout(
            title=f"Imports of chokepoint goods by region, {last} (% change)",
            barmode="group",
            yaxis_title="% change",
        )
        out.append(_fig_html(bars, f"{key}-chokepoint-imports"))
    return out


def _flow_path_fig(run: ScenarioRun, key: str, last_change: pd.Series, n: int = 6) -> str:
    """% change of the ``n`` international flows that change most in the last year, by year."""
    intl = last_change[[o != r for o, r in last_change.index]]
    top = intl.abs().sort_values(ascending=False).index[:n]
    fl = run.flows[run.flows["origin"] != run.flows["region"]]
    tot = fl.groupby(["year", "origin", "region"])[["baseline", "counterfactual"]].sum()
    fig = go.Figure()
    for o, r in top:
        g = tot.xs((o, r), level=("origin", "region"))
        if (g["baseline"] <= 0).any():
            continue
        pct = 100.0 * (g["counterfactual"] / g["baseline"] - 1.0)
        _finite(pct, "trade-flow paths")
        fig.add_trace(go.Scatter(x=list(g.index), y=pct.tolist(), mode="lines+markers", name=f"{o} → {r}"))
    fig.update_layout(
        title="The trade flows that change most: exporter → importer, all products (% change)",
        xaxis_title="year",
        yaxis_title="% change",
        xaxis={"dtick": 1},
    )
    return _fig_html(fig, f"{key}-flow-paths")


def _ss_figs(run: ScenarioRun, key: str) -> list[str]:
    out = []
    names = run.world.meta.sector_names
    for s in run.chokepoints:
        fig = go.Figure()
        col, base_col = f"self_sufficiency_{s}", f"self_sufficiency_{s}_baseline"
        skipped = [r for r, sec in run.undefined_self_sufficiency if sec == s]
        for region, g in run.regions.groupby("region", sort=False):
            if region in skipped:
                continue
            x = ["base", *[str(y) for y in g["year"]]]
            y = [float(g[base_col].iloc[0]), *g[col].tolist()]
            _finite(y, f"self-sufficiency of {s}")
            fig.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=str(region)))
        fig.update_layout(
            title=f"Self-sufficiency: {names.get(s, s)} ({s})",
            xaxis_title="year",
            yaxis_title="domestic output / domestic use",
            xaxis={"type": "category"},
        )
        out.append(_fig_html(fig, f"{key}-ss-{s}"))
        if skipped:
            out.append(
                f"<p class='small'>Not shown: {_esc(', '.join(skipped))} (neither makes nor uses "
                f"{_esc(names.get(s, s))}, so self-sufficiency is undefined).</p>"
            )
    return out


def _comparison_fig(runs: Sequence[ScenarioRun]) -> str:
    fig = go.Figure()
    for r in runs:
        last = r.regions[r.regions["year"] == r.years[-1]]
        _finite(last["welfare_pct"], "scenario comparison")
        fig.add_trace(go.Bar(name=r.scenario.name, x=last["region"], y=last["welfare_pct"]))
    fig.update_layout(
        title=f"Welfare by region and scenario, {runs[0].years[-1]} (%)",
        barmode="group",
        yaxis_title="% change",
    )
    return _fig_html(fig, "comparison-welfare")


def _scenario_section(run: ScenarioRun, k: int) -> str:
    key = f"s{k}"
    sc = run.scenario
    parts = [f"<h2>{_esc(sc.title)} <span class='small'>({_esc(sc.name)})</span></h2>"]
    parts.append(f"<p>{_esc(sc.description)}</p>")
    parts.append(f"<p class='headline'>{_esc(_headline(run))}</p>")
    parts.append("<h3>What was assumed</h3>")
    rows = measure_rows(sc, run.years)
    parts.append(_table(rows.drop(columns=["source or assumption"])))
    if sc.assumptions:
        parts.append("<ul>" + "".join(f"<li>{_esc(a)}</li>" for a in sc.assumptions) + "</ul>")
    cites = "".join(
        f"<li><b>{_esc(r['measure'])}</b> ({_esc(r['from'])}): {_esc(r['source or assumption'])}</li>"
        for _, r in rows.iterrows()
    )
    parts.append(
        f"<details><summary>Sources and assumptions of each measure</summary><ul>{cites}</ul></details>"
    )
    parts.append("<h3>Welfare by region</h3>")
    summary = run.summary_table().rename(columns=_nice)
    ss_cols = [_nice(f"self_sufficiency_{s}") for s in run.chokepoints]
    parts.append(_table(summary, digits=3, na_ok=ss_cols))
    if run.undefined_self_sufficiency:
        pairs = ", ".join(f"{r} {s}" for r, s in run.undefined_self_sufficiency)
        parts.append(
            f"<p class='small'>n/a: the region neither makes nor uses the product ({_esc(pairs)}).</p>"
        )
    parts.extend(_welfare_figs(run, key))
    parts.append("<h3>Sector output</h3>")
    parts.append(_sector_fig(run, key))
    parts.append("<h3>Trade flows</h3>")
    parts.extend(_flow_figs(run, key))
    if run.chokepoints:
        parts.append(f"<h3>Self-sufficiency, {run.years[0]}-{run.years[-1]}</h3>")
        parts.extend(_ss_figs(run, key))
    solver = pd.DataFrame(
        [
            {
                "year": r["year"],
                "converged": "yes" if r["converged"] else "NO",
                "iterations": r["iterations"],
                "residual": f"{r['residual']:.1e}",
                "seconds": r["seconds"],
            }
            for r in run.solver
        ]
    )
    parts.append("<h3>Solver record</h3>" + _table(solver, digits=3))
    return "\n".join(parts)


def _headline(run: ScenarioRun) -> str:
    """One sentence with the range of welfare changes in the last year."""
    last = run.years[-1]
    reg = run.regions[run.regions["year"] == last].set_index("region")["welfare_pct"]
    lo, hi = reg.idxmin(), reg.idxmax()
    text = f"In {last}, welfare changes range from {reg[lo]:+.2f} % ({lo}) to {reg[hi]:+.2f} % ({hi})"
    for code in ("USA", "CHN"):
        if code in reg.index and code not in (lo, hi):
            text += f"; {code}: {reg[code]:+.2f} %"
    if "ev_usd_bn" in run.regions.columns:
        ev = run.regions[run.regions["year"] == last].set_index("region")["ev_usd_bn"]
        named = [c for c in ("USA", "CHN") if c in ev.index] or [lo, hi]
        text += " (equivalent variation: " + ", ".join(f"{c} {ev[c]:+.1f} USD bn" for c in named) + ")"
    return text + "."


def _legend(run: ScenarioRun) -> str:
    meta = run.world.meta
    regions = ", ".join(f"{c} = {meta.region_names.get(c, c)}" for c in run.world.regions)
    sectors = ", ".join(f"{c} = {meta.sector_names.get(c, c)}" for c in run.world.sectors)
    return f"<p class='small'><b>Regions:</b> {_esc(regions)}.<br><b>Sectors:</b> {_esc(sectors)}.</p>"


def _nice(col: str) -> str:
    return {
        "welfare_pct": "welfare %",
        "ev_usd_bn": "EV (USD bn)",
        "real_wage_pct": "real wage %",
        "terms_of_trade_pct": "terms of trade %",
        "volume_of_trade_pct": "volume of trade %",
    }.get(
        col,
        col.replace("self_sufficiency_", "self-sufficiency ") + " (ratio)"
        if col.startswith("self_sufficiency_")
        else col,
    )


def render_report(
    runs: Sequence[ScenarioRun],
    decompositions: Sequence[Decomposition] = (),
    *,
    draws: Sequence[DrawsRun] = (),
) -> str:
    """The report for one or more scenario runs on the same World, as one HTML string.

    ``decompositions`` (:func:`tradewar.runs.decompose.decompose_run`) add a waterfall of
    each decomposed scenario's welfare by measure to its section.
    ``draws``: Monte Carlo draws of some of the runs (matched by scenario name); their
    uncertainty section (:func:`tradewar.report.uncertainty.draws_section`) follows.
    """
    if not runs:
        raise ModelError("no runs to report", field="runs")
    first = runs[0]
    same_world = len({(r.world_spec, tuple(r.world.regions)) for r in runs}) == 1
    meta = first.world.meta
    title = first.scenario.title if len(runs) == 1 else f"{len(runs)} trade-policy scenarios"
    created = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_esc(title)} - tradewar report</title>",
        f"<style>{_CSS}</style>",
        f'<script type="text/javascript">{get_plotlyjs()}</script>',
        "</head><body>",
        f"<h1>{_esc(title)}</h1>",
        f"<p class='meta'>World: <b>{_esc(first.world_spec)}</b> ({_esc(meta.source)}; base year "
        f"{_esc(meta.year)}, {len(first.world.regions)} regions x {len(first.world.sectors)} sectors, "
        f"values in {_esc(meta.unit)}). Years {first.years[0]}-{first.years[-1]}. Generated {created} "
        "by tradewar.</p>",
    ]
    if any(r.world.meta.stylized for r in runs):
        parts.append(
            "<div class='notice' id='stylized-notice'><b>Stylized world - not for policy "
            "conclusions.</b> The baseline economy is calibrated to rounded public aggregates, "
            "with the rest imputed; the numbers show mechanisms and orders of magnitude, not "
            "forecasts.</div>"
        )
    if not same_world:
        worlds = ", ".join(sorted({f"{r.scenario.name}: {r.world_spec}" for r in runs}))
        parts.append(f"<p class='meta'>The scenarios ran on different worlds ({_esc(worlds)}).</p>")
    parts.append(_EXPLAIN)
    parts.append(_legend(first))
    if len(runs) > 1 and same_world:
        parts.append("<h2>Scenarios compared</h2>")
        parts.append(_comparison_fig(runs))
    decomposed = {d.scenario: d for d in decompositions}
    by_name = {d.run.scenario.name: d for d in draws}
    for k, run in enumerate(runs):
        parts.append(_scenario_section(run, k))
        if run.scenario.name in decomposed:
            parts.append(decomposition_section(decomposed[run.scenario.name], f"s{k}"))
        if run.scenario.name in by_name:
            from tradewar.report.uncertainty import draws_section

            parts.append(draws_section(by_name[run.scenario.name], f"s{k}"))
    parts.append("</body></html>")
    return "\n".join(parts)
