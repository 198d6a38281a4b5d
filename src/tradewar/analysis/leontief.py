"""The Leontief (demand-driven) and Ghosh (supply-driven) systems, solved by LU.

Notation of Miller and Blair (2009, *Input-Output Analysis: Foundations and Extensions*,
2nd ed., Cambridge UP), chapter 2 and section 12.1: ``n = R*S`` region-sectors in
region-major order; ``Z`` (n, n) intermediate flows, ``f`` final demand, ``x`` gross output.

* technical coefficients  A = Z x̂⁻¹                        (M&B eq. 2.4 / §2.3)
* Leontief system         (I - A) x = f   =>   x = L f,  L = (I - A)⁻¹   (M&B §2.3)
* allocation coefficients B = x̂⁻¹ Z,  Ghosh inverse G = (I - B)⁻¹ = x̂⁻¹ L x̂,
  supply-driven output    x' = v' G                      (M&B §12.1)

The inverse L is never formed. :class:`LeontiefSystem` factors ``I - A`` once
(``scipy.linalg.lu_factor``) and reuses the factors for every right-hand side:
``L B`` is a forward solve and ``L' B`` (i.e. rows ``B' L`` of the inverse) a transposed
solve with the same factors. For large systems the factorisation can be done in single
precision and the solutions refined in double precision (mixed-precision iterative
refinement, as LAPACK's ``dsgesv``): ``I - A`` of a productive economy is well conditioned
(column sums of A below one give κ₁(I - A) ≤ (1 + ‖A‖₁) / (1 - ‖A‖₁)), so one or two
refinement steps reach double-precision accuracy. Refinement that does not converge
falls back to a double-precision factorisation, never to a silent approximation.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
from scipy import linalg

from tradewar.errors import ModelError

Precision = Literal["auto", "double", "mixed"]

#: Systems at least this large use mixed precision under ``precision="auto"``.
MIXED_PRECISION_MIN_SIZE = 4000

#: Largest correction (relative to the column scale) of the probe combinations that
#: accepts a mixed-precision solve.
REFINE_RTOL = 1e-10

#: Refinement steps tried before falling back to a double-precision factorisation.
REFINE_MAX_STEPS = 6


def calc_A(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Technical coefficients A = Z x̂⁻¹ (M&B 2009, §2.3, eq. 2.4).

    ``A[i, j] = Z[i, j] / x[j]``: input from ``i`` per unit of output of ``j``. Columns of
    sectors with zero output are zero.
    """
    x = np.asarray(x, dtype=float)
    inv = np.divide(1.0, x, out=np.zeros_like(x), where=x != 0)
    return np.asarray(Z, dtype=float) * inv[None, :]


def calc_B(Z: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Allocation (output) coefficients B = x̂⁻¹ Z (M&B 2009, §12.1).

    ``B[i, j] = Z[i, j] / x[i]``: share of ``i``'s output sold to ``j`` as an input.
    """
    x = np.asarray(x, dtype=float)
    inv = np.divide(1.0, x, out=np.zeros_like(x), where=x != 0)
    return inv[:, None] * np.asarray(Z, dtype=float)


class LeontiefSystem:
    """The factored Leontief matrix I - A; solves L B and L' B without forming L.

    Parameters
    ----------
    A:
        Technical coefficients (n, n), non-negative, with spectral radius below one.
        (:meth:`from_flows` builds the system from Z and x without forming A.)
    precision:
        ``"double"``: float64 LU. ``"mixed"``: float32 LU with float64 iterative
        refinement (falls back to float64 if refinement stalls). ``"auto"``: mixed for
        ``n >= MIXED_PRECISION_MIN_SIZE``, double otherwise.

    Attributes
    ----------
    value_added_coefficients:
        1'(I - A) = 1' - 1'A, the value generated per unit of output (M&B 2009, §2.3).

    Notes
    -----
    Only one n x n matrix is allocated: I - A in float64 (double) or float32 (mixed),
    factored in place; on large systems a fresh n x n allocation costs a noticeable share
    of a factorisation. A itself is never stored: refinement residuals use
    (I - A) X = X - Z (x̂⁻¹ X). The factors are those of (I - A)' (the Fortran-ordered view
    of the C-ordered matrix); solves flip LAPACK's ``trans`` flag accordingly.

    Mixed-precision solves refine once in float64 (residual B - (I - A) X, correction by
    the float32 factors), then check the result on two random combinations of the
    columns: one more refinement step of the combination must change it by less than
    :data:`REFINE_RTOL` of the column scale, or the whole block is refined again.

    Raises
    ------
    ModelError
        If ``A`` is not square, has non-finite entries, or ``I - A`` is singular.
    """

    def __init__(self, A: np.ndarray, *, precision: Precision = "auto") -> None:
        A = np.asarray(A, dtype=float)
        self._check_square(A)
        self._setup(A, np.ones(A.shape[0]), precision)

    @classmethod
    def from_flows(cls, Z: np.ndarray, x: np.ndarray, *, precision: Precision = "auto") -> LeontiefSystem:
        """The system of A = Z x̂⁻¹, built from Z and x without storing A."""
        Z = np.asarray(Z, dtype=float)
        cls._check_square(Z)
        x = np.asarray(x, dtype=float)
        system = cls.__new__(cls)
        system._setup(Z, np.divide(1.0, x, out=np.zeros_like(x), where=x != 0), precision)
        return system

    @staticmethod
    def _check_square(A: np.ndarray) -> None:
        if A.ndim != 2 or A.shape[0] != A.shape[1]:
            raise ModelError(
                f"technical coefficients have shape {A.shape}",
                field="A",
                expected="a square (n, n) matrix",
            )

    def _setup(self, Z: np.ndarray, inv: np.ndarray, precision: str) -> None:
        """Factor I - Z diag(inv); Z (not copied, not modified) and inv define A."""
        n = Z.shape[0]
        colsum = Z.sum(axis=0)
        if not np.isfinite(colsum).all():  # NaN and inf propagate into the sums
            raise ModelError("technical coefficients contain NaN or infinite values", field="A")
        if precision not in ("auto", "double", "mixed"):
            raise ModelError(f"unknown precision {precision!r}", expected="'auto', 'double' or 'mixed'")
        if precision == "auto":
            precision = "mixed" if n >= MIXED_PRECISION_MIN_SIZE else "double"
        self.n = n
        self.value_added_coefficients: np.ndarray = 1.0 - inv * colsum
        self.precision: str = precision
        #: Refinement steps used by the mixed-precision solves so far (-1: fell back).
        self.refinement_steps: list[int] = []
        self._rng = np.random.default_rng(0)
        self._Z = Z
        self._inv = inv
        self._lu64: tuple[np.ndarray, np.ndarray] | None = None
        self._lu32: tuple[np.ndarray, np.ndarray] | None = None
        if precision == "mixed":
            try:
                self._lu32 = self._factor(self._leontief_matrix(np.float32).T)
            except ModelError:  # singular in single precision only? then factor in double
                self._ensure_double()
        else:
            self._lu64 = self._factor(self._leontief_matrix(np.float64).T)

    def _leontief_matrix(self, dtype: type[np.floating]) -> np.ndarray:
        """I - A in ``dtype``, C-ordered, filled by row blocks (no full-size temporaries)."""
        n = self.n
        M = np.empty((n, n), dtype=dtype)
        neg_inv = -self._inv
        step = max(1, (1 << 22) // max(n, 1))
        for lo in range(0, n, step):
            hi = min(n, lo + step)
            np.multiply(self._Z[lo:hi], neg_inv[None, :], out=M[lo:hi], casting="same_kind")
        M[np.diag_indices(n)] += 1
        return M

    def _apply(self, X: np.ndarray, transposed: bool) -> np.ndarray:
        """(I - A) X, or (I - A)' X, in float64 from Z and 1/x (A is never stored)."""
        inv = self._inv.reshape(-1, *([1] * (X.ndim - 1)))
        if transposed:
            return np.asarray(X - inv * (self._Z.T @ X))
        return np.asarray(X - self._Z @ (inv * X))

    @staticmethod
    def _factor(Mt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with warnings.catch_warnings():
            # a singular factor is reported below as a ModelError, not as a warning
            warnings.simplefilter("ignore", linalg.LinAlgWarning)
            lu, piv = linalg.lu_factor(Mt, check_finite=False, overwrite_a=True)
        diag = np.abs(np.diagonal(lu))
        if not np.all(diag > np.finfo(lu.dtype).eps * max(float(diag.max(initial=0.0)), 1.0)):
            raise ModelError(
                "I - A is singular: the economy is not productive (some sector needs at least "
                "one unit of inputs per unit of output, directly or indirectly)",
                field="A",
                expected="column sums of A below one (positive value added)",
                fix="check value added and gross output of the table",
            )
        return lu, piv

    def _ensure_double(self) -> tuple[np.ndarray, np.ndarray]:
        if self._lu64 is None:
            self._lu64 = self._factor(self._leontief_matrix(np.float64).T)
            self.precision = "double (fallback)"
        return self._lu64

    def solve(self, B: np.ndarray) -> np.ndarray:
        """L B = (I - A)⁻¹ B: outputs needed for final demands B (n,) or (n, k)."""
        return self._solve(B, transposed=False)

    def solve_transposed(self, B: np.ndarray) -> np.ndarray:
        """L' B = ((I - A)')⁻¹ B; its transpose B' L gives weighted rows of L."""
        return self._solve(B, transposed=True)

    def _solve(self, B: np.ndarray, transposed: bool) -> np.ndarray:
        B = np.asarray(B, dtype=float)
        if B.shape[0] != self.n:
            raise ModelError(
                f"right-hand side has {B.shape[0]} rows for a system of {self.n}",
                field="B",
                expected=f"{self.n} rows (one per region-sector)",
            )
        # the factors are of M' = (I - A)': M x = b is LAPACK's trans=1, M' x = b trans=0
        trans = 0 if transposed else 1
        if self._lu32 is None:
            return np.asarray(linalg.lu_solve(self._ensure_double(), B, trans=trans, check_finite=False))
        lu32 = self._lu32

        def correction(residual: np.ndarray) -> np.ndarray:
            r32 = residual.astype(np.float32)
            return np.asarray(linalg.lu_solve(lu32, r32, trans=trans, check_finite=False, overwrite_b=True))

        matrix = B.ndim == 2
        X = correction(B).astype(float)
        for step in range(1, REFINE_MAX_STEPS + 1):
            X += correction(B - self._apply(X, transposed))
            # check on random combinations of the (scaled) columns: cost O(n^2), not O(n^2 k)
            scale = np.abs(X).max(axis=0) if matrix else np.array(np.abs(X).max())
            inv = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale > 0)
            W = self._rng.standard_normal((scale.size, 2)) * inv.reshape(-1, 1)
            Xw = X @ W if matrix else X[:, None] * W
            Bw = B @ W if matrix else B[:, None] * W
            if np.abs(correction(Bw - self._apply(Xw, transposed))).max() <= REFINE_RTOL:
                self.refinement_steps.append(step)
                return X
        # Refinement stalled (ill-conditioned I - A): solve in double precision instead.
        self.refinement_steps.append(-1)
        return np.asarray(linalg.lu_solve(self._ensure_double(), B, trans=trans, check_finite=False))


def leontief_output(A: np.ndarray, f: np.ndarray, *, precision: Precision = "auto") -> np.ndarray:
    """Gross output x = L f = (I - A)⁻¹ f (M&B 2009, §2.3) by one LU solve."""
    return LeontiefSystem(A, precision=precision).solve(f)


def output_multipliers(A: np.ndarray, *, precision: Precision = "auto") -> np.ndarray:
    """Simple output multipliers m(o)' = 1' L (M&B 2009, §6.2.1): column sums of L.

    Obtained from one transposed solve, L' 1, not from the inverse.
    """
    system = LeontiefSystem(A, precision=precision)
    return system.solve_transposed(np.ones(system.n))


def ghosh_output(Z: np.ndarray, x: np.ndarray, v: np.ndarray, *, precision: Precision = "auto") -> np.ndarray:
    """Supply-driven output x' = v' G, G = (I - B)⁻¹ (M&B 2009, §12.1).

    Uses G = x̂⁻¹ L x̂, so x' = ((v ⊘ x)' L) ∘ x' = (L' (v ⊘ x)) ∘ x: one transposed solve
    of the Leontief factors, no Ghosh inverse. ``v`` is the primary-input row (value added
    and imports or taxes, whatever closes the columns); with the observed ``v`` the
    result reproduces ``x``.
    """
    x = np.asarray(x, dtype=float)
    inv = np.divide(1.0, x, out=np.zeros_like(x), where=x != 0)
    system = LeontiefSystem.from_flows(Z, x, precision=precision)
    return system.solve_transposed(np.asarray(v, dtype=float) * inv) * x
