"""Tables for people: the measures of a scenario, and the terminal summary of a run."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Group
from rich.table import Table

from tradewar.policy.models import (
    ExportControlMeasure,
    ImportBanMeasure,
    ProductivityMeasure,
    TariffScheduleMeasure,
)

if TYPE_CHECKING:
    from tradewar.policy import Scenario
    from tradewar.runs import ScenarioRun


def _codes(v: str | list[str], exclude: Sequence[str] = ()) -> str:
    text = v if isinstance(v, str) else ", ".join(v)
    return text + (f" except {', '.join(exclude)}" if exclude else "")


def _who(m: Any) -> str:
    if isinstance(m, ProductivityMeasure):
        return _codes(m.region)
    imp = _codes(m.imposer)
    tgt = _codes(m.target, m.exclude_targets)
    flow = getattr(m, "flow", "imports")
    if isinstance(m, ExportControlMeasure) or flow == "exports":
        return f"{imp} on exports to {tgt}"
    if flow == "both":
        return f"{imp} on imports from and exports to {tgt}"
    return f"{imp} on imports from {tgt}"


def _what(m: Any, years: Sequence[int]) -> str:
    if isinstance(m, ExportControlMeasure) and m.mode != "licence":
        return "full ban" if m.mode == "ban" else "lifted"
    if isinstance(m, ImportBanMeasure):
        return "full ban" if m.mode == "ban" else "lifted"
    if isinstance(m, TariffScheduleMeasure):
        return f"schedule {m.file} ({m.action}, {m.weights} weights)"
    if isinstance(m, ProductivityMeasure) and m.funding is not None:
        f = m.funding
        fin = f.financing
        return (
            f"{f.amount:g} {f.unit} spent {f.spent.label()}, gross return {f.rate_of_return:g} a year "
            f"-> productivity; financed by {fin.by} at a user cost of {fin.user_cost_rate:g} a year "
            f"(normal return {fin.normal_return:g} + depreciation {fin.depreciation:g})"
        )
    if m.type == "tariff_layer":
        return f"tariffs of the world's layer {m.layer!r}"
    mag = getattr(m, "magnitude", None)
    in_force = [y for y in years if m.years.contains(y)]
    if mag is None or not in_force:
        return "-"
    vals = [(y, 100.0 * mag.rate_at(y, m.years)) for y in in_force]
    prefix = {
        "tariff": "tariff",
        "export_control": "tariff-equivalent",
        "trade_cost": "trade cost",
        "productivity": "productivity",
    }.get(m.type, m.type)
    if getattr(m, "action", None) == "add":
        prefix = "tariff +"
    elif m.type in ("trade_cost", "productivity"):
        prefix += " +"
    if len({round(v, 9) for _, v in vals}) == 1:
        return f"{prefix} {vals[0][1]:g} %"
    return f"{prefix} " + ", ".join(f"{y}: {v:.3g} %" for y, v in vals)


def _cite(m: Any) -> str:
    parts = []
    sources = m.source if isinstance(m.source, list) else ([m.source] if m.source else [])
    for s in sources:
        parts.append(f"{' '.join(s.document.split())} ({s.date})")
    if m.assumption:
        parts.append("Assumption: " + " ".join(m.assumption.split()))
    return "; ".join(parts)


#: Columns of :func:`measure_rows` (also when a scenario has no measures).
MEASURE_COLUMNS = ("measure", "from", "type", "who", "sectors", "years", "magnitude", "source or assumption")


def own_years(m: Any, last: int) -> list[int]:
    """The years a measure is in force, an open end (``2026-``) taken up to ``last``."""
    end = m.years.end if m.years.end is not None else max(last, m.years.start)
    return list(range(m.years.start, end + 1))


def measure_rows(scenario: Scenario, years: Sequence[int] | None = None) -> pd.DataFrame:
    """One row per measure: name, scenario file, type, who, sectors, years, magnitude, sources.

    ``years``: the years whose magnitudes are shown (a run's years); None: each measure's
    own years (open-ended ones up to the scenario's last year, else the default run's).
    """
    from tradewar.runs.result import DEFAULT_YEARS

    end = None if scenario.years is None else scenario.years.end
    last = DEFAULT_YEARS[-1] if end is None else end
    rows = []
    for pm in scenario.measures:
        m = pm.measure
        shown = own_years(m, last) if years is None else years
        sectors = _codes(m.sectors, m.exclude_sectors)
        if isinstance(m, TariffScheduleMeasure):
            sectors = "from the schedule" + ("" if sectors == "all" else f" ({sectors})")
        rows.append(
            {
                "measure": m.name or "-",
                "from": pm.scenario,
                "type": m.type.replace("_", " "),
                "who": _who(m),
                "sectors": sectors,
                "years": m.years.label(),
                "magnitude": _what(m, shown),
                "source or assumption": _cite(m),
            }
        )
    return pd.DataFrame(rows, columns=list(MEASURE_COLUMNS))


def _num(v: Any) -> str:
    x = float(v)
    return "n/a" if math.isnan(x) else f"{x:.3f}"


def summary_rich_table(run: ScenarioRun, year: int | None = None) -> Group:
    """The terminal summary of ``run`` in ``year`` (default: the last year).

    Two tables, each narrow enough for an 80-column terminal so that no number is cut:
    welfare (%, and the equivalent variation in base-year USD billion), the real wage and
    the terms-of-trade and volume-of-trade terms; then self-sufficiency in each chokepoint
    sector (the baselines are in ``regions.csv``).
    """
    y = run.years[-1] if year is None else year
    df = run.summary_table(y)
    horizon = ", short run on the dynamic path" if run.is_dynamic else ""
    heads = {
        "region": "region",
        "welfare_pct": "welfare %",
        "ev_usd_bn": "EV USD bn",
        "real_wage_pct": "real wage %",
        "terms_of_trade_pct": "ToT %",
        "volume_of_trade_pct": "VoT %",
    }
    money = [c for c in heads if c in df.columns]
    welfare = Table(title=f"{run.scenario.name} on {run.world_spec}, {y}{horizon} (% change vs. no measures)")
    for c in money:
        welfare.add_column(heads[c], justify="right", no_wrap=True)
    notes = [
        f"world base year {run.world.meta.year}" if run.world.meta.year is not None else "",
        run.deficit_note(),
    ]
    if "ev_usd_bn" in df.columns:
        notes.append("EV = equivalent variation of the welfare change, base-year USD billion")
    welfare.caption = "\n".join(c for c in notes if c)
    for _, r in df.iterrows():
        welfare.add_row(
            *[
                str(r[c]) if c == "region" else f"{float(r[c]):,.1f}" if c == "ev_usd_bn" else _num(r[c])
                for c in money
            ]
        )
    if not run.chokepoints:
        return Group(welfare)
    ss = Table(
        title=f"self-sufficiency, {y}: domestic output / domestic use (ratio; baselines in regions.csv)"
    )
    ss.add_column("region", justify="right", no_wrap=True)
    for s in run.chokepoints:
        ss.add_column(s, justify="right", no_wrap=True)
    for _, r in df.iterrows():
        cells = [f"{float(r[f'self_sufficiency_{s}']):.2f}" for s in run.chokepoints]
        ss.add_row(str(r["region"]), *[c.replace("nan", "n/a") for c in cells])
    return Group(welfare, ss)
