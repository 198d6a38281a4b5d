"""The domain's exception classes.

Every error tradewar raises on bad input says *where* (file, field), *what* was expected
and *how to fix it*; the CLI prints ``str(error)`` without a traceback. Solver failures
carry the residual and the iteration count.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches


class TradewarError(Exception):
    """Base class of all tradewar errors.

    Parameters
    ----------
    message:
        What went wrong, in one sentence.
    file:
        The file (or data source) the problem is in, if any.
    field:
        The field, column, variable or key at fault, if any.
    expected:
        What a valid value looks like.
    fix:
        How the user can fix it.

    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        field: str | None = None,
        expected: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.field = field
        self.expected = expected
        self.fix = fix
        super().__init__(self._render())

    def _render(self) -> str:
        parts = []
        located = (f"file {self.file}" if self.file else "", f"field {self.field!r}" if self.field else "")
        where = ", ".join(p for p in located if p)
        parts.append(f"{where}: {self.message}" if where else self.message)
        if self.expected:
            parts.append(f"expected: {self.expected}")
        if self.fix:
            parts.append(f"fix: {self.fix}")
        return "\n  ".join(parts)


class DataError(TradewarError):
    """Input data cannot be read: missing file, wrong layout, negative or NaN values."""


class AccountsError(DataError):
    """The accounts of a World do not balance (output != use, cost != output)."""


class UnknownCodeError(DataError):
    """A region or sector code is not known; the message suggests the closest ones."""

    def __init__(
        self,
        kind: str,
        code: str,
        known: Iterable[str],
        *,
        file: str | None = None,
        field: str | None = None,
    ) -> None:
        known = list(known)
        close = get_close_matches(str(code), known, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else None
        shown = ", ".join(known[:40]) + (" ..." if len(known) > 40 else "")
        self.code = code
        self.suggestions = close
        super().__init__(
            f"unknown {kind} code {code!r}",
            file=file,
            field=field,
            expected=f"one of: {shown}",
            fix=hint or f"use a {kind} code listed above",
        )


class ConcordanceError(DataError):
    """A concordance drops or double-counts codes."""


class ScenarioError(TradewarError):
    """A scenario file or measure is invalid; nothing of it has been applied."""


class ModelError(TradewarError):
    """A model was asked for something it cannot do (wrong shapes, unsupported option)."""


class ConvergenceError(TradewarError):
    """A solver did not converge.

    The message states the residual once: ``"<reason>: residual R > tolerance T after N
    iterations"``. To add context (a scenario and year, a command) use :meth:`within`,
    which keeps the numbers and never repeats them.

    Attributes
    ----------
    reason:
        What failed, without the numbers.
    residual:
        The max-norm residual at the last iterate.
    iterations:
        How many iterations were made.
    tolerance:
        The tolerance it missed.

    """

    #: The advice when the caller has none: in words a command-line user and a Python
    #: user both can act on (no method names).
    DEFAULT_FIX = (
        "check the shock for prohibitive values (a ban on all of a region's exports, tariffs of "
        "thousands of percent); a larger iteration limit may help if the residual was still falling"
    )

    def __init__(
        self, message: str, *, residual: float, iterations: int, tolerance: float, fix: str | None = None
    ) -> None:
        self.reason = message
        self.residual = residual
        self.iterations = iterations
        self.tolerance = tolerance
        super().__init__(
            f"{message}: residual {residual:.3e} > tolerance {tolerance:.1e} after {iterations} iterations",
            fix=fix or self.DEFAULT_FIX,
        )

    def within(self, context: str, *, fix: str | None = None) -> ConvergenceError:
        """The same failure with ``context`` in front (and ``fix`` replacing the advice)."""
        return ConvergenceError(
            f"{context}: {self.reason}",
            residual=self.residual,
            iterations=self.iterations,
            tolerance=self.tolerance,
            fix=fix or self.fix,
        )
