"""Consistent commands (issue 10): inherited baselines, the deficit rule in every output,
world years, duplicate scenarios, `scenarios check` years and flows, convergence messages."""

from __future__ import annotations

import dataclasses
import json
import re
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tradewar.cli.main import app
from tradewar.errors import ConvergenceError, ScenarioError
from tradewar.model import Shock, solve
from tradewar.policy import load_scenario_text
from tradewar.report import render_report
from tradewar.report.palette import region_colours
from tradewar.runs import run_scenario, run_scenarios, write_outputs
from tradewar.world.bundle import write_bundle
from tradewar.world.synthetic import synthetic_world

TARIFF = """\
title: {title}
description: one tariff on a synthetic world
{head}measures:
  - type: tariff
    action: set
    imposer: R000
    target: R001
    sectors: all
    magnitude: {{unit: percent, value: 20}}
    years: 2026-2027
    assumption: test
"""

runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("consistency")
    small = synthetic_world(3, 2, seed=5)
    write_bundle(dataclasses.replace(small, meta=dataclasses.replace(small.meta, year=2019)), d / "small")
    write_bundle(synthetic_world(4, 2, seed=6), d / "other")
    (d / "on-small.yaml").write_text(TARIFF.format(title="On small", head=f"baseline: {d / 'small'}\n"))
    (d / "top.yaml").write_text(
        "title: Top file\ndescription: includes a scenario with a baseline\ninclude: [on-small.yaml]\n"
    )
    return d


def test_a_file_runs_on_its_includes_baseline(files: Path, tmp_path: Path) -> None:
    """Issue 10: including a scenario with a `baseline:` must not silently run on `default`."""
    res = runner.invoke(
        app, ["run", str(files / "top.yaml"), "--years", "2026", "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["world"]["spec"] == str(files / "small")
    assert summary["world"]["regions"] == ["R000", "R001", "R002"]


def test_the_deficit_rule_is_in_every_output(files: Path, tmp_path: Path) -> None:
    out = tmp_path / "o"
    res = runner.invoke(
        app,
        ["run", str(files / "top.yaml"), "--years", "2026", "--out", str(out), "--deficits", "zero"],
    )
    assert res.exit_code == 0, res.output
    assert "deficit rule 'zero'" in res.output and "chosen by the caller" in res.output  # table caption
    for table in (
        pd.read_csv(out / "regions.csv"),
        pd.read_csv(out / "sectors.csv"),
        pd.read_parquet(out / "flows.parquet"),
    ):
        assert set(table["deficits"]) == {"zero"}
    sc = json.loads((out / "summary.json").read_text())["scenarios"][0]
    assert (sc["deficits"], sc["deficits_from"]) == ("zero", "argument") and "closed" in sc[
        "deficits_meaning"
    ]
    assert "Deficits: deficit rule &#x27;zero&#x27;" in (out / "report.html").read_text()


def test_the_default_rule_and_a_scenarios_rule_are_named(files: Path) -> None:
    world = synthetic_world(3, 2, seed=5)
    r = run_scenario(load_scenario_text(TARIFF.format(title="Plain", head=""), name="plain"), world, "2026")
    assert (r.deficits, r.deficits_from) == ("data", "default")
    assert "(the default)" in r.deficit_note()
    own = load_scenario_text(TARIFF.format(title="Own rule", head="deficits: fixed\n"), name="own")
    r = run_scenario(own, world, "2026")
    assert r.deficits == "fixed" and r.deficits_from == "<own>"


def test_a_run_prints_and_records_the_worlds_year(files: Path, tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["run", str(files / "top.yaml"), "--years", "2026", "--out", str(tmp_path / "o")]
    )
    year = 2019
    assert re.search(rf"base year {year}", res.output)
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["world"]["year"] == year and summary["scenarios"][0]["world_year"] == year


def test_world_option_reaches_the_reader(files: Path, tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["run", str(files / "top.yaml"), "--world-option", "year=2000", "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 2 and "bundle" in res.output and "no reader option 'year'" in res.output
    assert "Traceback" not in res.output


def test_duplicate_scenarios_are_refused(files: Path, tmp_path: Path, monkeypatch) -> None:
    res = runner.invoke(
        app, ["run", str(files / "top.yaml"), str(files / "top.yaml"), "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 2 and "scenario 'top' is given twice" in res.output
    assert not (tmp_path / "o").exists()
    (files / "sub").mkdir(exist_ok=True)
    monkeypatch.setenv("TRADEWAR_INCLUDE_ANYWHERE", "1")  # the copy includes from its parent folder
    (files / "sub" / "top.yaml").write_text(
        (files / "top.yaml").read_text().replace("on-small", "../on-small")
    )
    with pytest.raises(ScenarioError, match="have the same name"):
        run_scenarios([str(files / "top.yaml"), str(files / "sub" / "top.yaml")])


def test_write_outputs_refuses_duplicate_runs(tmp_path: Path) -> None:
    world = synthetic_world(3, 2, seed=5)
    r = run_scenario(load_scenario_text(TARIFF.format(title="Plain", head=""), name="plain"), world, "2026")
    with pytest.raises(ScenarioError, match="given twice"):
        write_outputs([r, r], tmp_path / "o")


def test_scenarios_check_shows_real_years_and_two_way_flows(tmp_path: Path) -> None:
    path = tmp_path / "check.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            title: Check years
            description: measures outside 2026-2030
            measures:
              - name: early
                type: tariff
                action: set
                imposer: USA
                target: CHN
                sectors: all
                magnitude: {unit: percent, values: {2018: 10, 2020: 30}}
                years: 2018-2020
                assumption: test
              - name: both-ways
                type: trade_cost
                flow: both
                imposer: USA
                target: CHN
                sectors: all
                magnitude: {unit: percent, value: 5}
                years: 2032-2033
                assumption: test
            """
        )
    )
    res = runner.invoke(app, ["scenarios", "check", str(path)], env={"COLUMNS": "250"})
    assert res.exit_code == 0, res.output
    assert "2018: 10 %, 2019: 20 %, 2020: 30 %" in res.output
    assert "trade cost + 5 %" in res.output
    assert "USA on imports from and exports to CHN" in res.output


def test_convergence_errors_state_the_residual_once_and_no_python_calls() -> None:
    """The engine's diagnosis used to say "try with_deficits('zero')" to CLI users."""
    w = synthetic_world(2, 1, seed=3, intermediates=False)
    creditor = w.regions[int(np.argmin(w.deficit.values))]
    other = next(x for x in w.regions if x != creditor)
    shock = Shock.none(w).scale_trade_cost(np.inf, origin=creditor, region=other).with_deficits("data")
    with pytest.raises(ConvergenceError) as info:
        solve(w, shock, max_iter=300)
    text = str(info.value)
    assert "with_deficits" not in text and "max_iter" not in text and "deficit rule 'zero'" in text
    wrapped = str(info.value.within("scenario 'x', year 2026"))
    assert len(re.findall(r"residual \S+ > tolerance", wrapped)) == 1
    assert wrapped.startswith("scenario 'x', year 2026: ")


def test_a_failing_run_tells_the_user_what_to_set(tmp_path: Path) -> None:
    w = synthetic_world(2, 1, seed=3, intermediates=False)
    creditor = w.regions[int(np.argmin(w.deficit.values))]
    other = next(x for x in w.regions if x != creditor)
    sc = load_scenario_text(
        "title: Ban all\ndescription: bans every export of the creditor\nmeasures:\n"
        f"  - type: export_control\n    mode: ban\n    imposer: {creditor}\n    target: {other}\n"
        "    sectors: all\n    years: 2026\n    assumption: test\n",
        name="ban",
    )
    with pytest.raises(ConvergenceError) as info:
        run_scenario(sc, w, "2026", max_iter=300)
    text = str(info.value)
    assert len(re.findall(r"residual \S+ > tolerance", text)) == 1
    assert "--deficits zero" in text and "deficits: zero" in text
    assert "with_deficits" not in text


def test_every_chart_uses_the_region_colours_and_order(tmp_path: Path) -> None:
    world = synthetic_world(4, 2, seed=6)
    r = run_scenario(
        load_scenario_text(TARIFF.format(title="Plain", head=""), name="plain"),
        world,
        "2026-2027",
        chokepoints=["S001"],
    )
    page = render_report([r])
    colours = region_colours(world.regions)
    traces = re.findall(r'"line":\{"color":"(#\w+)"[^{}]*\},"mode":"lines\+markers","name":"(R\d+)"', page)
    by_chart: dict[str, str] = {}
    for colour, name in traces:
        assert colour == colours[name]
        by_chart.setdefault(name, colour)
    assert set(by_chart) == set(world.regions)  # welfare path and self-sufficiency lines
    names = [n for _, n in traces]
    first = names[: len(world.regions)]
    assert first == list(world.regions)  # legend order = the World's order
