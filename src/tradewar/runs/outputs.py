"""Write a run's output folder: CSV and Parquet tables, ``summary.json`` and the report.

The files (see :mod:`tradewar.runs.single` for their columns) are written through
:func:`tradewar.outdir.output_folder`: into a hidden temporary folder that replaces the
destination atomically only when everything is written; a destination that is not a
previous run output (or empty, or new) is refused unless ``force``. The report is
rendered by the caller (:func:`tradewar.report.render_report`) and passed in as text, so
this module never imports the report.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from collections.abc import Callable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from tradewar.errors import ScenarioError
from tradewar.outdir import check_destination, destination, output_folder
from tradewar.runs.result import DEFICIT_RULES, ScenarioRun
from tradewar.runs.single import check_distinct_names

if TYPE_CHECKING:
    from tradewar.runs.decompose import Decomposition


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("tradewar", "numpy", "scipy", "pandas", "xarray", "pydantic", "plotly", "pyarrow"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def summary_dict(runs: Sequence[ScenarioRun]) -> dict[str, Any]:
    """The content of ``summary.json``."""
    first = runs[0]
    return {
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "years": list(first.years),
        "world": {
            "spec": first.world_spec,
            "year": first.world.meta.year,
            "regions": first.world.regions,
            "sectors": first.world.sectors,
            "stylized": first.world.meta.stylized,
            "meta": first.world.meta.to_dict(),
        },
        "chokepoint_sectors": list(first.chokepoints),
        "scenarios": [
            {
                "name": r.scenario.name,
                "title": r.scenario.title,
                "description": r.scenario.description,
                "files": list(r.scenario.files),
                "assumptions": list(r.scenario.assumptions),
                "composed": r.scenario.to_dict(),
                "world": r.world_spec,
                "world_year": r.world.meta.year,
                "deficits": r.deficits,
                "deficits_from": r.deficits_from,
                "deficits_meaning": DEFICIT_RULES.get(r.deficits),
                "solver": list(r.solver),
                "self_sufficiency_undefined": [
                    {"region": reg, "sector": sec, "reason": "neither makes nor uses the product"}
                    for reg, sec in r.undefined_self_sufficiency
                ],
            }
            for r in runs
        ],
        "versions": _versions(),
    }


#: Output kind of a run folder (in its marker file, see :mod:`tradewar.outdir`).
KIND = "run"
#: The files a run folder holds.
RUN_FILES = frozenset(
    {
        "regions.csv",
        "sectors.csv",
        "flows.parquet",
        "summary.json",
        "report.html",
        "contributions.csv",
        "capacity.csv",
        "long_run_regions.csv",
        "long_run_sectors.csv",
    }
)


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` holds only the files of a run output (one written before markers)."""
    names = set(os.listdir(folder))
    return "summary.json" in names and names <= RUN_FILES


def check_out(out_dir: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Check before running that :func:`write_outputs` may write ``out_dir`` (see :mod:`tradewar.outdir`)."""
    return check_destination(out_dir, KIND, force=force, recognise=is_run_folder)


def _write_dynamics(runs: Sequence[ScenarioRun], folder: Path, summary: dict[str, Any]) -> None:
    """The files of dynamic runs, and a ``dynamics`` record for each in the summary.

    ``capacity.csv``, ``long_run_regions.csv``, ``long_run_sectors.csv``; the record holds
    the settings, their sources and which files are short-run and which long-run.
    """
    dynamic = [r for r in runs if r.is_dynamic]
    if not dynamic:
        return
    pd.concat([r.capacity for r in dynamic], ignore_index=True).to_csv(
        folder / "capacity.csv", index=False, float_format="%.10g"
    )
    for name in ("long_run_regions", "long_run_sectors"):
        parts = [getattr(r, name) for r in dynamic if getattr(r, name) is not None]
        if parts:
            pd.concat(parts, ignore_index=True).to_csv(
                folder / f"{name}.csv", index=False, float_format="%.10g"
            )
    for sc, r in zip(summary["scenarios"], runs, strict=True):
        if r.is_dynamic:
            sc["dynamics"] = {
                **(r.dynamics or {}),
                "horizon": "regions.csv, sectors.csv and flows.parquet are short-run figures of each "
                "year of the path (capacity and trade elasticities of that year); "
                "long_run_*.csv are the long-run steady state under the last year's policies",
            }


def write_outputs(
    runs: Sequence[ScenarioRun],
    out_dir: str | os.PathLike[str],
    *,
    report_html: str | None = None,
    decompositions: Sequence[Decomposition] = (),
    force: bool = False,
    tables: Mapping[str, pd.DataFrame] | None = None,
    summary: Mapping[str, Any] | None = None,
) -> Path:
    """Write the output folder for ``runs`` atomically; see the module docstring.

    ``decompositions`` (:func:`tradewar.runs.decompose.decompose_run`) add
    ``contributions.csv`` (all scenarios in one long table; trade flows summed over
    products), ``contributions_flows.parquet`` (the trade flows by product) and a
    ``decomposition`` record (method, steps and convergence per year) to each scenario in
    ``summary.json``; see :meth:`~tradewar.runs.decompose.Decomposition.output_tables`.

    An interruption (an exception, Ctrl-C, SIGTERM) leaves ``out_dir`` as it was and no
    half-written folder.

    Raises
    ------
    DataError
        If ``out_dir`` is refused (see :func:`tradewar.outdir.check_destination`; ``force``
        replaces a non-empty folder that is not a run output, or a file) or cannot be written.

    ``tables``: further Parquet files by file name (e.g. ``draws.parquet``);
    ``summary``: further top-level entries of ``summary.json`` (e.g. ``draws``).
    """
    if not runs:
        raise ScenarioError("nothing to write: no scenario was run", field="scenario")
    check_distinct_names([r.scenario for r in runs])
    return write_folder(
        out_dir,
        lambda tmp: _write_run_files(tmp, runs, report_html, decompositions, tables or {}, summary or {}),
        force=force,
    )


def _write_run_files(
    tmp: Path,
    runs: Sequence[ScenarioRun],
    report_html: str | None,
    decompositions: Sequence[Decomposition],
    tables: Mapping[str, pd.DataFrame],
    extra: Mapping[str, Any],
) -> None:
    regions = pd.concat([r.regions for r in runs], ignore_index=True)
    sectors = pd.concat([r.sectors for r in runs], ignore_index=True)
    flows = pd.concat([r.flows for r in runs], ignore_index=True)
    regions.to_csv(tmp / "regions.csv", index=False, float_format="%.10g")
    sectors.to_csv(tmp / "sectors.csv", index=False, float_format="%.10g")
    flows.to_parquet(tmp / "flows.parquet", index=False)
    for name, df in tables.items():
        df.to_parquet(tmp / name, index=False)
    summary = summary_dict(runs)
    _write_dynamics(runs, tmp, summary)
    if decompositions:
        parts = [d.output_tables() for d in decompositions]
        csv = pd.concat([c for c, _ in parts], ignore_index=True)
        csv.to_csv(tmp / "contributions.csv", index=False, float_format="%.12g")
        by_product = pd.concat([f for _, f in parts], ignore_index=True)
        by_product.to_parquet(tmp / "contributions_flows.parquet", index=False)
        records = {d.scenario: d.summary() for d in decompositions}
        for sc in summary["scenarios"]:
            if sc["name"] in records:
                sc["decomposition"] = records[sc["name"]]
    with open(tmp / "summary.json", "w", encoding="utf-8") as f:
        json.dump({**summary, **extra}, f, indent=2, default=str)
        f.write("\n")
    if report_html is not None:
        (tmp / "report.html").write_text(report_html, encoding="utf-8")


def write_folder(
    out_dir: str | os.PathLike[str], write: Callable[[Path], None], *, force: bool = False
) -> Path:
    """Create the run folder ``out_dir`` safely; ``write(tmp)`` fills it.

    ``tmp`` is a hidden folder that replaces ``out_dir`` atomically when ``write`` returns
    (:func:`tradewar.outdir.output_folder`, kind :data:`KIND`); an existing ``out_dir`` that
    is not a previous tradewar output is refused unless ``force``.
    """
    with output_folder(out_dir, KIND, force=force, recognise=is_run_folder) as tmp:
        write(tmp)
    return destination(out_dir)
