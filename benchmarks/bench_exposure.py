"""Speed of the exposure analytics on an EXIOBASE-sized MRIO (issue #2, "Speed").

Generates an MRIO of R regions x S sectors (default 49 x 200 = 9,800 region-sectors, the
size of EXIOBASE 3), then times, each in a fresh process (so that peak memory is its own):

* ``lu``        the reference: one LU factorisation of the float64 matrix I - A by LAPACK
                (``scipy.linalg.lu_factor`` in place on the Fortran-ordered view, so that no
                copy is timed: the strictest reference);
* ``lu-plain``  ``scipy.linalg.lu_factor(I - A)`` as usually written (copies the C-ordered
                matrix into Fortran order first);
* ``tradewar``  :func:`tradewar.analysis.all_metrics` from Z and F: gross output, A,
                import dependence, supplier HHI, self-sufficiency, direct and total
                (Leontief) exposure for inputs and final demand, foreign value-added
                shares in exports and final demand, and hypothetical extraction of every
                (origin, product) supply to one region (the chokepoint ranking), with the
                default precision (``auto``: mixed precision at this size);
* ``tradewar-double``  the same with a float64 factorisation;
* ``pymrio``    ``IOSystem.calc_all()`` of pymrio on the same Z and Y, with value added by
                source region (R rows) as the extension, so that it computes the same
                value-added-embodied-in-final-demand accounts (D_cba_reg).

Timings exclude generating the system and loading it from disk; pymrio's DataFrames are
built before its timer starts. Peak memory is the process's maximum resident set size
(``VmHWM``, reset through ``/proc/self/clear_refs`` just before the timed call) minus its
resident size at that moment. Results are
cross-checked: mixed against double precision, and our value added embodied in final
demand against pymrio's D_cba_reg.

The system is generated directly as a dense matrix with a sparse pattern (``synthetic_world``
would need a 9,800-sector World object): each column of A has a random share of nonzero
inputs (about 30 %), a home bias (the domestic block carries about 60 % of inputs), and
column sums drawn on [0.3, 0.7]; final demand has a home bias too; x = L f; Z = A x̂.

Usage::

    python benchmarks/bench_exposure.py                  # 49 x 200, ~5-10 minutes on 2 cores
    python benchmarks/bench_exposure.py --regions 10 --sectors 60 --repeat 1   # quick check
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def generate(R: int, S: int, seed: int, folder: Path) -> None:
    """Write Z.npy (n, n) and F.npy (n, R) of a random balanced MRIO into ``folder``."""
    from tradewar.analysis import LeontiefSystem

    rng = np.random.default_rng(seed)
    n = R * S
    A = np.empty((n, n))
    region_of = np.repeat(np.arange(R), S)
    for r in range(R):
        cols = slice(r * S, (r + 1) * S)
        block = rng.random((n, S)) * (rng.random((n, S)) < 0.3)
        home = region_of == r
        block[home] *= 0.6 * (R - 1) / 0.4  # domestic inputs ~60 % of the total
        block *= rng.uniform(0.3, 0.7, size=S) / np.maximum(block.sum(axis=0), 1e-12)
        A[:, cols] = block
    F = rng.uniform(0.2, 1.0, size=(n, R)) * rng.lognormal(0.0, 1.0, size=n)[:, None]
    F[np.arange(n), region_of] *= 4.0 * R  # final demand mostly domestic
    x = LeontiefSystem(A, precision="mixed").solve(F.sum(axis=1))
    A *= x[None, :]  # A becomes Z in place
    np.save(folder / "Z.npy", A)
    np.save(folder / "F.npy", F)


def _status(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _start_peak() -> int:
    """Reset the peak resident size (Linux clear_refs) and return the current one."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:  # pragma: no cover - then the lifetime peak (ru_maxrss) is reported
        pass
    return _status("VmRSS")


def _peak() -> int:
    hwm = _status("VmHWM")
    return hwm if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _warm_up() -> None:
    """First calls into LAPACK/BLAS (library loading, thread pools) are not what we time."""
    from scipy import linalg

    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32):
        M = (np.eye(200) + 0.01 * rng.random((200, 200))).astype(dtype)
        lu = linalg.lu_factor(M)
        linalg.lu_solve(lu, M[:, :10])
        linalg.lu_solve(lu, M[:, :10], trans=1)
        _ = M @ M


def _run(kind: str, folder: str, R: int, S: int, queue: mp.Queue) -> None:  # type: ignore[type-arg]
    _warm_up()
    Z = np.load(Path(folder) / "Z.npy")
    F = np.load(Path(folder) / "F.npy")
    regions = tuple(f"R{r:03d}" for r in range(R))
    sectors = tuple(f"S{s:03d}" for s in range(S))
    out: dict[str, object] = {"kind": kind}
    if kind in ("lu", "lu-plain"):
        from scipy import linalg

        x = Z.sum(axis=1) + F.sum(axis=1)
        M = -Z / x[None, :]
        M[np.diag_indices_from(M)] += 1.0
        del Z
        base = _start_peak()
        t0 = time.perf_counter()
        if kind == "lu":  # LAPACK getrf alone: in place, on the Fortran-ordered view (factors of M')
            linalg.lu_factor(M.T, check_finite=False, overwrite_a=True)
        else:  # the plain call a user writes; includes copying M into Fortran order
            linalg.lu_factor(M, check_finite=False)
        out["seconds"] = time.perf_counter() - t0
    elif kind.startswith("tradewar"):
        from tradewar.analysis import MRIO, all_metrics

        precision = "double" if kind == "tradewar-double" else "auto"
        base = _start_peak()
        t0 = time.perf_counter()
        mrio = MRIO(Z=Z, F=F, regions=regions, sectors=sectors, precision=precision)
        res = all_metrics(mrio, extraction_targets=(0,))
        out["seconds"] = time.perf_counter() - t0
        out["precision"] = mrio.system.precision
        out["refinement_steps"] = mrio.system.refinement_steps
        # VA from each source region embodied in each region's final demand (for pymrio)
        Y = F.sum(axis=0)
        embodied = res["final_total"].sum(axis=1) * Y[None, :]  # (origin, region)
        np.savez(
            Path(folder) / f"{kind}.npz",
            input_total=res["input_total"],
            final_total=res["final_total"],
            fva_exports=res["fva_exports"],
            extraction=res["extraction_0"],
            embodied=embodied,
        )
    elif kind == "pymrio":
        import pandas as pd
        import pymrio

        idx = pd.MultiIndex.from_product([regions, sectors], names=["region", "sector"])
        ycols = pd.MultiIndex.from_product([regions, ["final demand"]], names=["region", "category"])
        x = Z.sum(axis=1) + F.sum(axis=1)
        va = x - Z.sum(axis=0)
        va_by_source = np.zeros((R, R * S))
        va_by_source[np.repeat(np.arange(R), S), np.arange(R * S)] = va
        io = pymrio.IOSystem(
            Z=pd.DataFrame(Z, index=idx, columns=idx),
            Y=pd.DataFrame(F, index=idx, columns=ycols),
            value_added={
                "name": "value_added",
                "F": pd.DataFrame(va_by_source, index=pd.Index(regions, name="stressor"), columns=idx),
            },
        )
        del Z
        base = _start_peak()
        t0 = time.perf_counter()
        io.calc_all()
        out["seconds"] = time.perf_counter() - t0
        out["pymrio_version"] = pymrio.__version__
        np.save(Path(folder) / "pymrio_embodied.npy", io.value_added.D_cba_reg.to_numpy())
    else:  # pragma: no cover
        raise ValueError(kind)
    peak = _peak()
    out["peak_rss_gib"] = peak / 2**30
    out["peak_increment_gib"] = (peak - base) / 2**30
    queue.put(out)


def measure(kind: str, folder: str, R: int, S: int) -> dict[str, object]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run, args=(kind, folder, R, S, queue))
    proc.start()
    while True:
        try:
            result = queue.get(timeout=5)
            break
        except Exception:  # queue.Empty: keep waiting while the child is alive
            if not proc.is_alive():
                raise RuntimeError(f"benchmark run {kind!r} failed (exit code {proc.exitcode})") from None
    proc.join()
    return dict(result)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=49)
    parser.add_argument("--sectors", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2, help="runs of lu and tradewar (best kept)")
    parser.add_argument("--pymrio-repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument(
        "--threads", type=int, help="BLAS threads of every contender (default: library default)"
    )
    args = parser.parse_args(argv)
    if args.threads:
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(args.threads)  # inherited by the spawned contenders
    R, S = args.regions, args.sectors
    with tempfile.TemporaryDirectory(prefix="tradewar-bench-") as tmp:
        t0 = time.perf_counter()
        generate(R, S, args.seed, Path(tmp))
        print(f"generated {R} x {S} = {R * S} region-sectors in {time.perf_counter() - t0:.1f} s", flush=True)
        runs: dict[str, list[dict[str, object]]] = {}
        rounds: list[dict[str, float]] = []
        plan = ["lu", "tradewar", "tradewar-double", "pymrio", "lu-plain"]
        for rep in range(max(args.repeat, args.pymrio_repeat)):
            rounds.append({})
            for kind in plan:
                limit = args.pymrio_repeat if kind in ("pymrio", "lu-plain") else args.repeat
                if rep >= limit:
                    continue
                res = measure(kind, tmp, R, S)
                runs.setdefault(kind, []).append(res)
                rounds[-1][kind] = float(res["seconds"])  # type: ignore[arg-type]
                print(
                    f"  {kind:16s} {res['seconds']:8.2f} s   peak +{res['peak_increment_gib']:.2f} GiB "
                    f"(RSS {res['peak_rss_gib']:.2f} GiB)",
                    flush=True,
                )
        best = {k: min(v, key=lambda r: float(r["seconds"])) for k, v in runs.items()}  # type: ignore[arg-type]
        files = {k: np.load(Path(tmp) / f"{k}.npz") for k in ("tradewar", "tradewar-double")}
        max_rel = max(
            float(
                np.nanmax(np.abs(files["tradewar"][k] - files["tradewar-double"][k]))
                / max(float(np.nanmax(np.abs(files["tradewar-double"][k]))), 1e-300)
            )
            for k in ("input_total", "final_total", "fva_exports", "extraction")
        )
        ours = files["tradewar-double"]["embodied"]
        theirs = np.load(Path(tmp) / "pymrio_embodied.npy")
        pymrio_rel = float(np.abs(ours - theirs).max() / np.abs(theirs).max())
    lu = float(best["lu"]["seconds"])  # type: ignore[arg-type]

    def per_round(num: str, den: str) -> list[float]:
        """Ratios within each round (contenders run back to back, under similar load)."""
        return [round(r[num] / r[den], 3) for r in rounds if num in r and den in r]

    summary = {
        "system": f"{R} regions x {S} sectors = {R * S} region-sectors",
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, NumPy {np.__version__}",
        "lu_seconds": lu,
        "lu_plain_seconds": best["lu-plain"]["seconds"],
        "tradewar_seconds": best["tradewar"]["seconds"],
        "tradewar_over_lu": float(best["tradewar"]["seconds"]) / lu,  # type: ignore[arg-type]
        "tradewar_double_seconds": best["tradewar-double"]["seconds"],
        "tradewar_double_over_lu": float(best["tradewar-double"]["seconds"]) / lu,  # type: ignore[arg-type]
        "pymrio_seconds": best["pymrio"]["seconds"],
        "pymrio_over_tradewar": float(best["pymrio"]["seconds"]) / float(best["tradewar"]["seconds"]),  # type: ignore[arg-type]
        "pymrio_over_tradewar_double": float(best["pymrio"]["seconds"])  # type: ignore[arg-type]
        / float(best["tradewar-double"]["seconds"]),  # type: ignore[arg-type]
        "per_round_tradewar_over_lu": per_round("tradewar", "lu"),
        "per_round_tradewar_double_over_lu": per_round("tradewar-double", "lu"),
        "per_round_pymrio_over_tradewar": per_round("pymrio", "tradewar"),
        "per_round_pymrio_over_tradewar_double": per_round("pymrio", "tradewar-double"),
        "threads": args.threads or "default",
        "peak_increment_gib": {k: v["peak_increment_gib"] for k, v in best.items()},
        "peak_rss_gib": {k: v["peak_rss_gib"] for k, v in best.items()},
        "mixed_vs_double_max_rel_diff": max_rel,
        "embodied_va_vs_pymrio_max_rel_diff": pymrio_rel,
        "refinement_steps": best["tradewar"].get("refinement_steps"),
        "pymrio_version": best["pymrio"].get("pymrio_version"),
        "runs": runs,
        "rounds": rounds,
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
