"""`tradewar run` and the runner: time series, outputs, atomic writing, CLI error paths."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tradewar.cli.main import app
from tradewar.errors import ScenarioError
from tradewar.policy import load_scenario_text
from tradewar.report import render_report
from tradewar.runs import parse_years, run_scenario, run_scenarios, write_outputs
from tradewar.world.bundle import write_bundle
from tradewar.world.synthetic import synthetic_world

SCENARIO = """\
title: Synthetic trade war
description: a tariff phase-in, an export ban and a subsidy on a synthetic world
years: 2026-2028
measures:
  - name: tariff
    type: tariff
    action: set
    imposer: R000
    target: R001
    sectors: all
    magnitude: {unit: percent, start: 10, end: 40}
    years: 2026-2028
    assumption: test
  - name: ban
    type: export_control
    mode: ban
    imposer: R002
    target: R000
    sectors: [S001]
    years: 2027-
    assumption: test
  - name: subsidy
    type: productivity
    region: R003
    sectors: [S002]
    magnitude: {unit: percent, value: 5}
    years: 2026-2028
    assumption: test
"""


@pytest.fixture(scope="module")
def world():
    return synthetic_world(4, 3, seed=1)


@pytest.fixture(scope="module")
def run(world):
    return run_scenario(load_scenario_text(SCENARIO, name="synthetic-war"), world, chokepoints=["S001"])


def test_one_equilibrium_per_year_forms_time_series(run, world) -> None:
    assert run.years == (2026, 2027, 2028)
    reg = run.regions
    assert list(reg.columns[:3]) == ["scenario", "region", "year"]
    for c in (
        "welfare_pct",
        "real_wage_pct",
        "terms_of_trade_pct",
        "volume_of_trade_pct",
        "self_sufficiency_S001",
        "self_sufficiency_S001_baseline",
    ):
        assert c in reg.columns
    assert len(reg) == 3 * len(world.regions)
    assert all(r["converged"] for r in run.solver)
    assert len(run.sectors) == 3 * 12 and len(run.flows) == 3 * 4 * 4 * 3
    # the ban is in force from 2027: the flow is exactly zero then, positive before
    f = run.flows.set_index(["year", "origin", "region", "product"])["counterfactual"]
    assert f[(2026, "R002", "R000", "S001")] > 0
    assert f[(2027, "R002", "R000", "S001")] == 0.0
    # the tariff phases in, so R001 (the taxed exporter) loses more each year
    r1 = reg[reg["region"] == "R001"].set_index("year")["terms_of_trade_pct"]
    assert r1[2026] > r1[2027] > r1[2028]


def test_same_policy_same_numbers_as_one_engine_call(run, world) -> None:
    from tradewar.model import Shock, solve

    shock = (
        Shock.none(world)
        .set_tariff(0.25, origin="R001", region="R000")
        .scale_trade_cost(np.inf, origin="R002", region="R000", product="S001")
        .scale_productivity(1.05, region="R003", sector="S002")
    )
    eq = solve(world, shock, tol=1e-10)
    got = run.regions[run.regions["year"] == 2027].set_index("region")["welfare_pct"]
    np.testing.assert_allclose(got.to_numpy(), eq.regions["welfare_pct"].to_numpy(), atol=1e-8)


def test_no_measures_no_change(world) -> None:
    text = "title: Nothing here\ndescription: no measures\nmeasures: []\n"
    r = run_scenario(load_scenario_text(text), world, [2026])
    assert np.abs(r.regions[["welfare_pct", "real_wage_pct"]].to_numpy()).max() < 1e-8


def test_outputs_are_complete_and_atomic(run, tmp_path: Path, monkeypatch) -> None:
    out = write_outputs([run], tmp_path / "out", report_html=render_report([run]))
    assert sorted(p.name for p in out.iterdir()) == [
        ".tradewar-output",
        "flows.parquet",
        "regions.csv",
        "report.html",
        "sectors.csv",
        "summary.json",
    ]
    reg = pd.read_csv(out / "regions.csv")
    assert not reg.isna().any().any()
    assert pd.read_parquet(out / "flows.parquet").shape[0] == len(run.flows)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenarios"][0]["name"] == "synthetic-war"
    assert [s["year"] for s in summary["scenarios"][0]["solver"]] == [2026, 2027, 2028]
    assert "numpy" in summary["versions"] and summary["world"]["stylized"] is True
    # writing again replaces the folder (and leaves nothing else behind)
    (out / "stale.txt").write_text("from an older run")
    write_outputs([run], out)
    assert not (out / "stale.txt").exists() and not (out / "report.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    write_outputs([run], out, report_html=render_report([run]))
    # an interrupted write leaves the old folder untouched and no partial folder behind
    import tradewar.runs.outputs as outputs

    def boom(_runs):
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "summary_dict", boom)
    with pytest.raises(KeyboardInterrupt):
        write_outputs([run], out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    assert (out / "report.html").is_file()


def test_years_parsing() -> None:
    assert parse_years("2026-2030") == (2026, 2027, 2028, 2029, 2030)
    assert parse_years("2026,2028") == (2026, 2028)
    with pytest.raises(ScenarioError, match="cannot read years"):
        parse_years("next year")


def test_invalid_scenario_fails_before_any_solve(world, monkeypatch) -> None:
    import tradewar.model as model

    def no_solve(*a, **k):
        raise AssertionError("solve must not be called")

    monkeypatch.setattr(model, "solve", no_solve)
    bad = load_scenario_text(SCENARIO.replace("sectors: [S001]", "sectors: [S01]"))
    with pytest.raises(ScenarioError, match="did you mean 'S001'"):
        run_scenarios([load_scenario_text(SCENARIO), bad], world)


# ------------------------------------------------------------------------------------ CLI
@pytest.fixture(scope="module")
def cli_files(tmp_path_factory, world):
    d = tmp_path_factory.mktemp("cli")
    write_bundle(world, d / "world")
    (d / "war.yaml").write_text(SCENARIO)
    return d


def test_cli_run_writes_outputs_and_summary(cli_files: Path) -> None:
    out = cli_files / "out"
    res = CliRunner().invoke(
        app,
        [
            "run",
            str(cli_files / "war.yaml"),
            "--world",
            str(cli_files / "world"),
            "--years",
            "2026-2027",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "welfare" in res.output and "R000" in res.output and "stylized" in res.output
    reg = pd.read_csv(out / "regions.csv")
    assert sorted(reg["year"].unique()) == [2026, 2027]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "no-such-scenario"], "no scenario file or built-in scenario named"),
        (["run", "{war}", "--world", "{world}", "--years", "soon"], "cannot read years"),
        (["run", "{bad}", "--world", "{world}"], "line 10"),
        (["scenarios", "show", "trade-war-2062"], "did you mean 'trade-war-2026'"),
    ],
)
def test_cli_error_paths_exit_2_without_traceback(cli_files: Path, args: list[str], message: str) -> None:
    (cli_files / "bad.yaml").write_text(SCENARIO.replace("sectors: all", "sectors: [S009]", 1))
    files = {"war": cli_files / "war.yaml", "world": cli_files / "world", "bad": cli_files / "bad.yaml"}
    res = CliRunner().invoke(app, [a.format(**files) for a in args])
    assert res.exit_code == 2, res.output
    assert message in res.output
    assert "Traceback" not in res.output


def test_cli_scenarios_list_and_show() -> None:
    res = CliRunner().invoke(app, ["scenarios", "list"])
    assert res.exit_code == 0 and "trade-war-2026" in res.output and "apec-deal" in res.output
    res = CliRunner().invoke(app, ["scenarios", "show", "apec-deal", "--composed"])
    assert res.exit_code == 0
    assert "composed_from" in res.output and "# from us-tariffs-china" in res.output
    res = CliRunner().invoke(app, ["scenarios", "show", "apec-deal"])
    assert res.exit_code == 0 and "include: [trade-war-2026]" in res.output


def test_scenario_file_on_disk_with_include(tmp_path: Path, world) -> None:
    (tmp_path / "base.yaml").write_text(SCENARIO)
    (tmp_path / "top.yaml").write_text(
        textwrap.dedent(
            """\
            title: Deal deal
            description: removes the ban from 2028
            include: [base.yaml]
            measures:
              - type: export_control
                mode: lift
                imposer: R002
                target: R000
                sectors: [S001]
                years: 2028-
                assumption: the deal
            """
        )
    )
    r = run_scenario(str(tmp_path / "top.yaml"), world)
    f = r.flows.set_index(["year", "origin", "region", "product"])["counterfactual"]
    assert f[(2027, "R002", "R000", "S001")] == 0.0 and f[(2028, "R002", "R000", "S001")] > 0


def test_cli_scenarios_check(cli_files: Path) -> None:
    res = CliRunner().invoke(
        app, ["scenarios", "check", str(cli_files / "war.yaml"), "--world", str(cli_files / "world")]
    )
    assert res.exit_code == 0, res.output
    assert "ok" in res.output and "3 measures" in res.output
    (cli_files / "typo.yaml").write_text(SCENARIO.replace("imposer: R000", "imposer: R0000", 1))
    res = CliRunner().invoke(
        app, ["scenarios", "check", str(cli_files / "typo.yaml"), "--world", str(cli_files / "world")]
    )
    assert res.exit_code == 2 and "unknown region code 'R0000'" in res.output and "line 8" in res.output
