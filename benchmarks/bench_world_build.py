"""Speed of `world build` at the size of the OECD ICIO (issue #9, item 4).

Generates a balanced World of 77 regions x 45 sectors (the ICIO 2023 size once CN1/CN2
and MX1/MX2 are merged) and an HS6 trade table of ``--rows`` rows over every region pair,
then times in one process, median of ``--repeat``:

* ``aggregate``  the reference: :func:`tradewar.world.aggregate.aggregate` of the World
                 to 14 regions x 14 sectors (what a build does without splitting);
* ``build``      :func:`tradewar.world.build.build_world` without region aggregation:
                 split one sector into three pieces by the pair trade shares of the table,
                 aggregate the sectors to 14 targets, and compute the calibration table
                 of every source aggregate (11,935 targets: goods and services for every
                 ordered pair of 77 regions, GDP, exports, imports);
* ``build-agg``  the same after aggregating the regions to 14 (the usual use).

Generating the World and the table, and reading files, are not timed (`read_icio` of a
full ICIO CSV is dominated by pandas' CSV parser).

Usage::

    python benchmarks/bench_world_build.py               # ~1-2 minutes on 2 shared cores
    python benchmarks/bench_world_build.py --rows 100000 --repeat 1
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from tradewar.world.aggregate import aggregate
from tradewar.world.build import build_world
from tradewar.world.split import SectorMap
from tradewar.world.synthetic import synthetic_world

HS = ("854231", "854239", "854110", "847130", "851712", "100199")


def timed(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows of the HS6 trade table")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    world = synthetic_world(77, 45, seed=0, tariff=0.0)
    rng = np.random.default_rng(0)
    R, S = world.regions, world.sectors
    trade = pd.DataFrame(
        {
            "exporter": rng.choice(R, args.rows),
            "importer": rng.choice(R, args.rows),
            "hs6": rng.choice(HS, args.rows),
            "value": rng.lognormal(0.0, 2.0, args.rows),
        }
    )
    targets = [f"T{k:02d}" for k in range(13)] + ["SRV"]
    mapping = {s: targets[min(k * 14 // 45, 13)] for k, s in enumerate(S) if s != "S016"}
    smap = SectorMap(
        mapping=mapping,
        splits={"S016": {"SEMA": ("854231",), "SEMM": ("854239", "8541"), "ELE": ("8471", "8517")}},
    )
    regions = {r: f"G{k * 14 // 77:02d}" for k, r in enumerate(R)}
    names = {g: f"group {g}" for g in set(regions.values())}
    plain = {**mapping, "S016": "ELE"}

    t_ref = timed(lambda: aggregate(world, regions=regions, sectors=plain, region_names=names), args.repeat)
    t_build = timed(lambda: build_world(world, sectors=smap, trade=trade, services=("SRV",)), args.repeat)
    agg = aggregate(world, regions=regions, region_names=names)
    region_of = {g: g for g in agg.regions}
    trade_agg = trade.assign(exporter=trade["exporter"].map(regions), importer=trade["importer"].map(regions))
    t_agg = timed(
        lambda: build_world(agg, regions=region_of, sectors=smap, trade=trade_agg, services=("SRV",)),
        args.repeat,
    )
    built = build_world(world, sectors=smap, trade=trade, services=("SRV",))
    assert built.preserved, "the build did not preserve the source's aggregates"
    print(f"77 x 45 World, HS6 table of {args.rows:,} rows, median of {args.repeat}")
    print(f"{'step':<12}{'seconds':>10}{'ratio':>10}")
    for name, t in (("aggregate", t_ref), ("build", t_build), ("build-agg", t_agg)):
        print(f"{name:<12}{t:>10.2f}{t / t_ref:>10.1f}")
    print(f"calibration targets: {len(built.calibration):,}, all within tolerance: {built.preserved}")


if __name__ == "__main__":
    main()
