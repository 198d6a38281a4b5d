"""``tradewar game``: optimal tariffs, trade-war Nash equilibria and negotiated deals.

Each command writes CSV tables and a small HTML report into ``--out`` (safely, see
:mod:`tradewar.outdir`: a non-empty folder that is not a game output, or a file, needs
``--force``) and prints a summary. ``--world ossa2014`` uses Ossa's (2014) 7x33 data and
model (political-economy weights ``--weights pol``); any other World spec (see ``tradewar.world.load``) is
calibrated to Ossa's model (``--model ossa``, exact gradients) or driven through the
general-equilibrium engine (``--model ge``, exact gradients too, by the adjoint method of
:mod:`tradewar.model.gradient`; each evaluation costs about two engine solves).
"""

from __future__ import annotations

import html
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer

from tradewar.cli._errors import fail
from tradewar.errors import ModelError, TradewarError
from tradewar.model.ossa import OssaModel, read_ossa2014
from tradewar.outdir import check_destination, output_folder
from tradewar.strategy import (
    Instrument,
    TariffGameModel,
    deal_report,
    equal_gains_tariffs,
    nash_bargaining,
    nash_equilibrium,
    optimal_tariff,
)

app = typer.Typer(
    help="Tariff games: optimal tariffs, Nash trade wars, negotiated deals.", no_args_is_help=True
)


class ModelChoice(StrEnum):
    """Which model plays the game."""

    ossa = "ossa"
    ge = "ge"


class WeightsChoice(StrEnum):
    """Government objective of the Ossa model."""

    pol = "pol"
    bas = "bas"


WorldOpt = Annotated[str, typer.Option("--world", help="ossa2014, a shipped world, a bundle or FORMAT:PATH")]
PlayersOpt = Annotated[
    list[str] | None, typer.Option("--players", help="region codes (repeat or comma-separate); default all")
]
InstrumentOpt = Annotated[Instrument, typer.Option("--instrument", help="policy space of each player")]
OutOpt = Annotated[Path, typer.Option("--out", help="output folder for tables and report.html")]
ModelOpt = Annotated[
    ModelChoice | None,
    typer.Option("--model", help="ossa or ge (default: ossa for ossa2014, ge for any other world)"),
]
WeightsOpt = Annotated[WeightsChoice, typer.Option("--weights", help="ossa2014: political weights or ones")]
DataDirOpt = Annotated[Path, typer.Option("--data-dir", help="root of the reference data")]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="replace --out even if it is a file or a folder of other files")
]
UpperOpt = Annotated[float, typer.Option("--upper", help="upper bound on tariffs (fraction)")]


def _model(world: str, model: ModelChoice | None, weights: WeightsChoice, data_dir: Path) -> TariffGameModel:
    """Build the game's model.

    Ossa's for ``ossa2014``; for any other world the GE engine, unless ``--model ossa``
    asks for Ossa's model calibrated to that world.
    """
    if world.strip().lower() == "ossa2014":
        if model not in (None, ModelChoice.ossa):
            raise ModelError("--world ossa2014 is Ossa's model; use --model ossa", field="--model")
        return OssaModel.from_data(read_ossa2014(data_dir), weights=weights.value)
    from tradewar.world.load import load_world, stylized_notice

    w = load_world(world, data_dir=data_dir)
    notice = stylized_notice(w)
    if notice:
        typer.echo(notice, err=True)
    if model in (None, ModelChoice.ge):
        from tradewar.strategy.engine import EngineGame

        return EngineGame(w)
    return OssaModel.from_world(w)


def _setup(
    world: str, players: list[str] | None, model: ModelChoice | None, weights: WeightsChoice, data_dir: Path
) -> tuple[TariffGameModel, list[str]]:
    """The game's model (:func:`_model`) and its checked players (:func:`_players`)."""
    m = _model(world, model, weights, data_dir)
    return m, _players(m, players)


def _echo_frame(df: pd.DataFrame) -> None:
    """Print a table, two decimals."""
    typer.echo(df.to_string(index=False, float_format=lambda v: f"{v:.2f}"))


def _players(model: TariffGameModel, players: list[str] | None) -> list[str]:
    if not players:
        return list(model.regions)
    out = [p.strip() for item in players for p in item.split(",") if p.strip()]
    from tradewar.strategy._protocol import region_index

    for p in out:
        region_index(model, p)
    return out


def _tariff_table(model: TariffGameModel, tariff: np.ndarray, players: list[str]) -> pd.DataFrame:
    regions = list(model.regions)
    rows = []
    for p in players:
        j = regions.index(p)
        for i, o in enumerate(regions):
            if i == j:
                continue
            for s, q in enumerate(model.products):
                rows.append({"region": p, "origin": o, "product": q, "tariff_pct": 100.0 * tariff[i, j, s]})
    return pd.DataFrame(rows)


def _figure(bars: pd.DataFrame) -> str:
    """Grouped bar chart of welfare changes: ``bars`` has ``region`` and one column per series."""
    import plotly.graph_objects as go

    fig = go.Figure(
        [go.Bar(name=c, x=bars["region"], y=bars[c]) for c in bars.columns if c != "region"],
        layout={"barmode": "group", "template": "plotly_white", "yaxis_title": "welfare change, %"},
    )
    return fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False})


#: Output kind of a game folder (in its marker file, see :mod:`tradewar.outdir`).
KIND = "game"


def _is_game_folder(folder: Path) -> bool:
    """A folder an older ``tradewar game`` wrote: CSV tables, report.html and summary.json only."""
    names = {p.name for p in folder.iterdir()}
    return {"report.html", "summary.json"} <= names and all(
        n.endswith(".csv") or n in ("report.html", "summary.json") for n in names
    )


def _check_out(out: Path, force: bool) -> None:
    """Refuse ``--out`` before playing (see :mod:`tradewar.outdir`)."""
    check_destination(out, KIND, force=force, recognise=_is_game_folder)


def _write(
    out: Path,
    title: str,
    tables: dict[str, pd.DataFrame],
    notes: list[str],
    bars: pd.DataFrame | None = None,
    *,
    force: bool = False,
) -> None:
    with output_folder(out, KIND, force=force, recognise=_is_game_folder) as tmp:
        _write_files(tmp, title, tables, notes, bars)


def _write_files(
    out: Path, title: str, tables: dict[str, pd.DataFrame], notes: list[str], bars: pd.DataFrame | None
) -> None:
    from plotly.offline import get_plotlyjs

    parts = [f"<html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"]
    if bars is not None:
        parts.append(f'<script type="text/javascript">{get_plotlyjs()}</script>')
    parts.append(f"</head><body><h1>{html.escape(title)}</h1>")
    parts += [f"<p>{html.escape(n)}</p>" for n in notes]
    if bars is not None:
        parts.append(_figure(bars))
    for name, df in tables.items():
        df.to_csv(out / f"{name}.csv", index=False)
        if len(df) <= 400:
            parts.append(f"<h2>{html.escape(name)}</h2>")
            parts.append(df.to_html(index=False, float_format=lambda v: f"{v:.3f}"))
        else:
            parts.append(f"<h2>{html.escape(name)}</h2><p>{len(df)} rows: see {html.escape(name)}.csv</p>")
    parts.append("</body></html>")
    (out / "report.html").write_text("\n".join(parts), encoding="utf-8")
    (out / "summary.json").write_text(
        json.dumps({"title": title, "notes": notes, "tables": sorted(tables)}, indent=2), encoding="utf-8"
    )


@app.command("optimal")
def optimal(
    world: WorldOpt = "ossa2014",
    players: PlayersOpt = None,
    instrument: InstrumentOpt = Instrument.BILATERAL,
    out: OutOpt = Path("game_optimal"),
    model: ModelOpt = None,
    weights: WeightsOpt = WeightsChoice.pol,
    data_dir: DataDirOpt = Path("../shared/data"),
    upper: UpperOpt = 10.0,
    force: ForceOpt = False,
) -> None:
    """Unilateral optimal tariffs of each player, the others' tariffs held at the baseline."""
    try:
        _check_out(out, force)
        m, pl = _setup(world, players, model, weights, data_dir)
        rows, tariffs = [], []
        for p in pl:
            r = optimal_tariff(m, p, instrument=instrument, upper=upper)
            j = list(m.regions).index(p)
            levied = np.delete(r.tariff[:, j, :], j, axis=0)
            rows.append(
                {
                    "region": p,
                    "median_tariff_pct": 100.0 * float(np.median(levied)),
                    "own_welfare_change_pct": r.gain_pct,
                    "others_mean_welfare_change_pct": float(100.0 * np.mean(np.delete(r.welfare - 1.0, j))),
                    "seconds": r.seconds,
                    "iterations": r.iterations,
                }
            )
            tariffs.append(_tariff_table(m, r.tariff, [p]))
            typer.echo(
                f"{p}: median optimal tariff {rows[-1]['median_tariff_pct']:.1f} %, "
                f"own welfare {r.gain_pct:+.2f} % ({r.seconds:.1f} s)"
            )
        summary = pd.DataFrame(rows)
        avg = float(summary["median_tariff_pct"].mean())
        typer.echo(f"average (mean of medians): {avg:.1f} %")
        _write(
            out,
            f"Optimal tariffs ({instrument}) - {world}",
            {"optimal_summary": summary, "optimal_tariffs": pd.concat(tariffs, ignore_index=True)},
            [f"Average optimal tariff (mean over players of the median tariff): {avg:.1f} %"],
            bars=summary[["region", "own_welfare_change_pct", "others_mean_welfare_change_pct"]],
            force=force,
        )
    except TradewarError as err:
        fail(err)


@app.command("nash")
def nash(
    world: WorldOpt = "ossa2014",
    players: PlayersOpt = None,
    instrument: InstrumentOpt = Instrument.BILATERAL,
    out: OutOpt = Path("game_nash"),
    model: ModelOpt = None,
    weights: WeightsOpt = WeightsChoice.pol,
    data_dir: DataDirOpt = Path("../shared/data"),
    upper: UpperOpt = 10.0,
    force: ForceOpt = False,
    tol: Annotated[float, typer.Option(help="max tariff change between rounds")] = 1e-4,
    max_iter: Annotated[int, typer.Option(help="maximum best-response rounds", min=1)] = 50,
) -> None:
    """Nash equilibrium (trade war) by best-response iteration among the players."""
    try:
        _check_out(out, force)
        m, pl = _setup(world, players, model, weights, data_dir)
        ne = nash_equilibrium(
            m,
            pl,
            instrument=instrument,
            upper=upper,
            tol=tol,
            max_iter=max_iter,
            callback=lambda it, step, _t: typer.echo(f"round {it}: max tariff change {step:.2e}"),
        )
        summary = ne.to_frame()
        _echo_frame(summary)
        notes = [
            f"Converged in {ne.iterations} rounds ({ne.seconds:.1f} s).",
            f"Average Nash tariff (mean of players' medians): "
            f"{summary.loc[summary.player, 'median_tariff_pct'].mean():.1f} %; mean welfare change "
            f"{summary.loc[summary.player, 'welfare_change_pct'].mean():.2f} %.",
        ]
        for n in notes:
            typer.echo(n)
        _write(
            out,
            f"Nash tariffs ({instrument}) - {world}",
            {
                "nash_summary": summary,
                "nash_tariffs": _tariff_table(m, ne.tariff, pl),
                "nash_history": pd.DataFrame(
                    {"round": range(1, ne.iterations + 1), "max_change": ne.history}
                ),
            },
            notes,
            bars=summary[["region", "welfare_change_pct"]],
            force=force,
        )
    except TradewarError as err:
        fail(err)


@app.command("deal")
def deal(
    world: WorldOpt = "ossa2014",
    players: PlayersOpt = None,
    instrument: InstrumentOpt = Instrument.SECTOR,
    out: OutOpt = Path("game_deal"),
    model: ModelOpt = None,
    weights: WeightsOpt = WeightsChoice.pol,
    data_dir: DataDirOpt = Path("../shared/data"),
    upper: UpperOpt = 10.0,
    force: ForceOpt = False,
) -> None:
    """Trade war (Nash) as threat point; Nash-bargaining deal; efficient equal-gains tariffs.

    Outcomes: ``nash_bargaining`` (max product of gains over the war),
    ``equal_gains_talks`` (efficient, equal proportional gains over the status quo, Ossa's
    "trade talks") and ``equal_gains_over_war`` (efficient, equal gains over the war).
    """
    try:
        _check_out(out, force)
        m, pl = _setup(world, players, model, weights, data_dir)
        war = nash_equilibrium(m, pl, instrument=instrument, upper=upper)
        typer.echo(f"trade war: {war.iterations} rounds, {war.seconds:.1f} s")
        bargain = nash_bargaining(m, war.welfare, pl, instrument=instrument, upper=upper)
        talks = equal_gains_tariffs(m, pl, instrument=instrument, upper=upper)
        from_war = equal_gains_tariffs(m, pl, reference=war.welfare, instrument=instrument, upper=upper)
        outcomes = {
            "nash_bargaining": bargain.tariff,
            "equal_gains_talks": talks.tariff,
            "equal_gains_over_war": from_war.tariff,
        }
        report = deal_report(m, outcomes, status_quo=m.baseline_tariff, war=war.tariff, players=pl)
        _echo_frame(report)
        welfare = pd.DataFrame(
            {
                "region": list(m.regions),
                "war_pct": 100.0 * (war.welfare - 1.0),
                "nash_bargaining_pct": 100.0 * (bargain.welfare - 1.0),
                "equal_gains_talks_pct": 100.0 * (talks.welfare - 1.0),
                "equal_gains_over_war_pct": 100.0 * (from_war.welfare - 1.0),
            }
        )
        ok = sorted(set(report.loc[report.all_prefer, "outcome"]))
        notes = [
            "Welfare changes relative to the status quo (baseline tariffs).",
            f"Deals every player prefers to both the status quo and the war: {', '.join(ok) or 'none'}.",
        ]
        _write(
            out,
            f"Trade deals ({instrument}) - {world}",
            {
                "deal_welfare": welfare,
                "deal_preferences": report,
                "deal_tariffs": _tariff_table(m, bargain.tariff, pl),
                "war_tariffs": _tariff_table(m, war.tariff, pl),
            },
            notes,
            bars=welfare,
            force=force,
        )
    except TradewarError as err:
        fail(err)
