"""`tradewar world info`: tables, machine output, and errors without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from tradewar.cli.main import app
from tradewar.world import default_build as build
from tradewar.world.bundle import write_bundle
from tradewar.world.synthetic import synthetic_world

runner = CliRunner()


def test_info_default_tables() -> None:
    res = runner.invoke(app, ["world", "info", "default"])
    assert res.exit_code == 0, res.output
    out = res.output
    assert out.count("Note: world 'default': observed") == 1  # the provenance statement, once
    assert "not for policy conclusions" not in out
    for word in (
        "Totals",
        "Regions",
        "Sectors",
        "Provenance",
        "Account checks",
        "SEMA",
        "SEMM",
        "REE",
        "NLD",
    ):
        assert word in out
    assert "FAILED" not in out


def test_info_json() -> None:
    res = runner.invoke(app, ["world", "info", "default", "--json"])
    assert res.exit_code == 0
    text = res.stdout
    payload = json.loads(text[text.index("{") :])
    assert payload["stylized"] is False
    assert payload["n_regions"] == 14 and payload["n_sectors"] == 14
    assert all(c["ok"] for c in payload["account_checks"])
    assert {r["region"] for r in payload["regions"]} >= {"USA", "CHN", "TWN"}
    assert 0.98 < payload["imputed_share"]["intermediate"] < 1.0  # US-China sector flows observed


def test_info_csv(tmp_path: Path) -> None:
    res = runner.invoke(app, ["world", "info", "default", "--csv"])
    assert res.exit_code == 0
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith(("region,", "USA,", "CHN,", "EU,"))]
    path = tmp_path / "x.csv"
    path.write_text("\n".join(lines))
    df = pd.read_csv(path)
    assert list(df.columns) == ["region", "sector", "gross_output", "value_added", "exports", "imports"]


def test_info_bundle_and_options(tmp_path: Path, shared_data: Path) -> None:
    path = write_bundle(synthetic_world(3, 2, seed=4), tmp_path / "w")
    res = runner.invoke(app, ["world", "info", str(path)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["world", "info", "wiod-eu", "--data-dir", str(shared_data), "-o", "year=2000"])
    assert res.exit_code == 0, res.output
    assert "2000" in res.output


def _assert_clean_error(args: list[str], *needles: str) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code != 0
    assert "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    for needle in needles:
        assert needle in res.output, res.output


def test_errors_without_traceback(tmp_path: Path) -> None:
    _assert_clean_error(["world", "info", "xyz:foo"], "unknown format", "expected:", "fix:")
    _assert_clean_error(["world", "info", "nosuchworld"], "not a shipped name")
    _assert_clean_error(["world", "info", "default", "-o", "nonsense"], "KEY=VALUE")
    _assert_clean_error(["world", "info", "default", "--csv", "--json"], "exclude each other")
    bad = tmp_path / "panel.csv"
    bad.write_text("exporter,importer,trade\nUSA,USA,1\nUSA,CAN,-2\nCAN,USA,1\nCAN,CAN,1\n")
    _assert_clean_error(["world", "info", f"gravity:{bad}"], "negative", "panel.csv")
    _assert_clean_error(["world", "info", f"gegravity:{tmp_path}"], "not found", "sample_data_set.dlm")


def test_unbalanced_bundle_is_reported(tmp_path: Path) -> None:
    path = write_bundle(synthetic_world(3, 2, seed=5), tmp_path / "w")
    va = pd.read_parquet(path / "value_added.parquet")
    va.loc[(va.region == "R001") & (va.sector == "S001"), "value"] *= 1.5
    va.to_parquet(path / "value_added.parquet", index=False)
    _assert_clean_error(
        ["world", "info", str(path)], "accounts do not balance", "'R001'", "'S001'", "imbalance"
    )


def test_info_calibration() -> None:
    res = runner.invoke(app, ["world", "info", "default", "--calibration"], terminal_width=200)
    assert res.exit_code == 0, res.output
    assert "targets within tolerance" in res.output and "goods:USA>CHN" in res.output
    n = len(build.calibration_targets(build.load_sources()))
    assert f"{n} of {n} targets within tolerance" in res.output and "outside" not in res.output
    csv = runner.invoke(app, ["world", "info", "default", "--calibration", "--csv"])
    assert csv.exit_code == 0
    assert csv.stdout.splitlines()[0].startswith("key,kind,what,world,observed,unit,error")


def test_info_calibration_shows_a_miss(tmp_path: Path) -> None:
    """A target outside its tolerance is named in the summary line, not hidden."""
    write_bundle(synthetic_world(2, 2), tmp_path / "w")
    table = pd.read_csv(build.CALIBRATION_FILE)
    table.loc[0, ["world", "error", "error_pct", "within"]] = [0.0, -1.0, -100.0, False]
    table.to_csv(tmp_path / "w" / "calibration.csv", index=False)
    res = runner.invoke(app, ["world", "info", str(tmp_path / "w"), "--calibration"], terminal_width=200)
    assert res.exit_code == 0, res.output
    assert f"outside tolerance: {table.loc[0, 'key']}" in res.output


def test_info_calibration_without_a_report(tmp_path: Path) -> None:
    from tradewar.world.bundle import write_bundle
    from tradewar.world.synthetic import synthetic_world

    write_bundle(synthetic_world(2, 2), tmp_path / "w")
    res = runner.invoke(app, ["world", "info", str(tmp_path / "w"), "--calibration"])
    assert res.exit_code != 0 and "no calibration report" in res.output
