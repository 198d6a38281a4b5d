"""The self-contained HTML report of a scenario run, for readers who do not program.

One file, no network: plotly.js is embedded inline once, every figure is a ``<div>``
drawn by it. Sections: the stylized-world notice (when the World is stylized), how to
read the numbers, what was assumed (every measure with its magnitude by year and its
source or assumption), welfare by region, sector output changes, trade-flow changes,
self-sufficiency paths over the years, and the solver record; for a dynamic run, the
short-run path beside the long-run steady state (:func:`_dynamics_section`).

:func:`render_report` refuses to write NaN or infinite numbers: it raises
:class:`~tradewar.errors.ModelError` naming the figure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from tradewar.errors import ModelError
from tradewar.report.layout import CSS, esc, fig_html, finite, table
from tradewar.report.palette import diverging_scale, region_colours, region_order, series_colour
from tradewar.report.tables import measure_rows
from tradewar.report.waterfall import decomposition_section

if TYPE_CHECKING:
    from tradewar.runs import DrawsRun, ScenarioRun
    from tradewar.runs.decompose import Decomposition

_EXPLAIN = """
<div class="explain">
<p><b>How to read the numbers.</b> Every number compares the world <i>with</i> the measures in
force in a given year to the same base-year world <i>without</i> them (a comparative-static
path, or on a dynamic path each year given the capacity installed by then: see "Short run
and long run"; not a forecast). Changes are in percent, with money amounts in base-year US dollars
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


_esc = esc
_finite = finite
_fig_html = fig_html


def _table(df: pd.DataFrame, digits: int = 2, na_ok: Sequence[str] = ()) -> str:
    """HTML table of a run's frame (columns named for people, see :func:`.layout.column_label`)."""
    return table(df, digits=digits, na_ok=na_ok)


def _region_axis(regions: Sequence[str]) -> dict[str, Any]:
    """An x axis of regions in the World's fixed order."""
    return {"categoryorder": "array", "categoryarray": region_order(regions)}


def _welfare_figs(run: ScenarioRun, key: str) -> list[str]:
    return [_welfare_bar_fig(run, key), _welfare_path_fig(run, key)]


def _welfare_bar_fig(run: ScenarioRun, key: str) -> str:
    """Welfare (solid) and real wage (hatched) by region in the last year, region colours."""
    last = run.years[-1]
    regions = run.world.regions
    colours = region_colours(regions)
    reg = run.regions[run.regions["year"] == last].set_index("region").reindex(region_order(regions))
    _finite(reg[["welfare_pct", "real_wage_pct"]], "welfare chart")
    marker = [colours[r] for r in reg.index]
    bar = go.Figure(
        [
            go.Bar(
                name="Welfare (real income)", x=list(reg.index), y=reg["welfare_pct"], marker_color=marker
            ),
            go.Bar(
                name="Real wage (hatched)",
                x=list(reg.index),
                y=reg["real_wage_pct"],
                marker={"color": marker, "pattern": {"shape": "/", "fillmode": "overlay"}, "opacity": 0.6},
            ),
        ]
    )
    bar.update_layout(
        title=f"Welfare and real wages by region, {last} (% vs. no measures)",
        barmode="group",
        yaxis_title="% change",
        xaxis=_region_axis(regions),
    )
    return _fig_html(bar, f"{key}-welfare")


def _welfare_path_fig(run: ScenarioRun, key: str) -> str:
    """Welfare by year, one line per region in its colour, in the World's order."""
    colours = region_colours(run.world.regions)
    lines = go.Figure()
    by_region = dict(tuple(run.regions.groupby("region", sort=False)))
    for region in region_order(run.world.regions):
        if region not in by_region:
            continue
        g = by_region[region]
        _finite(g["welfare_pct"], "welfare path")
        lines.add_trace(
            go.Scatter(
                x=g["year"],
                y=g["welfare_pct"],
                mode="lines+markers",
                name=str(region),
                line={"color": colours[region]},
            )
        )
    lines.update_layout(
        title="Welfare path by region (% vs. no measures)",
        xaxis_title="year",
        yaxis_title="% change",
        xaxis={"dtick": 1},
    )
    return _fig_html(lines, f"{key}-welfare-path")


def _change_heatmap(piv: pd.DataFrame, what: str, hovertemplate: str) -> tuple[go.Figure, str]:
    """Diverging red-blue heatmap of % changes centred on 0, and the note on its scale.

    The colours cover the full range unless a few cells would wash out the rest
    (:func:`~tradewar.report.palette.diverging_scale`); then clipped cells print their
    value, the colour-bar ends read "≤" / "≥", and the note says so. Rows run top to
    bottom in the given order.
    """
    z = piv.to_numpy(dtype=float)
    _finite(z, what)
    scale = diverging_scale(z)
    lim = scale.limit
    text = np.where(scale.clipped, np.vectorize(lambda v: f"{v:.0f}%")(z), "")
    ends = ("≤ " if scale.n_clipped else "") + f"{-lim:g}", ("≥ " if scale.n_clipped else "") + f"{lim:g}"
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(piv.columns),
            y=list(piv.index),
            text=text,
            texttemplate="%{text}",
            textfont={"size": 11},
            colorscale="RdBu",
            zmid=0,
            zmin=-lim,
            zmax=lim,
            colorbar={
                "title": "%" + (" (clipped)" if scale.n_clipped else ""),
                "tickvals": [-lim, -lim / 2, 0, lim / 2, lim],
                "ticktext": [ends[0], f"{-lim / 2:g}", "0", f"{lim / 2:g}", ends[1]],
            },
            hovertemplate=hovertemplate,
        )
    )
    fig.update_yaxes(autorange="reversed")
    return fig, (scale.note().capitalize() + "." if scale.n_clipped else "")


def _sector_fig(run: ScenarioRun, key: str) -> str:
    last = run.years[-1]
    sec = run.sectors[run.sectors["year"] == last]
    piv = sec.pivot(index="region", columns="sector", values="output_change_pct")
    piv = piv.reindex(index=region_order(run.world.regions), columns=run.world.sectors)
    fig, note = _change_heatmap(piv, "sector output heatmap", "%{y} %{x}: %{z:.2f} %<extra></extra>")
    fig.update_layout(title=f"Real output change by region and sector, {last} (%; hover for values)")
    return _fig_html(fig, f"{key}-sectors", height=460, note=note)


def _flow_figs(run: ScenarioRun, key: str) -> list[str]:
    change = _flow_change(run)
    out = [_flow_heatmap_fig(run, key, change), _flow_path_fig(run, key, change)]
    if run.chokepoints:
        out.append(_chokepoint_imports_fig(run, key))
    return out


def _flow_change(run: ScenarioRun) -> pd.Series:
    """% change of all-product flows (origin, region) in the last year."""
    fl = run.flows[run.flows["year"] == run.years[-1]]
    tot = fl.groupby(["origin", "region"], sort=False)[["baseline", "counterfactual"]].sum()
    none = tot["baseline"] <= 0
    if (tot.loc[none, "counterfactual"] > 0).any():
        raise ModelError("a pair with no baseline trade trades in the counterfactual", field="flows")
    # pairs that trade neither before nor after: no change
    ratio = tot["counterfactual"].where(~none, 1.0) / tot["baseline"].where(~none, 1.0)
    return 100.0 * (ratio - 1.0)


def _flow_heatmap_fig(run: ScenarioRun, key: str, change: pd.Series) -> str:
    order = region_order(run.world.regions)
    piv = change.unstack("region").reindex(index=order, columns=order)
    heat, note = _change_heatmap(piv, "trade-flow heatmap", "from %{y} to %{x}: %{z:.1f} %<extra></extra>")
    heat.update_layout(
        title=f"Change in trade flows, all products, {run.years[-1]} (%; rows: exporter, columns: importer)",
        xaxis_title="importer",
        yaxis_title="exporter",
    )
    return _fig_html(heat, f"{key}-flows", height=480, note=note)


def _chokepoint_imports_fig(run: ScenarioRun, key: str) -> str:
    """Imports of each chokepoint good by region (one series per good, regions in order)."""
    last = run.years[-1]
    fl = run.flows[run.flows["year"] == last]
    foreign = fl[fl["origin"] != fl["region"]]
    imp = (
        foreign[foreign["product"].isin(run.chokepoints)]
        .groupby(["region", "product"], sort=False)[["baseline", "counterfactual"]]
        .sum()
    )
    imp = imp[imp["baseline"] > 0]
    pct = (100.0 * (imp["counterfactual"] / imp["baseline"] - 1.0)).reset_index(name="pct")
    _finite(pct["pct"], "chokepoint imports chart")
    bars = go.Figure()
    for k, p in enumerate(run.chokepoints):
        g = pct[pct["product"] == p]
        bars.add_trace(go.Bar(name=str(p), x=g["region"], y=g["pct"], marker_color=series_colour(k)))
    bars.update_layout(
        title=f"Imports of chokepoint goods by region, {last} (% change)",
        barmode="group",
        yaxis_title="% change",
        xaxis=_region_axis(run.world.regions),
    )
    return _fig_html(bars, f"{key}-chokepoint-imports")


_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def _flow_path_fig(run: ScenarioRun, key: str, last_change: pd.Series, n: int = 6) -> str:
    """% change of the ``n`` international flows that change most in the last year, by year.

    Each line has its exporter's colour (dashes tell apart flows of one exporter).
    """
    colours = region_colours(run.world.regions)
    intl = last_change[[o != r for o, r in last_change.index]]
    top = intl.abs().sort_values(ascending=False).index[:n]
    fl = run.flows[run.flows["origin"] != run.flows["region"]]
    tot = fl.groupby(["year", "origin", "region"])[["baseline", "counterfactual"]].sum()
    fig = go.Figure()
    per_exporter: dict[str, int] = {}
    for o, r in top:
        g = tot.xs((o, r), level=("origin", "region"))
        if (g["baseline"] <= 0).any():
            continue
        pct = 100.0 * (g["counterfactual"] / g["baseline"] - 1.0)
        _finite(pct, "trade-flow paths")
        k = per_exporter.get(o, 0)
        per_exporter[o] = k + 1
        fig.add_trace(
            go.Scatter(
                x=list(g.index),
                y=pct.tolist(),
                mode="lines+markers",
                name=f"{o} → {r}",
                line={"color": colours[o], "dash": _DASHES[k % len(_DASHES)]},
            )
        )
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
    colours = region_colours(run.world.regions)
    by_region = dict(tuple(run.regions.groupby("region", sort=False)))
    for s in run.chokepoints:
        fig = go.Figure()
        col, base_col = f"self_sufficiency_{s}", f"self_sufficiency_{s}_baseline"
        skipped = [r for r, sec in run.undefined_self_sufficiency if sec == s]
        for region in region_order(run.world.regions):
            if region in skipped or region not in by_region:
                continue
            g = by_region[region]
            x = ["base", *[str(y) for y in g["year"]]]
            y = [float(g[base_col].iloc[0]), *g[col].tolist()]
            _finite(y, f"self-sufficiency of {s}")
            fig.add_trace(
                go.Scatter(x=x, y=y, mode="lines+markers", name=str(region), line={"color": colours[region]})
            )
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
    for k, r in enumerate(runs):
        last = r.regions[r.regions["year"] == r.years[-1]]
        _finite(last["welfare_pct"], "scenario comparison")
        fig.add_trace(
            go.Bar(
                name=r.scenario.name, x=last["region"], y=last["welfare_pct"], marker_color=series_colour(k)
            )
        )
    fig.update_layout(
        title=f"Welfare by region and scenario, {runs[0].years[-1]} (%)",
        barmode="group",
        yaxis_title="% change",
        xaxis=_region_axis(runs[0].world.regions),
    )
    return _fig_html(fig, "comparison-welfare")


def _scenario_section(run: ScenarioRun, k: int) -> str:
    key = f"s{k}"
    sc = run.scenario
    parts = [f"<h2>{_esc(sc.title)} <span class='small'>({_esc(sc.name)})</span></h2>"]
    parts.append(f"<p>{_esc(sc.description)}</p>")
    parts.append(f"<p class='meta' id='{key}-deficits'>Deficits: {_esc(run.deficit_note())}.</p>")
    parts.append(f"<p class='headline'>{_esc(_headline(run))}</p>")
    parts.append("<h3>What was assumed</h3>")
    rows = measure_rows(sc, run.years)
    if rows.empty:
        parts.append("<p>No measures: every year equals the baseline.</p>")
    else:
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
    summary = run.summary_table()
    ss_cols = [f"self_sufficiency_{s}" for s in run.chokepoints]
    parts.append(_table(summary, digits=3, na_ok=ss_cols))
    if run.undefined_self_sufficiency:
        pairs = ", ".join(f"{r} {s}" for r, s in run.undefined_self_sufficiency)
        parts.append(
            f"<p class='small'>n/a: the region neither makes nor uses the product ({_esc(pairs)}).</p>"
        )
    parts.extend(_welfare_figs(run, key))
    parts.append("<h3>Sector output</h3>")
    parts.append(_sector_fig(run, key))
    parts.append(_money_tables(run))
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


def _money_tables(run: ScenarioRun, n: int = 10) -> str:
    """The ``n`` largest changes in USD billion in the last year: sector output and bilateral trade.

    Empty when the World's unit is not a USD unit (no ``*_usd_bn`` columns).
    """
    if "output_change_usd_bn" not in run.sectors.columns or "change_usd_bn" not in run.flows.columns:
        return ""
    last = run.years[-1]
    sec = run.sectors[run.sectors["year"] == last]
    top = sec.reindex(sec["output_change_usd_bn"].abs().sort_values(ascending=False).index[:n])
    out = top[["region", "sector", "output_change_usd_bn", "output_change_pct"]].rename(
        columns={"output_change_usd_bn": "real output change (USD bn)", "output_change_pct": "%"}
    )
    fl = run.flows[(run.flows["year"] == last) & (run.flows["origin"] != run.flows["region"])]
    pair = fl.groupby(["origin", "region"], sort=False)[["baseline", "counterfactual", "change_usd_bn"]].sum()
    pair = pair[pair["baseline"] > 0]
    pair["%"] = 100.0 * (pair["counterfactual"] / pair["baseline"] - 1.0)
    pair = pair.reindex(pair["change_usd_bn"].abs().sort_values(ascending=False).index[:n]).reset_index()
    trade = pair[["origin", "region", "change_usd_bn", "%"]].rename(
        columns={"origin": "exporter", "region": "importer", "change_usd_bn": "trade change (USD bn)"}
    )
    return (
        f"<h3>The largest changes in money, {last}</h3>"
        "<p class='small'>Base-year US dollars (billion); output is the real change valued at "
        "baseline prices, trade the change in flows net of tariffs (all products).</p>"
        f"{_table(out, digits=2)}{_table(trade, digits=2)}"
    )


def _capacity_limit_note(run: Any) -> str:
    """One paragraph on the short-run capacity limits of the path, and where they bind."""
    d = run.dynamics or {}
    slack = d.get("capacity_slack") or {}
    if not slack:
        return ""
    limits = ", ".join(f"{_esc(k)} +{100 * v:.0f} %" for k, v in slack.items())
    who = "the buyers (contract allocation)" if d.get("capacity_rent") == "importer" else "the producers"
    cap = run.capacity
    bind = cap[cap["capacity_limited"] & (cap["capacity_wedge"] > 1e-6)]
    if bind.empty:
        where = "They do not bind in this scenario."
    else:
        rows = bind.groupby(["sector", "year"])["capacity_wedge"].agg(["count", "max"]).reset_index()
        where = (
            "They bind: "
            + "; ".join(
                f"{_esc(str(r['sector']))} {r['year']} in {r['count']} region(s), "
                f"scarcity wedge up to {100 * r['max']:.0f} %"
                for _, r in rows.iterrows()
            )
            + "."
        )
    return (
        "<p>In the short run a mine or plant cannot produce beyond its capacity: real output of "
        f"{limits} above the base year is the most existing capacity allows (spare capacity), "
        "until investment adds more after its gestation lag. A binding limit rations supply with a "
        f"scarcity wedge whose rent goes to {who}. {where}</p>"
    )


def _dynamics_section(run: ScenarioRun, key: str) -> str:
    """The recursive-dynamic path: which figures are short-run, the long run beside them.

    Welfare by region for each year and in the long-run steady state; capacity, output and
    price paths of the chokepoint sectors; the path's settings with their sources.
    """
    assert run.capacity is not None and run.dynamics is not None
    d = run.dynamics
    y0, y1 = run.years[0], run.years[-1]
    first = float(run.capacity["elasticity_factor"].iloc[0])
    parts = [
        "<h3>Short run and long run</h3>",
        "<div class='explain'><p>These years are a <b>recursive-dynamic path</b>: each year is an "
        "equilibrium given the production capacity installed by then (sector-specific capital that "
        "new investment adds to only after a gestation lag) and trade elasticities that rise from "
        f"{100 * first:.0f} % of their long-run values in {y0} to the long-run values after "
        f"{d['elasticity_horizon']} years. <b>Every figure of a year is short-run.</b> The column "
        f"<i>long run</i> is the steady state under the {y1} policies once capacity has fully "
        "adjusted (the return on capacity back at its base-year level) and elasticities are at "
        "their long-run values: it is not a forecast for any year.</p>"
        + _capacity_limit_note(run)
        + "</div>",
    ]
    wide = run.regions.pivot(index="region", columns="year", values="welfare_pct").reindex(run.world.regions)
    wide.columns = [str(c) for c in wide.columns]
    if run.long_run_regions is not None:
        wide["long run"] = run.long_run_regions.set_index("region")["welfare_pct"].reindex(wide.index)
    _finite(wide, "welfare path (dynamics)")
    parts.append("<p><b>Welfare by region (% vs. no measures)</b></p>")
    parts.append(_table(wide.reset_index(), digits=3))
    chokes = [s for s in run.chokepoints if s in set(run.capacity["sector"])]
    for sector in chokes:
        cap = run.capacity[run.capacity["sector"] == sector]
        sec = run.sectors[run.sectors["sector"] == sector]
        fig = go.Figure()
        for region, g in cap.groupby("region", sort=False):
            _finite(g["capacity_hat"], f"capacity path {sector}")
            fig.add_trace(
                go.Scatter(
                    x=g["year"], y=100.0 * (g["capacity_hat"] - 1.0), mode="lines+markers", name=str(region)
                )
            )
        fig.update_layout(
            title=f"{sector}: production capacity (% vs. base year)", xaxis={"dtick": 1}, yaxis_title="%"
        )
        out = go.Figure()
        for region, g in sec.groupby("region", sort=False):
            _finite(g[["output_change_pct", "price_change_pct"]], f"output path {sector}")
            out.add_trace(
                go.Scatter(x=g["year"], y=g["output_change_pct"], mode="lines+markers", name=str(region))
            )
        out.update_layout(
            title=f"{sector}: real output (% vs. no measures, short-run)", xaxis={"dtick": 1}, yaxis_title="%"
        )
        parts.append(_fig_html(fig, f"{key}-capacity-{sector}"))
        parts.append(_fig_html(out, f"{key}-output-{sector}"))
        if run.long_run_sectors is not None:
            lr = run.long_run_sectors[run.long_run_sectors["sector"] == sector]
            last = sec[sec["year"] == y1].set_index("region")
            table = pd.DataFrame(
                {
                    "region": lr["region"].to_numpy(),
                    f"output % {y0}": sec[sec["year"] == y0]
                    .set_index("region")["output_change_pct"]
                    .reindex(lr["region"])
                    .to_numpy(),
                    f"output % {y1}": last["output_change_pct"].reindex(lr["region"]).to_numpy(),
                    "output % long run": lr["output_change_pct"].to_numpy(),
                    f"price % {y1}": last["price_change_pct"].reindex(lr["region"]).to_numpy(),
                    "price % long run": lr["price_change_pct"].to_numpy(),
                }
            )
            parts.append(f"<p><b>{_esc(sector)}: short run and long run</b></p>" + _table(table, digits=1))
    cites = "".join(f"<li>{_esc(c)}</li>" for c in [*d.get("sources", []), *d.get("capital_shares", [])])
    settings = (
        f"depreciation {d['depreciation']:g}/year; investment response to the return on capacity "
        f"{d['q_sensitivity']:g}; short-run trade elasticity {d['short_run_elasticity_ratio']:g} of "
        f"long-run, reached after {d['elasticity_horizon']} years; largest capacity expansion "
        f"{100 * d.get('max_expansion', float('inf')):.0f} %/year; learning "
        f"{'on' if d['learning'] else 'off'}"
    )
    parts.append(
        f"<details><summary>Settings of the path and their sources ({_esc(settings)})</summary>"
        f"<ul>{cites}</ul></details>"
    )
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
        f"<style>{CSS}</style>",
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
    for statement in sorted({r.world.meta.provenance for r in runs if r.world.meta.provenance}):
        parts.append(
            f"<div class='notice' id='world-provenance'><b>What the world is built from.</b> "
            f"{_esc(statement)}.</div>"
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
        if run.is_dynamic:
            parts.append(_dynamics_section(run, f"s{k}"))
        if run.scenario.name in decomposed:
            parts.append(decomposition_section(decomposed[run.scenario.name], f"s{k}"))
        if run.scenario.name in by_name:
            from tradewar.report.uncertainty import draws_section

            parts.append(draws_section(by_name[run.scenario.name], f"s{k}"))
    parts.append("</body></html>")
    return "\n".join(parts)
