"""Scenario language: parsing, phase-in, composition, and one clear error per problem."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tradewar.errors import ScenarioError
from tradewar.policy import Magnitude, Years, check_against_world, load_scenario, load_scenario_text
from tradewar.policy.yamlfile import load_yaml_text

GOOD = """\
title: Test scenario
description: Two measures on a synthetic world.
years: 2026-2030
measures:
  - name: tariff-phase-in
    type: tariff
    action: set
    imposer: R000
    target: R001
    sectors: [S000, S001]
    magnitude: {unit: percent, values: {2026: 10, 2028: 30}}
    years: {from: 2026, to: 2030}
    source: {document: "A public document", date: 2024-05-14}
  - name: ban
    type: export_control
    mode: ban
    imposer: R001
    target: all
    sectors: [S002]
    years: 2027-
    assumption: an assumption for the test
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


def error_for(tmp_path: Path, text: str) -> ScenarioError:
    p = write(tmp_path, "bad.yaml", text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(p))
    return info.value


def test_good_file_loads_with_phase_in(tmp_path: Path) -> None:
    sc = load_scenario(str(write(tmp_path, "good.yaml", GOOD)))
    assert sc.title == "Test scenario"
    assert sc.years is not None and (sc.years.start, sc.years.end) == (2026, 2030)
    m = sc.measures[0].measure
    rates = [round(m.magnitude.rate_at(y, m.years), 12) for y in range(2026, 2031)]
    assert rates == [0.1, 0.2, 0.3, 0.3, 0.3]  # linear between given years, then held
    ban = sc.measures[1].measure
    assert not ban.years.contains(2026) and ban.years.contains(2040)


def test_line_numbers_are_recorded() -> None:
    doc = load_yaml_text(GOOD, file="x.yaml")
    assert doc.line(("measures", 1, "sectors")) == 19
    assert doc.where(("measures", 0, "magnitude", "unit")) == "x.yaml, line 11"


@pytest.mark.parametrize(
    ("old", "new", "line", "field", "words"),
    [
        (
            "    sectors: [S000, S001]",
            "    sectorz: [S000, S001]",
            10,
            "measures[0].sectorz",
            ["unknown key 'sectorz'", "did you mean 'sectors'"],
        ),
        (
            "    type: tariff\n",
            "    type: tarif\n",
            6,
            "measures[0].type",
            ["unknown measure type 'tarif'", "did you mean 'tariff'"],
        ),
        (
            "{unit: percent, values",
            "{unit: percnt, values",
            11,
            "measures[0].magnitude.unit",
            ["'percnt' is not allowed", "'percent'"],
        ),
        ("values: {2026: 10", "values: {2026: -110", 11, "measures[0].magnitude", ["-100 % or less"]),
        (
            "years: {from: 2026, to: 2030}",
            "years: {from: 2030, to: 2026}",
            12,
            "measures[0].years",
            ["before `from`"],
        ),
        (
            "    assumption: an assumption for the test\n",
            "",
            14,
            "measures[1]",
            ["`source` or an `assumption`"],
        ),
        (
            "values: {2026: 10",
            "values: {2025: 10",
            11,
            "measures[0].magnitude.values",
            ["first year", "start `values` at 2026"],
        ),
        ("    action: set\n", "", 5, "measures[0].action", ["missing required key 'action'"]),
        (
            "title: Test scenario\n",
            "title: Test scenario\ntitel: typo\n",
            2,
            "titel",
            ["unknown key 'titel'", "did you mean 'title'"],
        ),
        ("    mode: ban\n", "    mode: licence\n", 16, "measures[1].mode", ["tariff-equivalent"]),
        (
            "{unit: percent, values",
            "{unit: fraction, values",
            11,
            "measures[0].magnitude",
            ["implausible", "25 percent = 0.25 fraction"],
        ),
    ],
)
def test_each_problem_is_one_error_with_file_line_field_and_fix(
    tmp_path: Path, old: str, new: str, line: int, field: str, words: list[str]
) -> None:
    assert old in GOOD
    err = error_for(tmp_path, GOOD.replace(old, new, 1))
    text = str(err)
    assert f"bad.yaml, line {line}" in text, text
    assert err.field == field, text
    assert err.fix, text
    for w in words:
        assert w in text, text


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD.replace("    mode: ban\n", "    mode: ban\n    mode: lift\n"))
    assert "duplicate key 'mode'" in str(err) and "line 17" in str(err)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD.replace("    mode: ban\n", "   mode: [ban\n"))
    assert "not valid YAML" in str(err) and "line" in str(err)


def test_quota_needs_a_limit(tmp_path: Path) -> None:
    text = GOOD.replace("    type: export_control\n    mode: ban\n", "    type: quota\n")
    err = error_for(tmp_path, text)
    assert "needs either `magnitude`" in str(err) and "fix: keep one" in str(err)
    assert "line 14" in str(err)


def test_overlapping_measures_in_one_file_are_an_error(tmp_path: Path) -> None:
    extra = """\
  - type: tariff
    action: add
    imposer: R000
    target: all
    sectors: all
    magnitude: {unit: fraction, value: 0.05}
    years: 2029-2030
    assumption: overlaps the first measure in 2029-2030
"""
    err = error_for(tmp_path, GOOD + extra)
    assert "overlap" in str(err) and "S000" in str(err) and "line 28" in str(err)
    # disjoint sectors are fine
    ok = GOOD + extra.replace("sectors: all", "sectors: all\n    exclude_sectors: [S000, S001]")
    load_scenario(str(write(tmp_path, "ok.yaml", ok)))


def test_imposer_equal_target_is_an_error(tmp_path: Path) -> None:
    err = error_for(tmp_path, GOOD.replace("target: R001", "target: R000"))
    assert "both imposer and target" in str(err)


def test_unknown_codes_against_the_world_with_did_you_mean(tmp_path: Path, small_world) -> None:
    sc = load_scenario(str(write(tmp_path, "s.yaml", GOOD.replace("[S000, S001]", "[S000, S0001]"))))
    with pytest.raises(ScenarioError) as info:
        check_against_world(sc, small_world.regions, small_world.sectors)
    text = str(info.value)
    assert "unknown sector code 'S0001'" in text and "line 10" in text and "did you mean" in text
    sc = load_scenario(str(write(tmp_path, "r.yaml", GOOD.replace("imposer: R000", "imposer: R0000"))))
    with pytest.raises(ScenarioError, match="unknown region code 'R0000'"):
        check_against_world(sc, small_world.regions, small_world.sectors)


def test_includes_compose_in_order_and_print_back(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", GOOD)
    top = write(
        tmp_path,
        "top.yaml",
        """\
        title: Top
        description: includes base and overrides its tariff
        include: [base.yaml]
        assumptions: [top-level assumption]
        measures:
          - type: tariff
            action: set
            imposer: R000
            target: R001
            sectors: [S000]
            magnitude: {unit: fraction, value: 0}
            years: 2028-2030
            source: {document: "A deal text", date: 2025-11-01}
        """,
    )
    sc = load_scenario(str(top))
    assert [pm.scenario for pm in sc.measures] == ["base", "base", "top"]
    assert sc.years is not None and sc.years.start == 2026  # inherited from base
    text = sc.to_yaml()
    assert "# from base" in text and "# from top" in text
    again = load_scenario_text(text, name="printed")
    assert [pm.measure for pm in again.measures] == [pm.measure for pm in sc.measures]


def test_include_cycle_and_unknown_include(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "title: A a\ndescription: aaa\ninclude: [b.yaml]\n")
    write(tmp_path, "b.yaml", "title: B b\ndescription: bbb\ninclude: [a.yaml]\n")
    with pytest.raises(ScenarioError, match="include cycle"):
        load_scenario(str(tmp_path / "a.yaml"))
    write(tmp_path, "c.yaml", "title: C c\ndescription: ccc\ninclude: [trade-war-2062]\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(tmp_path / "c.yaml"))
    assert "line 3" in str(info.value) and "trade-war-2026" in str(info.value)


def test_year_shorthands() -> None:
    assert Years.model_validate(2027).end == 2027
    y = Years.model_validate("2026-2030")
    assert (y.start, y.end) == (2026, 2030)
    assert Years.model_validate("2026-").end is None
    with pytest.raises(ValueError):
        Years.model_validate("soon")


@given(
    start=st.floats(-50, 200, allow_nan=False),
    end=st.floats(-50, 200, allow_nan=False),
    y0=st.integers(2020, 2030),
    n=st.integers(1, 10),
)
def test_linear_phase_in_stays_between_its_ends(start: float, end: float, y0: int, n: int) -> None:
    years = Years.model_validate({"from": y0, "to": y0 + n})
    mag = Magnitude(unit="percent", start=start, end=end)
    vals = [mag.raw_at(y, years) for y in range(y0 - 2, y0 + n + 3)]
    lo, hi = min(start, end), max(start, end)
    assert all(lo - 1e-9 <= v <= hi + 1e-9 for v in vals)
    assert mag.raw_at(y0, years) == pytest.approx(start)
    assert mag.raw_at(y0 + n, years) == pytest.approx(end)
