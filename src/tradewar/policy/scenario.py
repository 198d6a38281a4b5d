"""Load, validate and compose scenario files.

* :func:`load_scenario` reads a file (or a built-in name), resolves ``include:``
  recursively (cycles are an error), checks each file strictly and returns a composed
  :class:`Scenario`: the measures of the included scenarios in order, then the file's own.
  Later measures override earlier ones on the cells they share (see
  :mod:`tradewar.policy.shocks`).
* Every problem is one :class:`~tradewar.errors.ScenarioError` that names the file, the
  line, the field and the fix; nothing is applied before the whole scenario is valid.
* :func:`check_against_world` validates region and sector codes against the World a
  scenario runs on, with a "did you mean".
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from tradewar.errors import ScenarioError
from tradewar.policy.models import (
    MEASURE_TYPES,
    MODELS_BY_KEY,
    DynamicsSetting,
    ElasticitySetting,
    ExportControlMeasure,
    ImportBanMeasure,
    ProductivityMeasure,
    QuotaMeasure,
    ScenarioFile,
    TariffLayerMeasure,
    TariffMeasure,
    TariffScheduleMeasure,
    TradeCostMeasure,
    Years,
    field_names,
)
from tradewar.policy.yamlfile import LocatedYaml, Path_, load_yaml, load_yaml_text

#: The World a scenario runs on when neither it nor its includes name one.
DEFAULT_BASELINE = "default"

#: Where the built-in scenarios live (package data).
LIBRARY_PACKAGE = "tradewar.policy"
LIBRARY_DIR = "library"


# ---------------------------------------------------------------------------------- library
def library_dir() -> Path:
    """Folder of the built-in scenario files."""
    return Path(str(resources.files(LIBRARY_PACKAGE).joinpath(LIBRARY_DIR)))


def library_names() -> list[str]:
    """Names of the built-in scenarios (file stems), sorted."""
    return sorted(p.stem for p in library_dir().glob("*.yaml"))


#: Environment variable that lets ``include:`` name files outside the including file's
#: folder and the built-in library (absolute paths, ``../``): set it to ``1``.
INCLUDE_ANYWHERE_ENV = "TRADEWAR_INCLUDE_ANYWHERE"


def _inside(path: Path, folder: Path) -> bool:
    return folder == path or folder in path.parents


def resolve_scenario(spec: str, relative_to: Path | None = None) -> Path:
    """Path of a scenario given as a file path or a built-in name.

    A top-level path (``relative_to`` None) is taken as given. An ``include:`` (with
    ``relative_to``, the including file's folder) is resolved relative to that folder and
    must stay inside it or the built-in library: an absolute path, or one that leaves the
    folder (``../``, a link pointing elsewhere), is refused unless the environment
    variable :data:`INCLUDE_ANYWHERE_ENV` is ``1``. A bare name is looked up in the
    built-in library.

    Raises
    ------
    ScenarioError
        If neither exists (the message suggests the closest built-in names), or if an
        include leaves its folder.
    """
    p = Path(spec).expanduser()
    if relative_to is None:
        if p.is_file():
            return p.resolve()
    else:
        c = p if p.is_absolute() else relative_to / p
        if c.is_file():
            found = c.resolve()
            allowed = (relative_to.resolve(), library_dir().resolve())
            if not any(_inside(found, a) for a in allowed) and os.environ.get(INCLUDE_ANYWHERE_ENV) != "1":
                raise ScenarioError(
                    f"include {spec!r} is outside the including file's folder ({relative_to}) and the "
                    "built-in library",
                    field="include",
                    expected="a path relative to the scenario's folder, inside it, or a built-in name",
                    fix="copy the file next to the scenario (or include it by its built-in name); to "
                    f"allow includes from anywhere, set {INCLUDE_ANYWHERE_ENV}=1",
                )
            return found
    lib = library_dir() / f"{spec}.yaml"
    if lib.is_file():
        return lib
    names = library_names()
    close = difflib.get_close_matches(spec, names, n=3, cutoff=0.5)
    raise ScenarioError(
        f"no scenario file or built-in scenario named {spec!r}",
        field="scenario",
        expected=f"a YAML file path or one of: {', '.join(names)}",
        fix=(f"did you mean {', '.join(repr(c) for c in close)}?" if close else "check the name")
        + " (`tradewar scenarios list` shows the built-in ones)",
    )


# ---------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class PlacedMeasure:
    """A validated measure with where it was written.

    Attributes
    ----------
    measure: the measure model.
    doc: the parsed file it came from (for line numbers).
    index: its position in that file's ``measures`` list.
    scenario: the name of the scenario file it belongs to.
    """

    measure: Any
    doc: LocatedYaml
    index: int
    scenario: str

    def where(self, *path: str | int) -> str:
        """``"FILE, line N"`` of this measure or of one of its fields."""
        return self.doc.where(("measures", self.index, *path))

    @property
    def label(self) -> str:
        """Readable label: scenario and measure name."""
        return f"{self.scenario}: {self.measure.label()}"


@dataclass(frozen=True)
class Scenario:
    """A scenario with its includes resolved (see the module docstring).

    Attributes
    ----------
    name: the scenario's name (file stem).
    file: the top-level file.
    title, description, assumptions: from the top-level file (assumptions of included
        files are appended, labelled).
    baseline: the World spec to run on (see :func:`inherited_setting`): the file's own,
        else the one its includes agree on, else ``default``.
    years: default years to run, from the top-level file or the first include that has them.
    measures: all measures in application order.
    files: every file that went into it, includes first.
    deficits: the deficit rule (``data``, ``zero``, ``fixed``) by the same rule as
        ``baseline``, or None if no file says.
    baseline_from: the file that set ``baseline`` (None: nobody did, so ``default``).
    production: nested-CES elasticities in application order (includes first; later
        settings override earlier ones where they overlap); empty = Cobb-Douglas.
    dynamics: the ``dynamics:`` setting (top-level file first, else the first include
        that has one), or None.
    """

    name: str
    file: str
    title: str
    description: str
    baseline: str
    years: Years | None
    assumptions: tuple[str, ...]
    measures: tuple[PlacedMeasure, ...]
    files: tuple[str, ...] = field(default_factory=tuple)
    deficits: str | None = None
    production: tuple[ElasticitySetting, ...] = field(default_factory=tuple)
    dynamics: DynamicsSetting | None = None
    baseline_from: str | None = None
    deficits_from: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The composed scenario as a plain dict that loads back as a scenario file."""
        out: dict[str, Any] = {
            "title": self.title,
            "description": self.description,
            "baseline": self.baseline,
        }
        if self.deficits is not None:
            out["deficits"] = self.deficits
        if self.years is not None:
            out["years"] = self.years.model_dump(by_alias=True, exclude_none=True)
        if self.assumptions:
            out["assumptions"] = list(self.assumptions)
        if self.production:
            out["production"] = [e.model_dump(by_alias=True, exclude_none=True) for e in self.production]
        if self.dynamics is not None:
            out["dynamics"] = self.dynamics.model_dump(by_alias=True, exclude_none=True)
        measures = []
        for pm in self.measures:
            d = pm.measure.model_dump(by_alias=True, exclude_none=True)
            kept = {k: v for k, v in d.items() if v != [] and not (k == "extreme" and v is False)}
            measures.append({"type": d.pop("type"), **{k: v for k, v in kept.items() if k != "type"}})
        out["measures"] = measures
        return out

    def to_yaml(self) -> str:
        """The composed scenario as YAML, each measure preceded by a comment naming its file."""
        head = {k: v for k, v in self.to_dict().items() if k != "measures"}
        head["composed_from"] = list(self.files)
        text = [
            "# composed scenario: measures in the order applied; wedges compound, set/ban/lift overwrite",
            yaml.safe_dump(head, sort_keys=False, width=100).rstrip(),
        ]
        text.append("measures:" if self.measures else "measures: []")
        for pm, d in zip(self.measures, self.to_dict()["measures"], strict=True):
            text.append(f"  # from {pm.scenario} ({pm.where()})")
            block = yaml.safe_dump([d], sort_keys=False, width=100).rstrip()
            text.append("\n".join("  " + line for line in block.splitlines()))
        return "\n".join(text) + "\n"


# ---------------------------------------------------------------------------------- errors
def _descend(data: Any, loc: Sequence[str | int]) -> tuple[Path_, Any, list[str | int]]:
    """Follow pydantic's ``loc`` through ``data``; skip the union tags pydantic inserts."""
    path: list[str | int] = []
    cur = data
    rest = list(loc)
    skipped: list[str | int] = []
    while rest:
        el = rest.pop(0)
        in_dict = isinstance(cur, dict) and el in cur
        in_list = isinstance(cur, list) and isinstance(el, int) and 0 <= el < len(cur)
        if in_dict or in_list:
            cur = cur[el]
            path.append(el)
        else:
            skipped.append(el)
    return tuple(path), cur, skipped


def _model_at(data: Any, path: Path_) -> type[BaseModel] | None:
    if not path:
        return ScenarioFile
    if len(path) == 2 and path[0] == "measures":
        node = data["measures"][path[1]]
        t = node.get("type") if isinstance(node, dict) else None
        return MEASURE_TYPES.get(str(t)) if t is not None else None
    last = path[-1]
    if isinstance(last, int) and len(path) >= 2:
        last = path[-2]
    return MODELS_BY_KEY.get(str(last))


def _dotted(path: Iterable[str | int]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _pydantic_to_scenario_error(err: ValidationError, doc: LocatedYaml) -> ScenarioError:
    errors = err.errors()
    e = errors[0]
    data = doc.data
    path, value, skipped = _descend(data, e["loc"])
    more = f" ({len(errors) - 1} more problem(s) after this one)" if len(errors) > 1 else ""
    kind = e["type"]
    fix: str | None = None
    expected: str | None = None
    if kind == "extra_forbidden":
        key = path[-1] if path else (skipped[-1] if skipped else "?")
        parent = path[:-1]
        model = _model_at(data, parent)
        allowed = field_names(model) if model is not None else []
        close = difflib.get_close_matches(str(key), allowed, n=2, cutoff=0.5)
        message = f"unknown key {key!r}"
        expected = f"one of: {', '.join(allowed)}" if allowed else None
        fix = f"did you mean {', '.join(repr(c) for c in close)}?" if close else "remove it"
    elif kind == "missing":
        key = skipped[-1] if skipped else "?"
        message = f"missing required key {key!r}"
        path = (*path, key)
        fix = f"add `{key}:` (see docs/scenarios.md for the format)"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        tag = e.get("ctx", {}).get("tag")
        types = list(MEASURE_TYPES)
        expected = f"one of: {', '.join(types)}"
        if tag is None:
            message = "measure has no `type`"
            fix = "add `type:` (one of the types above)"
        else:
            message = f"unknown measure type {tag!r}"
            close = difflib.get_close_matches(str(tag), types, n=2, cutoff=0.5)
            fix = f"did you mean {', '.join(repr(c) for c in close)}?" if close else "use a type listed above"
        path = (*path, "type")
    elif kind == "literal_error":
        message = f"{value!r} is not allowed"
        expected = e.get("ctx", {}).get("expected")
        fix = f"use {expected}"
    else:
        msg = str(e["msg"])
        message = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if message.startswith("@"):
            sub, _, message = message[1:].partition(": ")
            path = (*path, *sub.split("."))
        message, _, fix_text = message.partition("; fix: ")
        generic = {
            "string_too_short": "write a longer text",
            "string_type": "write a text (quote it if YAML reads it as something else)",
            "int_parsing": "write a whole number (a year)",
            "int_type": "write a whole number (a year)",
            "float_parsing": "write a number (no unit or % sign; the unit goes in `unit:`)",
            "float_type": "write a number (no unit or % sign; the unit goes in `unit:`)",
            "list_type": "write a list, e.g. [SEMA, SME]",
            "dict_type": "write a mapping of keys and values",
            "model_type": "write a mapping of keys and values",
            "greater_than": "use a positive number",
            "greater_than_equal": "use a larger number",
            "less_than_equal": "use a smaller number",
        }
        fix = fix_text or generic.get(kind, "see docs/scenarios.md for the allowed values")
    return ScenarioError(
        message + more,
        file=doc.where(path),
        field=_dotted(path) or None,
        expected=expected,
        fix=fix,
    )


# ---------------------------------------------------------------------------------- loading
def parse_scenario_file(doc: LocatedYaml) -> ScenarioFile:
    """Validate a parsed YAML document as a :class:`ScenarioFile` (no includes resolved)."""
    if not isinstance(doc.data, dict):
        raise ScenarioError(
            "a scenario file must be a mapping with title, description and measures",
            file=doc.where(()),
            fix="start the file with `title:` (see docs/scenarios.md)",
        )
    try:
        sf = ScenarioFile.model_validate(doc.data)
    except ValidationError as err:
        raise _pydantic_to_scenario_error(err, doc) from None
    _check_file_measures(sf, doc)
    return sf


def _check_file_measures(sf: ScenarioFile, doc: LocatedYaml) -> None:
    for i, m in enumerate(sf.measures):
        bilateral = TariffMeasure | ExportControlMeasure | ImportBanMeasure | TradeCostMeasure | QuotaMeasure
        if isinstance(m, bilateral):
            imp = [m.imposer] if isinstance(m.imposer, str) else m.imposer
            tgt = [m.target] if isinstance(m.target, str) else m.target
            if len(imp) == 1 and imp == tgt and imp != ["all"]:
                raise ScenarioError(
                    f"{imp[0]!r} is both imposer and target",
                    file=doc.where(("measures", i, "target")),
                    field=_dotted(("measures", i, "target")),
                    fix="a measure acts between different regions; for domestic policy use productivity",
                )
    # overlapping measures within one file: ambiguous, so an error (a printed-back composed
    # scenario states its order explicitly)
    if sf.composed_from is not None:
        return
    cells = [_cells(m) for m in sf.measures]
    for j in range(len(sf.measures)):
        for i in range(j):
            a, b = sf.measures[i], sf.measures[j]
            if not a.years.overlaps(b.years):
                continue
            hit = _first_overlap(cells[i], cells[j])
            if hit is None:
                continue
            years = sorted({a.years.start, b.years.start})[-1]
            raise ScenarioError(
                f"measures {i} ({a.label()}) and {j} ({b.label()}) overlap: both act on {hit} in {years}",
                file=doc.where(("measures", j, "years")),
                field=_dotted(("measures", j, "years")),
                expected="within one file, at most one overwriting measure (set, ban, lift, layer, "
                "quota) per instrument, flow and sector in any year; compounding wedges may overlap",
                fix="make the years or sectors disjoint (`exclude_sectors` helps), or put the later "
                "measure in a file that `include:`s this one (later files override earlier ones)",
            )


class _Sel:
    """A set of codes: everything (minus exclusions) or an explicit list.

    The World's codes are not known when a file is checked, so ``all`` stays symbolic:
    ``all`` minus ``exclude``.
    """

    def __init__(self, value: str | list[str], exclude: Iterable[str] = ()) -> None:
        vals = [value] if isinstance(value, str) else list(value)
        self.all = "all" in vals
        self.items = frozenset(vals) - {"all"}
        self.exclude = frozenset(exclude)

    def meet(self, other: _Sel) -> _Sel | None:
        """The codes in both selections (None if none)."""
        if self.all and other.all:
            out = _Sel("all", self.exclude | other.exclude)
        elif self.all or other.all:
            full, part = (self, other) if self.all else (other, self)
            out = _Sel(sorted(part.items - full.exclude - part.exclude))
        else:
            out = _Sel(sorted((self.items & other.items) - self.exclude - other.exclude))
        return out if out.all or out.items else None

    def first(self) -> str:
        """A code of the selection for messages (``all`` when it is everything)."""
        return "all" if self.all else sorted(self.items)[0]


def _foreign_pair(origins: _Sel, destinations: _Sel) -> tuple[str, str] | None:
    """An (origin, destination) pair of different regions, or None.

    Bilateral measures act only on such pairs (domestic sales never carry one), so two
    measures that meet only on the diagonal do not overlap. ``all`` is taken to hold more
    regions than its exclusions and any list.
    """
    if origins.all and destinations.all:
        return "all", "all"
    if origins.all or destinations.all:
        full, part = (origins, destinations) if origins.all else (destinations, origins)
        code = sorted(part.items)[0]
        return ("all", code) if full is origins else (code, "all")
    for o in sorted(origins.items):
        for d in sorted(destinations.items):
            if o != d:
                return o, d
    return None


#: (instrument, origins, destinations, products, compounds): ``compounds`` marks a measure
#: whose effect commutes with another compounding one on the same cell (licence and
#: trade-cost wedges and productivity multiply, ``add`` tariffs add), so that their
#: overlap within one file is not ambiguous.
_Cell = tuple[str, _Sel, _Sel, _Sel, bool]


def _cells(m: Any) -> list[_Cell]:
    """(instrument, origins, destinations, products, compounds) touched by a measure."""
    if isinstance(m, ProductivityMeasure):
        return [("productivity", _Sel(m.region), _Sel(m.region), _Sel(m.sectors, m.exclude_sectors), True)]
    sectors = _Sel(m.sectors, m.exclude_sectors)
    imp, tgt = _Sel(m.imposer), _Sel(m.target, m.exclude_targets)
    if isinstance(m, TariffMeasure | TariffScheduleMeasure):
        return [("tariff", tgt, imp, sectors, m.action == "add")]
    if isinstance(m, TariffLayerMeasure):
        return [("tariff", tgt, imp, sectors, False)]
    if isinstance(m, ExportControlMeasure):
        return [("trade cost", imp, tgt, sectors, m.mode == "licence")]
    if isinstance(m, ImportBanMeasure):
        return [("trade cost", tgt, imp, sectors, False)]
    if isinstance(m, QuotaMeasure):
        if m.flow == "exports":
            return [("quota", imp, tgt, sectors, False)]
        return [("quota", tgt, imp, sectors, False)]
    if isinstance(m, TradeCostMeasure):
        out: list[_Cell] = []
        if m.flow in ("imports", "both"):
            out.append(("trade cost", tgt, imp, sectors, True))
        if m.flow in ("exports", "both"):
            out.append(("trade cost", imp, tgt, sectors, True))
        return out
    return []


def _first_overlap(a: list[_Cell], b: list[_Cell]) -> str | None:
    """The first cell both touch where the order of the two measures matters, or None."""
    for ia, oa, da, pa, ca in a:
        for ib, ob, db, pb, cb in b:
            if ia != ib or (ca and cb):
                continue
            o, d, p = oa.meet(ob), da.meet(db), pa.meet(pb)
            if o is None or d is None or p is None:
                continue
            if ia == "productivity":
                return f"productivity of {p.first()} in {o.first()}"
            pair = _foreign_pair(o, d)
            if pair is not None:
                return f"the {ia} on {p.first()} from {pair[0]} to {pair[1]}"
    return None


def load_scenario(spec: str | Path, *, _stack: tuple[Path, ...] = ()) -> Scenario:
    """Load a scenario file or built-in name, resolve includes, validate; see module doc.

    Raises
    ------
    ScenarioError
        On any problem in any of the files (one error, naming file, line, field and fix).
    """
    path = resolve_scenario(str(spec))
    return _load_path(path, _stack)


def load_scenario_text(text: str, *, name: str = "scenario", base_dir: Path | None = None) -> Scenario:
    """Load a scenario from YAML text (includes resolved relative to ``base_dir``)."""
    doc = load_yaml_text(text, file=f"<{name}>")
    return _compose(doc, name, base_dir or Path.cwd(), ())


def _load_path(path: Path, stack: tuple[Path, ...]) -> Scenario:
    if path in stack:
        chain = " -> ".join(p.name for p in (*stack, path))
        raise ScenarioError(
            f"include cycle: {chain}",
            file=str(stack[-1]),
            field="include",
            fix="remove one of the includes so that no scenario includes itself",
        )
    doc = load_yaml(path)
    return _compose(doc, path.stem, path.parent, (*stack, path))


def _compose(doc: LocatedYaml, name: str, base: Path, stack: tuple[Path, ...]) -> Scenario:
    sf = parse_scenario_file(doc)
    measures: list[PlacedMeasure] = []
    files: list[str] = []
    assumptions: list[str] = list(sf.assumptions)
    years = sf.years
    production: list[ElasticitySetting] = []
    dynamics = sf.dynamics
    subs: list[tuple[int, Scenario]] = []
    for k, inc in enumerate(sf.include):
        try:
            ipath = resolve_scenario(inc, base)
        except ScenarioError as err:
            raise ScenarioError(
                err.message,
                file=doc.where(("include", k)),
                field=_dotted(("include", k)),
                expected=err.expected,
                fix=err.fix,
            ) from None
        sub = _load_path(ipath, stack)
        measures.extend(sub.measures)
        files.extend(f for f in sub.files if f not in files)
        assumptions.extend(f"[{sub.name}] {a}" for a in sub.assumptions if not a.startswith("["))
        assumptions.extend(a for a in sub.assumptions if a.startswith("["))
        years = years or sub.years
        dynamics = dynamics or sub.dynamics
        subs.append((k, sub))
        production.extend(e for e in sub.production if e not in production)
    production.extend(sf.production)
    measures.extend(PlacedMeasure(m, doc, i, name) for i, m in enumerate(sf.measures))
    files.append(doc.file)
    baseline, baseline_from = inherited_setting("baseline", sf.baseline, doc, subs)
    deficits, deficits_from = inherited_setting("deficits", sf.deficits, doc, subs)
    return Scenario(
        name=name,
        file=doc.file,
        title=sf.title,
        description=sf.description.strip(),
        baseline=baseline or DEFAULT_BASELINE,
        years=years,
        assumptions=tuple(assumptions),
        measures=tuple(measures),
        files=tuple(files),
        deficits=deficits,
        production=tuple(production),
        dynamics=dynamics,
        baseline_from=baseline_from,
        deficits_from=deficits_from,
    )


def inherited_setting(
    key: str, own: str | None, doc: LocatedYaml, includes: Sequence[tuple[int, Scenario]]
) -> tuple[str | None, str | None]:
    """The value of ``baseline`` or ``deficits`` for a file, and the file that set it.

    The rule: the file's own value wins; else the value its includes agree on (includes
    that set nothing, themselves or through their own includes, do not count); includes
    that disagree are an error, since running on either would silently drop the other's
    setting. Nobody setting it gives ``(None, None)`` (the caller's default).

    Raises
    ------
    ScenarioError
        Two includes set different values and the file sets none.
    """
    if own is not None:
        return own, doc.file
    found: tuple[int, str, str] | None = None
    for k, sub in includes:
        value = getattr(sub, key)
        origin = getattr(sub, f"{key}_from")
        if origin is None or value is None:
            continue
        if found is None:
            found = (k, value, origin)
        elif value != found[1]:
            raise ScenarioError(
                f"the includes disagree on `{key}`: {found[1]!r} (from {found[2]}) and "
                f"{value!r} (from {origin})",
                file=doc.where(("include", k)),
                field=f"include[{k}]",
                expected=f"included scenarios that set the same `{key}`, or a `{key}:` in this file",
                fix=f"add `{key}: ...` to this file to choose one",
            )
    return (found[1], found[2]) if found else (None, None)


# ---------------------------------------------------------------------------------- world
def _as_list(v: str | list[str]) -> list[tuple[int | None, str]]:
    return [(None, v)] if isinstance(v, str) else list(enumerate(v))


def check_against_world(scenario: Scenario, regions: Sequence[str], sectors: Sequence[str]) -> None:
    """Check every region and sector code of ``scenario`` against a World's codes.

    Raises
    ------
    ScenarioError
        For the first unknown code, with its file, line, field and a "did you mean".
    """
    for ei, e in enumerate(scenario.production):
        for fname, known, kind in (("regions", regions, "region"), ("sectors", sectors, "sector")):
            for _, code in _as_list(getattr(e, fname)):
                if code != "all" and code not in known:
                    close = difflib.get_close_matches(code, list(known), n=3, cutoff=0.4)
                    hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else "check the code"
                    raise ScenarioError(
                        f"unknown {kind} code {code!r} in production[{ei}] for this world",
                        file=scenario.file,
                        field=f"production[{ei}].{fname}",
                        expected=f"one of: {', '.join(known)} or `all`",
                        fix=hint,
                    )
    for pm in scenario.measures:
        m = pm.measure
        if isinstance(m, ProductivityMeasure) and m.funding is not None:
            for code in m.funding.financing.investment_goods or {}:
                if code not in sectors:
                    raise ScenarioError(
                        f"unknown sector code {code!r} among the investment goods for this world",
                        file=pm.where("funding", "financing", "investment_goods", code),
                        field=_dotted(
                            ("measures", pm.index, "funding", "financing", "investment_goods", code)
                        ),
                        expected=f"one of: {', '.join(sectors)}",
                        fix="use sector codes of the world the scenario runs on",
                    )
        region_fields = (
            ["region"] if isinstance(m, ProductivityMeasure) else ["imposer", "target", "exclude_targets"]
        )
        sector_fields = ["sectors", "exclude_sectors"]
        for fname, known in [(f, regions) for f in region_fields] + [(f, sectors) for f in sector_fields]:
            allow_all = not fname.startswith("exclude_")
            for k, code in _as_list(getattr(m, fname)):
                if code == "all" and allow_all:
                    continue
                if code not in known:
                    path: tuple[str | int, ...] = (fname,) if k is None else (fname, k)
                    kind = "region" if known is regions else "sector"
                    close = difflib.get_close_matches(code, list(known), n=3, cutoff=0.4)
                    close += [c for c in known if c.lower() == code.lower() and c not in close]
                    raise ScenarioError(
                        f"unknown {kind} code {code!r} for this world",
                        file=pm.where(*path),
                        field=_dotted(("measures", pm.index, *path)),
                        expected=f"one of: {', '.join(known)}" + (" or `all`" if allow_all else ""),
                        fix=(
                            f"did you mean {', '.join(repr(c) for c in close)}?"
                            if close
                            else f"use a {kind} code of the world the scenario runs on"
                        ),
                    )
