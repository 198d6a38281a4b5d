"""Cost of the per-measure decomposition relative to the plain run, in one process.

The issue's criterion: decomposing a 15-measure scenario over 5 years costs at most 10x
the plain run. Both are timed here on the default world with the first ``--measures``
measures (default 15; 0 = all) of ``trade-war-2026``, 2026-2030, the World loaded once
and passed in:

* plain run: :func:`tradewar.runs.run_scenario` (every year's equilibrium, tables,
  self-sufficiency, checks), median of ``--repeat``;
* decomposition: :func:`tradewar.runs.decompose.decompose_run` of that run, median of
  ``--repeat``, with its defaults (Gauss-Legendre, 3 nodes per step, steps halved while a
  step residual exceeds 1 % of the variable's largest step change; a year with the same
  shocks as an earlier one reuses its contributions), and again with ``reuse=False``
  (every year integrated: the worst case).

It also reports the accuracy of the contributions against a 16-step reference (largest
difference relative to the largest contribution to the same variable) and the largest
error of their sums. Usage::

    python benchmarks/bench_decompose.py [--scenario trade-war-2026] [--measures 15] [--repeat 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import numpy as np

from tradewar.policy import load_scenario
from tradewar.runs import run_scenario
from tradewar.runs.decompose import decompose_run
from tradewar.world.load import load_world


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenario", default="trade-war-2026")
    ap.add_argument("--world", default="default")
    ap.add_argument("--measures", type=int, default=15)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    world = load_world(args.world)
    sc = load_scenario(args.scenario)
    if args.measures:
        sc = dataclasses.replace(sc, measures=sc.measures[: args.measures])
    run = run_scenario(sc, world)  # warm-up (imports, caches)
    plain, dec = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        run = run_scenario(sc, world)
        plain.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        d = decompose_run(run)
        dec.append(time.perf_counter() - t0)
    K = len(d.names)
    ratio = [b / a for a, b in zip(plain, dec, strict=True)]
    print(f"{args.scenario}: {K} measures x {len(run.years)} years on {args.world} {world.shape}")
    print(f"plain run {statistics.median(plain):.3f} s, decomposition {statistics.median(dec):.3f} s")
    print(f"ratio {statistics.median(ratio):.2f} (min {min(ratio):.2f}, max {max(ratio):.2f}); target <= 10")
    every = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        run = run_scenario(sc, world)
        a = time.perf_counter() - t0
        t0 = time.perf_counter()
        decompose_run(run, reuse=False)
        every.append((time.perf_counter() - t0) / a)
    print(f"every year integrated (reuse=False): ratio {statistics.median(every):.2f} "
          f"(min {min(every):.2f}, max {max(every):.2f})")  # fmt: skip
    print("per year (steps, solves, worst step residual):",
          [(y.year, y.steps, y.solves, f"{y.refinement:.1e}") for y in d.years])  # fmt: skip
    print(f"largest sum error (relative to |total|, floor 1): {d.max_sum_error():.1e}")
    ref = decompose_run(run, rtol=0.0, max_steps=16).table
    t = d.table
    worst = 0.0
    for v in ref["variable"].unique():
        m = (ref["variable"] == v).to_numpy()
        a, b = t["contribution"].to_numpy()[m], ref["contribution"].to_numpy()[m]
        worst = max(worst, float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)))
    print(f"largest difference to the 16-step reference (relative to the variable's largest contribution): "
          f"{worst:.1e}")  # fmt: skip


if __name__ == "__main__":
    main()
