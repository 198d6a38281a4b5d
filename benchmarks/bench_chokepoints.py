"""Chokepoint engine (issue #5) at 77 x 45: quota wedges and nested CES against the plain solve.

Targets: a binding-quota counterfactual in at most 3x the time of the same-size
unconstrained solve; the nested-CES engine at elasticity 1 no slower than 1.3x the
Cobb-Douglas path. All ratios come from the same process, medians of ``--repeat`` runs
with the solves interleaved (so machine load hits every variant alike).

The Baseline is the one of ``bench_ge_scaling.py`` (CP arrays generated directly, put in
equilibrium with zero deficits first). Shocks:

* unconstrained: the tariff war of ``bench_ge_scaling.py`` (region 0 and regions 1-3 add
  25 points on each other, iceberg +10 % on region 4's sales);
* binding quotas: the same plus region 1's exports of sectors 0-2 to everyone pooled and
  cut to 50 % (rent to the exporter, an export restraint) and regions 0, 2, 3's sales of
  sectors 3-4 to region 1 cut to 20 % each (rent to nobody): 3 + 6 = 9 wedges, all binding;
* CES at 1: the unconstrained shock with ``Technology.cobb_douglas`` (every elasticity 1)
  through the nested-CES cost block; CES at 0.5/0.1 and 0.1/0.05 for information.

Usage::

    python benchmarks/bench_chokepoints.py [--size 77x45] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ge_scaling import random_baseline
from tradewar.model import Baseline, Shock, Technology, solve


def shocks(start: Baseline) -> dict[str, tuple[Shock, Technology | None]]:
    r, s = list(start.regions), list(start.sectors)
    war = Shock.none(start).add_tariff(0.25, origin=r[1:4], region=r[0])
    war = war.add_tariff(0.25, origin=r[0], region=r[1:4]).scale_trade_cost(1.1, origin=r[4])
    war = war.with_deficits("zero")
    quota = war.set_quota(0.5, origin=r[1], product=s[0:3], pooled=True, rent="exporter")
    quota = quota.set_quota(0.2, origin=[r[0], r[2], r[3]], region=r[1], product=s[3:5], rent="nobody")
    return {
        "unconstrained": (war, None),
        "binding quotas": (quota, None),
        "CES at 1": (war, Technology.cobb_douglas(start)),
        "CES sigma 0.5, eps 0.1": (war, Technology.uniform(start, sigma=0.5, epsilon=0.1)),
        "CES sigma 0.1, eps 0.05": (war, Technology.uniform(start, sigma=0.1, epsilon=0.05)),
        "quotas + CES 0.5/0.1": (quota, Technology.uniform(start, sigma=0.5, epsilon=0.1)),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", default="77x45")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    N, J = (int(x) for x in args.size.split("x"))
    base = random_baseline(N, J)
    start = solve(base, Shock.none(base).with_deficits("zero")).as_baseline()
    cases = shocks(start)
    times: dict[str, list[float]] = {k: [] for k in cases}
    info: dict[str, tuple[int, bool, int]] = {}
    for _ in range(args.repeat):
        for name, (shock, tech) in cases.items():
            t0 = time.perf_counter()
            eq = solve(start, shock, technology=tech)
            times[name].append(time.perf_counter() - t0)
            binding = int((eq.quotas["wedge"] > 0).sum()) if len(eq.quotas) else 0
            info[name] = (eq.solver.iterations, eq.solver.converged, binding)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"{N} x {J}, median of {args.repeat}\n")
    print("| case | solve s | iterations | binding wedges | converged | ratio to unconstrained CD |")
    print("|---|---|---|---|---|---|")
    for name in cases:
        it, ok, nb = info[name]
        print(f"| {name} | {med[name]:.3f} | {it} | {nb} | {ok} | {med[name] / med['unconstrained']:.2f} |")
    q = med["binding quotas"] / med["unconstrained"]
    c = med["CES at 1"] / med["unconstrained"]
    print(f"\nbinding quotas / unconstrained: {q:.2f} (target <= 3)")
    print(f"CES at elasticity 1 / Cobb-Douglas: {c:.2f} (target <= 1.3)")


if __name__ == "__main__":
    main()
