"""Tariff schedules by product code (HS6, NAICS3): read, concord to model sectors, weight.

A schedule CSV has one row per product code (and, optionally, per date): for example the
US Section 301 lists at HS6 with the date each rate took effect, or trade-weighted
tariffs by NAICS3 industry with the trade they apply to. Turning it into model tariffs
takes three steps:

1. **Read** (:func:`read_schedule_table`): keep, for each code, the latest row on or
   before ``as_of`` (when the file has a date column); convert percent to fractions. Rows
   without a tariff are an error unless ``missing="skip"`` (then they are dropped).
2. **Concord** (:func:`load_concordance`, :func:`concord`): map each code to a model
   sector by the longest matching prefix in a concordance. The shipped ``hs-default``
   (``policy/concordances/hs-default.csv``) maps every HS2 chapter of the Harmonized
   System (01-97) to a sector of the default world, with HS4/HS6 exceptions for the
   chokepoint goods (rare earths, gallium and germanium, semiconductors, chip-making
   equipment, batteries); ``naics3-default`` maps the NAICS 2017 three-digit goods
   industries (and the Census special codes 910, 930, 990). A code no row matches is an
   error, never dropped.
3. **Weight** (:func:`sector_tariffs`): the sector tariff is the weighted mean

       t_s = Σ_{h ∈ s} w_h t_h / Σ_{h ∈ s} w_h

   with trade weights w_h from a column of the schedule (``weights: column``), from a
   ``code,value`` CSV, or w_h = 1 (``weights: equal``, a simple average; state it, since
   simple averages overweight small tariff lines). Sectors with no line keep their tariff.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from tradewar.errors import ConcordanceError, DataError, ScenarioError
from tradewar.limits import (
    FRACTION_LOOKS_PERCENT,
    MAX_RATE,
    MAX_TABLE_BYTES,
    OVERRIDE_HINT,
    check_size,
    implausible_rate,
)

if TYPE_CHECKING:
    from tradewar.policy.scenario import PlacedMeasure
    from tradewar.world.world import World

#: Shipped concordances by name.
CONCORDANCES = {"hs-default": "hs-default.csv", "naics3-default": "naics3-default.csv"}

#: Digits of each product classification, and its shipped concordance to the default world.
CLASSIFICATIONS: dict[str, tuple[int, str]] = {"hs6": (6, "hs-default"), "naics3": (3, "naics3-default")}

#: HS2 chapters of the Harmonized System (chapter 77 is reserved and unused).
HS2_CHAPTERS = tuple(f"{c:02d}" for c in range(1, 98) if c != 77)


@dataclass(frozen=True)
class Concordance:
    """Product-code prefixes to model sectors; the longest matching prefix wins.

    Attributes
    ----------
    name: shipped name or file path.
    table: columns ``code`` (digit string prefix), ``sector``, ``description``.
    """

    name: str
    table: pd.DataFrame

    @property
    def sectors(self) -> list[str]:
        """Sector codes the concordance maps to, in first-seen order."""
        return list(dict.fromkeys(self.table["sector"]))

    def sector_of(self, code: str) -> str | None:
        """Sector of one product code, or None if no prefix matches."""
        lookup = self._lookup()
        for n in range(len(code), 1, -1):
            s = lookup.get(code[:n])
            if s is not None:
                return s
        return None

    def _lookup(self) -> dict[str, str]:
        return dict(zip(self.table["code"], self.table["sector"], strict=True))


def _read_csv(path: Path, what: str, field: str | None = None, **kw: Any) -> pd.DataFrame:
    """Read a CSV of at most :data:`~tradewar.limits.MAX_TABLE_BYTES`; any failure is a ScenarioError."""
    try:
        check_size(path, MAX_TABLE_BYTES, what)
        return pd.read_csv(path, **kw)
    except DataError as err:
        raise ScenarioError(err.message, file=str(path), field=field, fix=err.fix) from None
    except OSError as err:
        raise ScenarioError(
            f"cannot read {what}: {err.strerror or err}",
            file=str(path),
            field=field,
            fix="check the path (relative to the scenario file)",
        ) from None
    except pd.errors.EmptyDataError:
        raise ScenarioError(
            f"{what} is empty",
            file=str(path),
            field=field,
            expected="a CSV file with a header line and one row per product code",
            fix="check that this is the right file",
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as err:
        raise ScenarioError(
            f"{what} is not a readable CSV table ({type(err).__name__}: {str(err)[:200]})",
            file=str(path),
            field=field,
            expected="UTF-8 comma-separated text with a header line",
            fix="export the table as CSV (UTF-8)",
        ) from None


def _concordance_path(name: str) -> Path:
    if name in CONCORDANCES:
        return Path(str(resources.files("tradewar.policy").joinpath("concordances", CONCORDANCES[name])))
    return Path(name)


def load_concordance(name: str = "hs-default") -> Concordance:
    """Read a concordance (a shipped name or a CSV path) and check it.

    The CSV has columns ``code`` (or ``hs``), ``sector`` and optionally ``description``;
    lines starting with ``#`` are comments.

    Raises
    ------
    ConcordanceError
        Missing columns, prefixes that are not 2 to 6 digits, or a prefix mapped twice.
    """
    path = _concordance_path(name)
    try:
        table = _read_csv(path, "the concordance", "concordance", dtype=str, comment="#").fillna("")
    except ScenarioError as err:
        raise ConcordanceError(
            err.message,
            file=str(path),
            field="concordance",
            fix=f"use a shipped concordance ({', '.join(CONCORDANCES)}) or a CSV path",
        ) from None
    if "code" not in table.columns and "hs" in table.columns:
        table = table.rename(columns={"hs": "code"})
    missing = [c for c in ("code", "sector") if c not in table.columns]
    if missing:
        raise ConcordanceError(
            f"columns {missing} missing",
            file=str(path),
            expected="columns code, sector, description",
            fix="add the columns",
        )
    table["code"] = table["code"].str.strip()
    bad = table[~table["code"].str.fullmatch(r"\d{2,6}")]
    if len(bad):
        raise ConcordanceError(
            f"code prefix {bad['code'].iloc[0]!r} is not 2 to 6 digits",
            file=str(path),
            field="code",
            fix="write codes as digit strings with leading zeros (e.g. 01, 2805, 848620, 334)",
        )
    dup = table["code"][table["code"].duplicated()]
    if len(dup):
        raise ConcordanceError(
            f"code prefix {dup.iloc[0]!r} is mapped more than once",
            file=str(path),
            field="code",
            fix="keep one row per prefix (longer prefixes override shorter ones)",
        )
    return Concordance(name=name, table=table.reset_index(drop=True))


def concord(codes: pd.Index | list[str], concordance: Concordance, *, file: str | None = None) -> pd.Series:
    """Sector of each product code (index = code).

    Raises
    ------
    ConcordanceError
        If a code matches no prefix (it would be dropped silently otherwise).
    """
    out = {}
    for c in (str(x) for x in codes):
        s = concordance.sector_of(c)
        if s is None:
            raise ConcordanceError(
                f"code {c!r} matches no row of concordance {concordance.name!r}",
                file=file,
                field="code",
                fix="add its chapter (or a longer prefix) to the concordance",
            )
        out[c] = s
    return pd.Series(out, name="sector")


def read_schedule_table(
    path: Path,
    *,
    code_column: str = "hs6",
    tariff_column: str = "tariff",
    date_column: str | None = None,
    weight_column: str | None = None,
    as_of: str | None = None,
    unit: str = "percent",
    missing: str = "error",
    digits: int = 6,
    allow_extreme: bool = False,
) -> pd.DataFrame:
    """Tariff (fraction) and, with ``weight_column``, weight by product code.

    Returns a DataFrame indexed by code (strings of ``digits`` digits, leading zeros
    restored) with column ``tariff`` and, if asked, ``weight``.

    Tariffs above :data:`~tradewar.limits.MAX_RATE`, and ``unit: fraction`` schedules whose
    typical rate is above :data:`~tradewar.limits.FRACTION_LOOKS_PERCENT` (percent written
    as fractions), are refused unless ``allow_extreme`` (``extreme: true`` in the measure).

    Raises
    ------
    ScenarioError
        Unreadable, empty or non-CSV file, missing columns, non-numeric, impossible
        (<= -100 %) or implausible tariffs, negative weights, duplicate codes without a
        date column, ``as_of`` without a date column or before every date.
    """
    df = _read_csv(path, "the tariff schedule", "file", dtype={code_column: str})
    if df.empty:
        raise ScenarioError(
            "the tariff schedule has no rows",
            file=str(path),
            field="file",
            fix="check that this is the right file (one row per product code)",
        )
    need = [c for c in (code_column, tariff_column, date_column, weight_column) if c]
    absent = [c for c in need if c not in df.columns]
    if absent:
        raise ScenarioError(
            f"columns {absent} missing",
            file=str(path),
            field=", ".join(absent),
            expected=f"columns include {need}; found {list(df.columns)}",
            fix="name the columns under `columns:` in the measure",
        )
    code = df[code_column].astype(str).str.strip().str.zfill(digits)
    ok = code.str.fullmatch(rf"\d{{{digits}}}")
    if not ok.all():
        raise ScenarioError(
            f"code {code[~ok].iloc[0]!r} is not {digits} digits",
            file=str(path),
            field=code_column,
            fix=f"check the classification (`classification:`) and the `{code_column}` column",
        )
    df = df.assign(_code=code)
    rates = pd.to_numeric(df[tariff_column], errors="coerce")
    if rates.isna().any():
        if missing != "skip":
            first = df.loc[rates.isna(), "_code"].iloc[0]
            raise ScenarioError(
                f"{int(rates.isna().sum())} tariffs are missing or not numbers (first: code {first})",
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
    if not np.isfinite(df["_rate"]).all():
        raise ScenarioError("infinite tariffs", file=str(path), field=tariff_column, fix="use a ban instead")
    _check_plausible(df, path, tariff_column, unit, allow_extreme)
    if weight_column:
        w = pd.to_numeric(df[weight_column], errors="coerce")
        if not np.isfinite(w).all() or (w < 0).any():
            raise ScenarioError(
                "weights must be finite non-negative numbers", file=str(path), field=weight_column
            )
        df["_weight"] = w
    if date_column:
        df["_date"] = pd.to_datetime(df[date_column], errors="coerce", format="ISO8601")
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
        df = df.sort_values(["_code", "_date"]).groupby("_code", sort=True).tail(1)
    elif as_of is not None:
        raise ScenarioError(
            "`as_of` needs a date column",
            file=str(path),
            field="as_of",
            fix="name the date column under `columns: {date: ...}` or drop `as_of`",
        )
    elif df["_code"].duplicated().any():
        raise ScenarioError(
            f"code {df.loc[df['_code'].duplicated(), '_code'].iloc[0]!r} appears twice",
            file=str(path),
            field=code_column,
            fix="keep one row per code, or name the date column under `columns: {date: ...}`",
        )
    out = pd.DataFrame({"tariff": df["_rate"].to_numpy()}, index=pd.Index(df["_code"], name="code"))
    if weight_column:
        out["weight"] = df["_weight"].to_numpy()
    return out


def _check_plausible(df: pd.DataFrame, path: Path, column: str, unit: str, allow_extreme: bool) -> None:
    """Refuse implausible rates (see :mod:`tradewar.limits`) unless ``allow_extreme``."""
    if allow_extreme or df.empty:
        return
    rates = df["_rate"]
    positive = rates[rates > 0]
    if unit == "fraction" and len(positive) and float(positive.median()) > FRACTION_LOOKS_PERCENT:
        raise ScenarioError(
            f"the schedule is declared `unit: fraction` but its median tariff is "
            f"{float(positive.median()):g} = {100 * float(positive.median()):g} %: the rates look "
            "like percent",
            file=str(path),
            field=column,
            expected="unit fraction: 0.25 = 25 %",
            fix=f"set `unit: percent` in the measure; {OVERRIDE_HINT}",
        )
    top = int(rates.to_numpy().argmax())
    if implausible_rate(float(rates.iloc[top])):
        raise ScenarioError(
            f"code {df['_code'].iloc[top]} has a tariff of {100 * rates.iloc[top]:g} % (above "
            f"{100 * MAX_RATE:g} %), implausible",
            file=str(path),
            field=column,
            expected=f"unit {unit}: " + ("25 = 25 %" if unit == "percent" else "0.25 = 25 %"),
            fix="check the value and the measure's `unit:`; for a prohibitive measure use an "
            f"import_ban; {OVERRIDE_HINT}",
        )


def read_schedule(path: Path, **options: Any) -> pd.Series:
    """Tariff (fraction) by product code; see :func:`read_schedule_table` for the options.

    ``hs_column`` is accepted as the older name of ``code_column``.
    """
    if "hs_column" in options:
        options["code_column"] = options.pop("hs_column")
    return read_schedule_table(path, **options)["tariff"]


def read_weights(path: Path, digits: int = 6) -> pd.Series:
    """Trade weights by code from a CSV with columns ``code`` (or ``hs6``) and ``value``."""
    df = _read_csv(path, "the weights table", "weights", dtype=str)
    key = "code" if "code" in df.columns else "hs6"
    if not {key, "value"} <= set(df.columns):
        raise ScenarioError(
            "weights need columns code (or hs6) and value",
            file=str(path),
            field="weights",
            fix="write one row per product code with its trade value",
        )
    w = pd.to_numeric(df["value"], errors="coerce")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ScenarioError("weights must be finite non-negative numbers", file=str(path), field="value")
    return pd.Series(w.to_numpy(), index=df[key].astype(str).str.strip().str.zfill(digits), name="weight")


def sector_tariffs(
    schedule: pd.Series,
    concordance: Concordance,
    weights: pd.Series | None = None,
    *,
    file: str | None = None,
) -> pd.Series:
    """Weighted mean tariff by sector (see the module docstring); weights None = equal.

    Codes in the schedule without a weight get weight 0 (trade-weighted means ignore
    lines that are not traded); a sector whose lines all weigh 0 falls back to the simple
    mean of its lines.
    """
    sector = concord(schedule.index, concordance, file=file)
    df = pd.DataFrame({"tariff": schedule.to_numpy(), "sector": sector.reindex(schedule.index).to_numpy()})
    if weights is None:
        df["w"] = 1.0
    else:
        w = weights.to_numpy(dtype=float)
        top = float(np.max(w)) if len(w) else 0.0
        scaled = weights / top if top > 0 else weights  # sums of huge weights must not overflow
        df["w"] = scaled.groupby(level=0).sum().reindex(schedule.index).fillna(0.0).to_numpy()
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
    digits, default_conc = CLASSIFICATIONS[m.classification]
    if m.weights == "column" and not m.columns.weight:
        raise ScenarioError(
            "`weights: column` needs the weight column's name",
            file=pm.where("weights"),
            field=f"measures[{pm.index}].weights",
            fix="add `columns: {weight: NAME}`",
        )
    table = read_schedule_table(
        path,
        code_column=m.columns.code,
        tariff_column=m.columns.tariff,
        date_column=m.columns.date,
        weight_column=m.columns.weight if m.weights == "column" else None,
        as_of=m.as_of,
        unit=m.unit,
        missing=m.missing,
        digits=digits,
        allow_extreme=m.extreme,
    )
    weights = None
    if m.weights == "column":
        weights = table["weight"]
    elif m.weights != "equal":
        weights = read_weights(resolve_data_path(m.weights, base), digits)
    conc_name = m.concordance or default_conc
    if conc_name not in CONCORDANCES:
        conc_name = str(resolve_data_path(conc_name, base))
    conc = load_concordance(conc_name)
    unknown = [s for s in conc.sectors if s not in world.sectors]
    if unknown:
        raise ScenarioError(
            f"concordance {conc_name!r} maps to sectors {unknown} that world "
            f"{world.meta.name!r} does not have",
            file=pm.where("concordance"),
            field=f"measures[{pm.index}].concordance",
            expected=f"sectors of the world: {', '.join(world.sectors)}",
            fix="use a concordance written for this world's sectors",
        )
    return sector_tariffs(table["tariff"], conc, weights, file=str(path))
