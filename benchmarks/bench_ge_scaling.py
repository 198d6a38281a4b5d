"""How the GE solve grows with regions N and sectors J: 31x40, 77x45 (OECD ICIO), 160x65 (GTAP).

Issue target: at 160 x 65 under 5 s and 2 GB. Each size runs in a fresh process so that
its peak memory is its own. The Baseline is generated directly in CP arrays (a World of
160 x 65 would need a 10,400-sector Leontief solve just to be generated): trade shares
with a home bias (domestic weight 8, lognormal partners), Cobb-Douglas input shares with
a value-added share on [0.3, 0.7], final-demand shares, lognormal value added, tariffs on
[0, 10 %], θ on [2.5, 7.5]; zero deficits. The shock is a tariff war: region 0 adds 25
points on all imports from regions 1-3, which retaliate in kind, with a 10 % iceberg
cost rise on everything region 4 sells.

Reported: solver seconds (``Equilibrium.solver.seconds``), iterations, seconds per
iteration, peak traced memory of the solve (``tracemalloc``, NumPy buffers included) and
the process's peak resident set size. Growth: each pass of the map costs
O(N² J) (trade block) + O(N J²) (input-output block).

Usage::

    python benchmarks/bench_ge_scaling.py [--sizes 31x40,77x45,160x65]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc

import numpy as np

from tradewar.model import Baseline, Shock, solve


def random_baseline(N: int, J: int, seed: int = 0) -> Baseline:
    rng = np.random.default_rng(seed)
    regions = [f"R{r:03d}" for r in range(N)]
    sectors = [f"S{s:03d}" for s in range(J)]
    w = rng.lognormal(0.0, 1.0, size=(N, N, J)) + 8.0 * np.eye(N)[:, :, None] * N / 10
    tau = 1.0 + rng.uniform(0.0, 0.1, size=(N, N, J)) * (1 - np.eye(N))[:, :, None]
    pi = w / w.sum(axis=1, keepdims=True)
    va = rng.uniform(0.3, 0.7, size=(N, J))
    io = rng.uniform(0.0, 1.0, size=(N, J, J)) ** 3
    io = io / io.sum(axis=1, keepdims=True) * (1 - va)[:, None, :]
    alpha = rng.uniform(0.2, 1.0, size=(N, J))
    alpha /= alpha.sum(axis=1, keepdims=True)
    wL = rng.lognormal(0.0, 1.0, size=N) * 1000
    return Baseline.from_arrays(
        regions=regions, sectors=sectors, X=np.ones((N, J)), pi=pi, tau=tau, gamma_va=va, gamma_io=io,
        alpha=alpha, wL=wL, D=np.zeros(N), theta=rng.uniform(2.5, 7.5, size=J),
    )  # fmt: skip


def one(N: int, J: int) -> dict[str, float]:
    base = random_baseline(N, J)
    # put the baseline in equilibrium first (its X and deficits are made up), then shock it
    start = solve(base, Shock.none(base).with_deficits("zero")).as_baseline()
    r = list(start.regions)
    shock = Shock.none(start).add_tariff(0.25, origin=r[1:4], region=r[0])
    shock = shock.add_tariff(0.25, origin=r[0], region=r[1:4]).scale_trade_cost(1.1, origin=r[4])
    shock = shock.with_deficits("zero")
    tracemalloc.start()
    t0 = time.perf_counter()
    eq = solve(start, shock)
    wall = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    return {
        "N": N, "J": J, "solver_s": eq.solver.seconds, "wall_s": wall, "iterations": eq.solver.iterations,
        "ms_per_iteration": 1000 * eq.solver.seconds / eq.solver.iterations,
        "peak_traced_MiB": peak / 2**20, "peak_rss_MiB": rss, "converged": eq.solver.converged,
        "residual": eq.solver.residual,
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="31x40,77x45,160x65")
    ap.add_argument("--one", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        N, J = (int(x) for x in args.one.split("x"))
        print(json.dumps(one(N, J)))
        return
    rows = []
    for size in args.sizes.split(","):
        out = subprocess.run(
            [sys.executable, __file__, "--one", size], capture_output=True, text=True, check=True
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
    print("| N x J | solver s | iterations | ms / iteration | peak traced MiB | peak RSS MiB |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['N']} x {r['J']} | {r['solver_s']:.3f} | {r['iterations']} "
            f"| {r['ms_per_iteration']:.2f} | {r['peak_traced_MiB']:.0f} | {r['peak_rss_MiB']:.0f} |"
        )
    if len(rows) > 1:
        a, b = rows[0], rows[-1]
        cost = lambda r: r["N"] ** 2 * r["J"] + r["N"] * r["J"] ** 2  # noqa: E731
        print(f"\nper-iteration time ratio {b['ms_per_iteration'] / a['ms_per_iteration']:.1f}x for an "
              f"N^2 J + N J^2 ratio of {cost(b) / cost(a):.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
