"""Shared building blocks of the HTML reports: page style, figures, tables, column names.

Every report (:mod:`tradewar.report.html` for scenario runs, :mod:`tradewar.report.game`
for tariff games) is one self-contained page: the style below, plotly.js inline once,
each chart a fixed-size ``<div>`` (it does not grow with the window or push the tables
off-screen), tables with human-readable column names and units.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from tradewar.errors import ModelError

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:2px solid #ddd;padding-bottom:.2em}
h3{margin-top:1.5em}.meta{color:#555}.notice{background:#fff4e5;border-left:6px solid #f0a020;
padding:.8em 1em;margin:1em 0}.explain{background:#f3f6fa;padding:.6em 1em;border-radius:4px}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}
th,td{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}th{background:#f0f0f0;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.figure{margin:1em 0;overflow-x:auto}.small{font-size:.85em;color:#555}
.headline{font-size:1.1em;font-weight:600}details{margin:.8em 0}summary{cursor:pointer;color:#245}
.chart-note{font-size:.85em;color:#8a4b00;margin:.2em 0 1em}
"""

#: Size of every chart, in pixels (fixed: charts do not follow the window).
FIGURE_WIDTH = 1000
FIGURE_HEIGHT = 440

#: Column names of the tables, for people (units in brackets).
COLUMN_LABELS: dict[str, str] = {
    "region": "region",
    "origin": "exporter",
    "product": "product",
    "player": "player",
    "outcome": "outcome",
    "welfare_pct": "welfare (%)",
    "ev_usd_bn": "EV (USD bn)",
    "income_baseline_usd_bn": "baseline income (USD bn)",
    "output_change_usd_bn": "output change (USD bn)",
    "change_usd_bn": "change (USD bn)",
    "real_wage_pct": "real wage (%)",
    "terms_of_trade_pct": "terms of trade (%)",
    "volume_of_trade_pct": "volume of trade (%)",
    "tot_plus_vot_pct": "terms + volume of trade (%)",
    "median_tariff_pct": "median tariff (%)",
    "mean_tariff_pct": "mean tariff (%)",
    "tariff_pct": "tariff (%)",
    "own_welfare_change_pct": "own welfare change (%)",
    "others_mean_welfare_change_pct": "others' mean welfare change (%)",
    "welfare_change_pct": "welfare change (%)",
    "welfare_vs_status_quo_pct": "welfare vs. status quo (%)",
    "welfare_vs_war_pct": "welfare vs. trade war (%)",
    "prefers_to_status_quo": "prefers it to the status quo",
    "prefers_to_war": "prefers it to the trade war",
    "all_prefer": "every player prefers it",
    "war_pct": "trade war (%)",
    "nash_bargaining_pct": "Nash bargaining (%)",
    "equal_gains_talks_pct": "equal gains over the status quo (%)",
    "equal_gains_over_war_pct": "equal gains over the war (%)",
    "seconds": "time (s)",
    "iterations": "iterations",
    "round": "round",
    "max_change": "largest tariff change (fraction)",
}


def column_label(col: str) -> str:
    """A table column's name for people.

    :data:`COLUMN_LABELS`, else the words of the snake_case name with ``_pct`` as "(%)".
    """
    if col in COLUMN_LABELS:
        return COLUMN_LABELS[col]
    if col.startswith("self_sufficiency_"):
        rest = col.removeprefix("self_sufficiency_")
        base = rest.endswith("_baseline")
        return f"self-sufficiency {rest.removesuffix('_baseline')}{' before' if base else ''} (ratio)"
    text = re.sub(r"_pct$", " (%)", col)
    return text.replace("_", " ")


def esc(x: object) -> str:
    """HTML-escaped text."""
    return html.escape(str(x))


def finite(values: Any, what: str) -> None:
    """Refuse NaN or infinite numbers in a report element (names the element)."""
    a = np.asarray(values, dtype=float)
    if not np.isfinite(a).all():
        raise ModelError(
            f"the report's {what} has NaN or infinite values; nothing was written",
            field=what,
            fix="check the run's tables (regions.csv, sectors.csv) and report the scenario and world",
        )


def fig_html(fig: go.Figure, name: str, *, height: int | None = None, note: str = "") -> str:
    """A chart as a fixed-size ``<div>`` (id ``name``), with an optional note under it.

    Margins the figure does not set get the house defaults.
    """
    h = height or int(fig.layout.height or FIGURE_HEIGHT)
    margin = {k: v for k, v in {"l": 70, "r": 30, "t": 60, "b": 70}.items() if fig.layout.margin[k] is None}
    fig.update_layout(
        template="plotly_white",
        margin=margin,
        width=FIGURE_WIDTH,
        height=h,
        autosize=False,
    )
    body = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=name,
        default_width=f"{FIGURE_WIDTH}px",
        default_height=f"{h}px",
        config={"displaylogo": False, "responsive": False},
    )
    extra = f"<p class='chart-note' id='{esc(name)}-note'>{esc(note)}</p>" if note else ""
    return f'<div class="figure" style="width:{FIGURE_WIDTH}px;max-width:100%">{body}</div>{extra}'


def table(
    df: pd.DataFrame,
    digits: int | Mapping[str, int] = 2,
    na_ok: Sequence[str] = (),
    labels: bool = True,
) -> str:
    """HTML table with human-readable headers (:func:`column_label` when ``labels``).

    NaN is an error except in the ``na_ok`` columns (raw names), where it reads "n/a";
    ``digits``: decimals, one number or per column. Booleans read "yes"/"no".
    """
    head = "".join(f"<th>{esc(column_label(str(c)) if labels else c)}</th>" for c in df.columns)
    rows = []
    for _, r in df.iterrows():
        cells = []
        for col, v in r.items():
            d = digits.get(str(col), 2) if isinstance(digits, Mapping) else digits
            if isinstance(v, bool | np.bool_):
                cells.append(f"<td>{'yes' if v else 'no'}</td>")
            elif isinstance(v, float | np.floating) and np.isnan(v) and col in na_ok:
                cells.append('<td class="num">n/a</td>')
            elif isinstance(v, float | np.floating):
                finite(v, "table")
                cells.append(f'<td class="num">{v:,.{d}f}</td>')
            elif isinstance(v, int | np.integer):
                cells.append(f'<td class="num">{v}</td>')
            else:
                cells.append(f"<td>{esc(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
