"""The ``tradewar`` command line. It calls the public Python API and nothing else.

Each command group lives in its own module and is registered here. Errors derived from
:class:`tradewar.errors.TradewarError` are printed without a traceback and exit 2.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="tradewar",
    help="Quantify and simulate trade conflict and technology decoupling.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

from tradewar.cli import game_cmd  # noqa: E402

app.add_typer(game_cmd.app, name="game")

from tradewar.cli import exposure_cmd  # noqa: E402

app.command("exposure")(exposure_cmd.exposure)

from tradewar.cli import run_cmd, scenarios_cmd  # noqa: E402

app.command("run")(run_cmd.run)
app.add_typer(scenarios_cmd.app, name="scenarios")

from tradewar.cli import validate_cmd  # noqa: E402

app.command("validate")(validate_cmd.validate)

from tradewar.cli import world_cmd  # noqa: E402

app.add_typer(world_cmd.app, name="world")
