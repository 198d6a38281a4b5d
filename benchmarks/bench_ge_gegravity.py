"""The gegravity example (Canada-Japan PTA, σ = 5): tradewar against gegravity 0.3, same run.

Issue target: at least 10x faster than ``gegravity`` 0.3 (PyPI) on its documented example.
Both are timed in this process, on the same data (``gegravity_sample/``):

* ``gegravity``  ``OneSectorGE(...)`` + ``build_baseline()`` + ``define_experiment()`` +
  ``simulate()`` (its solver: scipy ``root``, hybr, on multilateral resistances and prices);
* ``tradewar``   :func:`tradewar.model.validation.gegravity_case` (read the panel, fit the
  baseline by RAS, build the World and the shock) + ``solve(..., closure="fixed_expenditure")``
  + :func:`~tradewar.model.validation.gegravity_outputs` (its result tables); the solver
  time alone is reported too.

Both produce the same numbers (``tradewar validate --case gegravity_sample``); the script
prints the largest relative difference of the country results as a cross-check.

Usage::

    pip install gegravity==0.3
    python benchmarks/bench_ge_gegravity.py [--data ../shared/data] [--repeat 5]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from tradewar.model import solve
from tradewar.model.validation import gegravity_case, gegravity_outputs

COST_VARS = ["lndist", "contiguity", "common_language", "pta", "international", "constant"]


def run_gegravity(folder: Path) -> pd.DataFrame:
    import gegravity as ge

    data = pd.read_csv(folder / "sample_data_set.dlm")
    data["constant"] = 1.0
    data["year"] = data["year"].astype(str)
    coef = pd.read_csv(folder / "cost_coefficients.csv")
    baseline = ge.BaselineData(
        data, imp_var_name="importer", exp_var_name="exporter", year_var_name="year",
        trade_var_name="trade", expend_var_name="E", output_var_name="Y",
    )  # fmt: skip
    costs = ge.CostCoeffs(estimates=coef, identifier_col="var", coeff_col="beta", stderr_col="stderr")
    model = ge.OneSectorGE(
        baseline, year="2006", reference_importer="DEU", sigma=5, cost_variables=COST_VARS,
        cost_coeff_values=costs, quiet=True,
    )  # fmt: skip
    model.build_baseline(omr_rescale=100)
    exp = model.baseline_data.copy()
    for a, b in (("CAN", "JPN"), ("JPN", "CAN")):
        exp.loc[(exp["importer"] == a) & (exp["exporter"] == b), "pta"] = 1
    model.define_experiment(exp)
    model.simulate()
    return model.country_results


def run_tradewar(data_dir: str) -> tuple[pd.DataFrame, float]:
    case = gegravity_case(data_dir)
    eq = solve(case.world, case.shock, closure="fixed_expenditure")
    return gegravity_outputs(case, eq)["country"], eq.solver.seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    folder = Path(args.data) / "gegravity_sample"
    t_gg, t_tw, t_solve = [], [], []
    run_tradewar(args.data)  # warm-up
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            ref = run_gegravity(folder)
        t_gg.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        ours, s = run_tradewar(args.data)
        t_tw.append(time.perf_counter() - t0)
        t_solve.append(s)
    gg, tw, sv = statistics.median(t_gg), statistics.median(t_tw), statistics.median(t_solve)
    cols = ["factory gate price change (percent)", "GDP change (percent)", "welfare statistic"]
    a = ref[cols].sort_index().to_numpy(dtype=float)
    b = ours.loc[ref.sort_index().index, cols].to_numpy(dtype=float)
    rel = float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-3)))
    print(f"gegravity 0.3 end to end: {gg:.3f} s (median of {args.repeat})")
    print(f"tradewar end to end:      {tw:.4f} s  -> {gg / tw:.0f}x faster")
    print(f"tradewar solver only:     {sv:.4f} s  -> {gg / sv:.0f}x faster")
    print(f"largest relative difference of country results: {rel:.1e}")


if __name__ == "__main__":
    main()
