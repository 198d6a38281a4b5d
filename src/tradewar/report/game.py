"""The HTML report of a tariff game (``tradewar game optimal|nash|deal``).

One self-contained page in the style of the scenario report
(:mod:`tradewar.report.layout`): a title, the settings the game was played under (world
and its base year, model, instrument, deficit rule, government objective), notes, one
fixed-size welfare chart with each region in its colour and the World's order
(:mod:`tradewar.report.palette`), and the tables with human-readable column names and
units. Large tables are left to their CSV files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from tradewar.report.layout import CSS, column_label, esc, fig_html, finite, table
from tradewar.report.palette import region_colours, region_order, series_colour

#: Titles of the game's tables (the CSV files keep the short names).
TABLE_TITLES: dict[str, str] = {
    "optimal_summary": "Optimal tariffs: summary by player",
    "optimal_tariffs": "Optimal tariffs by partner and product",
    "nash_summary": "Trade war (Nash equilibrium): summary by region",
    "nash_tariffs": "Trade-war tariffs by partner and product",
    "nash_history": "Best-response rounds",
    "deal_welfare": "Welfare under each outcome, by region",
    "deal_preferences": "Which outcomes each player prefers",
    "deal_tariffs": "Nash-bargaining tariffs by partner and product",
    "war_tariffs": "Trade-war tariffs by partner and product",
}

#: Names of the deal outcomes, for people.
OUTCOME_LABELS: dict[str, str] = {
    "nash_bargaining": "Nash bargaining",
    "equal_gains_talks": "equal gains over the status quo (Ossa's talks)",
    "equal_gains_over_war": "equal gains over the war",
}

#: Tables longer than this are not printed in the page (see their CSV file).
MAX_ROWS = 400
#: Tables longer than this are folded (click to open).
FOLD_ROWS = 30


def welfare_chart(bars: pd.DataFrame, regions: Sequence[str], name: str = "game-welfare") -> str:
    """Bar chart of welfare changes: ``bars`` has ``region`` and one column per series (%).

    One series: each bar in its region's colour. Several: one colour per series. Regions
    always in the World's order.
    """
    series = [c for c in bars.columns if c != "region"]
    finite(bars[series], "welfare chart")
    order = region_order(regions)
    data = bars.set_index("region").reindex([r for r in order if r in set(bars["region"])])
    colours = region_colours(regions)
    fig = go.Figure()
    for k, c in enumerate(series):
        colour: str | list[str] = [colours[r] for r in data.index] if len(series) == 1 else series_colour(k)
        fig.add_trace(go.Bar(name=column_label(c), x=list(data.index), y=data[c], marker_color=colour))
    fig.update_layout(
        title="Welfare change by region (% vs. the status quo)",
        barmode="group",
        yaxis_title="welfare change, %",
        xaxis={"categoryorder": "array", "categoryarray": list(data.index), "title": "region"},
        showlegend=len(series) > 1,
        legend={"orientation": "h", "y": -0.2},
    )
    return fig_html(fig, name, height=460)


def render_game_report(
    title: str,
    settings: Mapping[str, str],
    tables: Mapping[str, pd.DataFrame],
    notes: Sequence[str],
    regions: Sequence[str],
    bars: pd.DataFrame | None = None,
) -> str:
    """The game's page as one HTML string.

    Parameters
    ----------
    title: the page title.
    settings: what the game was played under, label -> value (printed as a list).
    tables: name -> table (titles from :data:`TABLE_TITLES`).
    notes: sentences for people.
    regions: all regions of the World, in its order (colours and order of the chart).
    bars: welfare changes for the chart (``region`` and one column per series), if any.
    """
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)} - tradewar game</title>",
        f"<style>{CSS}</style>",
    ]
    if bars is not None:
        parts.append(f'<script type="text/javascript">{get_plotlyjs()}</script>')
    parts += ["</head><body>", f"<h1>{esc(title)}</h1>"]
    items = "".join(f"<li><b>{esc(k)}</b>: {esc(v)}</li>" for k, v in settings.items())
    parts.append(f"<ul class='meta' id='game-settings'>{items}</ul>")
    parts += [f"<p>{esc(n)}</p>" for n in notes]
    if bars is not None:
        parts.append(welfare_chart(bars, regions))
    for name, df in tables.items():
        heading = TABLE_TITLES.get(name, column_label(name).capitalize())
        if "outcome" in df.columns:
            df = df.assign(outcome=df["outcome"].map(lambda o: OUTCOME_LABELS.get(o, o)))
        parts.append(f"<h2>{esc(heading)}</h2>")
        body = table(df, digits={"iterations": 0, "round": 0, "max_change": 6}) if len(df) <= MAX_ROWS else ""
        if len(df) <= FOLD_ROWS:
            parts.append(body)
        elif body:
            parts.append(
                f"<details><summary>{len(df)} rows (also in {esc(name)}.csv)</summary>{body}</details>"
            )
        else:
            parts.append(f"<p>{len(df)} rows: see {esc(name)}.csv</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
