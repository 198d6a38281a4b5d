"""The Leontief and Ghosh systems against Miller and Blair (2009) and against dense algebra.

Miller, R. E. and Blair, P. D. (2009), Input-Output Analysis: Foundations and Extensions,
2nd ed., Cambridge University Press. Section 2.3.1, "Numerical Example: Hypothetical
Figures - Approach I" (pp. 21-24): flows in Table 2.3 (Z = [[150, 500], [200, 100]],
f = (350, 1700), x = (1000, 2000)), technical
coefficients in Table 2.4 (A = [[.15, .25], [.20, .05]]), the Leontief inverse computed in
the text after it (L = [[1.254, .330], [.264, 1.122]]) and the new final demand
f = (600, 1500) giving x = (1247.5, 1841.6).
"""

from __future__ import annotations

import numpy as np
import pytest

from tradewar.analysis import (
    LeontiefSystem,
    calc_A,
    calc_B,
    ghosh_output,
    leontief_output,
    output_multipliers,
)
from tradewar.errors import ModelError

Z_MB = np.array([[150.0, 500.0], [200.0, 100.0]])
F_MB = np.array([350.0, 1700.0])
X_MB = np.array([1000.0, 2000.0])


def test_technical_coefficients_table_2_4():
    np.testing.assert_allclose(calc_A(Z_MB, X_MB), [[0.15, 0.25], [0.20, 0.05]])


def test_leontief_inverse_and_output_section_2_3():
    system = LeontiefSystem(calc_A(Z_MB, X_MB), precision="double")
    L = system.solve(np.eye(2))  # only to compare with the book; the library never does this
    np.testing.assert_allclose(L, [[1.254, 0.330], [0.264, 1.122]], atol=5e-4)
    np.testing.assert_allclose(L, np.array([[0.95, 0.25], [0.20, 0.85]]) / 0.7575, rtol=1e-12)
    np.testing.assert_allclose(system.solve(F_MB), X_MB, rtol=1e-12)
    np.testing.assert_allclose(
        leontief_output(calc_A(Z_MB, X_MB), np.array([600.0, 1500.0])), [1247.5, 1841.6], atol=0.05
    )


def test_output_multipliers_are_column_sums_of_L():
    # M&B 2009 section 6.2.1: m(o)_j = sum_i l_ij; here (1.518, 1.452)
    m = output_multipliers(calc_A(Z_MB, X_MB))
    np.testing.assert_allclose(m, [1.15 / 0.7575, 1.10 / 0.7575], rtol=1e-12)
    np.testing.assert_allclose(m, [1.518, 1.452], atol=5e-4)


def test_ghosh_reproduces_output_and_equals_explicit_inverse():
    va = X_MB - Z_MB.sum(axis=0)  # (650, 1400) value added, M&B Table 2.3
    np.testing.assert_allclose(ghosh_output(Z_MB, X_MB, va), X_MB, rtol=1e-12)
    B = calc_B(Z_MB, X_MB)
    np.testing.assert_allclose(B, [[0.15, 0.5], [0.1, 0.05]])
    v_new = np.array([800.0, 1400.0])
    G = np.linalg.inv(np.eye(2) - B)
    np.testing.assert_allclose(ghosh_output(Z_MB, X_MB, v_new), v_new @ G, rtol=1e-12)


def _random_A(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    A = rng.uniform(0.0, 1.0, size=(n, n)) * (rng.uniform(size=(n, n)) < 0.4)
    return A * (rng.uniform(0.2, 0.8, size=n) / np.maximum(A.sum(axis=0), 1e-12))


@pytest.mark.parametrize("precision", ["double", "mixed"])
def test_solves_match_dense_algebra(precision):
    A = _random_A(300, 3)
    B = np.random.default_rng(4).uniform(size=(300, 7))
    system = LeontiefSystem(A, precision=precision)
    L = np.linalg.inv(np.eye(300) - A)
    np.testing.assert_allclose(system.solve(B), L @ B, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(system.solve_transposed(B), L.T @ B, rtol=1e-10, atol=1e-12)
    assert system.precision == precision


def test_mixed_precision_refines_to_double_accuracy_in_few_steps():
    A = _random_A(400, 5)
    b = np.random.default_rng(6).lognormal(size=400)
    mixed = LeontiefSystem(A, precision="mixed")
    x = mixed.solve(b)
    np.testing.assert_allclose(x - A @ x, b, rtol=1e-11)
    assert 1 <= mixed.refinement_steps[-1] <= 3


def test_auto_precision_depends_on_size():
    assert LeontiefSystem(_random_A(50, 0)).precision == "double"


def test_singular_system_fails_loudly():
    A = np.array([[1.0, 0.0], [0.3, 0.2]])  # sector 1 needs one unit of itself per unit
    for precision in ("double", "mixed"):
        with pytest.raises(ModelError, match="not productive"):
            LeontiefSystem(A, precision=precision)  # type: ignore[arg-type]


def test_bad_shapes_fail_loudly():
    with pytest.raises(ModelError, match="square"):
        LeontiefSystem(np.zeros((2, 3)))
    with pytest.raises(ModelError, match="rows"):
        LeontiefSystem(np.zeros((2, 2))).solve(np.ones(3))
    with pytest.raises(ModelError, match="NaN"):
        LeontiefSystem(np.array([[np.nan, 0.0], [0.0, 0.0]]))


def test_zero_output_sector_has_zero_coefficients():
    Z = np.array([[1.0, 0.0], [2.0, 0.0]])
    np.testing.assert_array_equal(calc_A(Z, np.array([10.0, 0.0])), [[0.1, 0.0], [0.2, 0.0]])


def test_mixed_precision_falls_back_to_double_when_ill_conditioned():
    # every column of A sums to 1 - 1e-9: I - A has condition ~1e9, beyond float32
    rng = np.random.default_rng(0)
    P = rng.uniform(size=(60, 60))
    A = (1.0 - 1e-9) * P / P.sum(axis=0)
    b = rng.uniform(size=60)
    system = LeontiefSystem(A, precision="mixed")
    x = system.solve(b)
    assert system.precision == "double (fallback)"
    np.testing.assert_allclose(x, np.linalg.solve(np.eye(60) - A, b), rtol=1e-5)
