"""Build a World bundle from a source table: aggregate, split by trade shares, check.

``tradewar world build SOURCE --regions MAP --sectors MAP --out BUNDLE`` runs
:func:`build_world` and :func:`write_build`:

1. read SOURCE with any reader (:func:`tradewar.world.load.load_world`, e.g.
   ``icio:ICIO2023_2020.csv``);
2. aggregate its regions by the region concordance (:func:`tradewar.world.aggregate.aggregate`);
3. split the source sectors that the sector concordance maps to several targets by
   bilateral HS6 trade shares, optionally rebalanced by RAS to observed output shares
   (:mod:`tradewar.world.split`, where the rule is stated);
4. aggregate the sectors (and the split pieces) to the target sectors;
5. compare the built World with the source's own aggregates after step 2 (bilateral goods
   and services totals for every region pair, GDP, goods exports and imports by region):
   splitting and balancing must preserve them, so every target must hold to a relative
   1e-6 (:mod:`tradewar.world.calibration`);
6. write the bundle and ``calibration.csv`` inside it, refusing to replace a non-empty
   folder that is not a World bundle unless ``force``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from tradewar.errors import ConcordanceError, DataError, UnknownCodeError
from tradewar.outdir import check_destination, destination, output_folder
from tradewar.world.aggregate import aggregate, read_concordance
from tradewar.world.bundle import KIND, is_bundle, write_bundle_files
from tradewar.world.calibration import Target, calibration_table, read_targets, world_values
from tradewar.world.codes import KNOWN_AGGREGATES, iso3_name
from tradewar.world.readers._common import read_table
from tradewar.world.split import (
    SectorMap,
    read_hs6_trade,
    read_output_shares,
    read_sector_map,
    split_sectors,
    trade_shares,
)
from tradewar.world.world import World

#: Service sectors of the target classification (goods are all others).
DEFAULT_SERVICES = ("DIG", "SRV")
#: Relative tolerance of the source-aggregate targets (splitting must preserve them).
PRESERVE_RTOL = 1e-6
#: Name of the calibration table written inside the bundle.
CALIBRATION_FILE = "calibration.csv"


@dataclass(frozen=True)
class Build:
    """A built World with its calibration table.

    Attributes
    ----------
    world: the built World (target regions and sectors).
    calibration: :func:`tradewar.world.calibration.calibration_table` of ``world``
        against the source's aggregates.
    unmapped_countries: countries of the HS6 trade table that are not in the region
        concordance and were counted in the region the source's ``ROW`` maps to.
    n_preserved: the first ``n_preserved`` rows of ``calibration`` are the source's
        aggregates (which the build must preserve); the rest are the user's observed
        targets.

    """

    world: World
    calibration: pd.DataFrame
    unmapped_countries: tuple[str, ...] = ()
    n_preserved: int = 0

    @property
    def preserved(self) -> bool:
        """Whether the built World matches every aggregate of the source within tolerance."""
        return bool(self.calibration["within"].iloc[: self.n_preserved].all())


def read_region_map(path: str | os.PathLike[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Region concordance ``from,to`` (optional ``name`` column naming the target codes)."""
    mapping = read_concordance(path)
    df = read_table(path, "region concordance (columns from,to[,name])", sep=",")
    names: dict[str, str] = {}
    if "name" in df.columns:
        named = df[["to", "name"]].dropna().astype(str)
        names = {t.strip(): n.strip() for t, n in zip(named["to"], named["name"], strict=True) if n.strip()}
    return mapping, names


def _region_names(mapping: Mapping[str, str], declared: Mapping[str, str]) -> dict[str, str]:
    """Names of target regions: declared, ISO3, known aggregates, else the list of members."""
    members: dict[str, list[str]] = {}
    for src, dst in mapping.items():
        members.setdefault(dst, []).append(src)
    out = {}
    for code, mem in members.items():
        if code in declared:
            out[code] = declared[code]
        elif (iso3_name(code) is None or code != code.upper()) and code not in KNOWN_AGGREGATES:
            out[code] = (
                "aggregate of " + ", ".join(mem[:8]) + (f" and {len(mem) - 8} more" if len(mem) > 8 else "")
            )
    return out


def _check_sector_map(world: World, sector_map: SectorMap) -> None:
    """Every source sector mapped exactly once, and only sectors of the World."""
    listed = [*sector_map.mapping, *sector_map.splits]
    unknown = [c for c in listed if c not in world.sectors]
    if unknown:
        raise UnknownCodeError("sector", unknown[0], world.sectors, file=sector_map.file, field="from")
    dropped = [c for c in world.sectors if c not in listed]
    if dropped:
        raise ConcordanceError(
            f"{len(dropped)} sectors of the source are not mapped and would be dropped: {dropped[:10]}",
            file=sector_map.file,
            field="from",
            expected="every source sector on at least one row",
            fix="add the missing sectors (map a sector to itself to keep it)",
        )


def source_services(sector_map: SectorMap, services: Sequence[str]) -> list[str]:
    """Source sectors whose targets are all service sectors.

    Raises
    ------
    ConcordanceError
        A split sector whose pieces are partly goods and partly services (goods totals
        would not be defined on the source).

    """
    out = [s for s, t in sector_map.mapping.items() if t in services]
    for src, pieces in sector_map.splits.items():
        kinds = {k in services for k in pieces}
        if len(kinds) > 1:
            raise ConcordanceError(
                f"{src} is split into goods and service sectors ({', '.join(pieces)})",
                file=sector_map.file,
                field="to",
                expected="the pieces of a split sector all goods or all services "
                f"(services: {', '.join(services)})",
                fix="split goods and services separately",
            )
        if kinds == {True}:
            out.append(src)
    return out


def source_targets(world: World, services: Sequence[str], *, source: str) -> list[Target]:
    """Aggregates of ``world`` as targets: bilateral goods/services, GDP, goods exports/imports.

    Keys start with ``source:`` (``source:goods:USA>CHN``, ``source:gdp:USA``, ...).

    Tolerance is :data:`PRESERVE_RTOL` relative, or 1e-9 of world output absolute for a
    flow that is zero in the source.
    """
    regions = world.regions
    scale = 1e-9 * float(world.gross_output.sum())
    kinds: list[tuple[str, str, dict[str, str]]] = []
    has_goods = any(s not in services for s in world.sectors)
    has_services = any(s in services for s in world.sectors)
    pairs = [(i, n) for i in regions for n in regions if i != n]
    for flow, wanted in (("goods", has_goods), ("services", has_services)):
        if wanted:
            kinds += [
                (f"bilateral_{flow}", f"source:{flow}:{i}>{n}", {"origin": i, "region": n}) for i, n in pairs
            ]
    for r in regions:
        kinds.append(("gdp", f"source:gdp:{r}", {"region": r}))
        if has_goods:
            kinds.append(("exports_goods", f"source:exports:{r}", {"region": r}))
            kinds.append(("imports_goods", f"source:imports:{r}", {"region": r}))
    probes = [
        Target(
            key=key,
            kind=kind,  # type: ignore[arg-type]
            labels=labels,
            observed=1.0,
            unit=world.meta.unit,
            source=source,
            tolerance=PRESERVE_RTOL,
        )
        for kind, key, labels in kinds
    ]
    values = world_values(world, probes, services=services)
    return [
        t.model_copy(update={"observed": float(v)})
        if v != 0.0
        else t.model_copy(update={"observed": 0.0, "relative": False, "tolerance": scale})
        for t, v in zip(probes, values, strict=True)
    ]


def build_world(
    source: World,
    *,
    regions: str | os.PathLike[str] | Mapping[str, str] | None = None,
    sectors: str | os.PathLike[str] | SectorMap | None = None,
    trade: str | os.PathLike[str] | pd.DataFrame | None = None,
    output_shares: str | os.PathLike[str] | pd.DataFrame | None = None,
    targets: str | os.PathLike[str] | Sequence[Target] | None = None,
    baci_countries: str | os.PathLike[str] | None = None,
    services: Sequence[str] = DEFAULT_SERVICES,
    name: str = "built",
) -> Build:
    """Aggregate, split and check a source World (see the module docstring).

    Parameters
    ----------
    source
        The source table as a World (e.g. from ``load_world("icio:ICIO2023_2020.csv")``).
    regions
        Region concordance source -> target (CSV ``from,to[,name]`` or a dict); ``None``
        keeps the source regions.
    sectors
        Sector concordance (CSV ``from,to[,hs6][,name]``, see
        :func:`tradewar.world.split.read_sector_map`); ``None`` keeps the source sectors.
    trade
        Bilateral HS6 trade (CSV or DataFrame: exporter, importer, hs6, value); required
        when the sector concordance splits a sector.
    output_shares
        Observed output shares of split pieces (CSV or DataFrame: region, sector, share).
    targets
        Observed statistics to report beside the source's aggregates (CSV, see
        :func:`tradewar.world.calibration.read_targets`, or Targets), in the built
        World's codes and unit.
    baci_countries
        BACI's country-code file, when ``trade`` is a BACI file as released.
    services
        Service sectors among the target codes (for the goods/services totals).
    name
        Name of the built World.

    Returns
    -------
    Build
        The World and its calibration table.

    Raises
    ------
    DataError, ConcordanceError, UnknownCodeError
        Bad concordances, trade tables or shares; each names the file, the field and the fix.

    """
    rnames: dict[str, str] = {}
    if regions is None:
        rmap = {r: r for r in source.regions}
    elif isinstance(regions, Mapping):
        rmap = {str(k): str(v) for k, v in regions.items()}
    else:
        rmap, rnames = read_region_map(regions)
    world = source
    if regions is not None:
        world = aggregate(source, regions=rmap, region_names=_region_names(rmap, rnames), name=name)
    if sectors is None:
        smap = SectorMap(mapping={s: s for s in world.sectors})
    elif isinstance(sectors, SectorMap):
        smap = sectors
    else:
        smap = read_sector_map(sectors)
    _check_sector_map(world, smap)
    services = tuple(services)
    src_services = source_services(smap, services)
    what = f"{source.meta.source}, aggregated to the target regions (before splitting and balancing)"
    preserve = source_targets(world, src_services, source=what)
    unmapped: list[str] = []
    if smap.splits:
        if trade is None:
            raise DataError(
                f"the sector concordance splits {', '.join(smap.splits)} but no HS6 trade table was given",
                file=smap.file,
                field="--trade",
                expected="a CSV with columns exporter, importer, hs6, value",
                fix="pass --trade FILE (e.g. an extract of CEPII BACI), or map each source sector "
                "to one target",
            )
        trade_df = (
            trade if isinstance(trade, pd.DataFrame) else read_hs6_trade(trade, baci_countries=baci_countries)
        )
        tfile = None if isinstance(trade, pd.DataFrame) else str(trade)
        shares, unmapped = trade_shares(
            trade_df, smap, rmap, world.regions, fallback_region=rmap.get("ROW"), file=tfile
        )
        shares_df = None
        if output_shares is not None:
            shares_df = (
                output_shares
                if isinstance(output_shares, pd.DataFrame)
                else read_output_shares(output_shares)
            )
        world = split_sectors(world, smap, shares, output_shares=shares_df)
    elif output_shares is not None:
        raise DataError(
            "output shares were given but the sector concordance splits no sector",
            field="--output-shares",
            fix="drop --output-shares, or split a sector in the concordance",
        )
    built = aggregate(world, sectors=smap.piece_mapping(), sector_names=dict(smap.names), name=name)
    notes = list(built.meta.notes)
    if unmapped:
        notes.append(
            f"{len(unmapped)} {'country' if len(unmapped) == 1 else 'countries'} of the HS6 trade table "
            "not in the region concordance counted in "
            f"{rmap.get('ROW')} (the region of the source's ROW): {', '.join(unmapped[:20])}"
        )
    receiving = list(dict.fromkeys(k for pieces in smap.splits.values() for k in pieces))
    notes.append(
        f"imputed: every cell in the rows and columns of {', '.join(receiving)} (they receive split "
        "pieces); all other cells are sums of the source's cells"
        if receiving
        else "no sector split: every cell is a sum of the source's cells"
    )
    meta = replace(
        built.meta,
        source=f"{source.meta.source}; built by tradewar world build",
        stylized=source.meta.stylized,
        notes=tuple(notes),
    )
    built = replace(built, meta=meta)
    observed = (
        []
        if targets is None
        else read_targets(targets)
        if isinstance(targets, (str, os.PathLike))
        else list(targets)
    )
    table = calibration_table(built, [*preserve, *observed], services=services)
    return Build(
        world=built, calibration=table, unmapped_countries=tuple(unmapped), n_preserved=len(preserve)
    )


def check_output_folder(path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Check before building that :func:`write_build` may write ``path``.

    The rules are :func:`tradewar.outdir.check_destination`'s: a new path, an empty
    folder or a World bundle is replaced; a file or another non-empty folder only with
    ``force``.

    Raises
    ------
    DataError
        If ``path`` is refused.

    """
    return check_destination(path, KIND, force=force, recognise=is_bundle)


def write_build(build: Build, out: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write the bundle and ``calibration.csv`` inside it, atomically (see :func:`check_output_folder`)."""
    with output_folder(out, KIND, force=force, recognise=is_bundle) as tmp:
        write_bundle_files(build.world, tmp)
        build.calibration.to_csv(tmp / CALIBRATION_FILE, index=False, float_format="%.10g")
    return destination(out)
