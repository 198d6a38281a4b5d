"""The built-in library against the dated record of late 2025 (issue 11).

Spot checks of the encoded rates on the default world (sources in each YAML and in
docs/scenarios.md): US tariffs on Chinese chips 50-60 %, chip tools 25-35 %, electronics
(phones and laptops 10 %, the rest about 45 %) at most 30 %, the fentanyl tariff at 10 %
after 10 November 2025; China's tariffs never below what was in force (its farm tariff
in particular); conflict and industrial policy in separate scenarios; every measure with
a dated source.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from tradewar.policy import library_names, load_scenario, translate
from tradewar.policy.models import (
    ExportControlMeasure,
    ProductivityMeasure,
    QuotaMeasure,
    TariffMeasure,
    TradeCostMeasure,
)
from tradewar.runs import DEFAULT_SCENARIOS
from tradewar.world.load import load_world

CONFLICT = "trade-war-2026"
INDUSTRIAL = "industrial-policy-2026-2030"
COMBINED = "trade-war-and-industrial-policy"


@pytest.fixture(scope="module")
def world():
    return load_world("default")


@pytest.fixture(scope="module")
def conflict(world):
    return translate(load_scenario(CONFLICT), world, [2026, 2030])


def _us_on_china(pol, sector: str) -> float:
    return float(pol.tariff.sel(origin="CHN", region="USA", product=sector))


def test_every_library_measure_has_a_dated_source() -> None:
    for name in library_names():
        for pm in load_scenario(name).measures:
            m = pm.measure
            sources = m.source if isinstance(m.source, list) else [m.source] if m.source else []
            assert sources, f"{name}: {m.name} has no source"
            assert all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", s.date) for s in sources), (name, m.name)
            assert all(int(s.date[:4]) <= 2025 for s in sources), f"{name}: {m.name} cites the future"


def test_us_tariffs_on_china_after_the_april_2025_exemptions(conflict) -> None:
    pol = conflict[2026]
    for chips in ("SEMA", "SEMM"):
        assert 0.50 <= _us_on_china(pol, chips) <= 0.60  # Section 301 50 % + fentanyl 10 %
    assert 0.25 <= _us_on_china(pol, "SME") <= 0.35  # Section 301 25 % + fentanyl 10 %
    assert _us_on_china(pol, "ELE") <= 0.30  # phones and laptops 10 %, other electronics ~45 %
    assert _us_on_china(pol, "ELE") < _us_on_china(pol, "MAC")  # the exemptions show
    for services in ("DIG", "SRV"):
        assert _us_on_china(pol, services) == 0.0


def test_the_fentanyl_tariff_is_10_percent_after_november_2025() -> None:
    sc = load_scenario("us-tariffs-china")
    fentanyl = next(pm.measure for pm in sc.measures if pm.measure.name == "ieepa-fentanyl")
    assert isinstance(fentanyl, TariffMeasure) and fentanyl.action == "add"
    assert fentanyl.magnitude.rate_at(2026, fentanyl.years) == pytest.approx(0.10)
    assert any(s.date == "2025-11-04" for s in fentanyl.source)  # EO 14357


def test_chinas_tariffs_never_fall_below_what_was_in_force(world, conflict) -> None:
    for pol in conflict.values():
        now = pol.tariff.sel(origin="USA", region="CHN")
        before = world.tariff.sel(origin="USA", region="CHN")
        assert (now.values >= before.values - 1e-12).all()
        assert float(now.sel(product="AGR")) >= float(before.sel(product="AGR")) + 0.10 - 1e-12


def test_conflict_and_industrial_policy_are_separate_and_the_default_runs_both() -> None:
    conflict = load_scenario(CONFLICT)
    industrial = load_scenario(INDUSTRIAL)
    assert not any(isinstance(pm.measure, ProductivityMeasure) for pm in conflict.measures)
    assert all(isinstance(pm.measure, ProductivityMeasure | TradeCostMeasure) for pm in industrial.measures)
    combined = load_scenario(COMBINED)
    assert len(combined.measures) == len(conflict.measures) + len(industrial.measures)
    assert DEFAULT_SCENARIOS == (CONFLICT, INDUSTRIAL)
    # every programme's money is financed
    for pm in industrial.measures:
        m = pm.measure
        if isinstance(m, ProductivityMeasure):
            assert m.funding is not None and m.funding.financing.user_cost_rate > 0


def test_the_export_controls_are_calibrated_to_the_2023_24_record(world) -> None:
    """China bought record amounts of chip tools in 2023-24 (SEMI: USD 49.6 bn in 2024,
    +35 %): the tool controls are small wedges on the sector, the chip controls limit the
    controlled share of the flow, not the whole of it."""
    sc = load_scenario("us-chip-export-controls")
    for pm in sc.measures:
        m = pm.measure
        if isinstance(m, ExportControlMeasure) and m.mode == "licence":
            assert m.magnitude is not None and m.magnitude.rate_at(2026, m.years) <= 0.25
        if isinstance(m, QuotaMeasure):
            assert m.magnitude is not None and 0.7 <= m.magnitude.rate_at(2026, m.years) < 1.0
        assert "range" in (m.assumption or ""), f"{m.name}: state the range"


def test_wedges_on_one_flow_compound_in_the_combined_scenario(world) -> None:
    """Every flow's trade cost is the product of the licences and trade-cost wedges written
    on it (no later measure cancels an earlier one), and the US quota stays."""
    sc = load_scenario(COMBINED)
    year = 2030
    pol = translate(sc, world, [year])[year]
    expected = np.ones(pol.trade_cost.shape)
    r = {c: i for i, c in enumerate(world.regions)}
    s = {c: i for i, c in enumerate(world.sectors)}

    def pick(sel, known, exclude=()):
        vals = [sel] if isinstance(sel, str) else list(sel)
        out = list(known) if "all" in vals else vals
        return [r.get(v, s.get(v)) for v in out if v not in exclude]

    for pm in sc.measures:
        m = pm.measure
        if not m.years.contains(year) or not isinstance(m, ExportControlMeasure | TradeCostMeasure):
            continue
        assert not (isinstance(m, ExportControlMeasure) and m.mode != "licence")
        imp, tgt = pick(m.imposer, world.regions), pick(m.target, world.regions, m.exclude_targets)
        secs = pick(m.sectors, world.sectors, m.exclude_sectors)
        factor = 1 + m.magnitude.rate_at(year, m.years)
        if isinstance(m, ExportControlMeasure) or m.flow == "exports":
            expected[np.ix_(imp, tgt, secs)] *= factor
        else:
            expected[np.ix_(tgt, imp, secs)] *= factor
    idx = np.arange(len(world.regions))
    expected[idx, idx, :] = 1.0
    np.testing.assert_allclose(pol.trade_cost.values, expected, rtol=1e-12)
    cell = pol.trade_cost.sel(origin="USA", region="CHN", product="SEMA")
    assert float(cell) == pytest.approx(1.10 * 1.15)  # China's guidance x the plan's preference
    assert any(q.origins == ("USA",) and q.sectors == ("SEMA",) for q in pol.quotas)
