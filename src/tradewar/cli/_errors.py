"""How every command reports a user error: one message on stderr, exit code 2, no traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from rich.text import Text

#: Exit code of a command stopped by bad input (a TradewarError).
USER_ERROR = 2


def fail(message: object) -> NoReturn:
    """Print ``error: message`` on stderr (never interpreted as rich markup) and exit 2."""
    console = Console(stderr=True, soft_wrap=True)
    console.print(Text.assemble(("error: ", "bold red"), str(message)), highlight=False)
    raise typer.Exit(USER_ERROR)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a :class:`~tradewar.errors.TradewarError` raised inside into :func:`fail`."""
    from tradewar.errors import TradewarError

    try:
        yield
    except TradewarError as exc:
        fail(exc)


def exclusive(**flags: bool) -> None:
    """Fail if more than one of the given output flags is set."""
    chosen = [f"--{name.replace('_out', '')}" for name, on in flags.items() if on]
    if len(chosen) > 1:
        fail(f"{' and '.join(chosen)} exclude each other; pick one")
