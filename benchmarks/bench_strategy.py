"""Speed and validation of the tariff games (issue #6, "Speed" and "Validation").

Part 1 (Ossa 2014, 7 regions x 33 industries, political-economy weights LAMBDAPOL):

* one unrestricted (bilateral x industry, 198 instruments) optimal tariff of the US
  (Ossa's fmincon: 322 s) and one MFN (33 instruments; Ossa: 18 s);
* optimal tariffs of all 7 regions, the MFN and the bilateral Nash equilibria, and the
  equal-gains cooperative tariffs from the factual equilibrium, with the abstract's
  averages (62 %, 63 %, -2.9 %, +0.5 %) next to ours.

Part 2 (scaling): random balanced worlds of R regions x S industries (from
``synthetic_world``, purged of imbalances), timing one equilibrium with its exact
gradient, one bilateral optimal tariff (R-1)*S instruments, and a bilateral Nash
equilibrium.

Part 3 (the GE engine as a game, ``EngineGame`` on the 9 x 12 default world): one
equilibrium, one equilibrium with the exact adjoint gradient
(:mod:`tradewar.model.gradient`), and the USA's sector-by-sector (MFN, 12 instruments)
optimal tariff with gradients (L-BFGS-B) and by the old derivative-free path (Powell).

Usage::

    python benchmarks/bench_strategy.py               # everything, ~2-4 minutes on 2 cores
    python benchmarks/bench_strategy.py --quick       # skip the bilateral Nash/talks and large sizes
    python benchmarks/bench_strategy.py --data-dir ../shared/data --json out.json
    python benchmarks/bench_strategy.py --engine-only  # part 3 only, ~1 minute
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from tradewar.model.gradient import welfare_gradient
from tradewar.model.ossa import OssaModel, read_ossa2014
from tradewar.strategy import equal_gains_tariffs, nash_equilibrium, optimal_tariff
from tradewar.strategy.engine import EngineGame
from tradewar.world.load import load_world
from tradewar.world.synthetic import synthetic_world


def mean_of_medians(tariff: np.ndarray) -> float:
    n = tariff.shape[0]
    return 100.0 * float(np.mean([np.median(np.delete(tariff[:, j, :], j, axis=0)) for j in range(n)]))


def ossa_part(data_dir: Path, quick: bool) -> dict[str, float]:
    m = OssaModel.from_data(read_ossa2014(data_dir), weights="pol")
    out: dict[str, float] = {}
    for inst, key in (("bilateral", "us_unrestricted_optimal_s"), ("sector", "us_mfn_optimal_s")):
        clock = time.perf_counter()
        r = optimal_tariff(m, "US", instrument=inst)
        out[key] = time.perf_counter() - clock
        print(
            f"US {inst:9s} optimal tariff: {out[key]:6.2f} s, {r.iterations} iterations, "
            f"median {100 * np.median(r.values):.1f} %, US welfare {r.gain_pct:+.2f} %"
        )
    clock = time.perf_counter()
    opt = np.array(m.baseline_tariff)
    for j, region in enumerate(m.regions):
        r = optimal_tariff(m, region, instrument="bilateral")
        opt[:, j, :] = r.tariff[:, j, :]
    out["all_optimal_s"] = time.perf_counter() - clock
    out["optimal_avg_pct"] = mean_of_medians(opt)
    print(
        f"optimal tariffs, all 7: {out['all_optimal_s']:.1f} s; average {out['optimal_avg_pct']:.1f} % "
        f"(Ossa: 62 %)"
    )
    ne = nash_equilibrium(m, instrument="sector")
    out["mfn_nash_s"] = ne.seconds
    out["mfn_nash_avg_pct"] = mean_of_medians(ne.tariff)
    out["mfn_nash_welfare_pct"] = 100.0 * float(np.mean(ne.welfare - 1.0))
    print(
        f"MFN Nash: {ne.seconds:.1f} s, {ne.iterations} rounds; average tariff "
        f"{out['mfn_nash_avg_pct']:.1f} %, mean welfare {out['mfn_nash_welfare_pct']:+.2f} %"
    )
    if not quick:
        ne = nash_equilibrium(m, instrument="bilateral", tol=1e-3)
        out["nash_s"] = ne.seconds
        out["nash_avg_pct"] = mean_of_medians(ne.tariff)
        out["nash_welfare_pct"] = 100.0 * float(np.mean(ne.welfare - 1.0))
        print(
            f"bilateral Nash: {ne.seconds:.1f} s, {ne.iterations} rounds; average tariff "
            f"{out['nash_avg_pct']:.1f} % (Ossa: 63 %), mean welfare {out['nash_welfare_pct']:+.2f} % "
            f"(Ossa: -2.9 %)"
        )
        talks = equal_gains_tariffs(m, instrument="bilateral")
        out["talks_s"] = talks.seconds
        out["talks_gain_pct"] = 100.0 * float(np.mean(talks.welfare - 1.0))
        print(
            f"equal-gains talks from factual: {talks.seconds:.1f} s; mean gain "
            f"{out['talks_gain_pct']:+.2f} % (Ossa: +0.5 %)"
        )
    return out


def scaling_part(quick: bool) -> list[dict[str, float]]:
    sizes = (
        [(4, 10), (7, 33), (10, 33), (7, 66)]
        if quick
        else [(4, 10), (7, 33), (10, 33), (14, 33), (7, 66), (10, 66)]
    )
    rows = []
    for R, S in sizes:
        m = OssaModel.from_world(synthetic_world(R, S, seed=11))
        t = m.baseline_tariff + 0.1
        w = np.eye(R)[:1]
        m.welfare_and_gradient(t, w)
        clock = time.perf_counter()
        for k in range(10):
            m.welfare_and_gradient(t + 0.01 * k, w)
        grad_s = (time.perf_counter() - clock) / 10
        clock = time.perf_counter()
        r = optimal_tariff(m, m.regions[0], instrument="bilateral")
        opt_s = time.perf_counter() - clock
        row = {
            "regions": R,
            "sectors": S,
            "instruments": (R - 1) * S,
            "solve_and_gradient_ms": 1e3 * grad_s,
            "optimal_s": opt_s,
            "optimal_iterations": r.iterations,
        }
        if not quick or R * S <= 300:
            ne = nash_equilibrium(m, instrument="bilateral", tol=1e-3)
            row["nash_s"], row["nash_rounds"] = ne.seconds, ne.iterations
        rows.append(row)
        print("  ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()))
    return rows


class _DerivativeFreeEngine(EngineGame):
    """The engine game as it was before exact gradients: Brent / Powell."""

    has_gradient = False


def _per_call(f: object, n: int) -> float:
    clock = time.perf_counter()
    for k in range(n):
        f(k)  # type: ignore[operator]
    return (time.perf_counter() - clock) / n


def engine_part(quick: bool) -> dict[str, float]:
    """EngineGame on the default world: gradient cost and one MFN optimal tariff."""
    world = load_world("default")
    game = EngineGame(world)
    t = game.baseline_tariff.copy()
    t[:, 0, :] += 0.1
    one = np.eye(len(game.regions))[:1]
    game.welfare_and_gradient(t, one)
    out = {
        "solve_ms": 1e3 * _per_call(lambda k: game.welfare(t + 0.001 * k), 20),
        "solve_and_gradient_ms": 1e3 * _per_call(lambda k: game.welfare_and_gradient(t + 0.001 * k, one), 20),
    }
    eq = game.solve(t)
    shock = game.shock(t)
    for method in ("dense", "gmres"):
        out[f"gradient_{method}_ms"] = 1e3 * _per_call(
            lambda k, m=method: welfare_gradient(game.base, shock, one, log=True, equilibrium=eq, method=m),
            20,
        )
    print(
        f"one equilibrium {out['solve_ms']:.1f} ms; "
        f"with exact gradient {out['solve_and_gradient_ms']:.1f} ms "
        f"(adjoint alone: dense {out['gradient_dense_ms']:.1f} ms, GMRES {out['gradient_gmres_ms']:.1f} ms)"
    )
    player = "USA"
    games: list[tuple[str, EngineGame]] = [("gradient", game)]
    if not quick:
        games.append(("derivative_free", _DerivativeFreeEngine(world)))
    for label, g in games:
        clock = time.perf_counter()
        r = optimal_tariff(g, player, instrument="sector", raise_on_failure=False)
        out[f"mfn_optimal_{label}_s"] = time.perf_counter() - clock
        out[f"mfn_optimal_{label}_evaluations"] = r.evaluations
        out[f"mfn_optimal_{label}_gain_pct"] = r.gain_pct
        out[f"mfn_optimal_{label}_mean_pct"] = 100.0 * float(np.mean(r.values))
        print(
            f"{player} MFN optimal tariff ({label}): {out[f'mfn_optimal_{label}_s']:.2f} s, "
            f"{r.evaluations} equilibria, mean tariff {100 * np.mean(r.values):.2f} %, "
            f"gain {r.gain_pct:+.4f} %, converged {r.converged}"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--engine-only", action="store_true", help="only part 3 (the GE engine game)")
    args = ap.parse_args()
    results: dict[str, object] = {}
    if not args.engine_only:
        print("== Ossa (2014), 7 x 33 ==")
        results["ossa"] = ossa_part(args.data_dir, args.quick)
        print("== scaling (synthetic balanced worlds) ==")
        results["scaling"] = scaling_part(args.quick)
    print("== GE engine game (EngineGame), default world 9 x 12 ==")
    results["engine"] = engine_part(args.quick)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
