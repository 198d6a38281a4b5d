"""Table balancing: RAS (biproportional scaling) and its n-dimensional form, IPF.

RAS finds the matrix X closest to a prior X⁰ in the cross-entropy sense,

    min Σ X log(X / X⁰)   s.t.   X 1 = u (row totals),   1ᵀ X = v (column totals),

whose solution has the biproportional form X = diag(r) X⁰ diag(s). It alternates
r ← u / (X⁰ s) and s ← v / (X⁰ᵀ r) until the margins hold (Miller & Blair 2009,
*Input-Output Analysis*, 2nd ed., section 7.4). Iterative proportional fitting (IPF)
applies the same step to any set of margins of an n-dimensional array (Deming & Stephan
1940). Zeros of the prior stay zero, so a margin that needs mass where the prior has none
is infeasible and reported as such.

The solvers fail loudly: non-convergence raises :class:`~tradewar.errors.ConvergenceError`
with the residual unless ``raise_on_failure=False``; inconsistent or infeasible margins
raise :class:`~tradewar.errors.DataError` before iterating.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tradewar.errors import ConvergenceError, DataError

#: Default tolerance on the margins, relative to the total of the table.
BALANCE_TOL = 1e-10


@dataclass(frozen=True)
class BalanceResult:
    """Outcome of a balancing run.

    Attributes
    ----------
    table
        The balanced array (same shape as the prior).
    converged
        Whether every margin holds within ``tolerance``.
    iterations
        Number of full sweeps over the margins.
    residual
        max_k max |margin_k(table) - target_k| / total, at the last iterate.
    tolerance
        The tolerance the run was asked for.
    seconds
        Wall time.

    """

    table: np.ndarray
    converged: bool
    iterations: int
    residual: float
    tolerance: float
    seconds: float


def _margin(a: np.ndarray, keep: tuple[int, ...]) -> np.ndarray:
    drop = tuple(ax for ax in range(a.ndim) if ax not in keep)
    return a.sum(axis=drop)


def ipf(
    prior: np.ndarray,
    margins: Sequence[tuple[Sequence[int], np.ndarray]],
    *,
    tol: float = BALANCE_TOL,
    max_iter: int = 10_000,
    raise_on_failure: bool = True,
) -> BalanceResult:
    """Scale ``prior`` so that its margins match the targets (iterative proportional fitting).

    Parameters
    ----------
    prior
        Non-negative array X⁰.
    margins
        Pairs ``(axes, target)``: ``target`` is the required sum of the table over all
        axes *not* in ``axes`` (its shape is the prior's shape on ``axes``, in order).
    tol
        Tolerance on every margin, relative to the grand total.
    max_iter
        Maximum number of sweeps.
    raise_on_failure
        Raise :class:`ConvergenceError` when not converged (default); otherwise return the
        result with ``converged=False``.

    Returns
    -------
    BalanceResult
        X = X⁰ · Π_k f_k(axes_k): each sweep multiplies the table, margin by margin, by
        target / current margin.

    Raises
    ------
    DataError
        Negative or NaN prior or targets, targets of the wrong shape, margins whose
        totals differ, or a positive target whose prior slice is all zero.
    ConvergenceError
        If the margins do not hold within ``tol`` after ``max_iter`` sweeps.

    """
    start = time.perf_counter()
    X = np.array(prior, dtype=float)
    if (~np.isfinite(X)).any() or (X < 0).any():
        raise DataError(
            "the prior has negative, NaN or infinite entries",
            field="prior",
            expected="a non-negative finite array",
            fix="set missing entries to 0 before balancing",
        )
    specs: list[tuple[tuple[int, ...], np.ndarray]] = []
    for k, (axes, target) in enumerate(margins):
        keep = tuple(int(a) for a in axes)
        t = np.asarray(target, dtype=float)
        want = tuple(X.shape[a] for a in keep)
        if t.shape != want:
            raise DataError(
                f"margin {k} has shape {t.shape}",
                field=f"margins[{k}]",
                expected=f"shape {want} (the prior's axes {keep})",
            )
        if (~np.isfinite(t)).any() or (t < 0).any():
            raise DataError(
                f"margin {k} has negative or NaN targets",
                field=f"margins[{k}]",
                expected="non-negative finite targets",
            )
        order = sorted(range(len(keep)), key=lambda i: keep[i])
        specs.append((tuple(sorted(keep)), t.transpose(order)))
    totals = [float(t.sum()) for _, t in specs]
    total = max(totals, default=0.0)
    if totals and max(totals) - min(totals) > 1e-8 * max(total, 1e-300):
        raise DataError(
            f"the margins have different totals {[f'{x:.10g}' for x in totals]}",
            field="margins",
            expected="every margin summing to the same grand total",
            fix="rescale the targets so that their totals agree",
        )
    for k, (keep, t) in enumerate(specs):
        for k2, (keep2, t2) in enumerate(specs[:k]):
            shared = tuple(a for a in keep if a in keep2)
            if shared:
                m1 = t.sum(axis=tuple(i for i, a in enumerate(keep) if a not in shared))
                m2 = t2.sum(axis=tuple(i for i, a in enumerate(keep2) if a not in shared))
                if np.abs(m1 - m2).max() > 1e-8 * max(total, 1e-300):
                    raise DataError(
                        f"margins {k2} and {k} disagree on their common axes {shared}",
                        field="margins",
                        expected="margins that sum to the same totals over the axes they share",
                        fix="make the targets consistent (e.g. scale one to the other's subtotals)",
                    )
        support = _margin(X, keep)
        bad = (support == 0) & (t > 0)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise DataError(
                f"margin {k} needs {t[idx]:.6g} at index {idx}, where the prior is all zero",
                field=f"margins[{k}]",
                expected="positive prior mass wherever a target is positive",
                fix="give the prior a small positive entry there, or set that target to 0",
            )
    scale = max(total, 1e-300)

    def residual() -> float:
        return max(
            (float(np.abs(_margin(X, keep) - t).max()) / scale for keep, t in specs),
            default=0.0,
        )

    res = residual()
    it = 0
    while res > tol and it < max_iter:
        for keep, t in specs:
            m = _margin(X, keep)
            f = np.divide(t, m, out=np.zeros_like(t), where=m > 0)
            X *= f.reshape([X.shape[a] if a in keep else 1 for a in range(X.ndim)])
        it += 1
        res = residual()
    result = BalanceResult(
        table=X,
        converged=res <= tol,
        iterations=it,
        residual=res,
        tolerance=tol,
        seconds=time.perf_counter() - start,
    )
    if not result.converged and raise_on_failure:
        raise ConvergenceError(
            "balancing (IPF/RAS) did not converge", residual=res, iterations=it, tolerance=tol
        )
    return result


def ras(
    prior: np.ndarray,
    row_totals: np.ndarray,
    col_totals: np.ndarray,
    *,
    tol: float = BALANCE_TOL,
    max_iter: int = 10_000,
    raise_on_failure: bool = True,
) -> BalanceResult:
    """RAS: biproportional scaling of a matrix to given row and column totals.

    X = diag(r) X⁰ diag(s) with X 1 = ``row_totals`` and 1ᵀ X = ``col_totals``
    (Miller & Blair 2009, section 7.4). See :func:`ipf` for errors and tolerance.
    """
    P = np.asarray(prior, dtype=float)
    if P.ndim != 2:
        raise DataError(f"prior has {P.ndim} dimensions", field="prior", expected="a matrix")
    return ipf(
        P,
        [((0,), np.asarray(row_totals, dtype=float)), ((1,), np.asarray(col_totals, dtype=float))],
        tol=tol,
        max_iter=max_iter,
        raise_on_failure=raise_on_failure,
    )
