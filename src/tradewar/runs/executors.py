"""Where batches run: in this process, in a local process pool, or on a Dask cluster.

:func:`map_batches` applies :func:`~tradewar.runs.batch.solve_batch` to every batch and
returns the results **in batch order**, whatever the order they finish in:

``local``
    a plain loop in this process (the reference; no start-up cost).
``processes``
    a :class:`concurrent.futures.ProcessPoolExecutor` of ``workers`` spawned processes;
    the :class:`~tradewar.runs.batch.PointModel` is sent once to each (its initializer),
    then only the batches travel.
``dask``
    ``dask.distributed``: an existing cluster (``scheduler="tcp://HOST:PORT"``; its
    workers need tradewar installed) or a LocalCluster of ``workers`` processes on the
    loopback interface. The model is scattered once to every worker
    (``Client.scatter(broadcast=True)``); each batch is a task with ``retries``, and a
    task whose worker dies is re-run elsewhere by the scheduler, so a killed worker loses
    no draws.

The results do not depend on the executor or the number of workers: batches are fixed
before they are handed out, and each batch is solved the same way wherever it runs.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Literal

import numpy as np

from tradewar.errors import ModelError
from tradewar.runs.batch import BatchResult, PointModel, solve_batch

ExecutorName = Literal["local", "processes", "dask"]
EXECUTORS: tuple[str, ...] = ("local", "processes", "dask")
#: Times the Dask scheduler re-runs a batch whose task failed (besides re-running the
#: tasks of a worker that died, which it always does).
RETRIES = 3

#: ``progress(points_done, points_total)`` after each finished batch.
BatchProgress = Callable[[int, int], None]
Batch = tuple[np.ndarray, np.ndarray]  # (ids, values)

_MODEL: PointModel | None = None


def _install(model: PointModel) -> None:
    global _MODEL
    _MODEL = model


def _run_installed(ids: np.ndarray, values: np.ndarray) -> BatchResult:
    assert _MODEL is not None, "the process pool's initializer did not run"
    return solve_batch(_MODEL, ids, values)


def default_workers() -> int:
    """The number of CPU cores available to this process (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def map_batches(
    model: PointModel,
    batches: Sequence[Batch],
    *,
    executor: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    progress: BatchProgress | None = None,
) -> list[BatchResult]:
    """Solve every batch with ``executor``; results in batch order (see the module docstring).

    Raises
    ------
    ModelError
        An unknown executor, ``scheduler`` without ``executor="dask"``, or fewer than one worker.
    """
    if executor not in EXECUTORS:
        raise ModelError(f"unknown executor {executor!r}", field="executor", expected=" | ".join(EXECUTORS))
    if scheduler is not None and executor != "dask":
        raise ModelError(
            "a scheduler address needs the dask executor", field="scheduler", fix="add --executor dask"
        )
    if workers is not None and workers < 1:
        raise ModelError(f"{workers} workers", field="workers", expected="at least 1")
    total = int(sum(len(ids) for ids, _ in batches))
    done = 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    if executor == "local":
        out = []
        for ids, values in batches:
            out.append(solve_batch(model, ids, values))
            tick(len(ids))
        return out
    if executor == "processes":
        return _processes(model, batches, workers or default_workers(), tick)
    return _dask(model, batches, workers or default_workers(), scheduler, tick)


def _processes(
    model: PointModel, batches: Sequence[Batch], workers: int, tick: Callable[[int], None]
) -> list[BatchResult]:
    results: dict[int, BatchResult] = {}
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_install, initargs=(model,)
    ) as pool:
        futures = {pool.submit(_run_installed, ids, values): k for k, (ids, values) in enumerate(batches)}
        for fut in as_completed(futures):
            k = futures[fut]
            results[k] = fut.result()
            tick(len(batches[k][0]))
    return [results[k] for k in range(len(batches))]


def _dask(
    model: PointModel,
    batches: Sequence[Batch],
    workers: int,
    scheduler: str | None,
    tick: Callable[[int], None],
) -> list[BatchResult]:
    import logging
    import uuid

    from distributed import Client, LocalCluster
    from distributed import as_completed as dask_completed

    cluster: Any = None
    if scheduler is None:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        [scattered] = client.scatter([model], broadcast=True, hash=False)
        run = uuid.uuid4().hex[:12]
        futures = [
            client.submit(
                solve_batch,
                scattered,
                ids,
                values,
                key=f"tradewar-batch-{run}-{k}",
                pure=False,
                retries=RETRIES,
            )
            for k, (ids, values) in enumerate(batches)
        ]
        index = {f.key: k for k, f in enumerate(futures)}
        results: dict[int, BatchResult] = {}
        for fut in dask_completed(futures):
            k = index[fut.key]
            results[k] = fut.result()
            tick(len(batches[k][0]))
        return [results[k] for k in range(len(batches))]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
