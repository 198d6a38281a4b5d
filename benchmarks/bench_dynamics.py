"""Speed of the recursive-dynamic path (issue #12) against one static year, same process.

Reference: one static year of the default scenario on the default world
(``run_scenario(..., years=<first>, dynamics=False)``: translation, one equilibrium, the
tables). Measured: the five-year dynamic path (``run_dynamic``: five equilibria with
sector-specific capital and warm starts, plus the long-run steady state, and the same
tables). Runs alternate, medians are reported; the target is a ratio of at most 10.

Also reported: the engine alone, one equilibrium with and without the capital block
(``solve(..., capital=)``), to show what the specific factor costs per solve.

Usage: ``python benchmarks/bench_dynamics.py [--scenario trade-war-2026] [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from tradewar.model import Baseline, Capital, solve
from tradewar.policy import load_scenario, policy_to_shock, scenario_technology, translate
from tradewar.runs import run_scenario
from tradewar.runs.dynamic import run_dynamic
from tradewar.world.load import load_world


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default="trade-war-2026")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", default=None, help="write the figures to this file")
    args = parser.parse_args()

    world = load_world("default")
    sc = load_scenario(args.scenario)
    base = Baseline.from_world(world)
    years = list(range(2026, 2031))
    static_s: list[float] = []
    dynamic_s: list[float] = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        run_scenario(sc, world, years=[years[0]], dynamics=False, baseline=base)
        static_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        run_dynamic(sc, world, years=years, baseline=base)
        dynamic_s.append(time.perf_counter() - t)

    policy = translate(sc, world, [years[0]])[years[0]]
    shock = policy_to_shock(policy, world, sc.deficits or "data")
    tech = scenario_technology(sc, world)
    cap = Capital.default(world, fallback=True)
    plain: list[float] = []
    with_cap: list[float] = []
    its = {}
    for _ in range(args.repeat):
        eq0 = solve(base, shock, technology=tech)
        eq1 = solve(base, shock, technology=tech, capital=cap)
        plain.append(eq0.solver.seconds)
        with_cap.append(eq1.solver.seconds)
        its = {"plain": eq0.solver.iterations, "capital": eq1.solver.iterations}

    out = {
        "world": f"{len(world.regions)} x {len(world.sectors)}",
        "scenario": sc.name,
        "static_year_s": statistics.median(static_s),
        "dynamic_path_5y_plus_long_run_s": statistics.median(dynamic_s),
        "ratio": statistics.median(dynamic_s) / statistics.median(static_s),
        "solve_s": statistics.median(plain),
        "solve_with_capital_s": statistics.median(with_cap),
        "iterations": its,
    }
    for k, v in out.items():
        print(f"{k:36s} {v:.3f}" if isinstance(v, float) else f"{k:36s} {v}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2)


if __name__ == "__main__":
    main()
