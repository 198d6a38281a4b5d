"""Every built-in scenario runs on the shipped default world and converges; `tradewar run` bare."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tradewar.cli.main import app
from tradewar.policy import check_against_world, library_names, load_concordance, load_scenario
from tradewar.policy.models import Source
from tradewar.runs import CHOKEPOINT_SECTORS, run_scenarios
from tradewar.world.load import load_world

EXPECTED = {
    "us-chip-export-controls",
    "us-tariffs-china",
    "china-rare-earth-controls",
    "china-retaliation",
    "china-fyp-2026-2030",
    "us-ai-programme-500bn",
    "us-chips-act",
    "escalation",
    "trade-war-2026",
    "industrial-policy-2026-2030",
    "trade-war-and-industrial-policy",
    "apec-deal",
}


@pytest.fixture(scope="module")
def world():
    return load_world("default")


@pytest.fixture(scope="module")
def runs(world):
    return {r.scenario.name: r for r in run_scenarios(sorted(EXPECTED), world, "2026-2030")}


def test_library_is_complete_and_every_measure_is_cited(world) -> None:
    assert set(library_names()) == EXPECTED
    for name in library_names():
        sc = load_scenario(name)
        check_against_world(sc, world.regions, world.sectors)
        for pm in sc.measures:
            m = pm.measure
            sources = m.source if isinstance(m.source, list) else [m.source] if m.source else []
            assert sources or m.assumption, (name, m.name)
            assert all(isinstance(s, Source) and s.date for s in sources)
            assert m.name, f"{name}: every library measure has a name"


def test_shipped_concordance_maps_to_default_world_sectors(world) -> None:
    assert set(load_concordance().sectors) <= set(world.sectors)
    assert set(CHOKEPOINT_SECTORS) <= set(world.sectors)


def test_every_built_in_scenario_converges_on_the_default_world(runs) -> None:
    for name, run in runs.items():
        assert run.years == (2026, 2027, 2028, 2029, 2030)
        assert all(r["converged"] and r["residual"] < 1e-9 for r in run.solver), name
        assert run.chokepoints == CHOKEPOINT_SECTORS
        cols = ["welfare_pct", "real_wage_pct", "terms_of_trade_pct", "volume_of_trade_pct"]
        assert np.isfinite(run.regions[cols].to_numpy()).all(), name


def test_results_make_economic_sense(runs) -> None:
    def welfare(name: str, region: str, year: int = 2030) -> float:
        r = runs[name].regions
        return float(r[(r["region"] == region) & (r["year"] == year)]["welfare_pct"].iloc[0])

    # escalation hurts both sides more than the conflict as in force; the deal is better
    for region in ("USA", "CHN"):
        assert (
            welfare("escalation", region) < welfare("trade-war-2026", region) < welfare("apec-deal", region)
        )
        # the conflict alone costs both sides
        assert welfare("trade-war-2026", region) < 0
    # financed programmes have no free lunch: the CHIPS Act at the normal return changes US
    # welfare by little; the AI programme, at a return above the user cost, gains
    assert abs(welfare("us-chips-act", "USA")) < 0.1
    assert welfare("us-ai-programme-500bn", "USA") > welfare("us-chips-act", "USA")
    # chip controls raise China's advanced-chip self-sufficiency above the baseline
    r = runs["trade-war-2026"].regions.set_index(["region", "year"])
    assert (
        r.loc[("CHN", 2026), "self_sufficiency_SEMA"] > r.loc[("CHN", 2026), "self_sufficiency_SEMA_baseline"]
    )


def test_bare_tradewar_run_is_the_main_job(tmp_path: Path, monkeypatch) -> None:
    """`tradewar run` runs the conflict and the industrial policies side by side."""
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(app, ["run"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "tradewar-out"
    text = " ".join(res.output.split())  # the table titles may wrap
    assert "trade-war-2026 on default, 2030" in text and "observed 2023 data" in text
    assert "industrial-policy-2026-2030 on default, 2030" in text
    reg = pd.read_csv(out / "regions.csv")
    assert set(reg["year"]) == {2026, 2027, 2028, 2029, 2030}
    assert set(reg["scenario"]) == {"trade-war-2026", "industrial-policy-2026-2030"}
    for s in CHOKEPOINT_SECTORS:
        assert f"self_sufficiency_{s}" in reg.columns
    summary = json.loads((out / "summary.json").read_text())
    assert [s["name"] for s in summary["scenarios"]] == ["trade-war-2026", "industrial-policy-2026-2030"]
    assert summary["world"]["spec"] == "default"
    assert "What the world is built from" in (out / "report.html").read_text()


def test_composed_library_scenarios_print_back_and_reload() -> None:
    from tradewar.policy import load_scenario_text

    for name in library_names():
        sc = load_scenario(name)
        again = load_scenario_text(sc.to_yaml(), name=name)
        assert [pm.measure for pm in again.measures] == [pm.measure for pm in sc.measures], name
        assert again.years == sc.years and again.title == sc.title
