"""Bad input is one clear error, never a traceback, a hang or a silently wrong result.

One test per case found by trying tradewar as a new user would (issue 10): empty
scenarios with the report, non-UTF-8 and "billion laughs" YAML, damaged bundles,
manifests and includes that point outside their folder, broken tariff schedules, and
magnitudes that are unit slips (schedules, funding, the Python API).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tradewar.cli.main import app
from tradewar.errors import DataError, ScenarioError, TradewarError
from tradewar.limits import MAX_FUNDING_SHARE, MAX_RATE, MAX_YAML_ALIASES, MAX_YAML_NODES
from tradewar.model import Shock
from tradewar.policy import load_scenario, load_scenario_text, translate
from tradewar.policy.scenario import INCLUDE_ANYWHERE_ENV
from tradewar.world.bundle import read_bundle, write_bundle
from tradewar.world.synthetic import synthetic_world

REPO = Path(__file__).resolve().parents[1]
runner = CliRunner()

HEAD = "title: A test\ndescription: a test scenario\nyears: 2026\n"


@pytest.fixture(scope="module")
def world():
    return synthetic_world(3, 2, seed=2)


@pytest.fixture(scope="module")
def bundle(world, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bundle(world, tmp_path_factory.mktemp("b") / "world")


def _clean(res) -> None:
    """A user error: exit 2, one 'error:' message, no traceback."""
    text = res.output + (res.stderr if res.stderr_bytes is not None else "")
    assert res.exit_code == 2, text
    assert "Traceback" not in text and "error:" in text
    assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit)


# ------------------------------------------------------------------------- tracebacks
def test_empty_measures_run_with_the_report_and_check_agrees(bundle: Path, tmp_path: Path) -> None:
    f = tmp_path / "empty.yaml"
    f.write_text(HEAD + "measures: []\n")
    res = runner.invoke(app, ["scenarios", "check", str(f)])
    assert res.exit_code == 0 and re.search(r"0\s+measures", res.output)
    res = runner.invoke(app, ["run", str(f), "--world", str(bundle), "--out", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    assert "No measures" in (tmp_path / "o" / "report.html").read_text()
    assert np.abs(pd.read_csv(tmp_path / "o" / "regions.csv")["welfare_pct"]).max() < 1e-8


def test_non_utf8_yaml(tmp_path: Path) -> None:
    f = tmp_path / "latin1.yaml"
    f.write_bytes(HEAD.encode() + "assumptions: [café]\nmeasures: []\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match=r"not UTF-8 text \(byte 0xe9 on line 4\)"):
        load_scenario(str(f))
    for args in (["scenarios", "show", str(f)], ["scenarios", "check", str(f)], ["run", str(f)]):
        _clean(runner.invoke(app, [*args]))


def test_game_nash_max_iter_zero() -> None:
    res = runner.invoke(app, ["game", "nash", "--max-iter", "0"])
    assert res.exit_code == 2 and "Traceback" not in res.output and "max-iter" in res.output


def test_ctrl_c_while_the_command_line_starts() -> None:
    """A Ctrl-C during the imports of ``tradewar`` prints one line and exits 130."""
    child = (
        "import sys\n"
        "class Stop:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'tradewar.cli.run_cmd':\n"
        "            raise KeyboardInterrupt\n"
        "sys.meta_path.insert(0, Stop())\n"
        "from tradewar.cli.main import app\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    p = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 130
    assert p.stderr.strip().splitlines() == [
        "tradewar: interrupted (Ctrl-C); nothing half-written was left behind"
    ]


# ------------------------------------------------------------------------- YAML bombs
def _laughs(levels: int, fan: int) -> str:
    lines = ['l0: &l0 ["lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * fan) + "]")
    return HEAD + "assumptions: []\n" + "\n".join(lines) + f"\nmore: *l{levels}\n"


@pytest.mark.parametrize(
    ("levels", "fan", "match"),
    [
        (12, 9, f"more than {MAX_YAML_ALIASES} aliases"),
        (9, 9, f"more than {MAX_YAML_NODES} values"),
        (40, 2, "values"),
    ],
)
def test_billion_laughs_is_refused_quickly(levels: int, fan: int, match: str) -> None:
    t0 = time.perf_counter()
    with pytest.raises(ScenarioError, match=match):
        load_scenario_text(_laughs(levels, fan))
    assert time.perf_counter() - t0 < 5  # about 0.1 s on a quiet machine
    tracemalloc.start()
    with pytest.raises(ScenarioError, match=match):
        load_scenario_text(_laughs(levels, fan))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 100e6


def test_recursive_alias_and_deep_nesting() -> None:
    with pytest.raises(ScenarioError, match=r"contains itself|nested"):
        load_scenario_text(HEAD + "assumptions: &a [x, *a]\n")
    with pytest.raises(ScenarioError, match="nested"):
        load_scenario_text(HEAD + "assumptions: " + "[" * 5000 + "]" * 5000 + "\n")


# ------------------------------------------------------------------------- bundles
@pytest.mark.parametrize(
    ("damage", "match"),
    [
        ("truncate", "not a readable Parquet table"),
        ("empty", "not a readable Parquet table"),
        ("text", "not a readable Parquet table"),
        ("escape", "points outside the bundle folder"),
        ("absolute", "points outside the bundle folder"),
        ("theta-text", "not numbers"),
        ("label-bytes", "damaged table"),  # found by tests/fuzz: invalid UTF-8 decoded lazily
        ("manifest-list", "format is"),
        ("no-regions", "no 'regions'"),
    ],
)
def test_damaged_bundles(damage: str, match: str, bundle: Path, tmp_path: Path) -> None:
    import shutil

    d = tmp_path / "w"
    shutil.copytree(bundle, d)
    theta = d / "theta.parquet"
    manifest = json.loads((d / "manifest.json").read_text())
    if damage == "truncate":
        theta.write_bytes(theta.read_bytes()[:40])
    elif damage == "empty":
        theta.write_bytes(b"")
    elif damage == "text":
        theta.write_text("sector,value\nS000,4\n")
    elif damage in ("escape", "absolute"):
        (tmp_path / "secret.parquet").write_bytes(theta.read_bytes())
        name = "../secret.parquet" if damage == "escape" else str(tmp_path / "secret.parquet")
        manifest["variables"]["theta"]["file"] = name
    elif damage == "theta-text":
        df = pd.read_parquet(theta)
        df["value"] = df["value"].astype(str)
        df.loc[0, "value"] = "four"
        df.to_parquet(theta)
    elif damage == "label-bytes":
        raw = theta.read_bytes()
        theta.write_bytes(raw.replace(b"\x04\x00\x00\x00S000", b"\x04\x00\x00\x00\x80000", 1))
    elif damage == "manifest-list":
        manifest = [manifest]
    elif damage == "no-regions":
        del manifest["regions"]
    (d / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DataError, match=match):
        read_bundle(d)
    _clean(runner.invoke(app, ["world", "info", str(d)]))


# ------------------------------------------------------------------------- includes
def test_includes_stay_in_their_folder_unless_allowed(tmp_path: Path, monkeypatch) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(HEAD + "measures: []\n")
    inner = tmp_path / "project"
    inner.mkdir()
    for include in (str(outside), "../outside.yaml"):
        f = inner / "main.yaml"
        f.write_text(HEAD + f"include: [{include}]\nmeasures: []\n")
        with pytest.raises(ScenarioError, match="outside the including file's folder") as err:
            load_scenario(str(f))
        assert INCLUDE_ANYWHERE_ENV in str(err.value) and "line 4" in str(err.value)
        monkeypatch.setenv(INCLUDE_ANYWHERE_ENV, "1")
        assert load_scenario(str(f)).files[0] == str(outside)
        monkeypatch.delenv(INCLUDE_ANYWHERE_ENV)
    (inner / "link.yaml").symlink_to(outside)
    (inner / "main.yaml").write_text(HEAD + "include: [link.yaml]\nmeasures: []\n")
    with pytest.raises(ScenarioError, match="outside"):
        load_scenario(str(inner / "main.yaml"))
    # inside the folder and the built-in library are fine
    (inner / "sub").mkdir()
    (inner / "sub" / "part.yaml").write_text(HEAD + "measures: []\n")
    (inner / "main.yaml").write_text(HEAD + "include: [sub/part.yaml, trade-war-2026]\nmeasures: []\n")
    assert len(load_scenario(str(inner / "main.yaml")).files) > 2


# ------------------------------------------------------------------------- magnitudes
CONC = "code,sector\n01,S000\n02,S001\n"


def _schedule(tmp_path: Path, csv: str | bytes, unit: str = "percent", extreme: bool = False) -> str:
    f = tmp_path / "sched.csv"
    f.write_bytes(csv if isinstance(csv, bytes) else csv.encode())
    (tmp_path / "conc.csv").write_text(CONC)
    return HEAD + (
        "measures:\n  - type: tariff_schedule\n    imposer: R000\n    target: R001\n"
        f"    file: sched.csv\n    unit: {unit}\n    weights: equal\n    concordance: conc.csv\n"
        f"    years: 2026\n    assumption: test\n" + ("    extreme: true\n" if extreme else "")
    )


@pytest.mark.parametrize(
    ("csv", "unit", "match"),
    [
        ("", "percent", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff\xfe", "percent", "not a readable CSV|columns"),
        ("hs6,tariff\n", "percent", "no rows"),
        ("hs6,tariff\n010101,1e12\n020202,5\n", "percent", r"1e\+12 %.*implausible"),
        ("hs6,tariff\n010101,25\n020202,7.5\n", "fraction", "look like percent"),
        ("hs6,tariff\n010101,inf\n", "percent", "infinite"),
    ],
)
def test_bad_tariff_schedules(csv: str | bytes, unit: str, match: str, world, tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(_schedule(tmp_path, csv, unit))
    sc = load_scenario(str(tmp_path / "s.yaml"))
    with pytest.raises(ScenarioError, match=match) as err:
        translate(sc, world, [2026])
    assert "sched.csv" in str(err.value)


def test_extreme_schedule_is_accepted_when_declared(world, tmp_path: Path) -> None:
    text = _schedule(tmp_path, "hs6,tariff\n010101,25\n020202,7.5\n", "fraction", extreme=True)
    (tmp_path / "s.yaml").write_text(text)
    pol = translate(load_scenario(str(tmp_path / "s.yaml")), world, [2026])[2026]
    assert float(pol.tariff.sel(origin="R001", region="R000", product="S000")) == pytest.approx(25.0)


FUNDING = (
    HEAD
    + """\
measures:
  - type: productivity
    region: R000
    sectors: [S000]
    funding:
      amount: {amount}
      unit: USD billion
      spent: 2026-2026
      rate_of_return: 0.2
      financing: {{by: budget, normal_return: 0.05, depreciation: 0.1, investment_goods: {{S001: 1}},
                  assumption: test}}
    years: 2026
    assumption: test
{extreme}"""
)


def test_funding_slip_is_refused_relative_to_gdp(world) -> None:
    gdp = float(world.value_added.sel(region="R000").sum()) / 1000.0  # USD billion
    slip = load_scenario_text(FUNDING.format(amount=500000, extreme=""))
    with pytest.raises(ScenarioError, match="% of the annual GDP") as err:
        translate(slip, world, [2026])
    assert "funding.amount" in str(err.value) and "extreme: true" in str(err.value)
    fine = load_scenario_text(FUNDING.format(amount=0.5 * MAX_FUNDING_SHARE * gdp, extreme=""))
    assert translate(fine, world, [2026])
    deliberate = load_scenario_text(FUNDING.format(amount=500000, extreme="    extreme: true\n"))
    assert translate(deliberate, world, [2026])


def test_yaml_magnitude_override() -> None:
    tariff = "measures:\n  - {type: tariff, action: set, imposer: R000, target: R001, years: 2026,\n"
    with pytest.raises(ScenarioError, match="implausible"):
        load_scenario_text(HEAD + tariff + "     magnitude: {unit: fraction, value: 25}, assumption: t}\n")
    sc = load_scenario_text(
        HEAD + tariff + "     magnitude: {unit: fraction, value: 25}, assumption: t, extreme: true}\n"
    )
    assert "extreme" in sc.to_yaml() and "extreme" not in load_scenario("trade-war-2026").to_yaml()


def test_python_api_refuses_percent_as_fraction(world) -> None:
    base = Shock.none(world)
    assert float(base.add_tariff(0.25).tariff.max()) < 1
    for build in (
        lambda: base.add_tariff(25, origin="R001", region="R000"),
        lambda: base.set_tariff(MAX_RATE * 1.5),
        lambda: base.scale_productivity(30.0, region="R000"),
    ):
        with pytest.raises(ScenarioError, match="allow_extreme=True"):
            build()
    assert float(base.add_tariff(25, allow_extreme=True).tariff.max()) >= 25


def test_every_error_is_a_tradewar_error() -> None:
    assert issubclass(ScenarioError, TradewarError) and issubclass(DataError, TradewarError)
