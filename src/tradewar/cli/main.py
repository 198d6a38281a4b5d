"""The ``tradewar`` command line. It calls the public Python API and nothing else.

Each command group lives in its own module and is registered here. Errors derived from
:class:`tradewar.errors.TradewarError` are printed without a traceback and exit non-zero.
"""

from __future__ import annotations

import typer

from tradewar.cli import (
    draws_cmd,
    exposure_cmd,
    game_cmd,
    run_cmd,
    scenarios_cmd,
    validate_cmd,
    world_cmd,
)

app = typer.Typer(
    name="tradewar",
    help="Quantify and simulate trade conflict and technology decoupling.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

app.command("run")(run_cmd.run)
app.command("sweep")(draws_cmd.sweep)
app.add_typer(scenarios_cmd.app, name="scenarios")
app.add_typer(world_cmd.app, name="world")
app.command("exposure")(exposure_cmd.exposure)
app.command("validate")(validate_cmd.validate)
app.add_typer(game_cmd.app, name="game")
