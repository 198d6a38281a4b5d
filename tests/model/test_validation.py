"""The reproductions of published results (tradewar validate) as tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tradewar.model import Baseline, solve
from tradewar.model.validation import (
    CASES,
    Check,
    cp2015_npz_baseline,
    gegravity_case,
    nafta_equilibria,
    run_validation,
)
from tradewar.world.readers.cp2015 import read_cp2015


def _assert_all_ok(checks: list[Check]) -> None:
    bad = [f"{c.item}: published {c.published} computed {c.computed}" for c in checks if not c.ok]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("case", list(CASES))
def test_case_reproduces(shared_data: Path, case: str) -> None:
    checks = CASES[case](shared_data)
    assert len(checks) > 10
    _assert_all_ok(checks)


def test_real_wages_to_six_digits_from_authors_arrays(shared_data: Path) -> None:
    """MODELS.md: Mexico +1.715323 %, Canada +0.322829 %, USA +0.112442 % (reference run)."""
    base, layer = cp2015_npz_baseline(shared_data)
    _, cfl = nafta_equilibria(base, layer)
    rw = cfl.regions["real_wage_pct"]
    assert rw["MEX"] == pytest.approx(1.715323, abs=1e-6)
    assert rw["CAN"] == pytest.approx(0.322829, abs=1e-6)
    assert rw["USA"] == pytest.approx(0.112442, abs=2e-6)


def test_exact_real_income_differs_from_table2(shared_data: Path) -> None:
    """MODELS.md claim: exact real income for Mexico is about 0.01 %, not the table's 1.31 %."""
    _, cfl = nafta_equilibria(read_cp2015(shared_data))
    r = cfl.regions
    assert r.loc["MEX", "welfare_pct"] == pytest.approx(0.0073, abs=5e-4)
    assert r.loc["MEX", "tot_plus_vot_pct"] == pytest.approx(1.31, abs=0.005)


def test_nafta_speed_and_solver_record(shared_data: Path) -> None:
    base, layer = cp2015_npz_baseline(shared_data)
    bln, cfl = nafta_equilibria(base, layer)
    for eq in (bln, cfl):
        assert eq.solver.converged
        assert eq.solver.residual < 1e-10
        assert max(eq.solver.checks["goods_market"], eq.solver.checks["trade_balance"]) < 1e-10


def test_gegravity_exact_closure_differs(shared_data: Path) -> None:
    """gegravity's one-shot closure vs the exact equilibrium: same engine, different closure."""
    case = gegravity_case(shared_data)
    approx = solve(case.world, case.shock, closure="fixed_expenditure")
    exact = solve(case.world, case.shock)
    can = case.codes.index("CAN")
    gdp = lambda e: 100 * (e.w_hat[can] / e.P_hat[can, 0] - 1)  # noqa: E731
    assert gdp(approx) == pytest.approx(0.418261, abs=1e-6)
    assert gdp(exact) == pytest.approx(0.4276, abs=1e-3)
    # the modeled baseline reproduces the file's output and expenditure
    b = Baseline.from_world(case.world)
    assert np.allclose(b.X[:, 0].sum(), b.wL.sum())


def test_run_validation_rejects_unknown_case(shared_data: Path) -> None:
    from tradewar.errors import DataError

    with pytest.raises(DataError, match="unknown validation case"):
        run_validation(shared_data, ["nope"])


def test_check_rounding_rules() -> None:
    c = Check("x", "y", 0.09, 0.08496, 0.005 + 1e-9, "s", significant=2)
    assert c.shown == pytest.approx(0.085) and c.ok
    c2 = Check("x", "y", 0.09, 0.08496, 0.005 + 1e-9, "s")
    assert not c2.ok
    c3 = Check("x", "y", 100.0, 100.005, 1e-4, "s", relative=True)
    assert c3.ok and c3.allowed == pytest.approx(0.01)
    assert not Check("x", "y", 1.0, float("nan"), 1.0, "s").ok
    assert set(c.as_dict()) >= {"published", "computed", "difference", "ok"}


def test_fixed_expenditure_reports_gegravity_welfare(shared_data: Path) -> None:
    from tradewar.errors import ModelError

    case = gegravity_case(shared_data)
    eq = solve(case.world, case.shock, closure="fixed_expenditure")
    assert eq.regions.loc["CAN", "welfare_pct"] == pytest.approx(0.418261, abs=1e-6)
    with pytest.raises(ModelError, match="closure"):
        eq.counterfactual_world()
