"""Monte Carlo draws: the in-process loop, Dask's overhead per draw, 1 vs 2 workers, the full CLI run.

Everything is measured in one process, as ratios against the in-process loop on the same
draws (the machine is shared, so absolute times are inflated by other work; the load
average is printed with the figures):

* ``dask(1) / local``: seconds per draw on a one-worker Dask LocalCluster (processes,
  loopback; the model scattered once, batches as tasks) over the in-process loop; the
  cluster's start-up is reported apart, it is paid once per run;
* ``dask(1) / dask(2)`` and ``processes(1) / processes(2)``: the throughput of two workers
  over one (the same draws, the same batches);
* the wall time of ``tradewar run --draws N`` of the default scenario over 2026-2030 with
  two local workers, end to end (central run, draws, tables, report), for each executor.

    python benchmarks/bench_draws.py                 # 200 draws per ratio, 1000 in the CLI run
    python benchmarks/bench_draws.py --draws 100 --cli-draws 0
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np

from tradewar.policy import load_scenario
from tradewar.runs.draws import batches_of, build_point_model, neighbour_order, sample_unit
from tradewar.runs.executors import map_batches
from tradewar.runs.parameters import draw_parameters
from tradewar.world.load import load_world

YEARS = (2026, 2027, 2028, 2029, 2030)


def _timed(fn) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=200, help="draws per ratio measurement")
    ap.add_argument("--cli-draws", type=int, default=1000, help="draws of the end-to-end CLI run (0: skip)")
    ap.add_argument("--scenario", default="trade-war-2026")
    ap.add_argument("--cli-executors", default="processes,dask", help="executors of the CLI run")
    args = ap.parse_args()
    from distributed import Client, LocalCluster

    sc = load_scenario(args.scenario)
    world = load_world(sc.baseline)
    params = draw_parameters(sc, world)
    t_build = time.perf_counter()
    model = build_point_model(sc, world, YEARS, sc.deficits or "data", params)
    t_build = time.perf_counter() - t_build
    u = sample_unit(args.draws, len(params), seed=1)
    values = np.column_stack([p.ppf(u[:, k]) for k, p in enumerate(params)])
    order = neighbour_order(model.scaled(values))
    batches = batches_of(order, values[order], 25)
    n = args.draws
    print(f"world {world.meta.name}: {len(world.regions)} x {len(world.sectors)}; {len(params)} parameters; "
          f"{n} draws x {len(YEARS)} years; model built in {t_build:.2f} s")  # fmt: skip
    print(f"load average before: {os.getloadavg()}")

    cpu0 = time.process_time()
    local = _timed(lambda: map_batches(model, batches))
    cpu_local = time.process_time() - cpu0
    rows = [("local (in-process loop)", local, 1.0)]
    starts = {}
    for workers in (1, 2):
        t0 = time.perf_counter()
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            ) as cluster,
            Client(cluster),
        ):
            starts[workers] = time.perf_counter() - t0
            t = _timed(
                lambda: map_batches(model, batches, executor="dask", scheduler=cluster.scheduler_address)
            )
        rows.append((f"dask, {workers} worker(s)", t, t / local))
    for workers in (1, 2):
        t = _timed(lambda: map_batches(model, batches, executor="processes", workers=workers))  # noqa: B023
        rows.append((f"processes, {workers} worker(s) (spawn included)", t, t / local))
    print(f"load average after: {os.getloadavg()}")
    print("\n| executor | seconds | s per draw | vs local |\n|---|---|---|---|")
    for name, t, r in rows:
        print(f"| {name} | {t:.2f} | {t / n * 1000:.1f} ms | {r:.2f}x |")
    by = {name: t for name, t, _ in rows}
    d1, d2 = by["dask, 1 worker(s)"], by["dask, 2 worker(s)"]
    p1, p2 = by["processes, 1 worker(s) (spawn included)"], by["processes, 2 worker(s) (spawn included)"]
    print(f"\nDask overhead per draw (1 worker / in-process loop): {d1 / local:.2f}x")
    print(f"throughput 2 vs 1 worker: dask {d1 / d2:.2f}x, processes {p1 / p2:.2f}x")
    print(f"LocalCluster start-up: 1 worker {starts[1]:.1f} s, 2 workers {starts[2]:.1f} s")
    print(
        f"CPU time of the in-process loop: {cpu_local / n * 1000:.1f} ms per draw "
        f"(wall {local / n * 1000:.1f} ms: the machine gave this process {cpu_local / local:.0%} of a core)"
    )

    if args.cli_draws:
        for executor in args.cli_executors.split(","):
            with tempfile.TemporaryDirectory() as tmp:
                cmd = [sys.executable, "-c", "from tradewar.cli.main import app; app()"]
                cmd += ["run", args.scenario, "--years", "2026-2030", "--draws", str(args.cli_draws)]
                cmd += ["--executor", executor, "--workers", "2", "--out", f"{tmp}/out"]
                load = os.getloadavg()
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = _timed(lambda: subprocess.run(cmd, check=True, capture_output=True))  # noqa: B023
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            print(
                f"tradewar run --draws {args.cli_draws} (5 years, 2 workers, {executor}, report included): "
                f"{t:.1f} s wall, {cpu:.1f} CPU s in all its processes (load average before {load[0]:.2f})"
            )


if __name__ == "__main__":
    main()
