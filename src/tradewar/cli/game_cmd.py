"""``tradewar game``: optimal tariffs, trade-war Nash equilibria and negotiated deals.

Each command writes CSV tables, ``summary.json`` and a styled HTML report into ``--out``
(safely, see :mod:`tradewar.outdir`: a non-empty folder that is not a game output, or a
file, needs ``--force``) and prints a summary. ``--world ossa2014`` uses Ossa's (2014) 7x33 data and model
(political-economy weights by default); any other World spec (see
``tradewar.world.load``; reader options with ``--world-option``) plays through the
general-equilibrium engine (``--model ge``, exact gradients by the adjoint method of
:mod:`tradewar.model.gradient`) or Ossa's model calibrated to it (``--model ossa``).
The three commands share their defaults: instrument ``sector``
(:data:`tradewar.strategy.DEFAULT_INSTRUMENT`) and deficit rule ``zero``
(:data:`tradewar.strategy.DEFAULT_GAME_DEFICITS`); every output records both, and the
rules are in docs/commands.md.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import numpy as np
import pandas as pd
import typer

from tradewar.cli._errors import fail
from tradewar.errors import ConvergenceError, TradewarError
from tradewar.outdir import check_destination, output_folder
from tradewar.report.game import render_game_report
from tradewar.strategy import (
    DEFAULT_INSTRUMENT,
    GameSetup,
    Instrument,
    TariffGameModel,
    deal_report,
    equal_gains_tariffs,
    game_model,
    nash_bargaining,
    nash_equilibrium,
    optimal_tariff,
)
from tradewar.world.load import parse_option_items

app = typer.Typer(
    help="Tariff games: optimal tariffs, Nash trade wars, negotiated deals.", no_args_is_help=True
)


class ModelChoice(StrEnum):
    """Which model plays the game."""

    ossa = "ossa"
    ge = "ge"


class WeightsChoice(StrEnum):
    """Government objective: Ossa's political-economy weights or real income."""

    pol = "pol"
    bas = "bas"


class DeficitsChoice(StrEnum):
    """Deficit rule of the game's counterfactuals."""

    zero = "zero"
    fixed = "fixed"
    data = "data"


WorldOpt = Annotated[str, typer.Option("--world", help="ossa2014, a shipped world, a bundle or FORMAT:PATH")]
WorldOptionOpt = Annotated[
    list[str] | None,
    typer.Option("--world-option", help="reader option of the world, KEY=VALUE (repeatable), e.g. year=2000"),
]
PlayersOpt = Annotated[
    list[str] | None,
    typer.Option("--players", help="region codes (repeat or comma-separate), or all (the default)"),
]
InstrumentOpt = Annotated[
    Instrument,
    typer.Option("--instrument", help="policy space of each player (default sector: one tariff per product)"),
]
OutOpt = Annotated[Path, typer.Option("--out", help="output folder for tables and report.html")]
ModelOpt = Annotated[
    ModelChoice | None,
    typer.Option("--model", help="ossa or ge (default: ossa for ossa2014, ge for any other world)"),
]
WeightsOpt = Annotated[
    WeightsChoice | None,
    typer.Option(
        "--weights",
        help="government objective: pol (Ossa's political-economy weights, ossa2014 only; its default) "
        "or bas (real income; the default elsewhere)",
    ),
]
DeficitsOpt = Annotated[
    DeficitsChoice | None,
    typer.Option("--deficits", help="deficit rule: zero (default for games), fixed or data"),
]
DataDirOpt = Annotated[Path, typer.Option("--data-dir", help="root of the reference data")]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="replace --out even if it is a file or a folder of other files")
]
UpperOpt = Annotated[float, typer.Option("--upper", help="upper bound on tariffs (fraction)")]


def _setup(
    world: str,
    world_option: list[str] | None,
    players: list[str] | None,
    model: ModelChoice | None,
    weights: WeightsChoice | None,
    deficits: DeficitsChoice | None,
    data_dir: Path,
) -> tuple[GameSetup, list[str]]:
    """The game's model and settings (:func:`tradewar.strategy.game_model`) and its checked players."""
    setup = game_model(
        world,
        model=model.value if model else None,
        deficits=deficits.value if deficits else None,
        weights=weights.value if weights else None,
        data_dir=data_dir,
        world_options=parse_option_items(world_option),
    )
    if setup.notice:
        typer.echo(setup.notice, err=True)
    for label, value in setup.settings().items():
        typer.echo(f"{label}: {value}")
    return setup, _players(setup.model, players)


#: What a command-line user can do when a game's solver fails, by command.
_CONVERGENCE_FIX = {
    "optimal": "try another --instrument (sector, partner, uniform) or a lower tariff bound (--upper)",
    "nash": "allow more best-response rounds (--max-iter), loosen --tol, or try another --instrument",
    "deal": "try another --instrument (sector, partner, uniform) or a lower tariff bound (--upper)",
}


def _fail(err: TradewarError, command: str) -> NoReturn:
    """Print ``err`` for a command-line user; convergence failures get command-line advice."""
    if isinstance(err, ConvergenceError):
        advice = _CONVERGENCE_FIX[command]
        if "deficit rule 'zero'" in err.reason:
            advice = "use --deficits zero, or " + advice
        fail(err.within(f"game {command}", fix=advice))
    fail(err)


def _echo_frame(df: pd.DataFrame) -> None:
    """Print a table, two decimals."""
    typer.echo(df.to_string(index=False, float_format=lambda v: f"{v:.2f}"))


def _players(model: TariffGameModel, players: list[str] | None) -> list[str]:
    if not players:
        return list(model.regions)
    out = [p.strip() for item in players for p in item.split(",") if p.strip()]
    if "all" in out:  # `all` means every region, as in scenario files
        return list(model.regions)
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
    setup: GameSetup,
    title: str,
    instrument: Instrument,
    tables: dict[str, pd.DataFrame],
    notes: list[str],
    bars: pd.DataFrame | None = None,
    *,
    force: bool = False,
) -> None:
    """Write the game's folder atomically (see :mod:`tradewar.outdir`) with :func:`_write_files`."""
    with output_folder(out, KIND, force=force, recognise=_is_game_folder) as tmp:
        _write_files(tmp, setup, title, instrument, tables, notes, bars)


def _write_files(
    out: Path,
    setup: GameSetup,
    title: str,
    instrument: Instrument,
    tables: dict[str, pd.DataFrame],
    notes: list[str],
    bars: pd.DataFrame | None,
) -> None:
    """CSV tables (each with the deficit rule as a last column), summary.json and report.html."""
    settings = {**setup.settings(), "Instrument": str(instrument)}
    for name, df in tables.items():
        df.assign(deficits=setup.deficits).to_csv(out / f"{name}.csv", index=False)
    page = render_game_report(title, settings, tables, notes, list(setup.model.regions), bars=bars)
    (out / "report.html").write_text(page, encoding="utf-8")
    summary = {
        "title": title,
        "world": setup.world,
        "world_year": setup.year,
        "model": setup.engine,
        "instrument": str(instrument),
        "deficits": setup.deficits,
        "deficits_from": setup.deficits_from,
        "weights": setup.weights,
        "settings": settings,
        "notes": notes,
        "tables": sorted(tables),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")


@app.command("optimal")
def optimal(
    world: WorldOpt = "ossa2014",
    world_option: WorldOptionOpt = None,
    players: PlayersOpt = None,
    instrument: InstrumentOpt = DEFAULT_INSTRUMENT,
    out: OutOpt = Path("game_optimal"),
    model: ModelOpt = None,
    weights: WeightsOpt = None,
    deficits: DeficitsOpt = None,
    data_dir: DataDirOpt = Path("../shared/data"),
    upper: UpperOpt = 10.0,
    force: ForceOpt = False,
) -> None:
    """Unilateral optimal tariffs of each player, the others' tariffs held at the baseline."""
    try:
        _check_out(out, force)
        setup, pl = _setup(world, world_option, players, model, weights, deficits, data_dir)
        m = setup.model
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
            setup,
            f"Optimal tariffs ({instrument}) on {setup.world}",
            instrument,
            {"optimal_summary": summary, "optimal_tariffs": pd.concat(tariffs, ignore_index=True)},
            [f"Average optimal tariff (mean over players of the median tariff): {avg:.1f} %"],
            bars=summary[["region", "own_welfare_change_pct", "others_mean_welfare_change_pct"]],
            force=force,
        )
    except TradewarError as err:
        _fail(err, "optimal")


@app.command("nash")
def nash(
    world: WorldOpt = "ossa2014",
    world_option: WorldOptionOpt = None,
    players: PlayersOpt = None,
    instrument: InstrumentOpt = DEFAULT_INSTRUMENT,
    out: OutOpt = Path("game_nash"),
    model: ModelOpt = None,
    weights: WeightsOpt = None,
    deficits: DeficitsOpt = None,
    data_dir: DataDirOpt = Path("../shared/data"),
    upper: UpperOpt = 10.0,
    force: ForceOpt = False,
    tol: Annotated[float, typer.Option(help="max tariff change between rounds")] = 1e-4,
    max_iter: Annotated[int, typer.Option(help="maximum best-response rounds", min=1)] = 50,
) -> None:
    """Nash equilibrium (trade war) by best-response iteration among the players."""
    try:
        _check_out(out, force)
        setup, pl = _setup(world, world_option, players, model, weights, deficits, data_dir)
        m = setup.model
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
            setup,
            f"Trade war: Nash tariffs ({instrument}) on {setup.world}",
            instrument,
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
        _fail(err, "nash")


@app.command("deal")
def deal(
    world: WorldOpt = "ossa2014",
    world_option: WorldOptionOpt = None,
    players: PlayersOpt = None,
    instrument: InstrumentOpt = DEFAULT_INSTRUMENT,
    out: OutOpt = Path("game_deal"),
    model: ModelOpt = None,
    weights: WeightsOpt = None,
    deficits: DeficitsOpt = None,
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
        setup, pl = _setup(world, world_option, players, model, weights, deficits, data_dir)
        m = setup.model
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
            setup,
            f"Trade deals ({instrument}) on {setup.world}",
            instrument,
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
        _fail(err, "deal")
