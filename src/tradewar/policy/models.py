"""The scenario language: pydantic models of a scenario file and its measures.

A scenario file reads like a PolicyEngine parameter file: every number has a unit, the
years it applies and a source (document and date) or a stated assumption::

    title: US tariffs on Chinese goods
    description: Section 301 tariffs as raised by the May 2024 four-year review.
    baseline: default                 # the World to run on (see tradewar.world.load)
    include: [us-chip-export-controls]  # other scenarios, applied first
    measures:
      - name: section-301-semiconductors
        type: tariff                  # tariff | export_control | import_ban | quota |
                                      # trade_cost | productivity | tariff_schedule
        action: set                   # set the tariff, or add to the one in force
        imposer: USA                  # the region that levies it ...
        target: CHN                   # ... on goods from these regions (or `all`)
        sectors: [SEMI]               # model sector codes, or `all`
        magnitude: {unit: percent, values: {2026: 25, 2027: 50}}   # phase-in
        years: {from: 2026, to: 2030} # or 2026, or "2026-2030"; no `to` = to the end
        source: {document: "USTR, Section 301 four-year review", date: 2024-05-14}

Magnitudes: ``value`` (constant), ``values`` (by year: linear between the years given,
the last value held afterwards) or ``start``/``end`` (linear over ``years``).

Uncertain numbers (magnitudes, production elasticities, funding returns) may carry a
``range`` (the support of the number, checked like the number itself) and optionally a
``distribution`` on it (:class:`Distribution`), used by ``tradewar run --draws`` and
``tradewar sweep``::

    magnitude: {unit: percent, value: 60, range: [30, 90]}                 # uniform
    magnitude: {unit: percent, value: 60, range: [30, 90],
                distribution: {kind: normal, sd: 15}}                      # truncated normal

Every model rejects unknown keys (``extra="forbid"``); :mod:`tradewar.policy.scenario`
turns pydantic's errors into one :class:`~tradewar.errors.ScenarioError` naming the file,
line, field and fix.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tradewar.limits import MAX_RATE, OVERRIDE_HINT, implausible_rate

#: First and last year a scenario may speak about (a sanity range, not a model limit).
YEAR_MIN, YEAR_MAX = 2000, 2100


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Source(_Strict):
    """Where a number comes from: a document and its date (and optionally a URL)."""

    document: str = Field(min_length=3)
    date: str
    url: str | None = None
    note: str | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> str:
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, int) and YEAR_MIN - 100 <= v <= YEAR_MAX:
            return str(v)
        if isinstance(v, str) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", v.strip()):
            return v.strip()
        raise ValueError("a date as YYYY, YYYY-MM or YYYY-MM-DD")


class Years(_Strict):
    """The years a measure applies: ``from`` to ``to`` inclusive; no ``to`` = open-ended.

    Shorthands accepted in files: ``2026`` (one year) and ``"2026-2030"``.
    """

    start: int = Field(alias="from", ge=YEAR_MIN, le=YEAR_MAX)
    end: int | None = Field(default=None, alias="to", ge=YEAR_MIN, le=YEAR_MAX)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        if isinstance(v, bool):
            return v
        if isinstance(v, int):
            return {"from": v, "to": v}
        if isinstance(v, str):
            m = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})?\s*)?", v)
            if not m:
                raise ValueError("years as 2026, '2026-2030', '2026-' or {from: 2026, to: 2030}")
            a = int(m.group(1))
            b = m.group(2)
            if b is None and "-" not in v:
                return {"from": a, "to": a}
            return {"from": a, "to": None if b is None else int(b)}
        return v

    @model_validator(mode="after")
    def _order(self) -> Years:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"`to` ({self.end}) is before `from` ({self.start})")
        return self

    def contains(self, year: int) -> bool:
        """True if the measure applies in ``year``."""
        return self.start <= year and (self.end is None or year <= self.end)

    def overlaps(self, other: Years) -> bool:
        """True if the two ranges share a year."""
        a_end = math.inf if self.end is None else self.end
        b_end = math.inf if other.end is None else other.end
        return self.start <= b_end and other.start <= a_end

    def label(self) -> str:
        """``2026-2030``, ``2026`` or ``2026-``."""
        if self.end == self.start:
            return str(self.start)
        return f"{self.start}-{'' if self.end is None else self.end}"


DistributionKind = Literal["uniform", "triangular", "normal", "lognormal"]


class Distribution(_Strict):
    """The shape of an uncertain number on its ``range`` (the support).

    ``kind``:

    * ``uniform`` (the default when only ``range`` is given): equally likely on the range;
    * ``triangular``: mode at the central value, zero density at the ends of the range;
    * ``normal``: mean at the central value, standard deviation ``sd`` (in the number's
      unit), truncated to the range;
    * ``lognormal``: median at the central value (> 0), ``sd_log`` the standard deviation
      of the logarithm, truncated to the range.
    """

    kind: DistributionKind
    sd: float | None = Field(default=None, gt=0)
    sd_log: float | None = Field(default=None, gt=0)
    source: Source | list[Source] | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _params(self) -> Distribution:
        if self.kind == "normal" and (self.sd is None or self.sd_log is not None):
            raise ValueError("a normal distribution takes `sd` (standard deviation); fix: add e.g. `sd: 10`")
        if self.kind == "lognormal" and (self.sd_log is None or self.sd is not None):
            raise ValueError(
                "a lognormal distribution takes `sd_log` (standard deviation of the log); "
                "fix: add e.g. `sd_log: 0.3`"
            )
        if self.kind in ("uniform", "triangular") and (self.sd is not None or self.sd_log is not None):
            raise ValueError(f"a {self.kind} distribution takes no `sd`/`sd_log`: its range is its support")
        return self


def check_uncertain(
    value: float | None, rng: tuple[float, float] | None, dist: Distribution | None, what: str
) -> None:
    """Check a central ``value`` against its ``range`` and ``distribution`` (raises ValueError)."""
    if rng is None:
        if dist is not None:
            raise ValueError(
                f"@{what}: a `distribution` needs a `range` (its support, checked before anything "
                "runs); fix: add e.g. `range: [30, 90]`"
            )
        return
    lo, hi = rng
    if not (math.isfinite(lo) and math.isfinite(hi)) or lo >= hi:
        raise ValueError(f"@{what}: `range` must be two finite numbers [low, high] with low < high")
    if value is not None and not lo <= value <= hi:
        raise ValueError(f"@{what}: the range [{lo:g}, {hi:g}] does not contain the value {value:g}")
    if dist is not None and dist.kind == "lognormal" and (value is None or value <= 0 or lo <= 0):
        raise ValueError(f"@{what}: a lognormal distribution needs a positive value and range")


Unit = Literal["percent", "fraction", "factor"]


class Magnitude(_Strict):
    """A number with a unit, constant or phased in over years.

    ``unit``: ``percent`` (25 = 25 %), ``fraction`` (0.25 = 25 %) or ``factor`` (a
    multiplier, 1.1 = +10 %; only for trade costs and productivity).

    ``range`` (and optionally ``distribution``) make the magnitude uncertain. With
    ``value`` they describe the value; with a phase-in (``values`` or ``start``/``end``)
    they describe the **last** number of the path (the level reached), and a drawn
    number scales the whole path in proportion (:meth:`scaled_to`).
    """

    unit: Unit
    value: float | None = None
    values: dict[int, float] | None = None
    start: float | None = None
    end: float | None = None
    range: tuple[float, float] | None = None
    distribution: Distribution | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Magnitude:
        forms = [
            self.value is not None,
            self.values is not None,
            self.start is not None or self.end is not None,
        ]
        if sum(forms) != 1:
            raise ValueError(
                "give exactly one of `value` (constant), `values` (by year) or `start` and `end`; "
                "fix: e.g. `value: 25` or `values: {2026: 10, 2028: 25}`"
            )
        if (self.start is None) != (self.end is None):
            raise ValueError("`start` and `end` go together (a linear phase-in); fix: add the other")
        if self.values is not None and not self.values:
            raise ValueError("`values` is empty")
        for x in self.numbers():
            if not math.isfinite(x):
                raise ValueError("magnitudes must be finite numbers")
        check_uncertain(self.reference(), self.range, self.distribution, "range")
        if self.range is not None and self.value is None and self.reference() == 0:
            raise ValueError(
                "@range: the range of a phase-in describes its last number, which is 0 "
                "here, so a drawn number cannot scale the path; fix: give `value` instead"
            )
        return self

    def numbers(self) -> list[float]:
        """All numbers written in the magnitude, range ends included (for range checks)."""
        ends = list(self.range) if self.range is not None else []
        if self.value is not None:
            return [self.value, *ends]
        if self.values is not None:
            return [*self.values.values(), *ends]
        return [x for x in (self.start, self.end) if x is not None] + ends

    def reference(self) -> float:
        """The number a range describes: ``value``, else the last of ``values``, else ``end``."""
        if self.value is not None:
            return self.value
        if self.values is not None:
            return self.values[max(self.values)]
        assert self.end is not None
        return self.end

    def scaled_to(self, x: float) -> Magnitude:
        """The magnitude with its reference number set to ``x`` (a phase-in scaled in proportion).

        The result carries no range (it is one draw, or one point of a sweep).
        """
        if self.value is not None:
            return Magnitude(unit=self.unit, value=x)
        ref = self.reference()
        if ref == 0:
            raise ValueError("cannot scale a phase-in whose last number is 0")
        k = x / ref
        if self.values is not None:
            return Magnitude(unit=self.unit, values={y: v * k for y, v in self.values.items()})
        assert self.start is not None and self.end is not None
        return Magnitude(unit=self.unit, start=self.start * k, end=self.end * k)

    def raw_at(self, year: int, years: Years) -> float:
        """The written number in force in ``year`` (before unit conversion)."""
        if self.value is not None:
            return self.value
        if self.values is not None:
            keys = sorted(self.values)
            if year <= keys[0]:
                return self.values[keys[0]]
            if year >= keys[-1]:
                return self.values[keys[-1]]
            for a, b in itertools.pairwise(keys):
                if a <= year <= b:
                    w = (year - a) / (b - a)
                    return (1 - w) * self.values[a] + w * self.values[b]
        assert self.start is not None and self.end is not None
        if years.end is None or years.end == years.start:
            return self.end if years.end is not None and year >= years.end else self.start
        w = min(max((year - years.start) / (years.end - years.start), 0.0), 1.0)
        return (1 - w) * self.start + w * self.end

    def as_rate(self, x: float) -> float:
        """Convert a written number to a fraction change (0.25 = +25 %)."""
        if self.unit == "percent":
            return x / 100.0
        if self.unit == "fraction":
            return x
        return x - 1.0

    def rate_at(self, year: int, years: Years) -> float:
        """Fraction (tariff, tariff-equivalent, or change as a fraction) in ``year``."""
        return self.as_rate(self.raw_at(year, years))


def _plausible(x: float, rate: float, unit: str, what: str, extreme: bool) -> None:
    """Refuse a rate above :data:`tradewar.limits.MAX_RATE` unless the measure says ``extreme: true``."""
    if not extreme and implausible_rate(rate):
        raise ValueError(
            f"@magnitude: {what} of {x:g} {unit} ({100 * rate:g} %) is implausible (above "
            f"{100 * MAX_RATE:g} %); fix: check the unit (25 percent = 0.25 fraction); for a "
            f"prohibitive measure use an import_ban or an export_control ban; {OVERRIDE_HINT}"
        )


RegionSel = str | list[str]
SectorSel = str | list[str]


class _MeasureBase(_Strict):
    """Fields every measure has."""

    name: str | None = None
    description: str | None = None
    years: Years
    source: Source | list[Source] | None = None
    assumption: str | None = None
    #: The magnitude is deliberately beyond the plausibility bounds of
    #: :mod:`tradewar.limits` (otherwise refused as a likely unit slip).
    extreme: bool = False

    @model_validator(mode="after")
    def _cited(self) -> _MeasureBase:
        if self.source is None and not (self.assumption and self.assumption.strip()):
            raise ValueError(
                "every measure needs a `source` or an `assumption`; fix: add `source: {document: ..., "
                "date: YYYY-MM-DD}` or `assumption: why this number`"
            )
        mag = getattr(self, "magnitude", None)
        if isinstance(mag, Magnitude):
            if mag.values is not None:
                keys = sorted(mag.values)
                if keys[0] != self.years.start:
                    raise ValueError(
                        f"@magnitude.values: the first year in `values` ({keys[0]}) is not "
                        f"`years.from` ({self.years.start}); fix: start `values` at {self.years.start}"
                    )
                if self.years.end is not None and keys[-1] > self.years.end:
                    raise ValueError(
                        f"@magnitude.values: `values` has year {keys[-1]} after `years.to` "
                        f"({self.years.end}); "
                        "fix: extend `years` or drop the year"
                    )
            if mag.start is not None and self.years.end is None:
                raise ValueError("@years: a `start`/`end` phase-in needs `years.to`; fix: add `to:`")
        return self

    def label(self) -> str:
        """Short human label: the name, else the type and years."""
        return self.name or f"{getattr(self, 'type', 'measure')} {self.years.label()}"


class _Bilateral(_MeasureBase):
    imposer: RegionSel
    target: RegionSel = "all"
    exclude_targets: list[str] = Field(default_factory=list)
    sectors: SectorSel = "all"
    exclude_sectors: list[str] = Field(default_factory=list)


class TariffMeasure(_Bilateral):
    """An ad-valorem tariff levied by ``imposer`` on ``sectors`` imported from ``target``.

    ``action: set`` fixes the tariff at the magnitude (replacing the baseline one);
    ``action: add`` adds the magnitude to the tariff in force (baseline or earlier measures).
    """

    type: Literal["tariff"]
    action: Literal["set", "add"]
    magnitude: Magnitude

    @model_validator(mode="after")
    def _range(self) -> TariffMeasure:
        if self.magnitude.unit == "factor":
            raise ValueError("@magnitude.unit: tariffs are in `percent` or `fraction`, not `factor`")
        for x in self.magnitude.numbers():
            r = self.magnitude.as_rate(x)
            if self.action == "set" and r <= -1.0:
                raise ValueError(
                    f"@magnitude: a tariff of {x} {self.magnitude.unit} is impossible (-100 % or less); "
                    "fix: tariffs are above -100 % (check the unit: 25 percent = 0.25 fraction)"
                )
            if self.action == "add" and r <= -1.0:
                raise ValueError(
                    f"@magnitude: adding {x} {self.magnitude.unit} takes any tariff below -100 %; "
                    "fix: check the sign and the unit"
                )
            _plausible(x, r, self.magnitude.unit, "a tariff", self.extreme)
        return self


class TariffLayerMeasure(_Bilateral):
    """Set the tariffs of ``imposer`` on ``target`` to a tariff layer the World carries.

    A World may hold alternative tariff schedules (``World.tariff_layers``, e.g. the
    CP2015 World's ``"2005"`` applied tariffs). ``imposer`` and ``target`` may be the same
    group (``[CAN, MEX, USA]`` on ``[CAN, MEX, USA]``: the tariffs among its members).
    """

    type: Literal["tariff_layer"]
    layer: str = Field(min_length=1)

    @field_validator("layer", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int) else v


class ExportControlMeasure(_Bilateral):
    """Export controls by ``imposer`` on ``sectors`` sold to ``target``.

    ``mode: ban`` stops the flow (prohibitive trade cost); ``mode: licence`` is a
    licensing requirement expressed as a tariff-equivalent ``magnitude`` (a trade-cost
    wedge 1 + t on the flow: the cost of licences is a real resource cost, it raises no
    revenue); ``mode: lift`` removes an earlier control.
    """

    type: Literal["export_control"]
    mode: Literal["ban", "licence", "lift"]
    magnitude: Magnitude | None = None

    @model_validator(mode="after")
    def _mag(self) -> ExportControlMeasure:
        if self.mode == "licence":
            if self.magnitude is None:
                raise ValueError(
                    "@mode: a licence needs a tariff-equivalent `magnitude`; "
                    "fix: add e.g. `magnitude: {unit: percent, value: 40}` and cite it"
                )
            if self.magnitude.unit == "factor":
                raise ValueError("@magnitude.unit: a tariff-equivalent is in `percent` or `fraction`")
            if any(self.magnitude.as_rate(x) < 0 for x in self.magnitude.numbers()):
                raise ValueError("@magnitude: a licence's tariff-equivalent cannot be negative")
            for x in self.magnitude.numbers():
                _plausible(
                    x, self.magnitude.as_rate(x), self.magnitude.unit, "a tariff-equivalent", self.extreme
                )
        elif self.magnitude is not None:
            raise ValueError(f"@magnitude: `mode: {self.mode}` takes no `magnitude`; fix: remove it")
        return self


class ImportBanMeasure(_Bilateral):
    """``imposer`` bans imports of ``sectors`` from ``target`` (``mode: lift`` removes it)."""

    type: Literal["import_ban"]
    mode: Literal["ban", "lift"] = "ban"


class QuotaMeasure(_Bilateral):
    """A quantity limit on ``imposer``'s exports to ``target`` (or imports from it), by sector.

    ``flow: exports`` (default; an export quota or ban, e.g. export controls) or
    ``imports`` (an import quota). The limit is either ``magnitude``, a share of the
    baseline quantity (``unit: percent`` or ``fraction``; 0 = ban; may phase in by
    year), or ``quantity``, a value at baseline prices in the World's value unit
    (``unit`` must name it, e.g. ``USD billion``), per flow or, with ``pooled: true``,
    per exporter and sector summed over the targets (an export quota "to all").
    ``rent``: who keeps the quota rent (``exporter`` by default for export quotas,
    ``importer`` for import quotas; ``nobody``: a resource cost, as in a pure ban). The
    engine solves each binding limit for its tariff-equivalent wedge.
    """

    type: Literal["quota"]
    flow: Literal["exports", "imports"] = "exports"
    magnitude: Magnitude | None = None
    quantity: float | None = Field(default=None, ge=0)
    unit: str | None = None
    rent: Literal["exporter", "importer", "nobody"] | None = None
    pooled: bool = False

    @model_validator(mode="after")
    def _limit(self) -> QuotaMeasure:
        if (self.magnitude is None) == (self.quantity is None):
            raise ValueError(
                "a quota needs either `magnitude` (share of the baseline quantity) or `quantity` "
                "(value at baseline prices), not both or neither; fix: keep one"
            )
        if self.magnitude is not None:
            if self.magnitude.unit == "factor":
                raise ValueError("@magnitude.unit: a quota is a share of the baseline (percent, fraction)")
            if self.unit is not None:
                raise ValueError("@unit: `unit` goes with `quantity`; fix: put the unit in `magnitude.unit`")
            for x in self.magnitude.numbers():
                if self.magnitude.as_rate(x) < 0:
                    raise ValueError(f"@magnitude: a quota of {x} {self.magnitude.unit} is negative")
                _plausible(x, self.magnitude.as_rate(x), self.magnitude.unit, "a quota", self.extreme)
        elif self.unit is None:
            raise ValueError(
                "@quantity: a `quantity` needs its `unit` (the World's value unit, at baseline "
                "prices); fix: add e.g. `unit: USD billion`"
            )
        if self.pooled and self.flow != "exports":
            raise ValueError(
                "@pooled: `pooled` limits an exporter's sales to all targets together; "
                "fix: use it with `flow: exports`"
            )
        return self

    def rent_rule(self) -> str:
        """Who keeps the rent: as written, else the imposer's side of the flow."""
        if self.rent is not None:
            return self.rent
        return "exporter" if self.flow == "exports" else "importer"


class ElasticitySetting(_Strict):
    """A production elasticity of the nested-CES engine, with its source.

    ``parameter``: ``sigma`` (between value added and the intermediate bundle) or
    ``epsilon`` (among intermediate inputs from different sectors); 1 = Cobb-Douglas,
    near 0 = Leontief (see tradewar.model.Technology and docs/chokepoints.md).
    ``regions`` and ``sectors``: where it applies (default ``all``).
    """

    parameter: Literal["sigma", "epsilon"]
    value: float = Field(ge=1e-3, le=20.0)
    regions: RegionSel = "all"
    sectors: SectorSel = "all"
    description: str | None = None
    source: Source | list[Source] | None = None
    assumption: str | None = None
    #: support of the uncertain elasticity (within [0.001, 20]) and its shape
    range: tuple[float, float] | None = None
    distribution: Distribution | None = None

    @model_validator(mode="after")
    def _cited(self) -> ElasticitySetting:
        if self.source is None and not (self.assumption and self.assumption.strip()):
            raise ValueError(
                "every elasticity needs a `source` (a published estimate) or an `assumption`; "
                "fix: add `source: {document: ..., date: YYYY}`"
            )
        check_uncertain(self.value, self.range, self.distribution, "range")
        if self.range is not None and (self.range[0] < 1e-3 or self.range[1] > 20.0):
            raise ValueError("@range: elasticities range within [0.001, 20]")
        return self


class TradeCostMeasure(_Bilateral):
    """A change in the iceberg trade cost of ``target`` -> ``imposer`` flows (``flow``).

    ``flow: imports`` (goods from ``target`` into ``imposer``), ``exports`` (the reverse) or
    ``both``. The magnitude is the change relative to the baseline: ``percent`` (+10 =
    10 % dearer), ``fraction`` or ``factor`` (1.1).
    """

    type: Literal["trade_cost"]
    flow: Literal["imports", "exports", "both"] = "imports"
    magnitude: Magnitude

    @model_validator(mode="after")
    def _range(self) -> TradeCostMeasure:
        for x in self.magnitude.numbers():
            if self.magnitude.as_rate(x) <= -1.0:
                raise ValueError(
                    f"@magnitude: a trade-cost change of {x} {self.magnitude.unit} makes trade costs zero "
                    "or negative; fix: use a change above -100 % (or a factor above 0)"
                )
        return self


class Financing(_Strict):
    """How a programme's money is paid for: its user cost, and who bears it.

    The programme's capital ``K(y)`` (money spent up to ``y``, depreciated at
    ``depreciation`` a year) has the annual user cost (Hall and Jorgenson 1967, "Tax
    Policy and Investment Behavior", AER 57(3))

        user cost (y) = (normal_return + depreciation) × K(y)

    ``by: budget``: the government charges it lump-sum on the region's income each year
    and spends it on ``investment_goods`` (sector shares summing to one), so world
    spending is unchanged (:meth:`tradewar.model.Shock.with_financing`).
    ``by: displacement``: the money displaces other investment in the region, whose
    normal gross return is lost: productivity of all the region's sectors falls by
    ``user cost / (the region's gross output)``.

    Either way a programme whose ``rate_of_return`` equals ``normal_return +
    depreciation`` gains nothing to first order; only returns above it raise welfare.
    Cite both rates (``source``).
    """

    by: Literal["budget", "displacement"]
    normal_return: float = Field(ge=0, le=1)
    depreciation: float = Field(ge=0, le=1)
    investment_goods: dict[str, float] | None = None
    source: Source | list[Source] | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _goods(self) -> Financing:
        if self.source is None and not (self.assumption and self.assumption.strip()):
            raise ValueError(
                "the financing's rates need a `source` or an `assumption`; fix: cite the normal "
                "return and the depreciation rate"
            )
        if self.by == "budget":
            if not self.investment_goods:
                raise ValueError(
                    "@investment_goods: `by: budget` spends the charge on investment goods; fix: give "
                    "their shares, e.g. `investment_goods: {MAC: 0.4, SRV: 0.6}`"
                )
            vals = list(self.investment_goods.values())
            if any(v < 0 for v in vals) or abs(sum(vals) - 1.0) > 1e-6:
                raise ValueError(
                    f"@investment_goods: shares must be >= 0 and sum to 1 (they sum to {sum(vals):g})"
                )
        elif self.investment_goods is not None:
            raise ValueError(
                "@investment_goods: only `by: budget` spends on investment goods; fix: remove it"
            )
        return self

    @property
    def user_cost_rate(self) -> float:
        """``normal_return + depreciation``: the annual cost of a unit of the programme's capital."""
        return self.normal_return + self.depreciation


class Funding(_Strict):
    """Money spent on a programme, how it becomes productivity, and how it is financed.

    With ``K(y)`` the programme's capital (money spent evenly over ``spent``, up to the
    end of year ``y``, depreciated at ``financing.depreciation``), the productivity of the
    targeted sectors rises by

        ΔA/A (y) = rate_of_return × K(y) / (baseline gross output of the targeted sectors)

    i.e. each unit of capital raises the sectors' annual value added by ``rate_of_return``
    at baseline prices (productivity is Hicks-neutral on gross output, so a change ΔA/A
    adds ΔA/A × gross output to value added). ``rate_of_return`` is the *gross* annual
    return (before depreciation) and must be cited (e.g. Hall, Mairesse and Mohnen 2010,
    Handbook of the Economics of Innovation, ch. 24: gross private returns to R&D mostly
    20-30 %). The money is not free: ``financing`` (:class:`Financing`) charges its user
    cost.
    """

    amount: float = Field(gt=0)
    unit: Literal["USD billion", "USD million", "CNY billion"]
    spent: Years
    rate_of_return: float = Field(gt=0, le=5)
    usd_per_cny: float | None = Field(default=None, gt=0)
    #: support of the uncertain rate of return (within (0, 5]) and its shape
    rate_of_return_range: tuple[float, float] | None = None
    rate_of_return_distribution: Distribution | None = None
    financing: Financing

    @model_validator(mode="after")
    def _fx(self) -> Funding:
        check_uncertain(
            self.rate_of_return,
            self.rate_of_return_range,
            self.rate_of_return_distribution,
            "rate_of_return_range",
        )
        if self.rate_of_return_range is not None and (
            self.rate_of_return_range[0] <= 0 or self.rate_of_return_range[1] > 5
        ):
            raise ValueError("@rate_of_return_range: returns range within (0, 5]")
        if self.unit == "CNY billion" and self.usd_per_cny is None:
            raise ValueError("@unit: spending in CNY needs `usd_per_cny`; fix: add the exchange rate, cited")
        if self.spent.end is None:
            raise ValueError("@spent: `spent` needs `to`; fix: say over which years the money is spent")
        return self

    def usd_million(self) -> float:
        """The amount in USD million."""
        if self.unit == "USD billion":
            return self.amount * 1000.0
        if self.unit == "USD million":
            return self.amount
        assert self.usd_per_cny is not None
        return self.amount * 1000.0 * self.usd_per_cny

    def cumulative_share(self, year: int) -> float:
        """Share of the amount spent by the end of ``year`` (spent evenly over ``spent``)."""
        assert self.spent.end is not None
        n = self.spent.end - self.spent.start + 1
        done = min(max(year - self.spent.start + 1, 0), n)
        return done / n

    def capital_share(self, year: int) -> float:
        """``K(y)`` as a share of the amount: yearly tranches, each depreciated since its year.

        ``K(y) / amount = Σ_{s ≤ y} (1/n) (1 - δ)^(y - s)`` over the ``n`` spending years.
        """
        assert self.spent.end is not None
        n = self.spent.end - self.spent.start + 1
        keep = 1.0 - self.financing.depreciation
        last = min(year, self.spent.end)
        return sum(keep ** (year - s) for s in range(self.spent.start, last + 1)) / n


class ProductivityMeasure(_MeasureBase):
    """A productivity (or capacity) change of ``sectors`` in ``region``.

    Give the change directly as ``magnitude`` (percent, fraction or factor), or as
    ``funding`` (an amount of money and a cited rate of return, see :class:`Funding`).
    """

    type: Literal["productivity"]
    region: RegionSel
    sectors: SectorSel
    exclude_sectors: list[str] = Field(default_factory=list)
    magnitude: Magnitude | None = None
    funding: Funding | None = None

    @model_validator(mode="after")
    def _one(self) -> ProductivityMeasure:
        if (self.magnitude is None) == (self.funding is None):
            raise ValueError("give either `magnitude` or `funding`, not both or neither; fix: keep one")
        if self.magnitude is not None:
            for x in self.magnitude.numbers():
                if self.magnitude.as_rate(x) <= -1.0:
                    raise ValueError(
                        f"@magnitude: a productivity change of {x} {self.magnitude.unit} makes "
                        "productivity zero or negative; fix: use a change above -100 % (factor above 0)"
                    )
                _plausible(
                    x, self.magnitude.as_rate(x), self.magnitude.unit, "a productivity change", self.extreme
                )
        return self


class ScheduleColumns(_Strict):
    """Column names of a tariff-schedule CSV: product code, tariff, and optional date and weight."""

    code: str = "hs6"
    tariff: str = "tariff"
    date: str | None = None
    weight: str | None = None


class TariffScheduleMeasure(_Bilateral):
    """A tariff schedule by product code read from a CSV, concorded and weighted to sectors.

    ``file``: the CSV (relative to the scenario file; ``${TRADEWAR_SHARED_DATA}`` and
    ``~`` are expanded). ``classification``: ``hs6`` (default) or ``naics3``.
    ``columns``: the code, tariff, date and weight columns. ``as_of``: with a date
    column, each code's latest row on or before this date. ``weights``: ``equal`` (simple
    mean), ``column`` (the schedule's weight column) or a CSV with columns ``code`` (or
    ``hs6``) and ``value``. ``concordance``: a shipped name or a CSV path (default: the
    classification's shipped one). ``missing: skip`` drops rows without a tariff.
    ``sectors`` / ``exclude_sectors`` (default ``all``): the sectors the schedule may write;
    sectors without a line in the schedule keep their tariff.
    """

    type: Literal["tariff_schedule"]
    action: Literal["set", "add"] = "set"
    file: str
    unit: Literal["percent", "fraction"]
    classification: Literal["hs6", "naics3"] = "hs6"
    columns: ScheduleColumns = Field(default_factory=ScheduleColumns)
    as_of: str | None = None
    weights: str
    concordance: str | None = None
    missing: Literal["error", "skip"] = "error"

    @field_validator("as_of", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, str):
            try:
                dt.date.fromisoformat(v)
            except ValueError:
                raise ValueError(f"{v!r} is not a date; fix: write it as YYYY-MM-DD") from None
        return v


Measure = Annotated[
    TariffMeasure
    | TariffLayerMeasure
    | ExportControlMeasure
    | ImportBanMeasure
    | QuotaMeasure
    | TradeCostMeasure
    | ProductivityMeasure
    | TariffScheduleMeasure,
    Field(discriminator="type"),
]

#: Measure models by their ``type``.
MEASURE_TYPES: dict[str, type[BaseModel]] = {
    "tariff": TariffMeasure,
    "tariff_layer": TariffLayerMeasure,
    "export_control": ExportControlMeasure,
    "import_ban": ImportBanMeasure,
    "quota": QuotaMeasure,
    "trade_cost": TradeCostMeasure,
    "productivity": ProductivityMeasure,
    "tariff_schedule": TariffScheduleMeasure,
}


#: The ``dynamics:`` fields that override a cited default (and so need a source).
DYNAMICS_PARAMETERS = (
    "short_run_elasticity_ratio",
    "elasticity_horizon",
    "q_sensitivity",
    "depreciation",
    "max_expansion",
    "capacity_rent",
)


class DynamicsSetting(_Strict):
    """The ``dynamics:`` key of a scenario: run it as a recursive-dynamic path.

    Every field is optional; an unset one takes the cited default of
    :class:`tradewar.runs.dynamic.Dynamics` (see ``docs/dynamics.md``). A changed value
    needs a ``source`` or an ``assumption``.
    """

    enabled: bool = True
    short_run_elasticity_ratio: float | None = Field(default=None, gt=0, le=1)
    elasticity_horizon: int | None = Field(default=None, ge=0, le=50)
    q_sensitivity: float | None = Field(default=None, ge=0, le=10)
    depreciation: float | None = Field(default=None, ge=0, lt=1)
    max_expansion: float | None = Field(default=None, gt=0, le=5)
    capacity_rent: Literal["importer", "exporter"] | None = None
    learning: bool = False
    source: Source | list[Source] | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _cited(self) -> DynamicsSetting:
        changed = [k for k in DYNAMICS_PARAMETERS if getattr(self, k) is not None]
        if changed and self.source is None and not (self.assumption and self.assumption.strip()):
            raise ValueError(
                f"dynamics parameters {changed} need a `source` or an `assumption`; fix: cite them, "
                "or leave them out to use the cited defaults"
            )
        return self


class ScenarioFile(_Strict):
    """One scenario file as written (before ``include:`` is resolved)."""

    title: str = Field(min_length=3)
    description: str = Field(min_length=3)
    #: The World to run on (a :func:`tradewar.world.load.load_world` spec, reader options
    #: after ``?``). None: the includes' agreed baseline, else ``default``.
    baseline: str | None = Field(default=None, min_length=1)
    #: The engine's rule for aggregate trade deficits (see tradewar.model.Shock): ``data``
    #: keeps them; ``zero`` closes them in a re-solved baseline first (Caliendo-Parro's
    #: main case), and results are relative to that baseline; ``fixed`` holds them as a
    #: share of world income. None: inherited from includes, else ``data``.
    deficits: Literal["data", "zero", "fixed"] | None = None
    years: Years | None = None
    include: list[str] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)
    #: Nested-CES production elasticities (later entries, and including files, override).
    production: list[ElasticitySetting] = Field(default_factory=list)
    #: Run as a recursive-dynamic path (capacity, investment, growing elasticities); the
    #: top-level file's setting wins over its includes'.
    dynamics: DynamicsSetting | None = None
    #: Set by ``Scenario.to_yaml``: the files a printed-back composed scenario came from.
    #: Its measures are in application order, so overlaps between them are allowed.
    composed_from: list[str] | None = None


#: Nested models by the key they sit under (for "did you mean" on unknown keys).
MODELS_BY_KEY: dict[str, type[BaseModel]] = {
    "magnitude": Magnitude,
    "years": Years,
    "source": Source,
    "funding": Funding,
    "financing": Financing,
    "spent": Years,
    "columns": ScheduleColumns,
    "production": ElasticitySetting,
    "distribution": Distribution,
    "rate_of_return_distribution": Distribution,
    "dynamics": DynamicsSetting,
}


def field_names(model: type[BaseModel]) -> list[str]:
    """Names a model accepts in a file (aliases where set)."""
    return [f.alias or name for name, f in model.model_fields.items()]
