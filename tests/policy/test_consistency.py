"""The scenario language does what docs/scenarios.md says (issue 10).

``all`` in every region and sector field, ``baseline:``/``deficits:`` inherited from
includes (own value, else the includes' agreed value, else an error), overlaps reported
only on cells a measure acts on, and tariff schedules limited to their ``sectors``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from tradewar.errors import ScenarioError
from tradewar.policy import check_against_world, load_scenario, load_scenario_text, translate
from tradewar.policy.models import MEASURE_TYPES, ScenarioFile, field_names

HEAD = "title: T test\ndescription: test scenario\nmeasures:\n"


def write(folder: Path, name: str, text: str) -> Path:
    p = folder / name
    p.write_text(textwrap.dedent(text))
    return p


def tariff(imposer: str, target: str, *, sectors: str = "all", years: str = "2026-2030") -> str:
    return (
        f"  - type: tariff\n    action: set\n    imposer: {imposer}\n    target: {target}\n"
        f"    sectors: {sectors}\n    magnitude: {{unit: percent, value: 10}}\n"
        f"    years: {years}\n    assumption: test\n"
    )


# ------------------------------------------------------------------ `all` everywhere
def test_all_is_accepted_as_imposer_and_region(small_world) -> None:
    sc = load_scenario_text(
        HEAD
        + tariff("all", "R001", sectors="[S000]")
        + "  - type: productivity\n    region: all\n    sectors: all\n"
        "    magnitude: {unit: percent, value: 2}\n    years: 2026\n    assumption: test\n"
    )
    check_against_world(sc, small_world.regions, small_world.sectors)
    pol = translate(sc, small_world, [2026])[2026]
    t = pol.tariff.sel(origin="R001", product="S000")
    for r in small_world.regions:
        expected = float(small_world.tariff.sel(origin="R001", region=r, product="S000"))
        assert float(t.sel(region=r)) == pytest.approx(expected if r == "R001" else 0.10)
    assert np.allclose(pol.productivity.values, 1.02)


def test_all_is_refused_in_exclusions(small_world) -> None:
    text = HEAD + tariff("all", "R001").replace("sectors: all", "sectors: all\n    exclude_sectors: [all]")
    sc = load_scenario_text(text)
    with pytest.raises(ScenarioError, match="unknown sector code 'all'"):
        check_against_world(sc, small_world.regions, small_world.sectors)


def test_documented_fields_exist_in_the_models() -> None:
    """Every field docs/scenarios.md names for a measure type is a field of its model."""
    docs = {
        "tariff": ["action", "imposer", "target", "sectors", "magnitude"],
        "export_control": ["mode", "imposer", "target", "sectors", "magnitude"],
        "import_ban": ["mode"],
        "quota": ["flow", "imposer", "target", "sectors", "magnitude", "quantity", "unit", "rent", "pooled"],
        "trade_cost": ["flow", "magnitude"],
        "productivity": ["region", "sectors", "magnitude", "funding", "exclude_sectors"],
        "tariff_schedule": [
            *("file", "unit", "weights", "columns", "as_of", "concordance", "missing", "action"),
            *("classification", "sectors", "exclude_sectors"),
        ],
        "tariff_layer": ["layer", "imposer", "target", "sectors"],
    }
    for kind, fields in docs.items():
        assert set(fields) <= set(field_names(MEASURE_TYPES[kind])), kind
    head = ["title", "description", "baseline", "years", "deficits", "include", "assumptions"]
    assert set(head) | {"measures", "production"} <= set(field_names(ScenarioFile))


def test_a_schedule_writes_only_its_sectors(tmp_path: Path, small_world) -> None:
    """`sectors:` on a tariff schedule was silently ignored; it now limits the schedule."""
    import pandas as pd

    conc = tmp_path / "conc.csv"
    pd.DataFrame({"code": ["01", "02"], "sector": ["S000", "S001"]}).to_csv(conc, index=False)
    csv = tmp_path / "sched.csv"
    pd.DataFrame({"hs6": ["010101", "020202"], "tariff": [20.0, 40.0]}).to_csv(csv, index=False)
    text = (
        HEAD + "  - type: tariff_schedule\n    imposer: R000\n    target: R001\n"
        f"    file: {csv}\n    concordance: {conc}\n    unit: percent\n    weights: equal\n"
        "    sectors: [S001]\n    years: 2026\n    assumption: test\n"
    )
    pol = translate(load_scenario_text(text), small_world, [2026])[2026]
    t = pol.tariff.sel(origin="R001", region="R000")
    assert float(t.sel(product="S001")) == pytest.approx(0.40)
    base = float(small_world.tariff.sel(origin="R001", region="R000", product="S000"))
    assert float(t.sel(product="S000")) == pytest.approx(base)


# ------------------------------------------------------------------ overlaps
def test_usa_on_all_and_all_on_usa_do_not_overlap() -> None:
    """They meet only on USA -> USA, a domestic cell no measure ever writes."""
    sc = load_scenario_text(HEAD + tariff("USA", "all") + tariff("all", "USA"))
    assert len(sc.measures) == 2


@pytest.mark.parametrize(
    ("first", "second", "pair"),
    [
        (("USA", "all"), ("all", "CHN"), "from CHN to USA"),
        (("[USA, CHN]", "all"), ("all", "[USA, CHN]"), "from CHN to USA"),
        (("all", "all"), ("CHN", "USA"), "from USA to CHN"),
    ],
)
def test_real_overlaps_are_still_errors(first: tuple[str, str], second: tuple[str, str], pair: str) -> None:
    with pytest.raises(ScenarioError, match="overlap") as info:
        load_scenario_text(HEAD + tariff(*first) + tariff(*second))
    assert pair in str(info.value)


def test_a_group_on_itself_overlaps_only_between_members() -> None:
    load_scenario_text(HEAD + tariff("[USA, CAN]", "[USA, CAN]") + tariff("[USA]", "[USA, MEX]"))
    with pytest.raises(ScenarioError, match="from CAN to USA"):
        load_scenario_text(HEAD + tariff("[USA, CAN]", "[USA, CAN]") + tariff("USA", "CAN"))


# ------------------------------------------------------------------ inheritance
LD = "liberation-day:somewhere"


def _file(
    folder: Path,
    name: str,
    *,
    baseline: str | None = None,
    deficits: str | None = None,
    include: list[str] | None = None,
) -> Path:
    lines = [f"title: {name} scenario", f"description: the {name} scenario"]
    if baseline:
        lines.append(f"baseline: {baseline}")
    if deficits:
        lines.append(f"deficits: {deficits}")
    if include:
        lines.append(f"include: [{', '.join(include)}]")
    return write(folder, f"{name}.yaml", "\n".join(lines) + "\n")


def test_baseline_is_inherited_from_includes(tmp_path: Path) -> None:
    _file(tmp_path, "ld", baseline=LD, deficits="zero")
    _file(tmp_path, "plain")
    top = load_scenario(_file(tmp_path, "top", include=["plain.yaml", "ld.yaml"]))
    assert top.baseline == LD and top.deficits == "zero"
    assert top.baseline_from is not None and top.baseline_from.endswith("ld.yaml")
    # through two levels of includes
    assert load_scenario(_file(tmp_path, "toptop", include=["top.yaml"])).baseline == LD


def test_own_baseline_wins_and_nobody_means_default(tmp_path: Path) -> None:
    _file(tmp_path, "ld", baseline=LD)
    assert (
        load_scenario(_file(tmp_path, "own", baseline="default", include=["ld.yaml"])).baseline == "default"
    )
    none = load_scenario(_file(tmp_path, "none"))
    assert none.baseline == "default" and none.baseline_from is None


@pytest.mark.parametrize("key", ["baseline", "deficits"])
def test_includes_that_disagree_are_an_error(tmp_path: Path, key: str) -> None:
    values = {"baseline": (LD, "default"), "deficits": ("zero", "data")}[key]
    _file(tmp_path, "a", **{key: values[0]})
    _file(tmp_path, "b", **{key: values[1]})
    with pytest.raises(ScenarioError, match=f"includes disagree on `{key}`") as info:
        load_scenario(_file(tmp_path, "top", include=["a.yaml", "b.yaml"]))
    text = str(info.value)
    assert "top.yaml, line 3" in text and f"add `{key}: ...` to this file" in text
    # the file choosing settles it
    load_scenario(_file(tmp_path, "top2", include=["a.yaml", "b.yaml"], **{key: values[1]}))


def test_composed_printout_keeps_the_inherited_baseline(tmp_path: Path) -> None:
    _file(tmp_path, "ld", baseline=LD)
    top = load_scenario(_file(tmp_path, "top", include=["ld.yaml"]))
    again = load_scenario_text(top.to_yaml(), name="printed")
    assert again.baseline == LD
