"""Tariff schedules at HS level: read, concord to model sectors, weight.

A schedule CSV has one row per HS code (and, optionally, per date): for example the US
Section 301 lists at HS6 with the date each rate took effect. Turning it into model
tariffs takes three steps:

1. **Read** (:func:`read_schedule`): keep, for each HS code, the latest rate on or before
   ``as_of`` (when the file has a date column); convert percent to fractions. Rows
   without a tariff are an error unless ``missing="skip"`` (then they are dropped).
2. **Concord** (:func:`load_concordance`, :func:`concord`): map each HS6 code to a model
   sector by the longest matching prefix in a concordance (HS6, then HS4, then HS2
   chapter). The shipped concordance ``hs-default`` (``policy/concordances/hs-default.csv``)
   maps every HS2 chapter of the Harmonized System (01-97) to a sector of the default world,
   with HS4/HS6 exceptions for the chokepoint goods (rare earths, gallium and germanium,
   semiconductors, chip-making equipment, batteries). A code no row matches is an error.
3. **Weight** (:func:`sector_tariffs`): the sector tariff is the weighted mean

       t_s = Σ_{h ∈ s} w_h t_h / Σ_{h ∈ s} w_h

   with trade weights w_h from a ``hs6,value`` CSV, or w_h = 1 (``weights: equal``,
   a simple average; state it, since simple averages overweight small tariff lines).
   Sectors with no HS line in the schedule are left untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from tradewar.errors import ConcordanceError, ScenarioError

if TYPE_CHECKING:
    from tradewar.policy.scenario import PlacedMeasure
    from tradewar.world.world import World

#: Shipped concordances by name.
CONCORDANCES = {"hs-default": "hs-default.csv"}

#: HS2 chapters of the Harmonized System (chapter 77 is reserved and unused).
HS2_CHAPTERS = tuple(f"{c:02d}" for c in range(1, 98) if c != 77)


@dataclass(frozen=True)
class Concordance:
    """HS prefixes (2, 4 or 6 digits) to model sectors; longest prefix wins.

    Attributes
    ----------
    name: shipped name or file path.
    table: columns ``hs`` (string prefix), ``sector``, ``description``.
    """

    name: str
    table: pd.DataFrame

    @property
    def sectors(self) -> list[str]:
        """Sector codes the concordance maps to, in first-seen order."""
        return list(dict.fromkeys(self.table["sector"]))

    def sector_of(self, hs6: str) -> str | None:
        """Sector of one HS6 code, or None if no prefix matches."""
        lookup = self._lookup()
        for n in (6, 4, 2):
            s = lookup.get(hs6[:n])
            if s is not None:
                return s
        return None

    def _lookup(self) -> dict[str, str]:
        return dict(zip(self.table["hs"], self.table["sector"], strict=True))


def _concordance_path(name: str) -> Path:
    if name in CONCORDANCES:
        return Path(str(resources.files("tradewar.policy").joinpath("concordances", CONCORDANCES[name])))
    return Path(name)


def load_concordance(name: str = "hs-default") -> Concordance:
    """Read a concordance (a shipped name or a CSV path) and check it.

    Raises
    ------
    ConcordanceError
        Missing columns, prefixes that are not 2, 4 or 6 digits, or a prefix mapped twice.
    """
    path = _concordance_path(name)
    try:
        table = pd.read_csv(path, dtype=str, comment="#").fillna("")
    except OSError as err:
        raise ConcordanceError(
            f"cannot read concordance: {err.strerror}",
            file=str(path),
            fix=f"use a shipped concordance ({', '.join(CONCORDANCES)}) or a CSV path",
        ) from None
    missing = [c for c in ("hs", "sector") if c not in table.columns]
    if missing:
        raise ConcordanceError(
            f"columns {missing} missing",
            file=str(path),
            expected="columns hs, sector, description",
            fix="add the columns",
        )
    table["hs"] = table["hs"].str.strip()
    bad = table[~table["hs"].str.fullmatch(r"\d{2}|\d{4}|\d{6}")]
    if len(bad):
        raise ConcordanceError(
            f"HS prefix {bad['hs'].iloc[0]!r} is not 2, 4 or 6 digits",
            file=str(path),
            field="hs",
            fix="write HS codes as digit strings with leading zeros (e.g. 01, 2805, 848620)",
        )
    dup = table["hs"][table["hs"].duplicated()]
    if len(dup):
        raise ConcordanceError(
            f"HS prefix {dup.iloc[0]!r} is mapped more than once",
            file=str(path),
            field="hs",
            fix="keep one row per prefix (longer prefixes override shorter ones)",
        )
    return Concordance(name=name, table=table.reset_index(drop=True))


def concord(hs6: pd.Index | list[str], concordance: Concordance, *, file: str | None = None) -> pd.Series:
    """Sector of each HS6 code (index = code).

    Raises
    ------
    ConcordanceError
        If a code matches no prefix (it would be dropped silently otherwise).
    """
    codes = [str(c) for c in hs6]
    lookup = concordance._lookup()
    out = {}
    for c in codes:
        s = next((lookup[c[:n]] for n in (6, 4, 2) if c[:n] in lookup), None)
        if s is None:
            raise ConcordanceError(
                f"HS code {c!r} matches no row of concordance {concordance.name!r}",
                file=file,
                field="hs6",
                fix="add its HS2 chapter (or HS4/HS6 code) to the concordance",
            )
        out[c] = s
    return pd.Series(out, name="sector")


def read_schedule(
    path: Path,
    *,
    hs_column: str = "hs6",
    tariff_column: str = "tariff",
    date_column: str | None = None,
    as_of: str | None = None,
    unit: str = "percent",
    missing: str = "error",
) -> pd.Series:
    """Tariff (fraction) by HS6 code from a schedule CSV; see the module docstring.

    Raises
    ------
    ScenarioError
        Unreadable file, missing columns, non-numeric or impossible (<= -100 %) tariffs,
        duplicate codes without a date column, or ``as_of`` without a date column.
    """
    try:
        df = pd.read_csv(path, dtype={hs_column: str})
    except (OSError, pd.errors.ParserError) as err:
        raise ScenarioError(
            f"cannot read tariff schedule: {err}",
            file=str(path),
            fix="check the `file:` path (relative to the scenario file)",
        ) from None
    need = [c for c in (hs_column, tariff_column, date_column) if c]
    absent = [c for c in need if c not in df.columns]
    if absent:
        raise ScenarioError(
            f"columns {absent} missing",
            file=str(path),
            field=", ".join(absent),
            expected=f"columns include {need}; found {list(df.columns)}",
            fix="name the columns under `columns:` in the measure",
        )
    df[hs_column] = df[hs_column].astype(str).str.strip().str.zfill(6)
    if not df[hs_column].str.fullmatch(r"\d{6}").all():
        first = df.loc[~df[hs_column].str.fullmatch(r"\d{6}"), hs_column].iloc[0]
        raise ScenarioError(f"HS code {first!r} is not six digits", file=str(path), field=hs_column)
    rates = pd.to_numeric(df[tariff_column], errors="coerce")
    if rates.isna().any():
        if missing != "skip":
            first = df.loc[rates.isna(), hs_column].iloc[0]
            raise ScenarioError(
                f"{int(rates.isna().sum())} tariffs are missing or not numbers (first: HS {first})",
                file=str(path),
                field=tariff_column,
                fix="fill every tariff (0 for duty-free), or set `missing: skip` in the measure to "
                "drop those rows (say so in its `assumption`)",
            )
        df = df[rates.notna()].copy()
        rates = rates[rates.notna()]
    df["_rate"] = rates / 100.0 if unit == "percent" else rates
    if (df["_rate"] <= -1).any():
        raise ScenarioError("tariffs of -100 % or less", file=str(path), field=tariff_column)
    if date_column:
        df["_date"] = pd.to_datetime(df[date_column], errors="coerce")
        if df["_date"].isna().any():
            raise ScenarioError("unreadable dates", file=str(path), field=date_column, fix="use YYYY-MM-DD")
        if as_of is not None:
            df = df[df["_date"] <= pd.Timestamp(as_of)]
            if df.empty:
                raise ScenarioError(
                    f"no tariff dated on or before {as_of}",
                    file=str(path),
                    field="as_of",
                    fix="use a later `as_of`",
                )
        df = df.sort_values([hs_column, "_date"]).groupby(hs_column, sort=True).tail(1)
    elif as_of is not None:
        raise ScenarioError(
            "`as_of` needs a date column",
            file=str(path),
            field="as_of",
            fix="name the date column under `columns: {date: ...}` or drop `as_of`",
        )
    elif df[hs_column].duplicated().any():
        raise ScenarioError(
            f"HS code {df.loc[df[hs_column].duplicated(), hs_column].iloc[0]!r} appears twice",
            file=str(path),
            field=hs_column,
            fix="keep one row per code, or name the date column under `columns: {date: ...}`",
        )
    return df.set_index(hs_column)["_rate"].rename("tariff")


def read_weights(path: Path) -> pd.Series:
    """Trade weights by HS6 code from a CSV with columns ``hs6`` and ``value``."""
    try:
        df = pd.read_csv(path, dtype={"hs6": str})
    except OSError as err:
        raise ScenarioError(f"cannot read weights: {err.strerror}", file=str(path), field="weights") from None
    if not {"hs6", "value"} <= set(df.columns):
        raise ScenarioError(
            "weights need columns hs6 and value",
            file=str(path),
            field="weights",
            fix="write one row per HS6 code with its trade value",
        )
    w = pd.to_numeric(df["value"], errors="coerce")
    if w.isna().any() or (w < 0).any():
        raise ScenarioError("weights must be non-negative numbers", file=str(path), field="value")
    return pd.Series(w.to_numpy(), index=df["hs6"].astype(str).str.zfill(6), name="weight")


def sector_tariffs(
    schedule: pd.Series,
    concordance: Concordance,
    weights: pd.Series | None = None,
    *,
    file: str | None = None,
) -> pd.Series:
    """Weighted mean tariff by sector (see the module docstring); weights None = equal.

    HS codes in the schedule without a weight get weight 0 (trade-weighted means ignore
    lines that are not traded); a sector whose lines all weigh 0 falls back to the simple
    mean of its lines.
    """
    sector = concord(schedule.index, concordance, file=file)
    df = pd.DataFrame({"tariff": schedule.to_numpy(), "sector": sector.reindex(schedule.index).to_numpy()})
    if weights is None:
        df["w"] = 1.0
    else:
        df["w"] = weights.groupby(level=0).sum().reindex(schedule.index).fillna(0.0).to_numpy()
    out = {}
    for s, g in df.groupby("sector", sort=False):
        total = g["w"].sum()
        out[str(s)] = float((g["w"] * g["tariff"]).sum() / total) if total > 0 else float(g["tariff"].mean())
    return pd.Series(out, name="tariff").sort_index()


def schedule_for_measure(pm: PlacedMeasure, world: World) -> pd.Series:
    """Sector tariffs of a ``tariff_schedule`` measure for ``world``'s sectors.

    Raises
    ------
    ScenarioError
        If the schedule cannot be read or the concordance maps to sectors the world lacks.
    """
    from tradewar.policy.shocks import resolve_data_path

    m = pm.measure
    base = Path(pm.doc.file).parent
    path = resolve_data_path(m.file, base)
    if not path.is_file():
        raise ScenarioError(
            f"tariff schedule {str(path)!r} not found",
            file=pm.where("file"),
            field=f"measures[{pm.index}].file",
            fix="give the CSV path relative to the scenario file (${TRADEWAR_SHARED_DATA} is expanded)",
        )
    schedule = read_schedule(
        path,
        hs_column=m.columns.hs,
        tariff_column=m.columns.tariff,
        date_column=m.columns.date,
        as_of=m.as_of,
        unit=m.unit,
        missing=m.missing,
    )
    weights = None
    if m.weights != "equal":
        weights = read_weights(resolve_data_path(m.weights, base))
    conc_name = m.concordance
    if conc_name not in CONCORDANCES:
        conc_name = str(resolve_data_path(conc_name, base))
    conc = load_concordance(conc_name)
    unknown = [s for s in conc.sectors if s not in world.sectors]
    if unknown:
        raise ScenarioError(
            f"concordance {m.concordance!r} maps to sectors {unknown} that world "
            f"{world.meta.name!r} does not have",
            file=pm.where("concordance"),
            field=f"measures[{pm.index}].concordance",
            expected=f"sectors of the world: {', '.join(world.sectors)}",
            fix="use a concordance written for this world's sectors",
        )
    return sector_tariffs(schedule, conc, weights, file=str(path))
