"""Speed of the GE engine on Caliendo-Parro (2015) NAFTA: baseline + counterfactual.

The issue's target: the two equilibria of the paper's main case (1993 re-solved with zero
deficits, then 2005 intra-NAFTA tariffs) in at most 0.25 s of solver time on the 2-core
development machine. Solver time is the sum of ``Equilibrium.solver.seconds`` of the two
solves (setup of the shock arrays included; reading data excluded). Both routes are timed:

* ``arrays``  ``Baseline.from_arrays`` on the authors' arrays (cp2015_model_arrays.npz);
* ``world``   ``read_cp2015`` -> ``Baseline.from_world`` -> solve (reading timed apart).

Usage::

    python benchmarks/bench_ge_nafta.py [--data ../shared/data] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import time

from tradewar.model import Baseline
from tradewar.model.validation import cp2015_npz_baseline, nafta_equilibria
from tradewar.world.readers.cp2015 import read_cp2015


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()

    base, layer = cp2015_npz_baseline(args.data)
    nafta_equilibria(base, layer)  # warm-up (imports, einsum paths)
    solver, wall, iters = [], [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        bln, cfl = nafta_equilibria(base, layer)
        wall.append(time.perf_counter() - t0)
        solver.append(bln.solver.seconds + cfl.solver.seconds)
        iters.append((bln.solver.iterations, cfl.solver.iterations))
    print(f"arrays: solver {statistics.median(solver):.3f} s (min {min(solver):.3f}), "
          f"wall incl. rebasing {statistics.median(wall):.3f} s, iterations bln/cfl {iters[0]}")  # fmt: skip

    # the same two solves with plain damped iteration (no Anderson acceleration)
    from tradewar.model import Shock, solve
    from tradewar.model.validation import nafta_shock

    t0 = time.perf_counter()
    b0 = solve(base, Shock.none(base).with_deficits("zero"), memory=0, max_iter=20_000)
    start = b0.as_baseline()
    c0 = solve(start, nafta_shock(start, layer), memory=0, max_iter=20_000)
    print(f"plain damped iteration: solver {b0.solver.seconds + c0.solver.seconds:.3f} s, "
          f"iterations bln/cfl ({b0.solver.iterations}, {c0.solver.iterations})")  # fmt: skip

    t0 = time.perf_counter()
    world = read_cp2015(args.data)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    wb = Baseline.from_world(world)
    t_base = time.perf_counter() - t0
    wsolver = []
    for _ in range(args.repeat):
        bln, cfl = nafta_equilibria(wb, world.tariff_layers["2005"])
        wsolver.append(bln.solver.seconds + cfl.solver.seconds)
    print(f"world:  read_cp2015 {t_read:.2f} s, Baseline.from_world {t_base:.3f} s, "
          f"solver {statistics.median(wsolver):.3f} s (min {min(wsolver):.3f})")  # fmt: skip
    r = cfl.regions.loc[["MEX", "CAN", "USA"], ["tot_plus_vot_pct", "real_wage_pct", "welfare_pct"]]
    print(r.round(6).to_string())


if __name__ == "__main__":
    main()
