"""The ``tradewar`` command line. It calls the public Python API and nothing else.

Each command group lives in its own module and is registered here. Errors derived from
:class:`tradewar.errors.TradewarError` are printed without a traceback and exit non-zero.
Ctrl-C (SIGINT) prints one line and exits 130, also while the command's modules are
still being imported; SIGTERM prints one line and exits 143. Either way a half-written
output is removed (see :mod:`tradewar.outdir`).
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

from tradewar.outdir import Terminated, sigterm_raises

#: Exit codes of a command stopped by SIGINT (Ctrl-C) and by SIGTERM (128 + signal number).
EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143


def _stopped(exc: KeyboardInterrupt) -> tuple[str, int]:
    if isinstance(exc, Terminated):
        return "tradewar: terminated (SIGTERM); nothing half-written was left behind", EXIT_TERMINATED
    return "tradewar: interrupted (Ctrl-C); nothing half-written was left behind", EXIT_INTERRUPTED


def _exit_stopped(exc: KeyboardInterrupt) -> NoReturn:
    line, code = _stopped(exc)
    sys.stderr.write(line + "\n")
    raise SystemExit(code)


try:
    import typer
    from typer.core import TyperGroup

    from tradewar.cli import (
        draws_cmd,
        exposure_cmd,
        game_cmd,
        run_cmd,
        scenarios_cmd,
        validate_cmd,
        world_cmd,
    )
except KeyboardInterrupt as _exc:  # Ctrl-C while the libraries load
    _exit_stopped(_exc)


class _Group(TyperGroup):
    """The top-level group: one line and exit 130/143 on SIGINT/SIGTERM, never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            with sigterm_raises():
                return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            line, code = _stopped(exc)
            typer.echo(line, err=True)
            raise typer.Exit(code) from None


app = typer.Typer(
    name="tradewar",
    help="Quantify and simulate trade conflict and technology decoupling.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=_Group,
)

app.command("run")(run_cmd.run)
app.command("sweep")(draws_cmd.sweep)
app.add_typer(scenarios_cmd.app, name="scenarios")
app.add_typer(world_cmd.app, name="world")
app.command("exposure")(exposure_cmd.exposure)
app.command("validate")(validate_cmd.validate)
app.add_typer(game_cmd.app, name="game")
