"""One equilibrium of the shipped default world (14 x 14) against a 9 x 12 reference, same process.

Issue #9 asks that one equilibrium of the rebuilt default world stay under 50 ms on a
quiet machine (the former 9 x 12 default world: about 25 ms). Absolute times on a shared
machine are inflated, so the benchmark also solves a synthetic 9 x 12 World
(:func:`tradewar.world.synthetic.synthetic_world`, Cobb-Douglas, the same shock) in the
same process and reports the ratio; with ``--old-bundle PATH`` it also times the former
default world's bundle (e.g. a checkout of the previous release).

Shock: the 2025 US-China tariffs of ``tests/world/test_default_signs.py`` (US +30 points
on Chinese goods, China +10 points on US goods and +15 more on farm goods); on the
synthetic world, region 0 adds 30 points on region 1's goods and region 1 10 points on
region 0's. Each solve starts cold (no warm start). Reported: median wall time of
``repeat`` solves (``time.perf_counter``), solver iterations.

Usage::

    python benchmarks/bench_default_world.py [--repeat 20] [--old-bundle PATH]
"""

from __future__ import annotations

import argparse
import statistics
import time

from tradewar.model import Baseline, Shock, solve
from tradewar.world.bundle import read_bundle
from tradewar.world.load import load_world
from tradewar.world.synthetic import synthetic_world
from tradewar.world.world import World


def _shock(base: Baseline, a: str, b: str, goods: list[str], farm: str | None) -> Shock:
    s = Shock.none(base).add_tariff(0.30, origin=b, region=a, product=goods)
    s = s.add_tariff(0.10, origin=a, region=b, product=goods)
    return s.add_tariff(0.15, origin=a, region=b, product=farm) if farm else s


def time_world(world: World, repeat: int) -> dict[str, float]:
    """Median seconds and iterations of one cold equilibrium of ``world`` under the shock."""
    base = Baseline.from_world(world)
    if {"USA", "CHN"} <= set(world.regions):
        goods = [s for s in world.sectors if s not in ("DIG", "SRV")]
        shock = _shock(base, "USA", "CHN", goods, "AGR" if "AGR" in world.sectors else None)
    else:
        shock = _shock(base, world.regions[0], world.regions[1], world.sectors, None)
    solve(base, shock)  # first call: imports and caches
    times, iters = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        eq = solve(base, shock)
        times.append(time.perf_counter() - t0)
        iters = eq.solver.iterations
    return {"seconds": statistics.median(times), "iterations": float(iters)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--old-bundle", default=None, help="bundle folder of the former 9 x 12 default world")
    args = ap.parse_args()
    worlds = {"default (14 x 14)": load_world("default"), "synthetic 9 x 12": synthetic_world(9, 12)}
    if args.old_bundle:
        worlds["former default (9 x 12)"] = read_bundle(args.old_bundle)
    res = {name: time_world(w, args.repeat) for name, w in worlds.items()}
    ref = res["synthetic 9 x 12"]["seconds"]
    print(f"{'world':28s} {'ms':>8s} {'iterations':>11s} {'ratio to synthetic 9x12':>24s}")
    for name, r in res.items():
        print(f"{name:28s} {1e3 * r['seconds']:8.1f} {r['iterations']:11.0f} {r['seconds'] / ref:24.2f}")


if __name__ == "__main__":
    main()
